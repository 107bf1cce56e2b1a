/**
 * The Inbound SMS Trigger inside n8n-core's WebhookContext, driven over HTTP as n8n serves it
 * (test/n8n/webhook-harness.ts): what the provider is answered, what the workflow gets, what the
 * store keeps. Official signature vectors are used where they fit a request the node takes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { ICredentialDataDecryptedObject, INodeParameters } from 'n8n-workflow';
import nock from 'nock';
import request from 'supertest';
import { openStore } from '../../core/store';
import { InboundSmsTrigger } from '../../nodes/InboundSmsTrigger/InboundSmsTrigger.node';
import { SendSms } from '../../nodes/SendSms/SendSms.node';
import { useNock } from '../support/nock';
import { useTempDir } from '../support/temp-store';
import { storeRows } from '../webhook/store-state';
import { logs, runNode } from './harness';
import { PRODUCTION_PATH, PRODUCTION_URL, ServedWebhookNode, TEST_PATH, TEST_URL } from './webhook-harness';
import { nowS, sinchHeaders, telnyxHeaders, telnyxKeys, twilioSignature } from './webhook-signing';

useNock();
const dir = useTempDir('a2p-n8n-inbound-');
beforeEach(() => nock.enableNetConnect('127.0.0.1'));

const ALICE = '+14155550100';
const SHOP = '+14155550199';
const TOKEN = 'tw-auth-token-0123456789';
const TWILIO = { a2pTwilioApi: { accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: TOKEN } };
const FORM = 'application/x-www-form-urlencoded';

/** The trigger served as n8n serves it, with a store of its own unless the options name one. */
function trigger(parameters: INodeParameters, credentials: Record<string, ICredentialDataDecryptedObject> = {}) {
  const options = { storePath: dir.testFile(), ...((parameters.options as object | undefined) ?? {}) } as { storePath: string };
  const hook = new ServedWebhookNode(new InboundSmsTrigger(), { parameters: { ...parameters, options }, credentials });
  return Object.assign(hook, { storePath: options.storePath });
}

function twilioPost(hook: ServedWebhookNode, params: Record<string, string>, opts: { url?: string; path?: string; signature?: string } = {}) {
  return request(hook.app)
    .post(opts.path ?? PRODUCTION_PATH)
    .set('content-type', FORM)
    .set('x-twilio-signature', opts.signature ?? twilioSignature(TOKEN, opts.url ?? PRODUCTION_URL, params))
    .send(new URLSearchParams(params).toString());
}

const sms = (over: Record<string, string> = {}) => ({ MessageSid: 'SM0001', AccountSid: TWILIO.a2pTwilioApi.accountSid, From: ALICE, To: SHOP, Body: 'Hello', ...over });

describe('what n8n registers', () => {
  it('POST for every provider, GET too where the provider can call with it', () => {
    const methods = (provider: string) => trigger({ provider }).registeredMethods();
    expect(['twilio', 'vonage', 'plivo', 'telnyx', 'sinch', 'infobip', 'sandbox'].map((p) => [p, methods(p)])).toEqual([
      ['twilio', ['POST', 'GET']],
      ['vonage', ['POST', 'GET']],
      ['plivo', ['POST', 'GET']],
      ['telnyx', ['POST']],
      ['sinch', ['POST']],
      ['infobip', ['POST']],
      ['sandbox', ['POST']],
    ]);
  });

  it('a GET to a provider that only posts is n8n\'s 404: the node never runs', async () => {
    const hook = trigger({ provider: 'sinch' });
    expect((await request(hook.app).get(PRODUCTION_PATH)).status).toBe(404);
    expect(hook.started).toEqual([]);
  });
});

