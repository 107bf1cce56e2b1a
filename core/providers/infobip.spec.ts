import nock from 'nock';
import { useNock } from '../../test/support/nock';
import { rejected } from '../../test/support/sms-error';
import { defaultHttp } from '../http-client';
import type { OutboundSms, ProviderContext } from '../types';
import { infobip } from './infobip';

const BASE = 'https://y3kq9.api.infobip.com';
const KEY = 'infobip-secret-api-key-2b5d9f';
const PATH = '/sms/3/messages';
const NOW = Date.parse('2030-01-01T00:00:00Z');

const msg = (over: Partial<OutboundSms> = {}): OutboundSms => ({
  to: '+41793026727',
  from: 'InfoSMS',
  text: 'Your code is 123456',
  encoding: 'GSM-7',
  segments: 1,
  ...over,
});
const ctx = (creds: Record<string, string | undefined> = {}, over: Partial<ProviderContext> = {}): ProviderContext => ({
  credentials: { baseUrl: BASE, apiKey: KEY, ...creds },
  http: defaultHttp,
  now: () => NOW,
  ...over,
});
const status = (groupId: number, groupName: string, id: number, name: string, description = name) => ({
  groupId,
  groupName,
  id,
  name,
  description,
});
const PENDING = status(1, 'PENDING', 26, 'PENDING_ACCEPTED', 'Message sent to next instance');
const answer = (over: Record<string, unknown> = {}) => ({
  bulkId: '2034072219640523073',
  messages: [{ messageId: '2250be2d4219-3af1-78856-aabe-1362af1edfd2', status: PENDING, destination: '41793026727', ...over }],
});
const request = (over: Record<string, unknown> = {}, top: Record<string, unknown> = {}) => ({
  messages: [{ sender: 'InfoSMS', destinations: [{ to: '41793026727' }], content: { text: 'Your code is 123456' }, ...over }],
  ...top,
});

const failure = (p: Promise<unknown>) => rejected(p, [KEY]);

useNock();

describe('infobip provider', () => {
  it('declares the credential fields of DESIGN §3, baseUrl required, secrets marked', () => {
    expect(infobip.id).toBe('infobip');
    expect(infobip.credentialFields.map((f) => [f.name, f.required, f.secret])).toEqual([
      ['baseUrl', true, false],
      ['apiKey', true, true],
      ['webhookToken', false, true],
    ]);
  });
});

