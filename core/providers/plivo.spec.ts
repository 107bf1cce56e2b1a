import nock from 'nock';
import { useNock } from '../../test/support/nock';
import { rejected } from '../../test/support/sms-error';
import { defaultHttp } from '../http-client';
import type { OutboundSms, ProviderContext } from '../types';
import { plivo } from './plivo';

const AUTH_ID = 'MAXXXXXXXXXXXXXXXXXX';
const TOKEN = 'plivo-secret-auth-token-7f3e';
const API = 'https://api.plivo.com';
const PATH = `/v1/Account/${AUTH_ID}/Message/`;
const BASIC = `Basic ${Buffer.from(`${AUTH_ID}:${TOKEN}`).toString('base64')}`;

const msg = (over: Partial<OutboundSms> = {}): OutboundSms => ({
  to: '+14155550100',
  from: '+14155550199',
  text: 'Your code is 123456',
  encoding: 'GSM-7',
  segments: 1,
  ...over,
});
const ctx = (creds: Record<string, string | undefined> = {}, over: Partial<ProviderContext> = {}): ProviderContext => ({
  credentials: { authId: AUTH_ID, authToken: TOKEN, ...creds },
  http: defaultHttp,
  ...over,
});
const queued = (...ids: string[]) => ({
  api_id: 'db342550-7f1d-11e1-8ea7-1231380bc196',
  message: 'message(s) queued',
  message_uuid: ids.length ? ids : ['db3ce55a-7f1d-11e1-8ea7-1231380bc196'],
});
const body = (over: Record<string, unknown> = {}) => ({
  src: '14155550199',
  dst: '14155550100',
  text: 'Your code is 123456',
  type: 'sms',
  ...over,
});

const failure = (p: Promise<unknown>) => rejected(p, [TOKEN]);

useNock();

describe('plivo provider', () => {
  it('declares the credential fields of DESIGN §3 plus baseUrl, the token secret', () => {
    expect(plivo.id).toBe('plivo');
    expect(plivo.defaultBaseUrl).toBe(API);
    expect(plivo.credentialFields.map((f) => [f.name, f.required, f.secret])).toEqual([
      ['authId', true, false],
      ['authToken', true, true],
      ['baseUrl', false, false],
    ]);
  });
});