describe('each provider\'s signed request is accepted', () => {
  it('twilio form POST: the message starts the workflow, TwiML answers', async () => {
    const hook = trigger({ provider: 'twilio' }, TWILIO);
    const res = await twilioPost(hook, sms());
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/xml/);
    expect(res.text).toContain('<Response/>');
    expect(hook.started).toEqual([[expect.objectContaining({ provider: 'twilio', messageId: 'SM0001', from: ALICE, to: SHOP, text: 'Hello', keyword: null, duplicate: false })]]);
  });

  it('twilio GET: the parameters and signature are in the URL', async () => {
    const hook = trigger({ provider: 'twilio' }, TWILIO);
    const query = `?${new URLSearchParams(sms({ MessageSid: 'SM0002' })).toString()}`;
    const res = await request(hook.app).get(PRODUCTION_PATH + query).set('x-twilio-signature', twilioSignature(TOKEN, PRODUCTION_URL + query));
    expect(res.status).toBe(200);
    expect(hook.started[0]?.[0]).toMatchObject({ messageId: 'SM0002', from: ALICE });
  });

  it('twilio\'s official vector verifies through n8n with the Public URL and the request\'s query (a voice call, then refused 400 as no SMS)', async () => {
    const hook = trigger({ provider: 'twilio', options: { publicUrl: 'https://mycompany.com/myapp.php' } }, { a2pTwilioApi: { accountSid: 'AC123', authToken: '12345' } });
    const params = { CallSid: 'CA1234567890ABCDE', Caller: '+14158675309', Digits: '1234', From: '+14158675309', To: '+18005551212' };
    const res = await twilioPost(hook, params, { path: `${PRODUCTION_PATH}?foo=1&bar=2`, signature: 'RSOYDt4T1cUTdK1PDd93/VVr8B8=' });
    expect([res.status, res.text]).toEqual([400, 'Bad Request (INVALID_INPUT)']);
    const tampered = await twilioPost(hook, { ...params, Digits: '9999' }, { path: `${PRODUCTION_PATH}?foo=1&bar=2`, signature: 'RSOYDt4T1cUTdK1PDd93/VVr8B8=' });
    expect(tampered.status).toBe(401);
  });

  it('vonage\'s official md5hash vector, as the GET Vonage sends', async () => {
    const params = {
      'message-timestamp': '2013-11-21 15:27:30',
      messageId: '020000001B0FE827',
      msisdn: '14843472194',
      text: 'Test again',
      timestamp: '1385047698',
      to: '13239877404',
      type: 'text',
      sig: 'd2e7b1dc968737c5998ad624e02f90b7',
    };
    const hook = trigger({ provider: 'vonage' }, { a2pVonageApi: { apiKey: 'k1', apiSecret: 's1', signatureSecret: 'my_secret_key_for_testing', signatureMethod: 'md5hash' } });
    const query = Object.entries(params).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
    const res = await request(hook.app).get(`${PRODUCTION_PATH}?${query}`);
    expect(res.status).toBe(200);
    expect(hook.started).toEqual([[expect.objectContaining({ provider: 'vonage', messageId: '020000001B0FE827', from: '+14843472194', to: '+13239877404', text: 'Test again' })]]);
    const forged = await request(hook.app).get(`${PRODUCTION_PATH}?${query.replace('Test%20again', 'STOP')}`);
    expect(forged.status).toBe(401);
  });

  it('plivo\'s official V3 vector, behind the Public URL it was signed for', async () => {
    const hook = trigger(
      { provider: 'plivo', options: { publicUrl: 'https://example.com/sms/inbound' } },
      { a2pPlivoApi: { authId: 'MAXXXXXXXXXXXXXXXXXX', authToken: 'MAXXXXXXXXXXXXXXXXXX-test-token' } },
    );
    const res = await request(hook.app)
      .post(PRODUCTION_PATH)
      .set('content-type', FORM)
      .set('x-plivo-signature-v3', '7tdfWqyxq7BfmcGRfQef6XnQ1q+xuxwkYcStc8+zOSM=')
      .set('x-plivo-signature-v3-nonce', '12345678901234567890')
      .send(new URLSearchParams({ From: '14155550100', To: '14155550199', Text: 'Hello STOP', Type: 'sms', MessageUUID: '2f1c1b6e-0000-0000-0000-000000000000' }).toString());
    expect(res.status).toBe(200);
    expect(hook.started).toEqual([[expect.objectContaining({ provider: 'plivo', messageId: '2f1c1b6e-0000-0000-0000-000000000000', from: ALICE, to: SHOP, text: 'Hello STOP', keyword: null })]]);
  });

  it('telnyx: Ed25519 over timestamp|body with the account\'s public key', async () => {
    const keys = telnyxKeys();
    const hook = trigger({ provider: 'telnyx' }, { a2pTelnyxApi: { apiKey: 'KEY_telnyx', publicKey: keys.publicKey } });
    const body = JSON.stringify({
      data: {
        event_type: 'message.received',
        id: 'evt-1',
        occurred_at: '2030-01-02T03:04:05.000+00:00',
        payload: { id: 'tx-in-1', direction: 'inbound', type: 'SMS', from: { phone_number: ALICE }, to: [{ phone_number: SHOP }], text: 'Hi there' },
      },
    });
    const res = await request(hook.app).post(PRODUCTION_PATH).set('content-type', 'application/json').set(telnyxHeaders(keys.privateKey, body, nowS())).send(body);
    expect(res.status).toBe(200);
    expect(hook.started[0]?.[0]).toMatchObject({ provider: 'telnyx', messageId: 'tx-in-1', from: ALICE, to: SHOP, text: 'Hi there' });
  });

  it('sinch: HMAC-SHA256 over body, nonce and timestamp with the webhook secret', async () => {
    const hook = trigger({ provider: 'sinch' }, { a2pSinchApi: { servicePlanId: 'plan1', apiToken: 'tok', region: 'us', webhookSecret: 'sinch-secret' } });
    const body = JSON.stringify({ type: 'mo_text', id: 'sinch-in-1', from: '14155550100', to: '14155550199', body: 'Bonjour', received_at: '2030-01-02T03:04:05Z' });
    const res = await request(hook.app).post(PRODUCTION_PATH).set('content-type', 'application/json').set(sinchHeaders('sinch-secret', body, nowS())).send(body);
    expect(res.status).toBe(200);
    expect(hook.started[0]?.[0]).toMatchObject({ provider: 'sinch', messageId: 'sinch-in-1', from: ALICE, text: 'Bonjour' });
  });

  it('infobip: the shared token in the URL (Infobip does not sign)', async () => {
    const hook = trigger({ provider: 'infobip' }, { a2pInfobipApi: { baseUrl: 'https://x.api.infobip.com', apiKey: 'k', webhookToken: 'ib-token-123' } });
    const body = { results: [{ messageId: 'ib-in-1', from: '14155550100', to: '14155550199', text: 'Yes please', receivedAt: '2030-01-02T03:04:05.000+0000' }], messageCount: 1, pendingMessageCount: 0 };
    expect((await request(hook.app).post(`${PRODUCTION_PATH}?token=wrong`).send(body)).status).toBe(401);
    expect((await request(hook.app).post(PRODUCTION_PATH).send(body)).status).toBe(401);
    expect(hook.started).toEqual([]);
    expect((await request(hook.app).post(`${PRODUCTION_PATH}?token=ib-token-123`).send(body)).status).toBe(200);
    expect(hook.started[0]?.[0]).toMatchObject({ provider: 'infobip', messageId: 'ib-in-1', text: 'Yes please' });
  });

  it('sandbox: unsigned JSON, one item per message', async () => {
    const hook = trigger({ provider: 'sandbox' });
    const res = await request(hook.app).post(PRODUCTION_PATH).send([{ from: ALICE, to: SHOP, text: 'one', messageId: 'sb-1' }, { from: ALICE, to: SHOP, text: 'two', messageId: 'sb-2' }]);
    expect(res.status).toBe(200);
    expect(hook.started).toEqual([[expect.objectContaining({ text: 'one' }), expect.objectContaining({ text: 'two' })]]);
  });

  it('a test event: signed over the Test URL n8n serves it on', async () => {
    const hook = trigger({ provider: 'twilio' }, TWILIO);
    expect((await twilioPost(hook, sms(), { path: TEST_PATH })).status).toBe(401);
    expect((await twilioPost(hook, sms(), { path: TEST_PATH, url: TEST_URL })).status).toBe(200);
    expect(hook.started).toHaveLength(1);
  });
});

