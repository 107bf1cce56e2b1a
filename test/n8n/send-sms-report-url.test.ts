/**
 * The credential's Delivery Report URL — the DLR Webhook's Production URL pasted once per account —
 * reaching the provider as the status callback of every send whose Status Callback URL option is
 * empty; the option winning; Infobip's token added; an unusable URL failing the items that would
 * use it; and the URL's secrets staying out of everything n8n keeps.
 */
import nock from 'nock';
import type { IDataObject } from 'n8n-workflow';
import { useNock } from '../support/nock';
import { logs } from './harness';
import { type Intercepted, TWILIO_API, TWILIO_CREDENTIALS, TWILIO_MESSAGES_PATH, expectPairedInOrder, sendSms, tempStorePath, twilioCreated } from './fixtures';
import { errorOf } from './message-log-fixtures';

useNock();

const DLR_URL = 'https://n8n.example.com/webhook/0b5e-dlr/webhook';
const OWN_URL = 'https://hooks.example.org/sms-status';

/** Twilio accepting `times` messages; the StatusCallback of each request, in order. */
function twilioCallbacks(times: number): { callbacks: (string | null)[]; scope: nock.Scope } {
  const callbacks: (string | null)[] = [];
  let n = 0;
  const scope = nock(TWILIO_API)
    .post(TWILIO_MESSAGES_PATH)
    .times(times)
    .reply(201, (_uri: string, body: unknown) => {
      callbacks.push(new URLSearchParams(String(body)).get('StatusCallback'));
      return twilioCreated(String(body), ++n);
    });
  return { callbacks, scope };
}

const twilio = (statusCallbackUrl: string | undefined, options: IDataObject = {}) =>
  sendSms(
    { provider: 'twilio', from: '+14155550100', to: '+14155550123', text: '={{ $json.text }}', options: { storePath: tempStorePath(), retries: 0, ...options } },
    [{ text: 'one' }, { text: 'two', own: OWN_URL }],
    {
      onError: 'continueRegularOutput',
      credentials: { a2pTwilioApi: statusCallbackUrl === undefined ? TWILIO_CREDENTIALS : { ...TWILIO_CREDENTIALS, statusCallbackUrl } },
    },
  );

