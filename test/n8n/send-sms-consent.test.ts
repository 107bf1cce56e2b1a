/**
 * Send SMS checks the consent ledger itself (on by default): inside n8n-core's WorkflowExecute,
 * with consent recorded in the node's store file beforehand, Twilio mocked with nock.
 */
import { existsSync } from 'node:fs';
import nock from 'nock';
import type { IDataObject, INodeParameters } from 'n8n-workflow';
import { useNock } from '../support/nock';
import { recordConsentIn } from '../support/temp-store';
import { TWILIO_API, TWILIO_CREDENTIALS, TWILIO_MESSAGES_PATH, expectPairedInOrder, sendSms, tempStorePath, twilioCreated } from './fixtures';

useNock();

const ANA = '+14155550123';
const BOB = '+14155550124';
const credentials = { a2pTwilioApi: TWILIO_CREDENTIALS };

/** Consent events written to the store file the way other nodes (an inbound STOP, a form) would. */
/** Twilio answers every POST; the recipients it was asked to text, in order. */
function twilio(): string[] {
  const to: string[] = [];
  nock(TWILIO_API)
    .post(TWILIO_MESSAGES_PATH)
    .times(20)
    .reply((_uri: string, body: unknown) => {
      to.push(new URLSearchParams(String(body)).get('To') ?? '');
      return [201, twilioCreated(String(body), to.length)];
    });
  return to;
}

const parameters = (storePath: string, over: INodeParameters = {}): INodeParameters => ({
  provider: 'twilio',
  from: '+14155550100',
  to: '={{ $json.to }}',
  text: '=Spring sale, {{ $json.name }}: 20% off',
  ...over,
  options: { storePath, ...(over.options as IDataObject | undefined) },
});

const people = [
  { to: ANA, name: 'Ana' },
  { to: BOB, name: 'Bob' },
];

type ErrorJson = { code: string; message: string; retryable: boolean };
const errorOf = (json: IDataObject) => json.error as ErrorJson | undefined;

describe('Send SMS refuses recipients the consent ledger refuses (Check Consent on by default)', () => {
  it('a STOP in the store file: OPTED_OUT, and Twilio is never asked to text that number', async () => {
    const storePath = tempStorePath();
    await recordConsentIn(storePath, [{ phone: ANA, action: 'opt-out' }]);
    const sent = twilio();
    const run = await sendSms(parameters(storePath), people, { credentials, onError: 'continueRegularOutput' });
    expect(run.error).toBeUndefined();
    const [main] = run.outputs;
    expectPairedInOrder(main);
    expect(errorOf(main[0].json)).toMatchObject({ code: 'OPTED_OUT', retryable: false, message: expect.stringContaining('"marketing"') });
    expect(errorOf(main[0].json)?.message).not.toContain('4155550123');
    expect(main[0].json.details).toMatchObject({ analysis: { segments: 1 } });
    expect(main[1].json).toMatchObject({ provider: 'twilio', to: BOB });
    expect(sent).toEqual([BOB]);
  });

  it('a refused item goes to the error output with its input fields', async () => {
    const storePath = tempStorePath();
    await recordConsentIn(storePath, [{ phone: BOB, action: 'opt-out' }]);
    const sent = twilio();
    const run = await sendSms(parameters(storePath), people, { credentials, onError: 'continueErrorOutput' });
    const [success, failed] = run.outputs;
    expect(success.map((i) => i.json.to)).toEqual([ANA]);
    expect(failed).toEqual([
      {
        json: { to: BOB, name: 'Bob', error: expect.objectContaining({ code: 'OPTED_OUT' }), details: { analysis: expect.objectContaining({ segments: 1 }) } },
        pairedItem: { item: 1 },
      },
    ]);
    expect(sent).toEqual([ANA]);
  });

  it('without continue on fail: the node fails with OPTED_OUT after the allowed messages went out', async () => {
    const storePath = tempStorePath();
    await recordConsentIn(storePath, [{ phone: ANA, action: 'opt-out' }]);
    const sent = twilio();
    const run = await sendSms(parameters(storePath), people, { credentials });
    expect(run.error).toMatchObject({
      message: expect.stringMatching(/^OPTED_OUT: /),
      description: expect.stringContaining('1 of 2 item(s) failed. First failure: item 0. 1 message(s) were accepted'),
    });
    expect(sent).toEqual([BOB]);
  });

  it('Require Opt-In: NO_CONSENT without an opt-in, sent once one is recorded', async () => {
    const storePath = tempStorePath();
    const sent = twilio();
    const strict = parameters(storePath, { requireOptIn: true });
    const first = await sendSms(strict, people, { credentials, onError: 'continueRegularOutput' });
    expect(first.outputs[0].map((i) => errorOf(i.json)?.code)).toEqual(['NO_CONSENT', 'NO_CONSENT']);
    expect(sent).toEqual([]);

    await recordConsentIn(storePath, [{ phone: ANA, action: 'opt-in', topic: 'marketing' }]);
    const second = await sendSms(strict, people, { credentials, onError: 'continueRegularOutput' });
    expect(second.outputs[0].map((i) => errorOf(i.json)?.code ?? i.json.to)).toEqual([ANA, 'NO_CONSENT']);
    expect(sent).toEqual([ANA]);
  });

  it('the topic: an opt-out of marketing lets transactional messages through; a STOP does not', async () => {
    const storePath = tempStorePath();
    await recordConsentIn(storePath, [{ phone: ANA, action: 'opt-out', topic: 'marketing' }]);
    const sent = twilio();
    const run = (topic: string, text: string) =>
      sendSms(parameters(storePath, { consentTopic: topic, text }), [{ to: ANA }], { credentials, onError: 'continueRegularOutput' });

    expect(errorOf((await run('marketing', 'Sale')).outputs[0][0].json)?.code).toBe('OPTED_OUT');
    expect((await run('transactional', 'Order 1 shipped')).outputs[0][0].json).toMatchObject({ to: ANA });
    // `*` asks whether every topic may be sent: the marketing opt-out answers no.
    expect(errorOf((await run('*', 'Any news')).outputs[0][0].json)).toMatchObject({ code: 'OPTED_OUT', message: expect.stringContaining('every topic') });

    await recordConsentIn(storePath, [{ phone: ANA, action: 'opt-out' }]);
    expect(errorOf((await run('transactional', 'Order 2 shipped')).outputs[0][0].json)?.code).toBe('OPTED_OUT');
    expect(sent).toEqual([ANA]);
  });

  it('an empty Consent Topic means marketing', async () => {
    const storePath = tempStorePath();
    await recordConsentIn(storePath, [{ phone: ANA, action: 'opt-out', topic: 'marketing' }]);
    twilio();
    const run = await sendSms(parameters(storePath, { consentTopic: '  ' }), [{ to: ANA, name: 'Ana' }], { credentials, onError: 'continueRegularOutput' });
    expect(errorOf(run.outputs[0][0].json)?.code).toBe('OPTED_OUT');
  });

  it('a START after the STOP lets the recipient be texted again', async () => {
    const storePath = tempStorePath();
    await recordConsentIn(storePath, [{ phone: ANA, action: 'opt-out' }]);
    await recordConsentIn(storePath, [{ phone: ANA, action: 'opt-in' }]);
    const sent = twilio();
    const run = await sendSms(parameters(storePath), [{ to: ANA, name: 'Ana' }], { credentials });
    expect(run.error).toBeUndefined();
    expect(sent).toEqual([ANA]);
  });

  it('Check Consent off: the ledger is not consulted', async () => {
    const storePath = tempStorePath();
    await recordConsentIn(storePath, [{ phone: ANA, action: 'opt-out' }]);
    const sent = twilio();
    const run = await sendSms(parameters(storePath, { checkConsent: false }), people, { credentials });
    expect(run.error).toBeUndefined();
    expect(sent).toEqual([ANA, BOB]);
  });
});