describe('refused requests: the answer providers retry on, nothing emitted, nothing stored', () => {
  it('tampered body, wrong token, missing header: 401; the genuine request afterwards is new', async () => {
    const hook = trigger({ provider: 'twilio' }, TWILIO);
    const stop = sms({ Body: 'STOP' });
    const answers = await Promise.all([
      twilioPost(hook, { ...stop, Body: 'START' }, { signature: twilioSignature(TOKEN, PRODUCTION_URL, stop) }),
      twilioPost(hook, stop, { signature: twilioSignature('another-token', PRODUCTION_URL, stop) }),
      request(hook.app).post(PRODUCTION_PATH).set('content-type', FORM).send(new URLSearchParams(stop).toString()),
    ]);
    expect(answers.map((r) => [r.status, r.text])).toEqual(Array(3).fill([401, 'Unauthorized (INVALID_SIGNATURE)']));
    expect(hook.started).toEqual([]);
    expect(storeRows(hook.storePath)).toMatchObject({ consent_events: 0, inbound_messages: 0 });

    expect((await twilioPost(hook, stop)).status).toBe(200);
    expect(hook.started).toEqual([[expect.objectContaining({ duplicate: false, consentRecorded: 'opt-out' })]]);
  });

  it('stale and forged timestamped signatures (telnyx, sinch): 401', async () => {
    const keys = telnyxKeys();
    const telnyx = trigger({ provider: 'telnyx' }, { a2pTelnyxApi: { apiKey: 'k', publicKey: keys.publicKey } });
    const body = JSON.stringify({ data: { event_type: 'message.received', id: 'e', payload: { id: 'tx-2', from: { phone_number: ALICE }, to: [{ phone_number: SHOP }], text: 'STOP' } } });
    const stale = await request(telnyx.app).post(PRODUCTION_PATH).set('content-type', 'application/json').set(telnyxHeaders(keys.privateKey, body, nowS() - 600)).send(body);
    const otherKey = await request(telnyx.app).post(PRODUCTION_PATH).set('content-type', 'application/json').set(telnyxHeaders(telnyxKeys().privateKey, body, nowS())).send(body);
    const sinch = trigger({ provider: 'sinch' }, { a2pSinchApi: { servicePlanId: 'p', apiToken: 't', region: 'us', webhookSecret: 's' } });
    const sBody = JSON.stringify({ type: 'mo_text', id: 'si-2', from: '14155550100', to: '14155550199', body: 'STOP' });
    const noNonce = { ...sinchHeaders('s', sBody, nowS()) } as Record<string, string>;
    delete noNonce['x-sinch-webhook-signature-nonce'];
    const missing = await request(sinch.app).post(PRODUCTION_PATH).set('content-type', 'application/json').set(noNonce).send(sBody);
    expect([stale.status, otherKey.status, missing.status]).toEqual([401, 401, 401]);
    expect([...telnyx.started, ...sinch.started]).toEqual([]);
    expect(storeRows(telnyx.storePath).consent_events + storeRows(sinch.storePath).consent_events).toBe(0);
  });

  it('400 for a body that is not the provider\'s message; n8n itself answers 422 to JSON it cannot parse', async () => {
    const hook = trigger({ provider: 'sandbox' });
    const notSms = await request(hook.app).post(PRODUCTION_PATH).send({ hello: 'world' });
    expect([notSms.status, notSms.text]).toEqual([400, 'Bad Request (INVALID_INPUT)']);
    const twilio = trigger({ provider: 'twilio' }, TWILIO);
    const noSid = { From: ALICE, To: SHOP, Body: 'hi' };
    expect((await twilioPost(twilio, noSid)).status).toBe(400);
    expect((await request(hook.app).post(PRODUCTION_PATH).set('content-type', 'application/json').send('{"from":')).status).toBe(422);
    expect([...hook.started, ...twilio.started]).toEqual([]);
  });

  it('413 over 1 MB, read from the raw bytes n8n kept', async () => {
    const hook = trigger({ provider: 'sandbox' });
    const res = await request(hook.app).post(PRODUCTION_PATH).send({ from: ALICE, to: SHOP, text: 'x'.repeat(1024 * 1024) });
    expect([res.status, res.text]).toEqual([413, 'Payload Too Large (PAYLOAD_TOO_LARGE)']);
    expect(hook.started).toEqual([]);
  });

  it('503 when the store cannot be opened (a folder, a file that is no database): the provider retries', async () => {
    const garbage = dir.testFile();
    writeFileSync(garbage, 'this is not a database, just text long enough to fill a SQLite header page '.repeat(20));
    for (const storePath of [dir.path, garbage]) {
      const hook = trigger({ provider: 'sandbox', options: { storePath } });
      const res = await request(hook.app).post(PRODUCTION_PATH).send({ from: ALICE, to: SHOP, text: 'STOP' });
      expect([storePath === garbage, res.status, res.text]).toEqual([storePath === garbage, 503, 'Service Unavailable (STORE_ERROR)']);
      expect(hook.started).toEqual([]);
    }
    expect(readFileSync(garbage, 'utf8')).toMatch(/^this is not a database/);
  });

  it('500 for what a node setting must fix, so the provider retries once it is', async () => {
    const post = (hook: ServedWebhookNode) => twilioPost(hook, sms());
    const noCredential = trigger({ provider: 'twilio' });
    const badCountry = trigger({ provider: 'twilio', options: { defaultCountry: 'UK' } }, TWILIO);
    const badPublicUrl = trigger({ provider: 'twilio', options: { publicUrl: 'https://sms.example.com/in?x=1' } }, TWILIO);
    const wrongType = trigger({ provider: 'twilio', options: { replyStop: { text: 'bye' } } }, TWILIO);
    const afilnet = trigger({ provider: 'afilnet' }, { a2pAfilnetApi: { user: 'u', password: 'p' } });
    const answers = await Promise.all([noCredential, badCountry, badPublicUrl, wrongType].map(post));
    const afilnetAnswer = await request(afilnet.app).post(PRODUCTION_PATH).send({});
    expect([...answers, afilnetAnswer].map((r) => [r.status, r.text])).toEqual([
      [500, 'Internal Server Error (MISSING_CREDENTIALS)'],
      [500, 'Internal Server Error (INVALID_INPUT)'],
      [500, 'Internal Server Error (INVALID_INPUT)'],
      [500, 'Internal Server Error (INVALID_INPUT)'],
      [500, 'Internal Server Error (INVALID_INPUT)'],
    ]);
    expect(logs.some((l) => l.message.includes('afilnet has no webhooks (delivery status is polled)'))).toBe(true);
    expect([noCredential, badCountry, badPublicUrl, wrongType, afilnet].flatMap((h) => h.started)).toEqual([]);
  });

  it('500 rather than a re-serialised body when n8n kept no raw bytes (multipart)', async () => {
    const hook = trigger({ provider: 'twilio' }, TWILIO);
    const res = await request(hook.app).post(PRODUCTION_PATH).set('x-twilio-signature', 'x').field('MessageSid', 'SM9').field('Body', 'hi');
    expect([res.status, res.text]).toEqual([500, 'Internal Server Error (INVALID_INPUT)']);
    expect(logs.some((l) => l.message.includes('n8n passed no raw request body'))).toBe(true);
    expect(hook.started).toEqual([]);
  });

  it('no answer, log line or item carries a secret', async () => {
    logs.length = 0;
    const hook = trigger({ provider: 'twilio' }, TWILIO);
    const answers = [await twilioPost(hook, sms(), { signature: 'forged' }), await twilioPost(hook, sms({ MessageSid: 'SM0s' }))];
    const everything = JSON.stringify({ answers: answers.map((a) => [a.text, a.headers]), logs, started: hook.started });
    expect(everything).not.toContain(TOKEN);
  });
});

