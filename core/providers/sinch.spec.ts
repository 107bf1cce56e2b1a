import nock from 'nock';
import { useNock } from '../../test/support/nock';
import { rejected } from '../../test/support/sms-error';
import { defaultHttp } from '../http-client';
import type { OutboundSms, ProviderContext } from '../types';
import { sinch } from './sinch';

const PLAN = 'a1b2c3d4e5f6';
const TOKEN = 'sinch-secret-token-0123456789';
const US = 'https://us.sms.api.sinch.com';
const PATH = `/xms/v1/${PLAN}/batches`;
const NOW = Date.parse('2030-01-01T00:00:00Z');

const msg = (over: Partial<OutboundSms> = {}): OutboundSms => ({
  to: '+14155550100',
  from: '+14155550199',
  text: 'Your code is 123456',
  encoding: 'GSM-7',
  segments: 1,
  ...over,
});
const ctx = (creds: Record<string, string | undefined> = {}, over: Partial<ProviderContext> = {}): ProviderContext => ({
  credentials: { servicePlanId: PLAN, apiToken: TOKEN, ...creds },
  http: defaultHttp,
  now: () => NOW,
  ...over,
});

const failure = (p: Promise<unknown>) => rejected(p, [TOKEN]);

useNock();

describe('sinch provider', () => {
  it('declares the credential fields of DESIGN §3 plus baseUrl, the secrets secret', () => {
    expect(sinch.id).toBe('sinch');
    expect(sinch.defaultBaseUrl).toBe(US);
    expect(sinch.credentialFields.map((f) => [f.name, f.required, f.secret])).toEqual([
      ['servicePlanId', true, false],
      ['apiToken', true, true],
      ['region', false, false],
      ['webhookSecret', false, true],
      ['baseUrl', false, false],
    ]);
  });
});

