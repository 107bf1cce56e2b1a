/**
 * sms-send inside a real Node-RED runtime (node-red-node-test-helper): one message at a time,
 * through the sandbox and through Twilio mocked with nock.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import nock from 'nock';
import { useNock } from '../support/nock';
import { TestFlow, TWILIO_CREDENTIALS, TWILIO_HOST, TWILIO_PATH, type Msg } from './harness';

const SECRET = TWILIO_CREDENTIALS.authToken;

let flow: TestFlow | undefined;

afterEach(async () => {
  await flow?.stop();
  flow = undefined;
});
// After the flow's hook, so that the flow stops before its pending requests are cut.
useNock();

function twilioAnswer(sid: string, to: string, body: string) {
  return { sid, status: 'queued', to, from: '+15005550006', body, num_segments: '1', price: null, price_unit: 'USD' };
}

/** Everything that left the node, as text: outputs, the Catch message, reported errors, the log. */
function everythingSeen(run: { sent: Msg | null; failed: Msg | null; caught: Msg | null }, f: TestFlow): string {
  return JSON.stringify([run.sent, run.failed, run.caught, f.errors.map((args) => String(args[0])), f.statuses]) + f.logText();
}

describe('sms-send with the sandbox provider', () => {
  it('sends msg.payload as the text to msg.to and puts the SendResult in msg.payload', async () => {
    flow = await TestFlow.start();
    const run = await flow.send({ payload: 'Your code is 123456', to: '+1 (415) 555-1000', topic: 'otp' });

    expect(run.failed).toBeNull();
    expect(run.caught).toBeNull();
    expect(run.sent).toMatchObject({
      topic: 'otp',
      payload: { provider: 'sandbox', to: '+14155551000', segments: 1, encoding: 'GSM-7' },
      sms: { to: '+1 (415) 555-1000', text: 'Your code is 123456' },
    });
    expect((run.sent!.payload as { messageId: string }).messageId).toMatch(/^sandbox-/);
    expect(flow.statuses.at(-1)).toEqual({ fill: 'green', shape: 'dot', text: 'sent 1' });
  });

  it('takes the recipient and sender from the node when they are set there', async () => {
    flow = await TestFlow.start({ send: { to: '+14155551001', toType: 'str', from: 'ACME', fromType: 'str' } });
    const run = await flow.send({ payload: 'hello', to: '+14155559999' });
    expect(run.sent?.payload).toMatchObject({ to: '+14155551001', from: 'ACME' });
  });

  it('reads a node setting from flow context and from the environment', async () => {
    process.env.A2P_TEST_SENDER = 'FROMENV';
    flow = await TestFlow.start({ send: { from: 'A2P_TEST_SENDER', fromType: 'env', to: '+14155551002', toType: 'str' } });
    const run = await flow.send({ payload: 'hello' });
    delete process.env.A2P_TEST_SENDER;
    expect(run.sent?.payload).toMatchObject({ from: 'FROMENV' });
  });

  it('sends an object payload { to, text, from, clientRef } and keeps it in msg.sms', async () => {
    flow = await TestFlow.start();
    const payload = { to: '+14155551003', text: 'Order 42 shipped', from: 'SHOP', clientRef: 'order-42' };
    const run = await flow.send({ payload });
    expect(run.sent?.payload).toMatchObject({ to: '+14155551003', from: 'SHOP', clientRef: 'order-42' });
    expect(run.sent?.sms).toEqual(payload);
  });

  it('reads a national number with the default country', async () => {
    flow = await TestFlow.start({ send: { defaultCountry: 'de' } });
    const run = await flow.send({ payload: 'Hallo', to: '0151 12345678' });
    expect(run.sent?.payload).toMatchObject({ to: '+4915112345678' });
  });

  it('renders a template over msg, with msg.payload as the item', async () => {
    flow = await TestFlow.start({ send: { mode: 'template', template: 'Hi {{payload.name}}, order {{order}} shipped' } });
    const run = await flow.send({ payload: { to: '+14155551004', name: 'Ada' }, order: 7 });
    expect(run.sent?.sms).toMatchObject({ text: 'Hi Ada, order 7 shipped' });
  });

  it('fails an item whose template variable is missing, instead of sending a blank', async () => {
    flow = await TestFlow.start({ send: { mode: 'template', template: 'Hi {{payload.name}}' } });
    const run = await flow.send({ payload: { to: '+14155551005' } });
    expect(run.sent).toBeNull();
    expect(run.failed?.error).toMatchObject({ code: 'TEMPLATE_ERROR' });
    expect(run.caught?.error).toMatchObject({ code: 'TEMPLATE_ERROR' });
  });

  it('checks without sending on a dry run', async () => {
    flow = await TestFlow.start({ send: { dryRun: true } });
    const run = await flow.send({ payload: 'x'.repeat(170), to: '+14155551006' });
    expect(run.sent?.payload).toMatchObject({ messageId: '', segments: 2, encoding: 'GSM-7' });
    expect(flow.statuses.at(-1)).toEqual({ fill: 'green', shape: 'dot', text: 'dry run ok 1' });
    // A dry run claims nothing, so it does not even create the message log.
    expect(existsSync(join(flow.userDir, 'a2p-kit.sqlite'))).toBe(false);
  });

  it('keeps its message log in the Node-RED user directory', async () => {
    flow = await TestFlow.start();
    await flow.send({ payload: 'hi', to: '+14155551008' });
    expect(existsSync(join(flow.userDir, 'a2p-kit.sqlite'))).toBe(true);
  });

  it("fails every message with INVALID_INPUT when the account's rate limit is not a number", async () => {
    flow = await TestFlow.start({ rate: 'fast' });
    const run = await flow.send({ payload: 'hi', to: '+14155551008' });
    expect(run.failed?.error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('rate limit') });
  });

  it('sends a number payload as its digits', async () => {
    flow = await TestFlow.start();
    const run = await flow.send({ payload: 42, to: '+14155551009' });
    expect(run.sent?.sms).toEqual({ to: '+14155551009', text: '42' });
  });

  const to = '+14155551007';
  it.each([
    ['a Buffer payload is refused', { payload: Buffer.from('hi'), to }, 'INVALID_INPUT'],
    ['a missing payload has no text', { to }, 'EMPTY_MESSAGE'],
    ['a null payload has no text', { payload: null, to }, 'EMPTY_MESSAGE'],
    ['an empty string is empty', { payload: '', to }, 'EMPTY_MESSAGE'],
    ['a list in msg.to is not several recipients', { payload: 'hi', to: [to, '+14155551008'] }, 'INVALID_INPUT'],
    ['an object in msg.to is refused', { payload: 'hi', to: { number: to } }, 'INVALID_INPUT'],
    ['no recipient anywhere', { payload: 'hi' }, 'INVALID_PHONE'],
    ['letters for a number', { payload: 'hi', to: 'call me maybe' }, 'INVALID_PHONE'],
    ['a megabyte of digits for a number', { payload: 'hi', to: '1'.repeat(1 << 20) }, 'INVALID_PHONE'],
    ['a function as the text of an object', { payload: { to, text: () => 'x' } }, 'INVALID_INPUT'],
    ['an unparseable sendAt', { payload: { to, text: 'hi', sendAt: 'tomorrow-ish' } }, 'INVALID_INPUT'],
    ['an invalid Date as sendAt', { payload: { to, text: 'hi', sendAt: new Date(Number.NaN) } }, 'INVALID_INPUT'],
    ['a text longer than any SMS', { payload: 'x'.repeat(1 << 20), to }, 'INVALID_INPUT'],
    ['a text over the segment limit', { payload: 'x'.repeat(161 * 10), to }, 'SEGMENT_LIMIT'],
  ])('%s', async (_name, msg: Msg, code) => {
    flow = await TestFlow.start();
    const run = await flow.send(msg);
    expect(run.sent).toBeNull();
    expect(run.failed?.error).toMatchObject({ code });
    expect(run.caught?.error).toMatchObject({ code, source: { id: 'send', type: 'sms-send' } });
    // The failed output keeps the payload as it came in, so a flow can retry it.
    expect(run.failed?.payload).toBe(msg.payload);
    expect(flow.statuses.at(-1)).toEqual({ fill: 'red', shape: 'ring', text: `failed: ${code}` });
  });
});