describe('the credential’s Delivery Report URL', () => {
  it('is the status callback of every send without one of its own', async () => {
    const { callbacks, scope } = twilioCallbacks(2);
    const { outputs, error } = await twilio(DLR_URL);
    expect(error).toBeUndefined();
    expect(scope.isDone()).toBe(true);
    expect(callbacks).toEqual([DLR_URL, DLR_URL]);
    expect(outputs[0].map((i) => i.json.messageId)).toEqual([expect.stringMatching(/^SM/), expect.stringMatching(/^SM/)]);
  });

  it('gives way to the Status Callback URL option, item by item', async () => {
    const { callbacks } = twilioCallbacks(2);
    await twilio(DLR_URL, { statusCallbackUrl: '={{ $json.own }}' });
    expect(callbacks).toEqual([DLR_URL, OWN_URL]);
  });

  it('unset or blank: no status callback, as before the setting existed', async () => {
    for (const url of [undefined, '', '   ']) {
      const { callbacks, scope } = twilioCallbacks(2);
      await twilio(url);
      expect(scope.isDone()).toBe(true);
      expect(callbacks).toEqual([null, null]);
    }
  });

  it.each([
    ['with a query', `${DLR_URL}?x=1`],
    ['not http(s)', 'ftp://n8n.example.com/webhook'],
    ['not a URL', 'the DLR node'],
    ['holding a user and password', 'https://admin:hunter2@n8n.example.com/webhook/x'],
    ['of 10,000 characters', `https://n8n.example.com/${'x'.repeat(10_000)}`],
  ])('%s: INVALID_INPUT on the items that would use it, which are not sent; the others are', async (_label, url) => {
    const { callbacks, scope } = twilioCallbacks(1);
    const { outputs, error } = await twilio(url, { statusCallbackUrl: '={{ $json.own }}' });
    expect(error).toBeUndefined();
    expect(scope.isDone()).toBe(true);
    expect(callbacks).toEqual([OWN_URL]);
    const [main] = outputs;
    expectPairedInOrder(main);
    const failure = errorOf(main[0]);
    expect(failure.code).toBe('INVALID_INPUT');
    expect(failure.message).toMatch(/^the credential's Delivery Report URL: /);
    expect(failure.message).not.toContain('hunter2');
    expect(failure.message.length).toBeLessThan(300);
    expect(main[1].json.messageId).toEqual(expect.stringMatching(/^SM/));
  });
});

describe('Infobip: unsigned reports, so the Webhook Token goes into the URL', () => {
  const BASE = 'https://y3kq9.api.infobip.com';
  const API_KEY = 'infobip-api-key-7c1e';
  const TOKEN = 'wh-t0ken/with+odd=chars';
  const accepted = (id: string) => ({ messages: [{ messageId: id, status: { groupId: 1, groupName: 'PENDING', id: 26, name: 'PENDING_ACCEPTED' } }] });

  const infobip = (credentials: IDataObject, options: IDataObject = {}) =>
    sendSms(
      { provider: 'infobip', from: 'Shop', to: '+41793026727', text: '={{ $json.text }}', options: { storePath: tempStorePath(), retries: 0, ...options } },
      [{ text: 'one' }, { text: 'two', own: OWN_URL }],
      { onError: 'continueRegularOutput', credentials: { a2pInfobipApi: { baseUrl: BASE, apiKey: API_KEY, ...credentials } } },
    );

  it('adds ?token= to the credential’s URL, and no secret reaches the run data or the logs', async () => {
    const urls: unknown[] = [];
    nock(BASE)
      .post('/sms/3/messages')
      .times(2)
      .reply(function (this: Intercepted, _uri: string, body: unknown) {
        const message = (body as { messages: { webhooks?: { delivery?: { url: string } } }[] }).messages[0];
        urls.push(message.webhooks?.delivery?.url);
        return [200, accepted(`ib-${urls.length}`)];
      });
    logs.length = 0;

    const { run, outputs, error } = await infobip({ webhookToken: TOKEN, statusCallbackUrl: DLR_URL });

    expect(error).toBeUndefined();
    expect(outputs[0].map((i) => i.json.messageId)).toEqual(['ib-1', 'ib-2']);
    expect(urls).toEqual([`${DLR_URL}?token=${encodeURIComponent(TOKEN)}`, `${DLR_URL}?token=${encodeURIComponent(TOKEN)}`]);
    const kept = JSON.stringify(run) + JSON.stringify(logs);
    for (const secret of [TOKEN, encodeURIComponent(TOKEN), API_KEY]) expect(kept).not.toContain(secret);
  });

  it('without a Webhook Token: MISSING_CREDENTIALS on the items that would use the URL; an item with its own URL is sent', async () => {
    const scope = nock(BASE).post('/sms/3/messages').once().reply(200, accepted('ib-own'));

    const { outputs } = await infobip({ statusCallbackUrl: DLR_URL }, { statusCallbackUrl: '={{ $json.own }}' });

    expect(scope.isDone()).toBe(true);
    expect(errorOf(outputs[0][0])).toMatchObject({ code: 'MISSING_CREDENTIALS', message: expect.stringContaining('webhookToken') });
    expect(outputs[0][1].json.messageId).toBe('ib-own');
  });
});

describe('the sandbox has no credential: its reports go to the Status Callback URL option', () => {
  it('posts the simulated delivery report there', async () => {
    let report: IDataObject | undefined;
    const scope = nock('https://n8n.example.com')
      .post('/webhook/0b5e-dlr/webhook', (body: IDataObject) => {
        report = body;
        return true;
      })
      .reply(200);
    // Once the sandbox has its answer: ending the test earlier would cut its request off.
    const replied = new Promise((resolve) => scope.once('replied', resolve));

    const { outputs, error } = await sendSms({ provider: 'sandbox', to: '+14155550123', text: 'Hi', options: { storePath: tempStorePath(), statusCallbackUrl: DLR_URL } }, [{}]);

    expect(error).toBeUndefined();
    await replied;
    expect(report).toMatchObject({ provider: 'sandbox', messageId: outputs[0][0].json.messageId, status: 'delivered', final: true });
  });
});
