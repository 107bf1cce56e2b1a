import nock from 'nock';
import { useNock } from '../../test/support/nock';
import { rejected } from '../../test/support/sms-error';
import { defaultHttp } from '../http-client';
import type { OutboundSms, ProviderContext } from '../types';
import { twilio } from './twilio';

const SID = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'twilio-secret-auth-token-42';
const MG = 'MG0123456789abcdef0123456789abcdef';
const API = 'https://api.twilio.com';
const PATH = `/2010-04-01/Accounts/${SID}/Messages.json`;
const BASIC = `Basic ${Buffer.from(`${SID}:${TOKEN}`).toString('base64')}`;
const NOW = Date.parse('2030-01-01T00:00:00Z');
const FORM = 'application/x-www-form-urlencoded';

const msg = (over: Partial<OutboundSms> = {}): OutboundSms => ({
  to: '+14155550100',
  from: '+14155550199',
  text: 'Your code is 123456',
  encoding: 'GSM-7',
  segments: 1,
  ...over,
});
const ctx = (creds: Record<string, string | undefined> = {}, over: Partial<ProviderContext> = {}): ProviderContext => ({
  credentials: { accountSid: SID, authToken: TOKEN, ...creds },
  http: defaultHttp,
  now: () => NOW,
  ...over,
});
// The answer Twilio gives to a create (api.v2010.account.message), trimmed to what we read.
const created = (over: Record<string, unknown> = {}) => ({
  sid: 'SM0123456789abcdef0123456789abcdef',
  account_sid: SID,
  from: '+14155550199',
  to: '+14155550100',
  body: 'Your code is 123456',
  status: 'queued',
  num_segments: '1',
  price: null,
  price_unit: 'USD',
  ...over,
});

const failure = (p: Promise<unknown>) => rejected(p, [TOKEN]);

useNock();

describe('twilio provider', () => {
  it('declares the credential fields of DESIGN §3 plus baseUrl, the token secret', () => {
    expect(twilio.id).toBe('twilio');
    expect(twilio.defaultBaseUrl).toBe(API);
    expect(twilio.credentialFields.map((f) => [f.name, f.required, f.secret])).toEqual([
      ['accountSid', true, false],
      ['authToken', true, true],
      ['messagingServiceSid', false, false],
      ['baseUrl', false, false],
    ]);
  });
});

