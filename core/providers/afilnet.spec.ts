import nock from 'nock';
import { useNock } from '../../test/support/nock';
import { expectCode, rejected } from '../../test/support/sms-error';
import { SmsError } from '../errors';
import { defaultHttp } from '../http-client';
import type { OutboundSms, ProviderContext, WebhookRequest } from '../types';
import { afilnet } from './afilnet';

const USER = 'ana@example.com';
const PASSWORD = 'p4ss-w0rd&secret=1';
const API = 'https://www.afilnet.com';
const PATH = '/api/http/';

const msg = (over: Partial<OutboundSms> = {}): OutboundSms => ({
  to: '+34600000001',
  from: 'MiTienda',
  text: 'Pedido #42 enviado',
  encoding: 'GSM-7',
  segments: 1,
  ...over,
});
const ctx = (creds: Record<string, string | undefined> = {}, over: Partial<ProviderContext> = {}): ProviderContext => ({
  credentials: { user: USER, password: PASSWORD, ...creds },
  http: defaultHttp,
  ...over,
});
const form = (body: string): Record<string, string> => Object.fromEntries(new URLSearchParams(body));
const refused = (error: unknown) => ({ status: 'ERROR', error });

// As given and as the form body carries them.
const SECRETS = [PASSWORD, encodeURIComponent(PASSWORD), USER, encodeURIComponent(USER)];

function expectNoSecret(value: unknown): void {
  const s = JSON.stringify(value);
  for (const secret of SECRETS) expect(s).not.toContain(secret);
}

async function failure(p: Promise<unknown>): Promise<SmsError> {
  const err = await rejected(p, SECRETS);
  // The cause may hold the request, whose body carries the password.
  expect(err.cause).toBeUndefined();
  return err;
}

useNock();

describe('afilnet provider', () => {
  it('declares the credential fields of DESIGN §3 plus baseUrl, the secrets secret', () => {
    expect(afilnet.id).toBe('afilnet');
    expect(afilnet.defaultBaseUrl).toBe(API);
    expect(afilnet.credentialFields.map((f) => [f.name, f.required, f.secret])).toEqual([
      ['user', true, false],
      ['password', true, true],
      ['baseUrl', false, false],
    ]);
  });
});

