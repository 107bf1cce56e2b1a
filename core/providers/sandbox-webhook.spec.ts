import { createHmac } from 'node:crypto';
import nock from 'nock';
import { useNock } from '../../test/support/nock';
import { expectCode } from '../../test/support/sms-error';
import { defaultHttp } from '../http-client';
import type { DeliveryReport, WebhookRequest } from '../types';
import { SANDBOX_SIGNATURE_HEADER, sandbox } from './sandbox';

const SECRET = 'sandbox-webhook-secret-42';
const HOOK = 'https://hooks.example.com';

const sign = (raw: string | Buffer, secret = SECRET) => createHmac('sha256', secret).update(raw).digest('hex');

function jsonPost(value: unknown, headers: Record<string, string> = {}, raw = JSON.stringify(value)): WebhookRequest {
  return {
    method: 'POST',
    url: `${HOOK}/in`,
    headers: { 'content-type': 'application/json', ...headers },
    rawBody: Buffer.from(raw),
    body: JSON.parse(raw) as unknown,
    query: Object.create(null),
  };
}

describe('sandbox.verifySignature', () => {
  const raw = '{"from":"+14155550100","to":"+14155550199","text":"hi"}';

  it('without a webhookSecret every request passes (demos and tests only)', () => {
    expect(sandbox.verifySignature(jsonPost(null, {}, raw), {})).toBe(true);
    expect(sandbox.verifySignature(jsonPost(null, { [SANDBOX_SIGNATURE_HEADER]: 'garbage' }, raw), { webhookSecret: '  ' })).toBe(true);
  });

  it('with one, requires hex HMAC-SHA256 of the raw body, in any case', () => {
    expect(sandbox.verifySignature(jsonPost(null, { [SANDBOX_SIGNATURE_HEADER]: sign(raw) }, raw), { webhookSecret: SECRET })).toBe(true);
    const upper = sign(raw).toUpperCase();
    expect(sandbox.verifySignature(jsonPost(null, { [SANDBOX_SIGNATURE_HEADER]: upper }, raw), { webhookSecret: SECRET })).toBe(true);
  });

  it('refuses a tampered body, a wrong secret and bad headers', () => {
    const tampered = raw.replace('hi', 'ho');
    expect(sandbox.verifySignature(jsonPost(null, { [SANDBOX_SIGNATURE_HEADER]: sign(raw) }, tampered), { webhookSecret: SECRET })).toBe(false);
    expect(sandbox.verifySignature(jsonPost(null, { [SANDBOX_SIGNATURE_HEADER]: sign(raw, 'other') }, raw), { webhookSecret: SECRET })).toBe(false);
    for (const bad of ['', sign(raw).slice(1), `${sign(raw)}0`, 'zz', 'a'.repeat(100_000), `${sign(raw)}, ${sign(raw)}`]) {
      expect(sandbox.verifySignature(jsonPost(null, { [SANDBOX_SIGNATURE_HEADER]: bad }, raw), { webhookSecret: SECRET })).toBe(false);
    }
    expect(sandbox.verifySignature(jsonPost(null, {}, raw), { webhookSecret: SECRET })).toBe(false);
  });

  it('never throws on a hostile request', () => {
    for (const req of [null, { headers: undefined }, { headers: { [SANDBOX_SIGNATURE_HEADER]: 'ab' }, rawBody: undefined }]) {
      expect(sandbox.verifySignature(req as unknown as WebhookRequest, { webhookSecret: SECRET })).toBe(false);
    }
  });
});

useNock();

describe('sandbox.send with a webhookSecret', () => {
  it('signs the simulated report so the DLR webhook can verify and parse it', async () => {
    let seen: { headers: Record<string, string>; body: string } | undefined;
    const arrived = new Promise<void>((resolve) => {
      nock(HOOK)
        .post('/dlr')
        .reply(function (_uri, body) {
          seen = { headers: this.req.headers as Record<string, string>, body: typeof body === 'string' ? body : JSON.stringify(body) };
          resolve();
          return [200, ''];
        });
    });
    const r = await sandbox.send(
      { to: '+14155550190', text: 'hi', encoding: 'GSM-7', segments: 1, statusCallbackUrl: `${HOOK}/dlr` },
      { credentials: { reportDelayMs: '0', webhookSecret: SECRET }, http: defaultHttp },
    );
    await arrived;

    expect(seen?.headers[SANDBOX_SIGNATURE_HEADER]).toBe(sign(seen?.body ?? ''));
    const req = jsonPost(null, { [SANDBOX_SIGNATURE_HEADER]: seen?.headers[SANDBOX_SIGNATURE_HEADER] ?? '' }, seen?.body);
    expect(sandbox.verifySignature(req, { webhookSecret: SECRET })).toBe(true);
    expect(sandbox.parseStatus(req)).toEqual([
      expect.objectContaining({ messageId: r.messageId, status: 'undelivered', final: true, errorCode: 'sandbox-undelivered' }),
    ]);
  });

  it('sends no signature header without a secret', async () => {
    let headers: Record<string, unknown> = {};
    const arrived = new Promise<void>((resolve) => {
      nock(HOOK)
        .post('/dlr')
        .reply(function () {
          headers = this.req.headers;
          resolve();
          return [200, ''];
        });
    });
    await sandbox.send(
      { to: '+14155550100', text: 'hi', encoding: 'GSM-7', segments: 1, statusCallbackUrl: `${HOOK}/dlr` },
      { credentials: { reportDelayMs: '0' }, http: defaultHttp },
    );
    await arrived;
    expect(headers[SANDBOX_SIGNATURE_HEADER]).toBeUndefined();
  });
});

