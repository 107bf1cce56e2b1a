/**
 * sms-send checks the consent ledger itself (on by default, flows without the setting included):
 * inside a real Node-RED runtime, with consent recorded in the store file as sms-consent or an
 * inbound STOP would, Twilio mocked with nock.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import smsProvider from '../../node-red/sms-provider';
import smsSend from '../../node-red/sms-send';
import smsStore from '../../node-red/sms-store';
import { useNock } from '../support/nock';
import { recordConsentIn } from '../support/temp-store';
import { TestFlow, TWILIO_CREDENTIALS, TWILIO_HOST, TWILIO_PATH, helper, type Msg } from './harness';

let flow: TestFlow | undefined;

afterEach(async () => {
  await flow?.stop();
  flow = undefined;
});
// After the flow's hook, so that the flow stops before its pending requests are cut.
useNock();

const ANA = '+14155550123';
const BOB = '+14155550124';

/** Twilio answers every send; the recipients it was asked to text, in order. */
function twilio(): string[] {
  const to: string[] = [];
  nock(TWILIO_HOST)
    .post(TWILIO_PATH)
    .reply(201, (_uri, body) => {
      const form = Object.fromEntries(new URLSearchParams(String(body)));
      to.push(form.To ?? '');
      return { sid: `SM${to.length}`, status: 'queued', to: form.To, from: form.From, num_segments: '1' };
    })
    .persist();
  return to;
}

async function twilioFlow(send: Record<string, unknown> = {}): Promise<TestFlow> {
  return TestFlow.start({ provider: 'twilio', credentials: { ...TWILIO_CREDENTIALS }, send: { from: '+15005550006', fromType: 'str', ...send } });
}

const ledgerOf = (f: TestFlow) => join(f.userDir, 'a2p-kit.sqlite');
const errorCode = (m: Msg | null) => (m?.error as { code?: string } | undefined)?.code;

describe('sms-send refuses recipients the consent ledger refuses', () => {
  it('a STOP: OPTED_OUT on the failed output and to Catch, and Twilio never hears of it (a flow without the setting)', async () => {
    flow = await twilioFlow();
    await recordConsentIn(ledgerOf(flow), [{ phone: ANA, action: 'opt-out' }]);
    const sent = twilio();
    const run = await flow.send({ payload: 'Spring sale: 20% off', to: ANA });
    expect(run.sent).toBeNull();
    expect(run.failed).toMatchObject({ payload: 'Spring sale: 20% off', error: { code: 'OPTED_OUT', retryable: false } });
    expect((run.failed!.error as { message: string }).message).toContain('"marketing"');
    expect(JSON.stringify(run.failed!.error)).not.toContain('4155550123');
    expect(errorCode(run.caught)).toBe('OPTED_OUT');
    expect(sent).toEqual([]);
    expect(flow.statuses.at(-1)).toMatchObject({ fill: 'red' });
  });

  it('a bulk: the allowed items go out, the refused ones come back with their index', async () => {
    flow = await twilioFlow();
    await recordConsentIn(ledgerOf(flow), [{ phone: BOB, action: 'opt-out' }]);
    const sent = twilio();
    const items = [
      { to: ANA, text: 'hi Ana' },
      { to: BOB, text: 'hi Bob' },
    ];
    const run = await flow.send({ payload: items });
    expect(run.sent?.payload).toEqual([expect.objectContaining({ to: ANA })]);
    expect(run.failed?.payload).toEqual([{ index: 1, input: expect.objectContaining(items[1]), error: expect.objectContaining({ code: 'OPTED_OUT' }) }]);
    expect(errorCode(run.caught)).toBe('OPTED_OUT');
    expect(sent).toEqual([ANA]);
  });

  it('require opt-in: NO_CONSENT until an opt-in is recorded', async () => {
    flow = await twilioFlow({ requireOptIn: true });
    const sent = twilio();
    expect(errorCode((await flow.send({ payload: 'Weekly deals', to: ANA })).failed)).toBe('NO_CONSENT');
    await recordConsentIn(ledgerOf(flow), [{ phone: ANA, action: 'opt-in', topic: 'marketing' }]);
    expect((await flow.send({ payload: 'Weekly deals', to: ANA })).sent?.payload).toMatchObject({ to: ANA });
    expect(sent).toEqual([ANA]);
  });

  it('the topic: an opt-out of marketing lets transactional messages through; a STOP does not', async () => {
    flow = await twilioFlow({ consentTopic: 'transactional' });
    const sent = twilio();
    await recordConsentIn(ledgerOf(flow), [{ phone: ANA, action: 'opt-out', topic: 'marketing' }]);
    expect((await flow.send({ payload: 'Order 1 shipped', to: ANA })).sent?.payload).toMatchObject({ to: ANA });
    await recordConsentIn(ledgerOf(flow), [{ phone: ANA, action: 'opt-out' }]);
    const run = await flow.send({ payload: 'Order 2 shipped', to: ANA });
    expect(run.failed?.error).toMatchObject({ code: 'OPTED_OUT', message: expect.stringContaining('"transactional"') });
    expect(sent).toEqual([ANA]);
  });

  it('topic "*": an opt-out of any topic refuses', async () => {
    flow = await twilioFlow({ consentTopic: '*' });
    twilio();
    await recordConsentIn(ledgerOf(flow), [{ phone: ANA, action: 'opt-out', topic: 'surveys' }]);
    const run = await flow.send({ payload: 'hello', to: ANA });
    expect(run.failed?.error).toMatchObject({ code: 'OPTED_OUT', message: expect.stringContaining('every topic') });
  });

  it('check consent off: the ledger is not consulted', async () => {
    flow = await twilioFlow({ checkConsent: false });
    await recordConsentIn(ledgerOf(flow), [{ phone: ANA, action: 'opt-out' }]);
    const sent = twilio();
    expect((await flow.send({ payload: 'hello', to: ANA })).sent?.payload).toMatchObject({ to: ANA });
    expect(sent).toEqual([ANA]);
  });

  it('an empty topic means marketing', async () => {
    flow = await twilioFlow({ consentTopic: ' ' });
    await recordConsentIn(ledgerOf(flow), [{ phone: ANA, action: 'opt-out', topic: 'marketing' }]);
    twilio();
    expect(errorCode((await flow.send({ payload: 'hello', to: ANA })).failed)).toBe('OPTED_OUT');
  });
});