describe('afilnet.send', () => {
  it('posts the documented form, the recipient as digits, and returns the message id', async () => {
    let sent: Record<string, string> = {};
    const scope = nock(API, { reqheaders: { 'content-type': 'application/x-www-form-urlencoded' } })
      .post(PATH, (body: string) => {
        sent = form(body);
        return true;
      })
      .reply(200, { status: 'SUCCESS', result: { messageid: 123456789, credits: 0.065 } });

    const r = await afilnet.send(msg({ clientRef: 'order-42' }), ctx());

    expect(scope.isDone()).toBe(true);
    expect(sent).toEqual({
      class: 'sms',
      method: 'sendsms',
      user: USER,
      password: PASSWORD,
      from: 'MiTienda',
      to: '34600000001',
      sms: 'Pedido #42 enviado',
    });
    expect(r).toEqual({
      provider: 'afilnet',
      messageId: '123456789',
      status: 'queued',
      to: '+34600000001',
      from: 'MiTienda',
      segments: 1,
      encoding: 'GSM-7',
      clientRef: 'order-42',
      raw: { status: 'SUCCESS', result: { messageid: 123456789, credits: 0.065 } },
    });
    expect(r.price).toBeUndefined();
  });

  it('schedules with scheduledatetime in UTC, yyyy-mm-dd hh:mm:ss', async () => {
    let sent: Record<string, string> = {};
    nock(API)
      .post(PATH, (body: string) => {
        sent = form(body);
        return true;
      })
      .reply(200, { status: 'SUCCESS', result: { messageid: 'A1', credits: 1 } });

    const r = await afilnet.send(msg({ sendAt: '2030-03-01T09:05:07+01:00' }), ctx());

    expect(sent.scheduledatetime).toBe('2030-03-01 08:05:07');
    expect(r.status).toBe('scheduled');
  });

  it('scrubs the credentials from raw should Afilnet echo them', async () => {
    nock(API).post(PATH).reply(200, { status: 'SUCCESS', result: { messageid: 7, user: USER, note: `pw ${PASSWORD}` } });
    const r = await afilnet.send(msg(), ctx());
    expect(r.messageId).toBe('7');
    expectNoSecret(r);

    let deep: unknown = [`user=${encodeURIComponent(USER)}`, { pw: PASSWORD }];
    for (let i = 0; i < 40; i++) deep = { d: deep };
    nock(API).post(PATH).reply(200, { status: 'SUCCESS', result: { messageid: 8 }, deep });
    const nested = await afilnet.send(msg(), ctx());
    expect(nested.messageId).toBe('8');
    expectNoSecret(nested);
    expect(JSON.stringify(nested.raw)).toContain('[truncated]');
  });

  it('refuses what Afilnet cannot do, saying what to do instead, without a request', async () => {
    const http = jest.fn();
    const callback = await failure(afilnet.send(msg({ statusCallbackUrl: 'https://hooks.example.com/dlr' }), ctx({}, { http })));
    expect(callback.code).toBe('INVALID_INPUT');
    expect(callback.message).toContain('leave the status callback URL empty');
    expect((await failure(afilnet.send(msg({ validitySeconds: 60 }), ctx({}, { http })))).code).toBe('INVALID_INPUT');
    expect((await failure(afilnet.send(msg({ from: ' ' }), ctx({}, { http })))).code).toBe('INVALID_INPUT');
    expect((await failure(afilnet.send(msg({ sendAt: '2030-03-01 09:05:07' }), ctx({}, { http })))).code).toBe('INVALID_INPUT');
    expect((await failure(afilnet.send(msg({ to: '600000001' }), ctx({}, { http })))).code).toBe('INVALID_PHONE');
    expect(http).not.toHaveBeenCalled();
  });

  it('needs user and password before any request', async () => {
    const http = jest.fn();
    const err = await failure(afilnet.send(msg(), ctx({ password: undefined }, { http })));
    expect(err.code).toBe('MISSING_CREDENTIALS');
    expect(err.message).toContain('password');
    expect(http).not.toHaveBeenCalled();
  });

  it('sends to a custom baseUrl', async () => {
    const scope = nock('http://afilnet-mock.local').post(`/base${PATH}`).reply(200, { status: 'SUCCESS', result: { messageid: 9 } });
    const r = await afilnet.send(msg(), ctx({ baseUrl: 'http://afilnet-mock.local/base' }));
    expect(scope.isDone()).toBe(true);
    expect(r.messageId).toBe('9');
  });

  describe('refusals in HTTP 200 answers', () => {
    it.each([
      ['INCORRECT_USER_PASSWORD', 'AUTH_FAILED'],
      ['MISSING_USER', 'AUTH_FAILED'],
      ['MISSING_PASSWORD', 'AUTH_FAILED'],
      ['NO_CREDITS', 'PROVIDER_ERROR'],
      ['NO_ROUTE_AVAILABLE', 'PROVIDER_ERROR'],
      ['MISSING_COMPULSORY_PARAM', 'INVALID_INPUT'],
      ['MISSING_CLASS', 'INVALID_INPUT'],
      ['INCORRECT_METHOD', 'PROVIDER_ERROR'],
      ['SOMETHING_NEW', 'PROVIDER_ERROR'],
    ])('%s is %s, not retried, not in doubt', async (error, code) => {
      nock(API).post(PATH).reply(200, refused(error));
      const err = await failure(afilnet.send(msg(), ctx()));
      expect(err).toMatchObject({ code, providerCode: error, httpStatus: 200, retryable: false, inDoubt: false });
    });

    it('a hostile error value gives a bounded message, and one echoing the password is scrubbed', async () => {
      nock(API).post(PATH).reply(200, refused({ nested: 'x' }));
      const nested = await failure(afilnet.send(msg(), ctx()));
      expect(nested.code).toBe('PROVIDER_ERROR');
      expect(nested.providerCode).toBeUndefined();

      nock(API).post(PATH).reply(200, refused(`MISSING_${'X'.repeat(10_000)}`));
      expect((await failure(afilnet.send(msg(), ctx()))).message.length).toBeLessThan(200);

      nock(API).post(PATH).reply(200, refused(`BAD_PASSWORD ${PASSWORD}`));
      const echoed = await failure(afilnet.send(msg(), ctx()));
      expect(echoed.message).toContain('[redacted]');
    });
  });

  describe('transport and HTTP errors', () => {
    it('401 is AUTH_FAILED', async () => {
      nock(API).post(PATH).reply(401, 'Unauthorized');
      expect(await failure(afilnet.send(msg(), ctx()))).toMatchObject({ code: 'AUTH_FAILED', httpStatus: 401 });
    });

    it('429 with Retry-After is RATE_LIMITED and retryable', async () => {
      nock(API).post(PATH).reply(429, '', { 'Retry-After': '3' });
      expect(await failure(afilnet.send(msg(), ctx()))).toMatchObject({ code: 'RATE_LIMITED', retryable: true, retryAfterMs: 3000 });
    });

    it('500 is in doubt; 503 is retryable', async () => {
      nock(API).post(PATH).reply(500, refused('INTERNAL'));
      expect(await failure(afilnet.send(msg(), ctx()))).toMatchObject({ code: 'PROVIDER_ERROR', inDoubt: true, retryable: false, providerCode: 'INTERNAL' });
      nock(API).post(PATH).reply(503, '<html>down</html>');
      expect(await failure(afilnet.send(msg(), ctx()))).toMatchObject({ code: 'PROVIDER_ERROR', retryable: true, inDoubt: false });
    });

    it('no answer in time is a NETWORK_ERROR in doubt', async () => {
      nock(API).post(PATH).delayBody(10_000).reply(200, { status: 'SUCCESS', result: { messageid: 1 } });
      const err = await failure(afilnet.send(msg(), ctx({}, { timeoutMs: 1000 })));
      expect(err).toMatchObject({ code: 'NETWORK_ERROR', inDoubt: true, retryable: false });
    });

    it('a refused connection is a retryable NETWORK_ERROR', async () => {
      nock.enableNetConnect('127.0.0.1:1');
      const err = await failure(afilnet.send(msg(), ctx({ baseUrl: 'http://127.0.0.1:1' })));
      expect(err).toMatchObject({ code: 'NETWORK_ERROR', retryable: true, inDoubt: false });
      expect(err.message).toContain('ECONNREFUSED');
    });

    it('an HTTP function whose error quotes the request loses the credentials and the cause', async () => {
      const http = jest.fn(async () => {
        throw new Error(`POST failed: user=${encodeURIComponent(USER)}&password=${PASSWORD} / ${USER}`);
      });
      const err = await failure(afilnet.send(msg(), ctx({}, { http })));
      expect(err.code).toBe('NETWORK_ERROR');
      expect(err.message).toContain('[redacted]');
    });

    it('a 2xx with malformed JSON, or without SUCCESS and an id, is in doubt', async () => {
      nock(API).post(PATH).reply(200, 'OK');
      expect(await failure(afilnet.send(msg(), ctx()))).toMatchObject({ code: 'PROVIDER_ERROR', inDoubt: true, httpStatus: 200 });
      nock(API).post(PATH).reply(200, { status: 'SUCCESS', result: {} });
      expect(await failure(afilnet.send(msg(), ctx()))).toMatchObject({ code: 'PROVIDER_ERROR', inDoubt: true });
      nock(API).post(PATH).reply(200, { status: 'PENDING', result: { messageid: 1 } });
      expect(await failure(afilnet.send(msg(), ctx()))).toMatchObject({ code: 'PROVIDER_ERROR', inDoubt: true });
      nock(API).post(PATH).reply(200, { status: 'SUCCESS', result: { messageid: { id: 1 } } });
      expect(await failure(afilnet.send(msg(), ctx()))).toMatchObject({ code: 'PROVIDER_ERROR', inDoubt: true });
    });
  });
});

describe('afilnet webhooks', () => {
  const req: WebhookRequest = {
    method: 'POST',
    url: 'https://example.com/sms/dlr',
    headers: { 'content-type': 'application/json' },
    rawBody: Buffer.from('{"id":"1"}'),
    body: { id: '1' },
    query: Object.create(null),
  };

  it('has none: every webhook method refuses, delivery status is polled', () => {
    expectCode(() => afilnet.verifySignature(req, { user: USER, password: PASSWORD }), 'INVALID_INPUT', /^afilnet has no webhooks \(delivery status is polled\)$/);
    expectCode(() => afilnet.parseInbound(req), 'INVALID_INPUT', /afilnet has no webhooks/);
    expectCode(() => afilnet.parseStatus(req), 'INVALID_INPUT', /afilnet has no webhooks/);
  });

  it('would answer a stray call with a harmless empty 200', () => {
    expect(afilnet.webhookResponse('status')).toEqual({ status: 200 });
    expect(afilnet.webhookResponse('inbound', 'ignored')).toEqual({ status: 200 });
  });
});