describe('sandbox.parseInbound', () => {
  const message = { from: '+14155550100', to: '+14155550199', text: 'STOP' };

  it('reads one message, with a generated id and now as defaults', () => {
    const before = Date.now();
    const [m, ...rest] = sandbox.parseInbound(jsonPost(message));
    expect(rest).toEqual([]);
    expect(m).toMatchObject({
      provider: 'sandbox',
      messageId: expect.stringMatching(/^sandbox-in-[0-9a-f-]{36}$/),
      from: '+14155550100',
      to: '+14155550199',
      text: 'STOP',
      keyword: { intent: 'opt-out', keyword: 'STOP' },
      raw: message,
    });
    expect(Date.parse(m?.receivedAt ?? '')).toBeGreaterThanOrEqual(before - 1000);
  });

  it('reads an array, keeping given ids and times (normalised to UTC)', () => {
    const ms = sandbox.parseInbound(
      jsonPost([
        { ...message, messageId: 'in-1', receivedAt: '2030-01-01T10:00:00+02:00' },
        { ...message, text: '', messageId: 'in-2' },
      ]),
    );
    expect(ms.map((m) => [m.messageId, m.text, m.keyword])).toEqual([
      ['in-1', 'STOP', { intent: 'opt-out', keyword: 'STOP' }],
      ['in-2', '', null],
    ]);
    expect(ms[0]?.receivedAt).toBe('2030-01-01T08:00:00.000Z');
  });

  it.each([
    ['a national number', { from: '0612345678' }, /^sandbox: field "from" must be an E.164 number/],
    ['a number as a JSON number', { to: 14155550199 }, /field "to" must be a string; got a number/],
    ['no text', { text: undefined }, /field "text" is missing/],
    ['a 100k-character text', { text: 'x'.repeat(100_000) }, /field "text" is longer than 10000/],
    ['an empty id', { messageId: ' ' }, /field "messageId" must not be empty/],
    ['a 100k-character id', { messageId: 'x'.repeat(100_000) }, /field "messageId" is longer than 200/],
    ['a zone-less time', { receivedAt: '2030-01-01 10:00' }, /field "receivedAt" must be an ISO-8601 time with a zone/],
    ['an unknown field', { body: 'hi' }, /field "body" is not one of from, to, text, messageId, receivedAt/],
  ])('refuses %s', (_label, over, expected) => {
    expectCode(() => sandbox.parseInbound(jsonPost({ ...message, ...over })), 'INVALID_INPUT', expected);
  });

  it('refuses __proto__ and constructor keys instead of reading through them', () => {
    const raw = JSON.stringify(message).replace('{', '{"__proto__":{"text":"x"},');
    expectCode(() => sandbox.parseInbound(jsonPost(null, {}, raw)), 'INVALID_INPUT', /field "__proto__" is not one of/);
    expectCode(() => sandbox.parseInbound(jsonPost({ ...message, constructor: 'x' })), 'INVALID_INPUT', /field "constructor"/);
    expect(({} as Record<string, unknown>).text).toBeUndefined();
  });

  it('refuses non-objects, empty and oversized arrays, naming the item', () => {
    for (const body of [null, 'text', 42, true]) {
      expectCode(() => sandbox.parseInbound({ ...jsonPost(message), body }), 'INVALID_INPUT', /^sandbox: the body must be a JSON message/);
    }
    expectCode(() => sandbox.parseInbound(jsonPost([])), 'INVALID_INPUT', /1 to 1000 messages; got 0/);
    expectCode(() => sandbox.parseInbound(jsonPost(Array.from({ length: 1001 }, () => message))), 'INVALID_INPUT', /got 1001/);
    expectCode(() => sandbox.parseInbound(jsonPost([message, [message]])), 'INVALID_INPUT', /^sandbox: message 2: must be an object; got an array/);
    expectCode(() => sandbox.parseInbound(jsonPost([message, { ...message, to: 'x' }])), 'INVALID_INPUT', /^sandbox: message 2: field "to"/);
  });

  it('takes 1000 messages', () => {
    expect(sandbox.parseInbound(jsonPost(Array.from({ length: 1000 }, () => message)))).toHaveLength(1000);
  });
});

