import nock from 'nock';
import { useNock } from '../../test/support/nock';
import { rejected } from '../../test/support/sms-error';
import { defaultHttp } from '../http-client';
import type { OutboundSms, ProviderContext } from '../types';
import { telnyx } from './telnyx';

const KEY = 'KEY0123456789ABCDEF_telnyx_secret';
const API = 'https://api.telnyx.com';
const PATH = '/v2/messages';

const msg = (over: Partial<OutboundSms> = {}): OutboundSms => ({
  to: '+14155550100',
  from: '+14155550199',
  text: 'Ça marche ✓',
  encoding: 'UCS-2',
  segments: 1,
  ...over,
});
const ctx = (creds: Record<string, string | undefined> = {}, over: Partial<ProviderContext> = {}): ProviderContext => ({
  credentials: { apiKey: KEY, ...creds },
  http: defaultHttp,
  ...over,
});
const answer = (data: Record<string, unknown>) => ({
  data: { record_type: 'message', direction: 'outbound', type: 'SMS', to: [{ phone_number: '+14155550100', status: 'queued' }], ...data },
});
const errors = (code: string, title: string, detail?: string) => ({ errors: [{ code, title, detail }] });

const failure = (p: Promise<unknown>) => rejected(p, [KEY]);

useNock();

describe('telnyx provider', () => {
  it('declares the credential fields of DESIGN §3 plus baseUrl, the secrets secret', () => {
    expect(telnyx.id).toBe('telnyx');
    expect(telnyx.defaultBaseUrl).toBe(API);
    expect(telnyx.credentialFields.map((f) => [f.name, f.required, f.secret])).toEqual([
      ['apiKey', true, true],
      ['publicKey', false, false],
      ['baseUrl', false, false],
    ]);
  });
});