describe('plivo.send', () => {
  it('posts the documented JSON with Basic auth, numbers without +, and takes the first uuid', async () => {
    const scope = nock(API, { reqheaders: { authorization: BASIC, 'content-type': 'application/json' } })
      .post(PATH, body())
      .reply(202, queued());

    const r = await plivo.send(msg(), ctx());

    expect(scope.isDone()).toBe(true);
    expect(r).toEqual({
      provider: 'plivo',
      messageId: 'db3ce55a-7f1d-11e1-8ea7-1231380bc196',
      status: 'queued',
      to: '+14155550100',
      from: '+14155550199',
      segments: 1,
      encoding: 'GSM-7',
      raw: queued(),
    });
    expect(JSON.stringify(r)).not.toContain(TOKEN);
  });

  it('sends the status URL with method POST and message_expiry; keeps clientRef only in the result', async () => {
    const scope = nock(API)
      .post(PATH, body({ src: 'ACME', url: 'https://hooks.example.com/dlr', method: 'POST', message_expiry: 300 }))
      .reply(202, queued('uuid-1'));

    const r = await plivo.send(
      msg({ from: 'ACME', statusCallbackUrl: 'https://hooks.example.com/dlr', validitySeconds: 300, clientRef: 'order-42', idempotencyKey: 'k1' }),
      ctx(),
    );

    expect(scope.isDone()).toBe(true);
    expect(r).toMatchObject({ messageId: 'uuid-1', from: 'ACME', clientRef: 'order-42', idempotencyKey: 'k1' });
  });

  it('passes UCS-2 text through unchanged', async () => {
    const text = 'नमस्ते! आपका कोड 123456 है 🔐';
    const scope = nock(API).post(PATH, body({ text })).reply(202, queued());
    const r = await plivo.send(msg({ text, encoding: 'UCS-2', segments: 2 }), ctx());
    expect(scope.isDone()).toBe(true);
    expect(r).toMatchObject({ encoding: 'UCS-2', segments: 2 });
  });

  it('honours a custom baseUrl', async () => {
    const scope = nock('http://plivo-mock.local').post(`/api${PATH}`, body()).reply(202, queued());
    await plivo.send(msg(), ctx({ baseUrl: 'http://plivo-mock.local/api' }));
    expect(scope.isDone()).toBe(true);
  });

  describe('refuses before sending', () => {
    const untouched = () => nock(API).post(PATH).reply(202, queued());

    it.each([
      ['no authId', { authId: undefined }, 'authId'],
      ['an empty authToken', { authToken: '' }, 'authToken'],
    ])('MISSING_CREDENTIALS with %s', async (_label, creds, field) => {
      const scope = untouched();
      const err = await failure(plivo.send(msg(), ctx(creds)));
      expect(err.code).toBe('MISSING_CREDENTIALS');
      expect(err.message).toContain(field);
      expect(scope.isDone()).toBe(false);
    });

    it('an authId that walks the path', async () => {
      const scope = untouched();
      expect(await failure(plivo.send(msg(), ctx({ authId: 'MA/../../x' })))).toMatchObject({ code: 'INVALID_INPUT' });
      expect(scope.isDone()).toBe(false);
    });

    it('sendAt, naming the alternative', async () => {
      const scope = untouched();
      const err = await failure(plivo.send(msg({ sendAt: '2030-01-02T00:00:00Z' }), ctx()));
      expect(err.code).toBe('INVALID_INPUT');
      expect(err.message).toContain('Quiet-Hours Gate');
      expect(scope.isDone()).toBe(false);
    });

    it('a message without sender', async () => {
      expect(await failure(plivo.send(msg({ from: '' }), ctx()))).toMatchObject({ code: 'INVALID_INPUT' });
    });

    it.each([4, 10_800, 3.5])('validitySeconds %p outside message_expiry’s 5–10799', async (validitySeconds) => {
      const err = await failure(plivo.send(msg({ validitySeconds }), ctx()));
      expect(err.code).toBe('INVALID_INPUT');
      expect(err.message).toContain('from 5 to 10799');
    });

    it('a recipient that would smuggle a second destination', async () => {
      const scope = untouched();
      expect(await failure(plivo.send(msg({ to: '+14155550100<14155550111' }), ctx()))).toMatchObject({ code: 'INVALID_PHONE' });
      expect(scope.isDone()).toBe(false);
    });
  });

  describe('maps Plivo errors', () => {
    it('401 is AUTH_FAILED, JSON or plain text', async () => {
      nock(API).post(PATH).reply(401, { api_id: 'a1', error: 'authentication_failed' });
      expect(await failure(plivo.send(msg(), ctx()))).toMatchObject({ code: 'AUTH_FAILED', providerCode: 'authentication_failed' });
      nock(API).post(PATH).reply(401, 'Could not verify your access level for that URL.');
      expect(await failure(plivo.send(msg(), ctx()))).toMatchObject({ code: 'AUTH_FAILED', httpStatus: 401 });
    });

    it('400 about dst is INVALID_PHONE', async () => {
      nock(API).post(PATH).reply(400, { api_id: 'a2', error: "invalid 'dst' parameter" });
      const err = await failure(plivo.send(msg(), ctx()));
      expect(err).toMatchObject({ code: 'INVALID_PHONE', httpStatus: 400, retryable: false });
      expect(err.message).toContain("invalid 'dst' parameter");
    });

    it('another 400 is a PROVIDER_ERROR carrying Plivo’s words', async () => {
      nock(API).post(PATH).reply(400, { api_id: 'a3', error: 'src parameter not valid' });
      const err = await failure(plivo.send(msg(), ctx()));
      expect(err).toMatchObject({ code: 'PROVIDER_ERROR', retryable: false });
      expect(err.message).toContain('src parameter not valid');
    });

    it('429 is RATE_LIMITED with Retry-After', async () => {
      nock(API).post(PATH).reply(429, { api_id: 'a4', error: 'rate_limit_exceeded' }, { 'Retry-After': '1' });
      expect(await failure(plivo.send(msg(), ctx()))).toMatchObject({ code: 'RATE_LIMITED', retryable: true, retryAfterMs: 1000 });
    });

    it('500 is in doubt, 503 retryable', async () => {
      nock(API).post(PATH).reply(500, { api_id: 'a5', error: 'server error' });
      expect(await failure(plivo.send(msg(), ctx()))).toMatchObject({ code: 'PROVIDER_ERROR', inDoubt: true, retryable: false });
      nock(API).post(PATH).reply(503, '');
      expect(await failure(plivo.send(msg(), ctx()))).toMatchObject({ code: 'PROVIDER_ERROR', inDoubt: false, retryable: true });
    });

    it('an error that is not a string is left out of the message', async () => {
      nock(API).post(PATH).reply(400, { api_id: 'a6', error: { dst: ['bad'] } });
      const err = await failure(plivo.send(msg(), ctx()));
      expect(err.code).toBe('PROVIDER_ERROR');
      expect(err.message).toBe('plivo: HTTP 400');
    });

    it('no answer in time is a NETWORK_ERROR in doubt', async () => {
      nock(API).post(PATH).delayBody(10_000).reply(202, queued());
      expect(await failure(plivo.send(msg(), ctx({}, { timeoutMs: 1000 })))).toMatchObject({ code: 'NETWORK_ERROR', inDoubt: true });
    });

    it('a refused connection is a retryable NETWORK_ERROR', async () => {
      nock.enableNetConnect('127.0.0.1:1');
      const err = await failure(plivo.send(msg(), ctx({ baseUrl: 'http://127.0.0.1:1' })));
      expect(err).toMatchObject({ code: 'NETWORK_ERROR', retryable: true, inDoubt: false });
    });

    it.each([
      ['malformed JSON', '{"message_uuid": ["x"'],
      ['an empty message_uuid', JSON.stringify({ api_id: 'a', message_uuid: [] })],
      ['a message_uuid that is a string', JSON.stringify({ api_id: 'a', message_uuid: 'x' })],
      ['a non-string uuid', JSON.stringify({ api_id: 'a', message_uuid: [42] })],
    ])('a 202 with %s is a PROVIDER_ERROR in doubt', async (_label, answer) => {
      nock(API).post(PATH).reply(202, answer);
      expect(await failure(plivo.send(msg(), ctx()))).toMatchObject({ code: 'PROVIDER_ERROR', inDoubt: true, httpStatus: 202 });
    });
  });
});