describe('sandbox.parseStatus', () => {
  const report: DeliveryReport = {
    provider: 'sandbox',
    messageId: 'sandbox-0b0c',
    status: 'failed',
    final: true,
    providerStatus: 'failed',
    errorCode: 'sandbox-failed',
    errorMessage: 'Simulated: rejected by the carrier',
    permanent: true,
    to: '+14155550191',
    occurredAt: '2030-01-01T12:00:00.300Z',
    clientRef: 'promo-1',
  };

  it('reads the report the sandbox posts, and an array of them', () => {
    expect(sandbox.parseStatus(jsonPost(report))).toEqual([report]);
    const full = { ...report, part: 2, sequence: 7, mccmnc: '310260', price: { amount: 0.0075, currency: 'USD' } };
    const queued = { provider: 'sandbox', messageId: 'm2', status: 'queued', final: false, providerStatus: 'queued', occurredAt: '2030-01-01T12:00:00Z' };
    expect(sandbox.parseStatus(jsonPost([full, queued]))).toEqual([full, { ...queued, occurredAt: '2030-01-01T12:00:00.000Z' }]);
  });

  it.each([
    ['another provider', { provider: 'twilio' }, /field "provider" must be "sandbox"/],
    ['no message id', { messageId: undefined }, /field "messageId" is missing/],
    ['an empty message id', { messageId: '' }, /field "messageId" must not be empty/],
    ['a 201-character message id', { messageId: 'm'.repeat(201) }, /field "messageId" is longer than 200/],
    ['a numeric message id', { messageId: 12 }, /field "messageId" must be a string; got a number/],
    ['a provider word as status', { status: 'undeliverable' }, /field "status" must be one of scheduled, queued/],
    ['final disagreeing with status', { final: false }, /field "final" must be true for status failed/],
    ['final as a string', { final: 'true' }, /field "final" must be true/],
    ['providerStatus disagreeing with status', { providerStatus: 'delivered' }, /field "providerStatus" must be the status word itself/],
    ['an unknown providerStatus', { providerStatus: 'teleported' }, /Unknown sandbox delivery status/],
    ['no occurredAt', { occurredAt: undefined }, /field "occurredAt" is missing/],
    ['a zone-less occurredAt', { occurredAt: '2030-01-01T12:00:00' }, /field "occurredAt" must be an ISO-8601/],
    ['permanent as a string', { permanent: 'yes' }, /field "permanent" must be true or false/],
    ['a national to', { to: '555-0191' }, /field "to" must be an E.164 number/],
    ['part 0', { part: 0 }, /field "part" must be a whole number from 1 to 255/],
    ['a fractional sequence', { sequence: 1.5 }, /field "sequence" must be a whole number/],
    ['a bad mccmnc', { mccmnc: '31A' }, /field "mccmnc" must be 5 or 6 digits/],
    ['a price as a string', { price: '0.01' }, /field "price" must be an object; got a string/],
    ['a price without amount', { price: { currency: 'USD' } }, /field "price.amount" must be a finite number/],
    ['a price with extra fields', { price: { amount: 1, rate: 2 } }, /price: field "rate" is not one of amount, currency/],
    ['a 100k-character error message', { errorMessage: 'e'.repeat(100_000) }, /field "errorMessage" is longer than 1000/],
    ['an unknown field', { raw: {} }, /field "raw" is not one of provider, messageId/],
  ])('refuses %s', (_label, over, expected) => {
    expectCode(() => sandbox.parseStatus(jsonPost({ ...report, ...over })), 'INVALID_INPUT', expected);
  });

  it('names the failing report in an array, refuses non-objects and __proto__ keys', () => {
    expectCode(() => sandbox.parseStatus(jsonPost([report, { ...report, status: 'x' }])), 'INVALID_INPUT', /^sandbox: report 2: field "status"/);
    expectCode(() => sandbox.parseStatus(jsonPost('delivered')), 'INVALID_INPUT', /^sandbox: the body must be a JSON report/);
    expectCode(() => sandbox.parseStatus(jsonPost([])), 'INVALID_INPUT', /1 to 1000 reports/);
    const raw = JSON.stringify(report).replace('{', '{"__proto__":{"final":false},');
    expectCode(() => sandbox.parseStatus(jsonPost(null, {}, raw)), 'INVALID_INPUT', /field "__proto__" is not one of/);
  });
});

describe('sandbox.webhookResponse', () => {
  it('answers an empty 200', () => {
    expect(sandbox.webhookResponse('inbound')).toEqual({ status: 200 });
    expect(sandbox.webhookResponse('status')).toEqual({ status: 200 });
    expectCode(() => sandbox.webhookResponse('x' as 'status'), 'INVALID_INPUT');
  });
});
