import nock from 'nock';
import { useNock } from '../../test/support/nock';
import { rejected } from '../../test/support/sms-error';
import { defaultHttp } from '../http-client';
import type { OutboundSms, ProviderContext } from '../types';
import { vonage } from './vonage';

const KEY = 'abcd1234';
const SECRET = 'vonage-secret-Zx9y8w7v';
const API = 'https://rest.nexmo.com';
const PATH = '/sms/json';
const FORM = 'application/x-www-form-urlencoded';

const msg = (over: Partial<OutboundSms> = {}): OutboundSms => ({
  to: '+447700900000',
  from: '+447700900001',
  text: 'Your code is 123456',
  encoding: 'GSM-7',
  segments: 1,
  ...over,
});
const ctx = (creds: Record<string, string | undefined> = {}, over: Partial<ProviderContext> = {}): ProviderContext => ({
  credentials: { apiKey: KEY, apiSecret: SECRET, ...creds },
  http: defaultHttp,
  ...over,
});
const form = (over: Record<string, string> = {}) => ({
  api_key: KEY,
  api_secret: SECRET,
  from: '447700900001',
  to: '447700900000',
  text: 'Your code is 123456',
  type: 'text',
  ...over,
});
const part = (id: string, over: Record<string, unknown> = {}) => ({
  to: '447700900000',
  'message-id': id,
  status: '0',
  'remaining-balance': '3.14159265',
  'message-price': '0.03330000',
  network: '23410',
  ...over,
});
const answer = (...messages: Record<string, unknown>[]) => ({ 'message-count': String(messages.length), messages });

const failure = (p: Promise<unknown>) => rejected(p, [SECRET]);

useNock();

describe('vonage provider', () => {
  it('declares the credential fields of DESIGN §3 plus baseUrl, secrets marked', () => {
    expect(vonage.id).toBe('vonage');
    expect(vonage.defaultBaseUrl).toBe(API);
    expect(vonage.credentialFields.map((f) => [f.name, f.required, f.secret])).toEqual([
      ['apiKey', true, false],
      ['apiSecret', true, true],
      ['signatureSecret', false, true],
      ['signatureMethod', false, false],
      ['baseUrl', false, false],
    ]);
    expect(vonage.credentialFields.find((f) => f.name === 'signatureMethod')?.options).toEqual([
      'md5hash',
      'md5hmac',
      'sha1hmac',
      'sha256hmac',
      'sha512hmac',
      'jwt',
    ]);
  });
});