describe('sms-send with Twilio', () => {
  const to = '+14155551010';

  async function twilioFlow(send: Record<string, unknown> = {}) {
    return TestFlow.start({
      provider: 'twilio',
      credentials: { ...TWILIO_CREDENTIALS },
      send: { from: '+15005550006', fromType: 'str', ...send },
    });
  }

  it('makes exactly the request Twilio documents', async () => {
    flow = await twilioFlow({ statusCallbackUrl: 'https://example.test/dlr', validity: '600' });
    const basic = 'Basic ' + Buffer.from(`${TWILIO_CREDENTIALS.accountSid}:${SECRET}`).toString('base64');
    const scope = nock(TWILIO_HOST, { reqheaders: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' } })
      .post(TWILIO_PATH, {
        To: to,
        From: '+15005550006',
        Body: 'Ihr Code: 1234',
        StatusCallback: 'https://example.test/dlr',
        ValidityPeriod: '600',
      })
      .reply(201, twilioAnswer('SM0001', to, 'Ihr Code: 1234'));

    const run = await flow.send({ payload: 'Ihr Code: 1234', to });
    expect(scope.isDone()).toBe(true);
    expect(run.sent?.payload).toMatchObject({ provider: 'twilio', messageId: 'SM0001', status: 'queued', to, segments: 1 });
    expect(run.failed).toBeNull();
  });

  it.each([
    ['401', () => nock(TWILIO_HOST).post(TWILIO_PATH).reply(401, { code: 20003, message: 'Authenticate', status: 401 }), 'AUTH_FAILED', {}],
    ['500', () => nock(TWILIO_HOST).post(TWILIO_PATH).reply(500, 'oops'), 'PROVIDER_ERROR', { inDoubt: true }],
    ['malformed JSON', () => nock(TWILIO_HOST).post(TWILIO_PATH).reply(201, '{"sid": "SM'), 'PROVIDER_ERROR', { inDoubt: true }],
    [
      'a timeout',
      () => nock(TWILIO_HOST).post(TWILIO_PATH).replyWithError(Object.assign(new Error('socket timed out'), { code: 'ETIMEDOUT' })),
      'NETWORK_ERROR',
      {},
    ],
  ])('reports %s on the failed output and to Catch, without the secret', async (_name, mock, code, extra) => {
    flow = await twilioFlow();
    // Retried errors hit the interceptor again: persist it for the length of the test.
    mock().persist();
    const run = await flow.send({ payload: 'hi', to });
    expect(run.sent).toBeNull();
    expect(run.failed?.error).toMatchObject({ code, provider: 'twilio', ...extra });
    expect(run.caught?.error).toMatchObject({ code });
    expect(run.failed?.payload).toBe('hi');
    expect(everythingSeen(run, flow)).not.toContain(SECRET);
  });

  it('retries a 429 and then reports RATE_LIMITED', async () => {
    flow = await twilioFlow();
    const scope = nock(TWILIO_HOST)
      .post(TWILIO_PATH)
      .times(4)
      .reply(429, { code: 20429, message: 'Too Many Requests' }, { 'Retry-After': '0' });
    const run = await flow.send({ payload: 'hi', to });
    expect(scope.isDone()).toBe(true);
    expect(run.failed?.error).toMatchObject({ code: 'RATE_LIMITED', retryable: true });
    expect(everythingSeen(run, flow)).not.toContain(SECRET);
  });

  it('fails with MISSING_CREDENTIALS, naming the field but sending nothing, when the token is empty', async () => {
    flow = await TestFlow.start({ provider: 'twilio', credentials: { accountSid: TWILIO_CREDENTIALS.accountSid } });
    const run = await flow.send({ payload: 'hi', to });
    expect(run.failed?.error).toMatchObject({ code: 'MISSING_CREDENTIALS' });
    expect(String(run.failed?.error?.message)).toContain('Auth Token');
    expect(run.caught?.error).toMatchObject({ code: 'MISSING_CREDENTIALS' });
    // The config node said so at deploy, too.
    expect(flow.logText()).toContain('Auth Token');
  });

  it('fails with UNKNOWN_PROVIDER when the config node names a provider the core does not have', async () => {
    flow = await TestFlow.start({ provider: 'carrier-pigeon' });
    const run = await flow.send({ payload: 'hi', to });
    expect(run.failed?.error).toMatchObject({ code: 'UNKNOWN_PROVIDER' });
  });

  it('fails with MISSING_CREDENTIALS when no config node is selected', async () => {
    flow = await TestFlow.start({ noProviderNode: true });
    const run = await flow.send({ payload: 'hi', to });
    expect(run.failed?.error).toMatchObject({ code: 'MISSING_CREDENTIALS' });
  });

  it('sends a message again only when the idempotency scope changes', async () => {
    flow = await twilioFlow({ idempotencyScope: 'campaign', idempotencyScopeType: 'msg' });
    let calls = 0;
    nock(TWILIO_HOST)
      .post(TWILIO_PATH)
      .reply(201, () => twilioAnswer(`SM${++calls}`, to, 'hi'))
      .persist();
    const first = await flow.send({ payload: 'hi', to, campaign: 'spring' });
    const again = await flow.send({ payload: 'hi', to, campaign: 'spring' });
    const other = await flow.send({ payload: 'hi', to, campaign: 'summer' });
    expect(calls).toBe(2);
    expect(first.sent?.payload).toMatchObject({ messageId: 'SM1' });
    expect(again.sent?.payload).toMatchObject({ messageId: 'SM1', duplicate: true });
    expect(other.sent?.payload).toMatchObject({ messageId: 'SM2' });
    expect(flow.statuses).toContainEqual({ fill: 'green', shape: 'dot', text: 'sent 0, dup 1' });
  });
});

describe('sms-send settings and lifecycle', () => {
  it.each([
    ['a typed-input source Node-RED would evaluate as code', { to: '$now()', toType: 'jsonata' }, 'To: the source must be one of'],
    ['a number field that is not a number', { maxSegments: 'ten' }, 'Max segments must be a number'],
    ['an unknown message mode', { mode: 'markdown' }, 'the message mode must be'],
  ])('refuses %s at deploy and fails every message with INVALID_INPUT', async (_name, send, warning) => {
    flow = await TestFlow.start({ send });
    expect(flow.logText()).toContain(warning);
    const run = await flow.send({ payload: [{ to: '+14155551011', text: 'a' }, { to: '+14155551012', text: 'b' }] });
    expect(run.sent).toBeNull();
    expect(run.failed?.payload).toEqual([
      { index: 0, input: { to: '+14155551011', text: 'a' }, error: expect.objectContaining({ code: 'INVALID_INPUT' }) },
      { index: 1, input: { to: '+14155551012', text: 'b' }, error: expect.objectContaining({ code: 'INVALID_INPUT' }) },
    ]);
  });

  it('passes out-of-range numbers to the core, which refuses them with INVALID_INPUT', async () => {
    flow = await TestFlow.start({ send: { concurrency: '0' } });
    const run = await flow.send({ payload: 'hi', to: '+14155551013' });
    expect(run.failed?.error).toMatchObject({ code: 'INVALID_INPUT' });
    expect(String(run.failed?.error?.message)).toContain('concurrency');
  });

  it('finishes sends under way when closed, refuses new input with CANCELED, then clears its status', async () => {
    flow = await TestFlow.start({ provider: 'twilio', credentials: { ...TWILIO_CREDENTIALS }, send: { from: 'ACME', fromType: 'str' } });
    nock(TWILIO_HOST).post(TWILIO_PATH).delay(300).reply(201, twilioAnswer('SMslow', '+14155551014', 'slow'));
    const node = flow.node;
    const inFlight = flow.send({ payload: 'slow', to: '+14155551014' });
    // Let the first message reach the provider before the node starts closing.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closed = node.close(false);
    const late = await flow.send({ payload: 'late', to: '+14155551015' });
    expect(late.failed?.error).toMatchObject({ code: 'CANCELED', retryable: true });
    expect((await inFlight).sent?.payload).toMatchObject({ messageId: 'SMslow' });
    await closed;
    expect(flow.statuses.at(-1)).toEqual({});
  });
});