describe('twilio.send', () => {
  it('posts the documented form with Basic auth and returns the message sid', async () => {
    const scope = nock(API, { reqheaders: { authorization: BASIC, 'content-type': FORM } })
      .post(PATH, { To: '+14155550100', From: '+14155550199', Body: 'Your code is 123456' })
      .reply(201, created());

    const r = await twilio.send(msg(), ctx());

    expect(scope.isDone()).toBe(true);
    expect(r).toEqual({
      provider: 'twilio',
      messageId: 'SM0123456789abcdef0123456789abcdef',
      status: 'queued',
      to: '+14155550100',
      from: '+14155550199',
      segments: 1,
      encoding: 'GSM-7',
      raw: created(),
    });
    expect(JSON.stringify(r)).not.toContain(TOKEN);
  });

  it('sends callback, validity and messaging service; keeps clientRef only in the result', async () => {
    const scope = nock(API)
      .post(PATH, {
        To: '+14155550100',
        From: '+14155550199',
        MessagingServiceSid: MG,
        Body: 'hi',
        StatusCallback: 'https://hooks.example.com/dlr?x=1',
        ValidityPeriod: '36000',
      })
      .reply(201, created({ messaging_service_sid: MG }));

    const r = await twilio.send(
      msg({ text: 'hi', statusCallbackUrl: 'https://hooks.example.com/dlr?x=1', validitySeconds: 36_000, clientRef: 'order-42', idempotencyKey: 'k1' }),
      ctx({ messagingServiceSid: ` ${MG} ` }),
    );

    expect(scope.isDone()).toBe(true);
    expect(r).toMatchObject({ clientRef: 'order-42', idempotencyKey: 'k1', status: 'queued' });
  });

  it('lets the messaging service pick the sender when no from is given', async () => {
    const scope = nock(API)
      .post(PATH, { To: '+14155550100', MessagingServiceSid: MG, Body: 'Your code is 123456' })
      .reply(201, created({ from: null, num_segments: '0', status: 'accepted' }));

    const r = await twilio.send(msg({ from: undefined }), ctx({ messagingServiceSid: MG }));

    expect(scope.isDone()).toBe(true);
    expect(r.from).toBeUndefined();
    // num_segments is "0" until a messaging service sends: our own count stands.
    expect(r.segments).toBe(1);
  });

  it('schedules through the messaging service with SendAt and ScheduleType=fixed', async () => {
    const scope = nock(API)
      .post(PATH, {
        To: '+14155550100',
        From: '+14155550199',
        MessagingServiceSid: MG,
        Body: 'Your code is 123456',
        ScheduleType: 'fixed',
        SendAt: '2030-01-02T09:30:00Z',
      })
      .reply(201, created({ status: 'scheduled' }));

    const r = await twilio.send(msg({ sendAt: '2030-01-02T10:30:00.000+01:00' }), ctx({ messagingServiceSid: MG }));

    expect(scope.isDone()).toBe(true);
    expect(r.status).toBe('scheduled');
  });

  it('passes UCS-2 text through unchanged and takes Twilio’s segment count and price', async () => {
    const text = 'Привет 👋 ваш код: 123456 — спасибо! 中文';
    const scope = nock(API)
      .post(PATH, { To: '+14155550100', From: '+14155550199', Body: text })
      .reply(201, created({ body: text, num_segments: '2', price: '-0.01580', price_unit: 'USD' }));

    const r = await twilio.send(msg({ text, encoding: 'UCS-2', segments: 1 }), ctx());

    expect(scope.isDone()).toBe(true);
    expect(r).toMatchObject({ encoding: 'UCS-2', segments: 2, price: { amount: 0.0158, currency: 'USD' } });
  });

  it('honours a custom baseUrl (trailing slash, http, port) and a bare host', async () => {
    const a = nock('http://mock.local:8080').post(`/twilio${PATH}`).reply(201, created());
    await twilio.send(msg(), ctx({ baseUrl: 'http://mock.local:8080/twilio/' }));
    expect(a.isDone()).toBe(true);

    const b = nock('https://proxy.example.com').post(PATH).reply(201, created());
    await twilio.send(msg(), ctx({ baseUrl: 'proxy.example.com' }));
    expect(b.isDone()).toBe(true);
  });

  describe('refuses before sending', () => {
    const untouched = () => nock(API).post(PATH).reply(201, created());

    it.each([
      ['no accountSid', { accountSid: undefined }, 'accountSid'],
      ['a blank authToken', { authToken: '   ' }, 'authToken'],
    ])('MISSING_CREDENTIALS with %s', async (_label, creds, field) => {
      const scope = untouched();
      const err = await failure(twilio.send(msg(), ctx(creds)));
      expect(err).toMatchObject({ code: 'MISSING_CREDENTIALS', retryable: false });
      expect(err.message).toContain(field);
      expect(scope.isDone()).toBe(false);
    });

    it.each([
      ['an accountSid that walks the path', { accountSid: '../../Accounts/ACx' }],
      ['a baseUrl that is not http(s)', { baseUrl: 'ftp://api.twilio.com' }],
      ['a baseUrl with a query', { baseUrl: 'https://proxy.example.com/?a=1' }],
      ['a baseUrl that is not a URL', { baseUrl: 'http://exa mple.com' }],
    ])('INVALID_INPUT with %s', async (_label, creds) => {
      const scope = untouched();
      expect(await failure(twilio.send(msg(), ctx(creds)))).toMatchObject({ code: 'INVALID_INPUT', retryable: false });
      expect(scope.isDone()).toBe(false);
    });

    it('a message without sender and without messaging service', async () => {
      const err = await failure(twilio.send(msg({ from: '  ' }), ctx()));
      expect(err.code).toBe('INVALID_INPUT');
      expect(err.message).toContain('messagingServiceSid');
    });

    it('sendAt without a messaging service, naming the alternative', async () => {
      const scope = untouched();
      const err = await failure(twilio.send(msg({ sendAt: '2030-01-02T00:00:00Z' }), ctx()));
      expect(err.code).toBe('INVALID_INPUT');
      expect(err.message).toMatch(/messagingServiceSid.*Quiet-Hours Gate/);
      expect(scope.isDone()).toBe(false);
    });

    it.each([
      ['less than 5 minutes ahead', '2030-01-01T00:04:59Z'],
      ['in the past', '2029-12-31T00:00:00Z'],
      ['more than 35 days ahead', '2030-02-05T00:00:01Z'],
      ['without a zone', '2030-01-02T00:00:00'],
      ['not a date', 'tomorrow'],
    ])('a sendAt %s', async (_label, sendAt) => {
      expect(await failure(twilio.send(msg({ sendAt }), ctx({ messagingServiceSid: MG })))).toMatchObject({ code: 'INVALID_INPUT' });
    });

    it.each([0, 36_001, 1.5, Number.NaN])('validitySeconds %p', async (validitySeconds) => {
      const err = await failure(twilio.send(msg({ validitySeconds }), ctx()));
      expect(err.code).toBe('INVALID_INPUT');
      expect(err.message).toContain('36000');
    });

    it('a malformed message (checked by the shared invariants)', async () => {
      expect(await failure(twilio.send(msg({ to: '14155550100' }), ctx()))).toMatchObject({ code: 'INVALID_PHONE' });
      expect(await failure(twilio.send(msg({ text: '' }), ctx()))).toMatchObject({ code: 'EMPTY_MESSAGE' });
      expect(await failure(twilio.send(null as unknown as OutboundSms, ctx()))).toMatchObject({ code: 'INVALID_INPUT' });
    });
  });

  describe('maps Twilio errors', () => {
    const error = (status: number, code: number, message: string) => ({
      code,
      message,
      more_info: `https://www.twilio.com/docs/errors/${code}`,
      status,
    });

    it.each([
      [401, 20003, 'AUTH_FAILED', 'Authenticate'],
      [400, 21211, 'INVALID_PHONE', "The 'To' number +1415555 is not a valid phone number."],
      [400, 21614, 'INVALID_PHONE', "'To' number is not a valid mobile number"],
      [400, 21610, 'OPTED_OUT', 'Attempt to send to unsubscribed recipient'],
      [400, 35118, 'INVALID_INPUT', 'MessagingServiceSid is required to schedule a message'],
      [400, 21408, 'PROVIDER_ERROR', 'Permission to send an SMS has not been enabled for the region'],
    ])('HTTP %i code %i → %s', async (status, code, expected, message) => {
      nock(API).post(PATH).reply(status, error(status, code, message));
      const err = await failure(twilio.send(msg(), ctx()));
      expect(err).toMatchObject({ code: expected, httpStatus: status, providerCode: String(code), retryable: false, inDoubt: false });
      expect(err.message).toContain(message);
    });

    it('429 / 20429 is RATE_LIMITED, retryable, with Retry-After', async () => {
      nock(API)
        .post(PATH)
        .reply(429, error(429, 20429, 'Too Many Requests'), { 'Retry-After': '3' });
      const err = await failure(twilio.send(msg(), ctx()));
      expect(err).toMatchObject({ code: 'RATE_LIMITED', retryable: true, retryAfterMs: 3000, providerCode: '20429' });
    });

    it('500 is in doubt even when the body carries a client error code', async () => {
      nock(API).post(PATH).reply(500, error(500, 21211, 'oops'));
      expect(await failure(twilio.send(msg(), ctx()))).toMatchObject({ code: 'PROVIDER_ERROR', inDoubt: true, retryable: false });
    });

    it('503 from a gateway is retryable, HTML body and all', async () => {
      nock(API).post(PATH).reply(503, '<html><body>Service Unavailable</body></html>');
      expect(await failure(twilio.send(msg(), ctx()))).toMatchObject({ code: 'PROVIDER_ERROR', retryable: true, inDoubt: false, httpStatus: 503 });
    });

    it.each([502, 504])('%i from a gateway is in doubt: the request may have been forwarded and queued', async (status) => {
      nock(API).post(PATH).reply(status, '<html><body>Gateway error</body></html>');
      expect(await failure(twilio.send(msg(), ctx()))).toMatchObject({ code: 'PROVIDER_ERROR', retryable: false, inDoubt: true, httpStatus: status });
    });

    it('clips a hostile error message to one bounded line', async () => {
      nock(API)
        .post(PATH)
        .reply(400, error(400, 21211, `bad\r\nX-Injected: 1\n${'x'.repeat(100_000)}`));
      const err = await failure(twilio.send(msg(), ctx()));
      expect(err.code).toBe('INVALID_PHONE');
      expect(err.message).not.toMatch(/[\r\n]/);
      expect(err.message.length).toBeLessThan(400);
    });

    it('no answer in time is a NETWORK_ERROR in doubt', async () => {
      nock(API).post(PATH).delayBody(10_000).reply(201, created());
      expect(await failure(twilio.send(msg(), ctx({}, { timeoutMs: 1000 })))).toMatchObject({
        code: 'NETWORK_ERROR',
        inDoubt: true,
        retryable: false,
      });
    });

    it('a refused connection is a retryable NETWORK_ERROR', async () => {
      nock.enableNetConnect('127.0.0.1:1');
      const err = await failure(twilio.send(msg(), ctx({ baseUrl: 'http://127.0.0.1:1' })));
      expect(err).toMatchObject({ code: 'NETWORK_ERROR', retryable: true, inDoubt: false });
    });

    it.each([
      ['malformed JSON', '{"sid": "SM1"'],
      ['no sid', JSON.stringify({ status: 'queued' })],
      ['an empty sid', JSON.stringify(created({ sid: '' }))],
      ['an array', '[]'],
      ['null', 'null'],
    ])('a 201 with %s is a PROVIDER_ERROR in doubt', async (_label, body) => {
      nock(API).post(PATH).reply(201, body);
      expect(await failure(twilio.send(msg(), ctx()))).toMatchObject({ code: 'PROVIDER_ERROR', inDoubt: true, httpStatus: 201 });
    });
  });
});