describe('telnyx.send', () => {
  it('posts the documented JSON with the bearer key and returns data.id, parts and cost', async () => {
    const scope = nock(API, { reqheaders: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' } })
      .post(PATH, { from: '+14155550199', to: '+14155550100', text: 'Ça marche ✓' })
      .reply(200, answer({ id: '40385f64-5717-4562-b3fc-2c963f66afa6', parts: 2, cost: { amount: '0.0051', currency: 'USD' } }));

    const r = await telnyx.send(msg({ clientRef: 'c-1', idempotencyKey: 'k-1' }), ctx());

    expect(scope.isDone()).toBe(true);
    expect(r).toMatchObject({
      provider: 'telnyx',
      messageId: '40385f64-5717-4562-b3fc-2c963f66afa6',
      status: 'queued',
      to: '+14155550100',
      from: '+14155550199',
      segments: 2,
      encoding: 'UCS-2',
      price: { amount: 0.0051, currency: 'USD' },
      clientRef: 'c-1',
      idempotencyKey: 'k-1',
    });
    expect(r.raw).toEqual(answer({ id: '40385f64-5717-4562-b3fc-2c963f66afa6', parts: 2, cost: { amount: '0.0051', currency: 'USD' } }));
    expect(JSON.stringify(r)).not.toContain(KEY);
  });

  it('keeps our segment count and no price when Telnyx gives none (or garbage)', async () => {
    nock(API).post(PATH).reply(200, answer({ id: 'm1', parts: 'many', cost: null }));
    const r = await telnyx.send(msg({ segments: 3 }), ctx());
    expect(r.segments).toBe(3);
    expect(r.price).toBeUndefined();

    nock(API).post(PATH).reply(200, answer({ id: 'm2', cost: { amount: 'n/a', currency: 'USD' } }));
    expect((await telnyx.send(msg(), ctx())).price).toBeUndefined();
  });

  it('passes webhook_url and send_at (normalised to UTC) and reports scheduled', async () => {
    const scope = nock(API)
      .post(PATH, {
        from: '+14155550199',
        to: '+14155550100',
        text: 'Ça marche ✓',
        webhook_url: 'https://hooks.example.com/telnyx',
        send_at: '2030-05-01T07:30:00.000Z',
      })
      .reply(200, answer({ id: 'm3' }));

    const r = await telnyx.send(msg({ statusCallbackUrl: 'https://hooks.example.com/telnyx', sendAt: '2030-05-01T09:30:00+02:00' }), ctx());

    expect(scope.isDone()).toBe(true);
    expect(r.status).toBe('scheduled');
  });

  it('refuses what Telnyx cannot do, saying what to do instead, without a request', async () => {
    const http = jest.fn();
    const validity = await failure(telnyx.send(msg({ validitySeconds: 600 }), ctx({}, { http })));
    expect(validity.code).toBe('INVALID_INPUT');
    expect(validity.message).toContain('leave it empty');

    const noSender = await failure(telnyx.send(msg({ from: undefined }), ctx({}, { http })));
    expect(noSender.code).toBe('INVALID_INPUT');
    expect(noSender.message).toContain('from');

    expect((await failure(telnyx.send(msg({ sendAt: '01/05/2030' }), ctx({}, { http })))).code).toBe('INVALID_INPUT');
    expect((await failure(telnyx.send(msg({ to: '+1' }), ctx({}, { http })))).code).toBe('INVALID_PHONE');
    expect((await failure(telnyx.send(msg({ segments: 0 }), ctx({}, { http })))).code).toBe('INVALID_INPUT');
    expect(http).not.toHaveBeenCalled();
  });

  it('needs apiKey before any request, and a key an HTTP header can carry', async () => {
    const http = jest.fn();
    expect((await failure(telnyx.send(msg(), ctx({ apiKey: '' }, { http })))).code).toBe('MISSING_CREDENTIALS');
    expect((await failure(telnyx.send(msg(), ctx({ apiKey: 'a b' }, { http })))).code).toBe('INVALID_INPUT');
    expect(http).not.toHaveBeenCalled();
  });

  it('sends to a custom baseUrl', async () => {
    const scope = nock('http://127.0.0.1:4010').post(`/mock${PATH}`).reply(200, answer({ id: 'm4' }));
    const r = await telnyx.send(msg(), ctx({ baseUrl: 'http://127.0.0.1:4010/mock' }));
    expect(scope.isDone()).toBe(true);
    expect(r.messageId).toBe('m4');
  });

  describe('errors', () => {
    it('40300 (recipient sent STOP) is OPTED_OUT', async () => {
      nock(API).post(PATH).reply(400, errors('40300', 'Blocked due to STOP message', 'Recipient opted out'));
      const err = await failure(telnyx.send(msg(), ctx()));
      expect(err).toMatchObject({ code: 'OPTED_OUT', providerCode: '40300', httpStatus: 400, retryable: false });
    });

    it.each([
      ['10002', 'Invalid phone number'],
      ['10016', 'Phone number must be in +E.164 format'],
      ['40310', "Invalid 'to' address"],
      ['40012', 'Invalid destination number'],
    ])('%s is INVALID_PHONE', async (code, title) => {
      nock(API).post(PATH).reply(422, errors(code, title));
      const err = await failure(telnyx.send(msg(), ctx()));
      expect(err).toMatchObject({ code: 'INVALID_PHONE', providerCode: code });
      expect(err.message).toContain(title);
    });

    it('401 and 10009 are AUTH_FAILED', async () => {
      nock(API).post(PATH).reply(401, errors('10009', 'Authentication failed', 'The required authentication headers were either invalid or not included'));
      expect(await failure(telnyx.send(msg(), ctx()))).toMatchObject({ code: 'AUTH_FAILED', providerCode: '10009' });
      nock(API).post(PATH).reply(401, '<html>Unauthorized</html>');
      expect(await failure(telnyx.send(msg(), ctx()))).toMatchObject({ code: 'AUTH_FAILED', httpStatus: 401 });
    });

    it('other 4xx codes stay PROVIDER_ERROR with the code and detail', async () => {
      nock(API).post(PATH).reply(400, { errors: [{ code: 40305, title: "Invalid 'from' address" }, { code: '1' }] });
      const err = await failure(telnyx.send(msg(), ctx()));
      expect(err).toMatchObject({ code: 'PROVIDER_ERROR', providerCode: '40305', retryable: false, inDoubt: false });
      expect(err.message).toContain("Invalid 'from' address");
    });

    it('hostile error bodies give a bounded message', async () => {
      nock(API)
        .post(PATH)
        .reply(400, { errors: [{ code: { nested: true }, title: 'T'.repeat(10_000) }] });
      const err = await failure(telnyx.send(msg(), ctx()));
      expect(err.code).toBe('PROVIDER_ERROR');
      expect(err.providerCode).toBeUndefined();
      expect(err.message.length).toBeLessThan(400);
      nock(API).post(PATH).reply(400, { errors: 'nope' });
      expect((await failure(telnyx.send(msg(), ctx()))).code).toBe('PROVIDER_ERROR');
    });

    it('429 with Retry-After is RATE_LIMITED and retryable', async () => {
      nock(API).post(PATH).reply(429, errors('10011', 'Too many requests'), { 'Retry-After': '7' });
      expect(await failure(telnyx.send(msg(), ctx()))).toMatchObject({ code: 'RATE_LIMITED', retryable: true, retryAfterMs: 7000 });
    });

    it('500 is in doubt; 503 is retryable', async () => {
      nock(API).post(PATH).reply(500, errors('10007', 'Unexpected error'));
      expect(await failure(telnyx.send(msg(), ctx()))).toMatchObject({ code: 'PROVIDER_ERROR', inDoubt: true, retryable: false });
      nock(API).post(PATH).reply(503, 'Service Unavailable', { 'Retry-After': '1' });
      expect(await failure(telnyx.send(msg(), ctx()))).toMatchObject({ code: 'PROVIDER_ERROR', retryable: true, retryAfterMs: 1000 });
    });

    it('no answer in time is a NETWORK_ERROR in doubt', async () => {
      nock(API).post(PATH).delayBody(10_000).reply(200, answer({ id: 'late' }));
      const err = await failure(telnyx.send(msg(), ctx({}, { timeoutMs: 1000 })));
      expect(err).toMatchObject({ code: 'NETWORK_ERROR', inDoubt: true, retryable: false });
    });

    it('a refused connection is a retryable NETWORK_ERROR', async () => {
      nock.enableNetConnect('127.0.0.1:1');
      const err = await failure(telnyx.send(msg(), ctx({ baseUrl: 'http://127.0.0.1:1' })));
      expect(err).toMatchObject({ code: 'NETWORK_ERROR', retryable: true, inDoubt: false });
      expect(err.message).toContain('ECONNREFUSED');
    });

    it('a 2xx with malformed JSON or without data.id is in doubt', async () => {
      nock(API).post(PATH).reply(200, '{"data": {"id"');
      expect(await failure(telnyx.send(msg(), ctx()))).toMatchObject({ code: 'PROVIDER_ERROR', inDoubt: true, httpStatus: 200 });
      nock(API).post(PATH).reply(200, { data: { id: 42 } });
      expect(await failure(telnyx.send(msg(), ctx()))).toMatchObject({ code: 'PROVIDER_ERROR', inDoubt: true });
      nock(API).post(PATH).reply(200, []);
      expect(await failure(telnyx.send(msg(), ctx()))).toMatchObject({ code: 'PROVIDER_ERROR', inDoubt: true });
    });
  });
});