describe('vonage.send', () => {
  it('posts the documented form (credentials in the body, numbers without +) and reads the part', async () => {
    const scope = nock(API, { reqheaders: { 'content-type': FORM } })
      .post(PATH, form())
      .reply(200, answer(part('0A0000000123ABCD1')));

    const r = await vonage.send(msg(), ctx());

    expect(scope.isDone()).toBe(true);
    expect(r).toEqual({
      provider: 'vonage',
      messageId: '0A0000000123ABCD1',
      status: 'queued',
      to: '+447700900000',
      from: '+447700900001',
      segments: 1,
      encoding: 'GSM-7',
      price: { amount: 0.0333 },
      raw: answer(part('0A0000000123ABCD1')),
    });
    expect(JSON.stringify(r)).not.toContain(SECRET);
  });

  it('sends ttl in ms, callback, report request and client-ref; keeps an alphanumeric sender as is', async () => {
    const scope = nock(API)
      .post(
        PATH,
        form({
          from: 'AcmeInc',
          ttl: '600000',
          callback: 'https://hooks.example.com/dlr',
          'status-report-req': 'true',
          'client-ref': 'order-42',
        }),
      )
      .reply(200, answer(part('id-1', { 'client-ref': 'order-42' })));

    const r = await vonage.send(
      msg({ from: 'AcmeInc', validitySeconds: 600, statusCallbackUrl: 'https://hooks.example.com/dlr', clientRef: 'order-42', idempotencyKey: 'k1' }),
      ctx(),
    );

    expect(scope.isDone()).toBe(true);
    expect(r).toMatchObject({ from: 'AcmeInc', clientRef: 'order-42', idempotencyKey: 'k1' });
  });

  it('sends UCS-2 text as type=unicode, unchanged', async () => {
    const text = 'Ваш код 123456 ✅ 你好';
    const scope = nock(API).post(PATH, form({ text, type: 'unicode' })).reply(200, answer(part('id-u')));

    const r = await vonage.send(msg({ text, encoding: 'UCS-2' }), ctx());

    expect(scope.isDone()).toBe(true);
    expect(r.encoding).toBe('UCS-2');
  });

  it('reads a concatenated message: first part’s id, message-count segments, summed price', async () => {
    nock(API)
      .post(PATH)
      .reply(200, answer(part('part-1'), part('part-2'), part('part-3')));

    const r = await vonage.send(msg({ segments: 2 }), ctx());

    expect(r).toMatchObject({ messageId: 'part-1', segments: 3, price: { amount: 0.0999 } });
  });

  it('leaves price out when a part has none', async () => {
    nock(API)
      .post(PATH)
      .reply(200, answer(part('p1'), part('p2', { 'message-price': undefined })));
    const r = await vonage.send(msg(), ctx());
    expect(r.price).toBeUndefined();
    expect(r.segments).toBe(2);
  });

  it('honours a custom baseUrl', async () => {
    const scope = nock('http://127.0.0.1:9999').post(`/vonage${PATH}`, form()).reply(200, answer(part('id-m')));
    await vonage.send(msg(), ctx({ baseUrl: 'http://127.0.0.1:9999/vonage/' }));
    expect(scope.isDone()).toBe(true);
  });

  describe('refuses before sending', () => {
    const untouched = () => nock(API).post(PATH).reply(200, answer(part('x')));

    it.each([
      ['no apiKey', { apiKey: undefined }, 'apiKey'],
      ['an empty apiSecret', { apiSecret: '' }, 'apiSecret'],
    ])('MISSING_CREDENTIALS with %s', async (_label, creds, field) => {
      const scope = untouched();
      const err = await failure(vonage.send(msg(), ctx(creds)));
      expect(err).toMatchObject({ code: 'MISSING_CREDENTIALS' });
      expect(err.message).toContain(field);
      expect(scope.isDone()).toBe(false);
    });

    it('sendAt, naming the alternative', async () => {
      const scope = untouched();
      const err = await failure(vonage.send(msg({ sendAt: '2030-01-02T00:00:00Z' }), ctx()));
      expect(err.code).toBe('INVALID_INPUT');
      expect(err.message).toContain('Quiet-Hours Gate');
      expect(scope.isDone()).toBe(false);
    });

    it('a message without sender', async () => {
      expect(await failure(vonage.send(msg({ from: undefined }), ctx()))).toMatchObject({ code: 'INVALID_INPUT' });
    });

    it('a clientRef over Vonage’s 40 characters', async () => {
      const err = await failure(vonage.send(msg({ clientRef: 'x'.repeat(41) }), ctx()));
      expect(err.code).toBe('INVALID_INPUT');
      expect(err.message).toContain('40');
    });

    it.each([19, 604_801, -5, 2.5])('validitySeconds %p outside 20 s – 7 days', async (validitySeconds) => {
      const err = await failure(vonage.send(msg({ validitySeconds }), ctx()));
      expect(err.code).toBe('INVALID_INPUT');
      expect(err.message).toContain('from 20 to 604800');
    });

    it('a baseUrl that is not http(s)', async () => {
      expect(await failure(vonage.send(msg(), ctx({ baseUrl: 'javascript:alert(1)' })))).toMatchObject({ code: 'INVALID_INPUT' });
    });
  });

  describe('maps Vonage errors', () => {
    // HTTP 200 either way: the verdict is the part's status.
    it.each([
      ['1', 'Throttled', 'RATE_LIMITED', true],
      ['2', 'Missing to param', 'INVALID_INPUT', false],
      ['3', 'Invalid to address', 'INVALID_INPUT', false],
      ['4', 'Bad Credentials', 'AUTH_FAILED', false],
      ['6', 'Unroutable message - rejected', 'INVALID_PHONE', false],
      ['7', 'Number barred.', 'PROVIDER_ERROR', false],
      ['9', 'Quota Exceeded - rejected', 'PROVIDER_ERROR', false],
      ['12', 'Message too long', 'INVALID_INPUT', false],
      ['15', 'Illegal Sender Address - rejected', 'INVALID_INPUT', false],
      ['29', 'Non White-listed Destination - rejected', 'PROVIDER_ERROR', false],
      ['33', 'Number de-activated', 'INVALID_PHONE', false],
      ['99', 'Something new', 'PROVIDER_ERROR', false],
    ])('status %s (%s) → %s', async (status, text, code, retryable) => {
      nock(API)
        .post(PATH)
        .reply(200, { 'message-count': '1', messages: [{ status, 'error-text': text }] });
      const err = await failure(vonage.send(msg(), ctx()));
      expect(err).toMatchObject({ code, retryable, inDoubt: false, providerCode: status, httpStatus: 200 });
      expect(err.message).toContain(text);
    });

    it('status 5 (internal error) is in doubt, not retryable: the part may still have been queued', async () => {
      nock(API)
        .post(PATH)
        .reply(200, { 'message-count': '1', messages: [{ status: '5', 'error-text': 'Internal Error' }] });
      const err = await failure(vonage.send(msg(), ctx()));
      expect(err).toMatchObject({ code: 'PROVIDER_ERROR', retryable: false, inDoubt: true, providerCode: '5' });
      expect(err.message).toContain('Internal Error');
    });

    it('a part refused after others were accepted is in doubt, not retryable', async () => {
      nock(API)
        .post(PATH)
        .reply(200, answer(part('part-1'), { status: '1', 'error-text': 'Throttled' }));
      const err = await failure(vonage.send(msg({ segments: 2 }), ctx()));
      expect(err).toMatchObject({ code: 'RATE_LIMITED', inDoubt: true, retryable: false });
      expect(err.message).toContain('1 of 2 parts');
    });

    it('HTTP 429 is RATE_LIMITED with Retry-After', async () => {
      nock(API).post(PATH).reply(429, '', { 'Retry-After': '2' });
      expect(await failure(vonage.send(msg(), ctx()))).toMatchObject({ code: 'RATE_LIMITED', retryable: true, retryAfterMs: 2000 });
    });

    it('HTTP 401 is AUTH_FAILED', async () => {
      nock(API).post(PATH).reply(401, { type: 'https://developer.nexmo.com/api-errors#unauthorized', title: 'Invalid credentials supplied' });
      const err = await failure(vonage.send(msg(), ctx()));
      expect(err).toMatchObject({ code: 'AUTH_FAILED', httpStatus: 401 });
      expect(err.message).toContain('Invalid credentials supplied');
    });

    it('HTTP 500 is in doubt, 503 retryable', async () => {
      nock(API).post(PATH).reply(500, 'Internal Server Error');
      expect(await failure(vonage.send(msg(), ctx()))).toMatchObject({ code: 'PROVIDER_ERROR', inDoubt: true, retryable: false });
      nock(API).post(PATH).reply(503, 'Service Unavailable');
      expect(await failure(vonage.send(msg(), ctx()))).toMatchObject({ code: 'PROVIDER_ERROR', inDoubt: false, retryable: true });
    });

    it('never repeats the secret that travels in the body, even when an answer echoes it', async () => {
      nock(API)
        .post(PATH)
        .reply(400, { title: `Bad request: api_key=${KEY}&api_secret=${SECRET}` });
      const err = await failure(vonage.send(msg(), ctx()));
      expect(err.code).toBe('PROVIDER_ERROR');
      expect(err.message).toContain('[redacted]');

      nock(API)
        .post(PATH)
        .reply(200, { 'message-count': '1', messages: [{ status: '3', 'error-text': `Invalid api_secret ${SECRET}` }] });
      expect((await failure(vonage.send(msg(), ctx()))).message).toContain('[redacted]');

      nock(API)
        .post(PATH)
        .reply(200, answer(part('id-e', { echo: SECRET })));
      const r = await vonage.send(msg(), ctx());
      expect(JSON.stringify(r.raw)).not.toContain(SECRET);
    });

    it('no answer in time is a NETWORK_ERROR in doubt', async () => {
      nock(API).post(PATH).delayBody(10_000).reply(200, answer(part('late')));
      expect(await failure(vonage.send(msg(), ctx({}, { timeoutMs: 1000 })))).toMatchObject({ code: 'NETWORK_ERROR', inDoubt: true });
    });

    it('a refused connection is a retryable NETWORK_ERROR', async () => {
      nock.enableNetConnect('127.0.0.1:1');
      const err = await failure(vonage.send(msg(), ctx({ baseUrl: 'http://127.0.0.1:1' })));
      expect(err).toMatchObject({ code: 'NETWORK_ERROR', retryable: true, inDoubt: false });
    });

    it.each([
      ['malformed JSON', '{"message-count":"1","messages":['],
      ['no messages', JSON.stringify({ 'message-count': '0', messages: [] })],
      ['messages that are not objects', JSON.stringify({ messages: ['0', null] })],
      ['a success without message-id', JSON.stringify(answer({ status: '0' }))],
      ['a part without status', JSON.stringify(answer({ 'message-id': 'id-x' }))],
      ['a string', '"ok"'],
    ])('a 200 with %s is a PROVIDER_ERROR in doubt', async (_label, body) => {
      nock(API).post(PATH).reply(200, body);
      expect(await failure(vonage.send(msg(), ctx()))).toMatchObject({ code: 'PROVIDER_ERROR', inDoubt: true, httpStatus: 200 });
    });
  });
});