describe('dry run', () => {
  it('reads an existing ledger: reports OPTED_OUT, sends nothing', async () => {
    const storePath = tempStorePath();
    await recordConsentIn(storePath, [{ phone: ANA, action: 'opt-out' }]);
    const run = await sendSms(parameters(storePath, { options: { dryRun: true } }), people, { credentials, onError: 'continueRegularOutput' });
    // disableNetConnect: a request would have failed its item with NETWORK_ERROR.
    expect(run.outputs[0].map((i) => errorOf(i.json)?.code ?? (i.json.dryRun && 'dry run ok'))).toEqual(['OPTED_OUT', 'dry run ok']);
  });

  it('creates no store file; without one, Require Opt-In refuses everyone, as a first real run would', async () => {
    const storePath = tempStorePath();
    const run = await sendSms(parameters(storePath, { requireOptIn: true, options: { dryRun: true } }), people, {
      credentials,
      onError: 'continueRegularOutput',
    });
    expect(run.outputs[0].map((i) => errorOf(i.json)?.code)).toEqual(['NO_CONSENT', 'NO_CONSENT']);
    expect(existsSync(storePath)).toBe(false);
  });
});

describe('bad consent settings fail every item with INVALID_INPUT', () => {
  it.each<[string, INodeParameters]>([
    ['a topic of 101 characters', { consentTopic: 'm'.repeat(101) }],
    ['a topic with a control character', { consentTopic: 'market\u0007ing' }],
    ['a topic expression giving a number', { consentTopic: '={{ 42 }}' }],
    ['Check Consent as an expression giving text', { checkConsent: '={{ "yes" }}' }],
    ['Require Opt-In as an expression giving text', { requireOptIn: '={{ "no" }}' }],
  ])('%s', async (_label, over) => {
    const storePath = tempStorePath();
    const sent = twilio();
    const run = await sendSms(parameters(storePath, over), people, { credentials, onError: 'continueRegularOutput' });
    expect(run.outputs[0].map((i) => errorOf(i.json)?.code)).toEqual(['INVALID_INPUT', 'INVALID_INPUT']);
    expect(errorOf(run.outputs[0][0].json)?.message.length).toBeLessThan(300);
    expect(sent).toEqual([]);
  });
});