describe('dry run', () => {
  it('reads an existing ledger: OPTED_OUT, nothing sent', async () => {
    flow = await twilioFlow({ dryRun: true });
    await recordConsentIn(ledgerOf(flow), [{ phone: ANA, action: 'opt-out' }]);
    const run = await flow.send({ payload: [{ to: ANA, text: 'x' }, { to: BOB, text: 'x' }] });
    expect(run.sent?.payload).toEqual([expect.objectContaining({ to: BOB, messageId: '' })]);
    expect(run.failed?.payload).toEqual([expect.objectContaining({ index: 0, error: expect.objectContaining({ code: 'OPTED_OUT' }) })]);
  });

  it('creates no store file; without one, require opt-in refuses everyone, as a first real run would', async () => {
    flow = await twilioFlow({ dryRun: true, requireOptIn: true });
    const run = await flow.send({ payload: 'x', to: ANA });
    expect(errorCode(run.failed)).toBe('NO_CONSENT');
    expect(existsSync(ledgerOf(flow))).toBe(false);
  });
});

describe('bad consent settings', () => {
  it('a topic longer than 100 characters fails each message with INVALID_INPUT', async () => {
    flow = await twilioFlow({ consentTopic: 'm'.repeat(101) });
    const sent = twilio();
    const run = await flow.send({ payload: 'hello', to: ANA });
    expect(run.failed?.error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/^consent\.topic/) });
    expect(sent).toEqual([]);
  });

  it('a topic that is not text is a configuration error, reported at deploy', async () => {
    flow = await twilioFlow({ consentTopic: 42 });
    expect(flow.logText()).toContain('the consent topic must be text');
    const run = await flow.send({ payload: 'hello', to: ANA });
    expect(run.failed?.error).toMatchObject({ code: 'INVALID_INPUT', message: 'the consent topic must be text' });
  });
});

describe('with an sms-store config node selected', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'a2p-nr-consent-'));
  });
  afterEach(async () => {
    await helper.unload();
    rmSync(dir, { recursive: true, force: true });
  });

  it("reads that store's ledger: a dry run finds its file", async () => {
    const file = join(dir, 'campaigns.sqlite');
    await recordConsentIn(file, [{ phone: ANA, action: 'opt-out' }]);
    helper.settings({ userDir: dir });
    const at = { x: 100, y: 100 };
    await helper.load(
      [smsProvider, smsStore, smsSend],
      [
        { id: 'tab', type: 'tab', label: 'sms' },
        { id: 'account', type: 'sms-provider', provider: 'sandbox', rate: '' },
        { id: 'ledger', type: 'sms-store', path: file },
        { id: 'send', type: 'sms-send', z: 'tab', ...at, provider: 'account', store: 'ledger', dryRun: true, wires: [['sent'], ['failed']] },
        { id: 'sent', type: 'helper', z: 'tab', ...at, wires: [] },
        { id: 'failed', type: 'helper', z: 'tab', ...at, wires: [] },
      ],
    );
    const failedMsg = (msg: Record<string, unknown>) =>
      new Promise<Msg>((resolve) => {
        helper.getNode('failed').once('input', (m) => resolve(m as Msg));
        helper.getNode('send').receive(msg);
      });
    expect(errorCode(await failedMsg({ payload: 'hi', to: ANA }))).toBe('OPTED_OUT');
    // The default file in the user directory is not the one in use.
    expect(existsSync(join(dir, 'a2p-kit.sqlite'))).toBe(false);
  });
});