describe('sinch.send', () => {
  it('posts the documented batch with the bearer token and returns the batch id', async () => {
    const scope = nock(US, { reqheaders: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' } })
      .post(PATH, { from: '+14155550199', to: ['+14155550100'], body: 'Your code is 123456' })
      .reply(201, { id: '01FC66621XXXXX119Z8PMV1QPQ', to: ['14155550100'], canceled: false });

    const r = await sinch.send(msg(), ctx());

    expect(scope.isDone()).toBe(true);
    expect(r).toEqual({
      provider: 'sinch',
      messageId: '01FC66621XXXXX119Z8PMV1QPQ',
      status: 'queued',
      to: '+14155550100',
      from: '+14155550199',
      segments: 1,
      encoding: 'GSM-7',
      raw: { id: '01FC66621XXXXX119Z8PMV1QPQ', to: ['14155550100'], canceled: false },
    });
    expect(JSON.stringify(r)).not.toContain(TOKEN);
  });

  it('asks per-recipient reports when given a callback URL and passes the client reference', async () => {
    const scope = nock(US)
      .post(PATH, {
        from: '+14155550199',
        to: ['+14155550100'],
        body: 'hi',
        callback_url: 'https://hooks.example.com/dlr?x=1',
        delivery_report: 'per_recipient',
        client_reference: 'order-42',
      })
      .reply(201, { id: 'b1' });

    const r = await sinch.send(msg({ text: 'hi', statusCallbackUrl: 'https://hooks.example.com/dlr?x=1', clientRef: 'order-42', idempotencyKey: 'k1' }), ctx());

    expect(scope.isDone()).toBe(true);
    expect(r.clientRef).toBe('order-42');
    expect(r.idempotencyKey).toBe('k1');
  });

  it('schedules with send_at and expires validity seconds after it', async () => {
    const scope = nock(US)
      .post(PATH, (b: Record<string, unknown>) => b.send_at === '2030-01-02T08:00:00.000Z' && b.expire_at === '2030-01-02T09:00:00.000Z')
      .reply(201, { id: 'b2' });

    const r = await sinch.send(msg({ sendAt: '2030-01-02T09:00:00+01:00', validitySeconds: 3600 }), ctx());

    expect(scope.isDone()).toBe(true);
    expect(r.status).toBe('scheduled');
  });

  it('expires validity seconds after now when sending at once, and omits both times otherwise', async () => {
    const withValidity = nock(US)
      .post(PATH, (b: Record<string, unknown>) => b.expire_at === '2030-01-01T00:10:00.000Z' && !('send_at' in b))
      .reply(201, { id: 'b3' });
    await sinch.send(msg({ validitySeconds: 600 }), ctx());
    expect(withValidity.isDone()).toBe(true);

    const plain = nock(US)
      .post(PATH, (b: Record<string, unknown>) => !('expire_at' in b) && !('send_at' in b) && !('callback_url' in b) && !('from' in b))
      .reply(201, { id: 'b4' });
    const r = await sinch.send(msg({ from: '  ' }), ctx());
    expect(plain.isDone()).toBe(true);
    expect(r.from).toBeUndefined();
  });

  it('refuses a validity beyond the 3 days Sinch allows, and malformed times, without a request', async () => {
    const http = jest.fn();
    expect((await failure(sinch.send(msg({ validitySeconds: 3 * 86400 + 1 }), ctx({}, { http })))).code).toBe('INVALID_INPUT');
    expect((await failure(sinch.send(msg({ validitySeconds: 0 }), ctx({}, { http })))).code).toBe('INVALID_INPUT');
    expect((await failure(sinch.send(msg({ sendAt: 'tomorrow 9am' }), ctx({}, { http })))).code).toBe('INVALID_INPUT');
    expect((await failure(sinch.send(msg({ sendAt: '2030-01-02T09:00:00' }), ctx({}, { http })))).code).toBe('INVALID_INPUT');
    expect(http).not.toHaveBeenCalled();
  });

  it('uses the region host, case-insensitively, and refuses unknown regions', async () => {
    const scope = nock('https://eu.sms.api.sinch.com').post(PATH).reply(201, { id: 'b5' });
    await sinch.send(msg(), ctx({ region: ' EU ' }));
    expect(scope.isDone()).toBe(true);

    const http = jest.fn();
    const err = await failure(sinch.send(msg(), ctx({ region: 'mars' }, { http })));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toContain('us, eu, br, ca, au');
    expect(http).not.toHaveBeenCalled();
  });

  it('lets a baseUrl replace the host, and refuses one that is not an http(s) URL', async () => {
    const scope = nock('http://mock.local:8080').post(`/sinch${PATH}`).reply(201, { id: 'b6' });
    const r = await sinch.send(msg(), ctx({ baseUrl: 'http://mock.local:8080/sinch/', region: 'au' }));
    expect(scope.isDone()).toBe(true);
    expect(r.messageId).toBe('b6');

    expect((await failure(sinch.send(msg(), ctx({ baseUrl: 'ftp://x' })))).code).toBe('INVALID_INPUT');
  });

  it('refuses a service plan id that would change the path, and a token that would break the header', async () => {
    const http = jest.fn();
    for (const servicePlanId of ['..', 'a/b', 'a?b', 'x'.repeat(65)]) {
      expect((await failure(sinch.send(msg(), ctx({ servicePlanId }, { http })))).code).toBe('INVALID_INPUT');
    }
    const err = await failure(sinch.send(msg(), ctx({ apiToken: 'abc\r\nX-Evil: 1' }, { http })));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).not.toContain('X-Evil');
    expect(http).not.toHaveBeenCalled();
  });

  it('needs servicePlanId and apiToken before any request', async () => {
    const http = jest.fn();
    const err = await failure(sinch.send(msg(), ctx({ apiToken: ' ', servicePlanId: undefined }, { http })));
    expect(err.code).toBe('MISSING_CREDENTIALS');
    expect(err.message).toContain('servicePlanId');
    expect(err.message).toContain('apiToken');
    expect(http).not.toHaveBeenCalled();
  });

  it('refuses malformed messages with a coded error', async () => {
    const http = jest.fn();
    expect((await failure(sinch.send(msg({ to: '4155550100' }), ctx({}, { http })))).code).toBe('INVALID_PHONE');
    expect((await failure(sinch.send(msg({ text: '' }), ctx({}, { http })))).code).toBe('EMPTY_MESSAGE');
    expect((await failure(sinch.send(msg({ statusCallbackUrl: 'javascript:alert(1)' }), ctx({}, { http })))).code).toBe('INVALID_INPUT');
    expect((await failure(sinch.send(null as unknown as OutboundSms, ctx({}, { http })))).code).toBe('INVALID_INPUT');
    expect(http).not.toHaveBeenCalled();
  });

  describe('errors', () => {
    it('401 is AUTH_FAILED', async () => {
      nock(US).post(PATH).reply(401, { code: 'unauthorized', text: 'Bad token' });
      const err = await failure(sinch.send(msg(), ctx()));
      expect(err).toMatchObject({ code: 'AUTH_FAILED', httpStatus: 401, retryable: false, inDoubt: false });
    });

    it('403 illegal_number_type is INVALID_PHONE, not an authentication failure', async () => {
      nock(US).post(PATH).reply(403, { code: 'illegal_number_type', text: 'Illegal number type for region' });
      const err = await failure(sinch.send(msg(), ctx()));
      expect(err).toMatchObject({ code: 'INVALID_PHONE', providerCode: 'illegal_number_type', httpStatus: 403 });
      expect(err.message).toContain('Illegal number type');
    });

    it('403 unprovisioned_region points at the region credential', async () => {
      nock(US).post(PATH).reply(403, { code: 'unprovisioned_region', text: 'Service plan not in region' });
      const err = await failure(sinch.send(msg(), ctx()));
      expect(err.code).toBe('PROVIDER_ERROR');
      expect(err.message).toContain('region credential');
    });

    it('400 keeps the provider code and a bounded, one-line text', async () => {
      nock(US)
        .post(PATH)
        .reply(400, { code: 'syntax_invalid_parameter_format', text: `bad from\r\n${'x'.repeat(5000)}` });
      const err = await failure(sinch.send(msg(), ctx()));
      expect(err).toMatchObject({ code: 'PROVIDER_ERROR', providerCode: 'syntax_invalid_parameter_format', retryable: false });
      expect(err.message).not.toMatch(/[\r\n]/);
      expect(err.message.length).toBeLessThan(400);
    });

    it('429 with Retry-After is RATE_LIMITED and retryable', async () => {
      nock(US).post(PATH).reply(429, { type: 'https://developers.sinch.com/docs/errors/too-many-requests', title: 'Too Many Requests' }, { 'Retry-After': '2' });
      const err = await failure(sinch.send(msg(), ctx()));
      expect(err).toMatchObject({ code: 'RATE_LIMITED', retryable: true, retryAfterMs: 2000 });
    });

    it('500 is in doubt and not retried; 503 is retryable', async () => {
      nock(US).post(PATH).reply(500, 'oops');
      expect(await failure(sinch.send(msg(), ctx()))).toMatchObject({ code: 'PROVIDER_ERROR', inDoubt: true, retryable: false });
      nock(US).post(PATH).reply(503, '');
      expect(await failure(sinch.send(msg(), ctx()))).toMatchObject({ code: 'PROVIDER_ERROR', inDoubt: false, retryable: true });
    });

    it('a 5xx keeps its meaning whatever code the body claims', async () => {
      nock(US).post(PATH).reply(500, { code: 'illegal_number_type' });
      expect(await failure(sinch.send(msg(), ctx()))).toMatchObject({ code: 'PROVIDER_ERROR', inDoubt: true });
    });

    it('no answer in time is a NETWORK_ERROR in doubt', async () => {
      nock(US).post(PATH).delayBody(10_000).reply(201, { id: 'late' });
      const err = await failure(sinch.send(msg(), ctx({}, { timeoutMs: 1000 })));
      expect(err).toMatchObject({ code: 'NETWORK_ERROR', inDoubt: true, retryable: false });
    });

    it('a refused connection is a retryable NETWORK_ERROR', async () => {
      nock.enableNetConnect('127.0.0.1:1');
      const err = await failure(sinch.send(msg(), ctx({ baseUrl: 'http://127.0.0.1:1' })));
      expect(err).toMatchObject({ code: 'NETWORK_ERROR', retryable: true, inDoubt: false });
      expect(err.message).toContain('ECONNREFUSED');
    });

    it('a 2xx with malformed JSON or without an id is in doubt', async () => {
      nock(US).post(PATH).reply(201, '{"id": "b7"');
      expect(await failure(sinch.send(msg(), ctx()))).toMatchObject({ code: 'PROVIDER_ERROR', inDoubt: true, httpStatus: 201 });
      nock(US).post(PATH).reply(201, { batch: 'b7' });
      expect(await failure(sinch.send(msg(), ctx()))).toMatchObject({ code: 'PROVIDER_ERROR', inDoubt: true });
      nock(US).post(PATH).reply(201, 'null');
      expect(await failure(sinch.send(msg(), ctx()))).toMatchObject({ code: 'PROVIDER_ERROR', inDoubt: true });
    });
  });
});