describe('consent, replies and repeats', () => {
  it('STOP: recorded, answered with TwiML, not started twice for the retry; Send SMS then refuses the number', async () => {
    const hook = trigger({ provider: 'twilio', options: { replyStop: 'You are unsubscribed. Reply START to resubscribe.' } }, TWILIO);
    const stop = sms({ MessageSid: 'SM0stop', Body: 'STOP' });
    const res = await twilioPost(hook, stop);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<Response><Message>You are unsubscribed. Reply START to resubscribe.</Message></Response>');
    expect(hook.started).toEqual([
      [expect.objectContaining({ messageId: 'SM0stop', from: ALICE, keyword: { intent: 'opt-out', keyword: 'STOP' }, consentRecorded: 'opt-out', autoReply: expect.any(String) })],
    ]);

    // Twilio's retry: answered (without a second confirmation), not started again, no second ledger row.
    const retry = await twilioPost(hook, stop);
    expect([retry.status, retry.text.includes('<Message>')]).toEqual([200, false]);
    expect(hook.started).toHaveLength(1);
    expect(storeRows(hook.storePath)).toMatchObject({ consent_events: 1, inbound_messages: 1 });

    const sent = await runNode({
      nodeType: new SendSms(),
      parameters: { provider: 'sandbox', to: '={{ $json.to }}', text: 'Our November promo', options: { storePath: hook.storePath } },
      items: [{ to: ALICE }],
      onError: 'continueRegularOutput',
    });
    expect(sent.outputs[0]?.[0]?.json).toMatchObject({ error: { code: 'OPTED_OUT' } });
  });

  it('De-Duplicate off: the retry starts the workflow again, flagged', async () => {
    const hook = trigger({ provider: 'twilio', options: { dedupe: false } }, TWILIO);
    await twilioPost(hook, sms());
    await twilioPost(hook, sms());
    expect(hook.started.map((items) => items[0]?.duplicate)).toEqual([false, true]);
  });

  it('Emit Keyword Messages off: STOP is recorded and answered, no execution starts', async () => {
    const hook = trigger({ provider: 'twilio', options: { emitKeywordMessages: false } }, TWILIO);
    expect((await twilioPost(hook, sms({ Body: 'STOP' }))).status).toBe(200);
    expect(hook.started).toEqual([]);
    expect(storeRows(hook.storePath).consent_events).toBe(1);
  });

  it('Record Consent From Keywords off: STOP starts the workflow, the ledger stays empty', async () => {
    const hook = trigger({ provider: 'twilio', options: { recordConsent: false } }, TWILIO);
    await twilioPost(hook, sms({ Body: 'STOP' }));
    expect(hook.started[0]?.[0]).not.toHaveProperty('consentRecorded');
    expect(storeRows(hook.storePath).consent_events).toBe(0);
  });

  it('auto-replies through the provider\'s API after answering (Telnyx), from the number that was texted', async () => {
    const keys = telnyxKeys();
    const hook = trigger({ provider: 'telnyx', options: { replyHelp: 'Shop & Co: reply STOP to opt out.' } }, { a2pTelnyxApi: { apiKey: 'KEY_telnyx', publicKey: keys.publicKey } });
    const sent = nock('https://api.telnyx.com')
      .post('/v2/messages', { from: SHOP, to: ALICE, text: 'Shop & Co: reply STOP to opt out.' })
      .reply(200, { data: { id: 'tx-out-1', to: [{ phone_number: ALICE, status: 'queued' }], parts: 1 } });
    const body = JSON.stringify({ data: { event_type: 'message.received', id: 'e', payload: { id: 'tx-help', from: { phone_number: ALICE }, to: [{ phone_number: SHOP }], text: 'HELP' } } });
    const res = await request(hook.app).post(PRODUCTION_PATH).set('content-type', 'application/json').set(telnyxHeaders(keys.privateKey, body, nowS())).send(body);
    expect(res.status).toBe(200);
    expect(hook.started[0]?.[0]).toMatchObject({ autoReply: 'Shop & Co: reply STOP to opt out.' });
    // The reply goes out after the answer: wait until the message log holds it as sent.
    const replyState = async () => {
      const store = await openStore({ kind: 'sqlite', path: hook.storePath });
      try {
        return (await store.getMessage('auto-reply:telnyx:tx-help'))?.state;
      } finally {
        await store.close();
      }
    };
    for (let i = 0; i < 200 && (await replyState()) !== 'sent'; i++) await new Promise((r) => setTimeout(r, 10));
    expect(sent.isDone()).toBe(true);
    expect(await replyState()).toBe('sent');
  });

  it('Verify Signature off: an unsigned request is taken (local tests only)', async () => {
    const hook = trigger({ provider: 'twilio', options: { verifySignature: false } }, TWILIO);
    const res = await request(hook.app).post(PRODUCTION_PATH).set('content-type', FORM).send(new URLSearchParams(sms()).toString());
    expect(res.status).toBe(200);
    expect(hook.started).toHaveLength(1);
  });
});