describe('infobip.send', () => {
  it('posts the documented v3 JSON with App auth and reads the pending message', async () => {
    const scope = nock(BASE, { reqheaders: { authorization: `App ${KEY}`, 'content-type': 'application/json' } })
      .post(PATH, request())
      .reply(200, answer());

    const r = await infobip.send(msg(), ctx());

    expect(scope.isDone()).toBe(true);
    expect(r).toEqual({
      provider: 'infobip',
      messageId: '2250be2d4219-3af1-78856-aabe-1362af1edfd2',
      status: 'queued',
      to: '+41793026727',
      from: 'InfoSMS',
      segments: 1,
      encoding: 'GSM-7',
      raw: answer(),
    });
    expect(JSON.stringify(r)).not.toContain(KEY);
  });

  it('sends validity, delivery webhook, callbackData and schedule; a numeric sender without +', async () => {
    const scope = nock(BASE)
      .post(
        PATH,
        request(
          {
            sender: '41793026700',
            options: { validityPeriod: { amount: 3600, timeUnit: 'SECONDS' } },
            webhooks: { delivery: { url: 'https://hooks.example.com/dlr?t=abc' }, callbackData: 'order-42' },
          },
          { options: { schedule: { sendAt: '2030-01-02T09:30:00.000+0000' } } },
        ),
      )
      .reply(200, answer());

    const r = await infobip.send(
      msg({
        from: '+41793026700',
        validitySeconds: 3600,
        statusCallbackUrl: 'https://hooks.example.com/dlr?t=abc',
        clientRef: 'order-42',
        idempotencyKey: 'k1',
        sendAt: '2030-01-02T10:30:00+01:00',
      }),
      ctx(),
    );

    expect(scope.isDone()).toBe(true);
    expect(r).toMatchObject({ status: 'scheduled', from: '+41793026700', clientRef: 'order-42', idempotencyKey: 'k1' });
  });

  it('omits the sender when none is given (the account default applies) and sends callbackData alone', async () => {
    const scope = nock(BASE)
      .post(PATH, { messages: [{ destinations: [{ to: '41793026727' }], content: { text: 'hi' }, webhooks: { callbackData: 'c1' } }] })
      .reply(200, answer());
    const r = await infobip.send(msg({ from: undefined, text: 'hi', clientRef: 'c1' }), ctx());
    expect(scope.isDone()).toBe(true);
    expect(r.from).toBeUndefined();
  });

  it('passes UCS-2 text unchanged and takes Infobip’s message count when it gives one', async () => {
    const text = 'مرحبا! رمزك 123456 🙂';
    const scope = nock(BASE)
      .post(PATH, request({ content: { text } }))
      .reply(200, answer({ details: { messageCount: 2 } }));
    const r = await infobip.send(msg({ text, encoding: 'UCS-2' }), ctx());
    expect(scope.isDone()).toBe(true);
    expect(r).toMatchObject({ encoding: 'UCS-2', segments: 2 });
  });

  it('accepts the base URL as the portal shows it (bare host) or with a trailing slash', async () => {
    const a = nock(BASE).post(PATH).reply(200, answer());
    await infobip.send(msg(), ctx({ baseUrl: 'y3kq9.api.infobip.com' }));
    expect(a.isDone()).toBe(true);
    const b = nock('http://localhost:4010').post(`/ib${PATH}`).reply(200, answer());
    await infobip.send(msg(), ctx({ baseUrl: 'http://localhost:4010/ib/' }));
    expect(b.isDone()).toBe(true);
  });

  describe('refuses before sending', () => {
    const untouched = () => nock(BASE).post(PATH).reply(200, answer());

    it.each([
      ['no baseUrl (account-specific, no default)', { baseUrl: undefined }, 'baseUrl'],
      ['a blank apiKey', { apiKey: ' ' }, 'apiKey'],
    ])('MISSING_CREDENTIALS with %s', async (_label, creds, field) => {
      const scope = untouched();
      const err = await failure(infobip.send(msg(), ctx(creds)));
      expect(err.code).toBe('MISSING_CREDENTIALS');
      expect(err.message).toContain(field);
      expect(scope.isDone()).toBe(false);
    });

    it('an apiKey that would break the header line', async () => {
      const scope = untouched();
      const err = await failure(infobip.send(msg(), ctx({ apiKey: 'abc\r\nX-Evil: 1' })));
      expect(err.code).toBe('INVALID_INPUT');
      expect(err.message).not.toContain('X-Evil');
      expect(scope.isDone()).toBe(false);
    });

    it.each([
      ['in the past', '2029-12-31T23:59:59Z'],
      ['more than 180 days ahead', '2030-06-30T00:00:01Z'],
      ['without a zone', '2030-01-02 09:00'],
    ])('a sendAt %s', async (_label, sendAt) => {
      const err = await failure(infobip.send(msg({ sendAt }), ctx()));
      expect(err.code).toBe('INVALID_INPUT');
    });

    it.each([0, 172_801, 1e9])('validitySeconds %p (Infobip keeps messages 48 hours at most)', async (validitySeconds) => {
      expect(await failure(infobip.send(msg({ validitySeconds }), ctx()))).toMatchObject({ code: 'INVALID_INPUT' });
    });

    it('a malformed recipient', async () => {
      expect(await failure(infobip.send(msg({ to: '+0' }), ctx()))).toMatchObject({ code: 'INVALID_PHONE' });
    });
  });

  describe('maps Infobip answers and errors', () => {
    it.each([
      ['REJECTED_DESTINATION', status(5, 'REJECTED', 52, 'REJECTED_DESTINATION', 'Invalid destination address'), 'INVALID_PHONE', false],
      ['REJECTED_PREFIX_MISSING', status(5, 'REJECTED', 8, 'REJECTED_PREFIX_MISSING'), 'INVALID_PHONE', false],
      ['REJECTED_NOT_ENOUGH_CREDITS', status(5, 'REJECTED', 12, 'REJECTED_NOT_ENOUGH_CREDITS', 'Not enough credits'), 'PROVIDER_ERROR', false],
      ['REJECTED_SYSTEM_ERROR', status(5, 'REJECTED', 21, 'REJECTED_SYSTEM_ERROR'), 'PROVIDER_ERROR', true],
      ['UNDELIVERABLE_NOT_SENT', status(2, 'UNDELIVERABLE', 31, 'UNDELIVERABLE_NOT_SENT'), 'PROVIDER_ERROR', false],
      ['a rejection known only by its group id', { groupId: 5, id: 6, name: 'REJECTED_NETWORK' }, 'PROVIDER_ERROR', false],
    ])('a 200 answer with %s is an error, not in doubt', async (_label, st, code, retryable) => {
      nock(BASE)
        .post(PATH)
        .reply(200, answer({ status: st }));
      const err = await failure(infobip.send(msg(), ctx()));
      expect(err).toMatchObject({ code, retryable, inDoubt: false, providerCode: st.name });
    });

    it('an unknown status group with a messageId counts as accepted', async () => {
      nock(BASE)
        .post(PATH)
        .reply(200, answer({ status: status(9, 'SOMETHING_NEW', 99, 'SOMETHING_NEW') }));
      expect((await infobip.send(msg(), ctx())).status).toBe('queued');
    });

    it('401 with the legacy body is AUTH_FAILED', async () => {
      nock(BASE)
        .post(PATH)
        .reply(401, { requestError: { serviceException: { messageId: 'UNAUTHORIZED', text: 'Invalid login details' } } });
      const err = await failure(infobip.send(msg(), ctx()));
      expect(err).toMatchObject({ code: 'AUTH_FAILED', providerCode: 'UNAUTHORIZED', httpStatus: 401 });
      expect(err.message).toContain('Invalid login details');
    });

    it('400 naming the destination is INVALID_PHONE, in the current body and the legacy one', async () => {
      nock(BASE)
        .post(PATH)
        .reply(400, {
          errorCode: 'E400',
          description: 'Request cannot be processed.',
          action: 'Check the syntax, violations and adjust the request.',
          violations: [{ property: 'messages[0].destinations[0].to', violation: 'Invalid destination address.' }],
          resources: [],
        });
      const current = await failure(infobip.send(msg(), ctx()));
      expect(current).toMatchObject({ code: 'INVALID_PHONE', providerCode: 'E400' });
      expect(current.message).toContain('messages[0].destinations[0].to');

      nock(BASE)
        .post(PATH)
        .reply(400, {
          requestError: {
            serviceException: {
              messageId: 'BAD_REQUEST',
              text: 'Bad request',
              validationErrors: { 'messages[0].destinations[0].to': ['Invalid destination address.'] },
            },
          },
        });
      expect(await failure(infobip.send(msg(), ctx()))).toMatchObject({ code: 'INVALID_PHONE', providerCode: 'BAD_REQUEST' });
    });

    it('400 about another field is a PROVIDER_ERROR that names it', async () => {
      nock(BASE)
        .post(PATH)
        .reply(400, { errorCode: 'E400', description: 'Request cannot be processed.', violations: [{ property: 'messages[0].sender', violation: 'too long' }] });
      const err = await failure(infobip.send(msg(), ctx()));
      expect(err).toMatchObject({ code: 'PROVIDER_ERROR', retryable: false });
      expect(err.message).toContain('messages[0].sender');
    });

    it('429 / E429 is RATE_LIMITED with Retry-After', async () => {
      nock(BASE)
        .post(PATH)
        .reply(429, { errorCode: 'E429', description: 'Too many requests sent.', violations: [], resources: [] }, { 'Retry-After': '5' });
      expect(await failure(infobip.send(msg(), ctx()))).toMatchObject({
        code: 'RATE_LIMITED',
        retryable: true,
        retryAfterMs: 5000,
        providerCode: 'E429',
      });
    });

    it('500 is in doubt, 503 retryable', async () => {
      nock(BASE).post(PATH).reply(500, { errorCode: 'E500', description: 'Something went wrong.' });
      expect(await failure(infobip.send(msg(), ctx()))).toMatchObject({ code: 'PROVIDER_ERROR', inDoubt: true, retryable: false });
      nock(BASE).post(PATH).reply(503);
      expect(await failure(infobip.send(msg(), ctx()))).toMatchObject({ code: 'PROVIDER_ERROR', inDoubt: false, retryable: true });
    });

    it('survives a hostile error body', async () => {
      const violations = Array.from({ length: 2_000 }, (_, i) => ({ property: `p${i}\n${'y'.repeat(500)}`, violation: 'x' }));
      nock(BASE).post(PATH).reply(400, { errorCode: { nested: true }, description: 42, violations, requestError: 'nope' });
      const err = await failure(infobip.send(msg(), ctx()));
      expect(err.code).toBe('PROVIDER_ERROR');
      expect(err.message.length).toBeLessThan(600);
      expect(err.message).not.toContain('\n');
    });

    it('no answer in time is a NETWORK_ERROR in doubt', async () => {
      nock(BASE).post(PATH).delayBody(10_000).reply(200, answer());
      expect(await failure(infobip.send(msg(), ctx({}, { timeoutMs: 1000 })))).toMatchObject({ code: 'NETWORK_ERROR', inDoubt: true });
    });

    it('a refused connection is a retryable NETWORK_ERROR', async () => {
      nock.enableNetConnect('127.0.0.1:1');
      const err = await failure(infobip.send(msg(), ctx({ baseUrl: 'http://127.0.0.1:1' })));
      expect(err).toMatchObject({ code: 'NETWORK_ERROR', retryable: true, inDoubt: false });
    });

    it.each([
      ['malformed JSON', '{"bulkId":'],
      ['no messages', JSON.stringify({ bulkId: 'b' })],
      ['a message without messageId', JSON.stringify({ messages: [{ status: PENDING }] })],
      ['a non-string messageId', JSON.stringify({ messages: [{ messageId: 12345, status: PENDING }] })],
    ])('a 200 with %s is a PROVIDER_ERROR in doubt', async (_label, body) => {
      nock(BASE).post(PATH).reply(200, body);
      expect(await failure(infobip.send(msg(), ctx()))).toMatchObject({ code: 'PROVIDER_ERROR', inDoubt: true, httpStatus: 200 });
    });
  });
});
