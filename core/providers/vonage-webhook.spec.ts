import { createHash, createHmac } from 'node:crypto';
import nock from 'nock';
import { useNock } from '../../test/support/nock';
import { expectCode, thrown } from '../../test/support/sms-error';
import { defaultHttp } from '../http-client';
import type { WebhookRequest } from '../types';
import { vonage } from './vonage';

// Official vectors: vonage-node packages/sms/__tests__/__dataSets__/signature.ts (reference/sms-domain.md §3.3).
const SECRET = 'my_secret_key_for_testing';
const VECTOR = {
  'message-timestamp': '2013-11-21 15:27:30',
  messageId: '020000001B0FE827',
  msisdn: '14843472194',
  text: 'Test again',
  timestamp: '1385047698',
  to: '13239877404',
  type: 'text',
};
const SIGS = {
  md5hash: 'd2e7b1dc968737c5998ad624e02f90b7',
  md5hmac: 'DDEBD46008C2D4E93CCE578A332A52D5',
  sha1hmac: '27D0D05C2876C7CB1720DBCDBA4D492E1E55C09A',
  sha256hmac: 'DDB8397C2B90AAC7F3882D306475C9A5058C92322EEF43C92B298B6E0FC0D330',
  sha512hmac:
    'E0D3C650F8C9D1A5C174D10DDDBFB003E561F59B265616208B0487C5D819481CD3C311D59CF6165ECD1139622D5BA3A256C0D763AC4A9AD9144B5A426B94FE82',
} as const;
const HOOK = 'https://hooks.example.com/vonage';
const NOW = Date.parse('2030-01-01T00:00:00Z');

const nullProto = <T extends object>(o: T): T => Object.assign(Object.create(null), o) as T;

function get(params: Record<string, string | string[]>, headers: Record<string, string> = {}): WebhookRequest {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const one of Array.isArray(v) ? v : [v]) sp.append(k, one);
  return { method: 'GET', url: `${HOOK}?${sp}`, headers, rawBody: Buffer.alloc(0), body: nullProto({}), query: nullProto(params) };
}

function formPost(params: Record<string, string | string[]>): WebhookRequest {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const one of Array.isArray(v) ? v : [v]) sp.append(k, one);
  return {
    method: 'POST',
    url: HOOK,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    rawBody: Buffer.from(sp.toString()),
    body: nullProto(params),
    query: nullProto({}),
  };
}

function jsonPost(value: unknown, headers: Record<string, string> = {}, raw = JSON.stringify(value)): WebhookRequest {
  return {
    method: 'POST',
    url: HOOK,
    headers: { 'content-type': 'application/json', ...headers },
    rawBody: Buffer.from(raw),
    body: raw === '' ? nullProto({}) : (JSON.parse(raw) as unknown),
    query: nullProto({}),
  };
}

const creds = (signatureMethod?: string, signatureSecret: string | undefined = SECRET) => ({
  apiKey: 'abcd1234',
  apiSecret: 'api-secret-not-used-here',
  signatureSecret,
  signatureMethod,
});

describe('vonage.verifySignature: SMS API sig, official vectors (§3.3 b)', () => {
  it.each(Object.entries(SIGS))('%s', (method, sig) => {
    expect(vonage.verifySignature(get({ ...VECTOR, sig }), creds(method))).toBe(true);
    // The same parameters posted as a form and as JSON carry the same signature.
    expect(vonage.verifySignature(formPost({ ...VECTOR, sig }), creds(method))).toBe(true);
    expect(vonage.verifySignature(jsonPost({ ...VECTOR, sig }), creds(method))).toBe(true);
    // Case does not matter: Vonage sends upper-case hex.
    const flipped = sig === sig.toUpperCase() ? sig.toLowerCase() : sig.toUpperCase();
    expect(vonage.verifySignature(get({ ...VECTOR, sig: flipped }), creds(method))).toBe(true);
  });

  it('md5hash is the default when a secret is set and no method is', () => {
    expect(vonage.verifySignature(get({ ...VECTOR, sig: SIGS.md5hash }), creds(undefined))).toBe(true);
    expect(vonage.verifySignature(get({ ...VECTOR, sig: SIGS.md5hash }), creds(''))).toBe(true);
    expect(vonage.verifySignature(get({ ...VECTOR, sig: SIGS.md5hash }), creds(' SHA1HMAC '))).toBe(false);
    expect(vonage.verifySignature(get({ ...VECTOR, sig: SIGS.sha1hmac }), creds(' SHA1HMAC '))).toBe(true);
  });

  it('replaces & and = in values with _ before signing', () => {
    const params = { msisdn: '14155550100', text: 'a=b&c', timestamp: '1' };
    const signed = '&msisdn=14155550100&text=a_b_c&timestamp=1';
    const sig = createHmac('sha256', SECRET).update(signed).digest('hex');
    expect(vonage.verifySignature(get({ ...params, sig }), creds('sha256hmac'))).toBe(true);
  });

  it.each(Object.entries(SIGS))('%s refuses a tampered parameter, an added one, a removed one, the wrong secret', (method, sig) => {
    expect(vonage.verifySignature(get({ ...VECTOR, text: 'Test again!', sig }), creds(method))).toBe(false);
    expect(vonage.verifySignature(get({ ...VECTOR, keyword: 'TEST', sig }), creds(method))).toBe(false);
    const { text: _dropped, ...fewer } = VECTOR;
    expect(vonage.verifySignature(get({ ...fewer, sig }), creds(method))).toBe(false);
    expect(vonage.verifySignature(get({ ...VECTOR, sig }), creds(method, 'another_secret'))).toBe(false);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['not hex', 'z'.repeat(32)],
    ['one character short', SIGS.md5hash.slice(1)],
    ['one character long', `${SIGS.md5hash}0`],
    ['huge', 'a'.repeat(100_000)],
    ['repeated', [SIGS.md5hash, SIGS.md5hash]],
  ])('refuses a sig that is %s', (_label, sig) => {
    const params: Record<string, string | string[]> = { ...VECTOR };
    if (sig !== undefined) params.sig = sig;
    expect(vonage.verifySignature(get(params), creds('md5hash'))).toBe(false);
  });

  it('refuses a repeated parameter and nested JSON', () => {
    expect(vonage.verifySignature(get({ ...VECTOR, text: ['Test again', 'Test again'], sig: SIGS.md5hash }), creds())).toBe(false);
    expect(vonage.verifySignature(jsonPost({ ...VECTOR, extra: { a: 1 }, sig: SIGS.md5hash }), creds())).toBe(false);
  });
});

const b64url = (s: string) => Buffer.from(s).toString('base64url');

function jwt(claims: Record<string, unknown>, opts: { header?: Record<string, unknown>; secret?: string; alg?: 'sha256' | 'sha512' } = {}): string {
  const h = b64url(JSON.stringify(opts.header ?? { alg: 'HS256', typ: 'JWT' }));
  const p = b64url(JSON.stringify(claims));
  const s = createHmac(opts.alg ?? 'sha256', opts.secret ?? SECRET).update(`${h}.${p}`).digest('base64url');
  return `${h}.${p}.${s}`;
}

describe('vonage.verifySignature: Messages API JWT (§3.3 a)', () => {
  const body = { channel: 'sms', message_uuid: 'aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab', to: '447700900000', from: '447700900001', text: 'Hi', timestamp: '2030-01-01T00:00:00Z' };
  const raw = JSON.stringify(body);
  const claims = (over: Record<string, unknown> = {}) => ({
    iat: NOW / 1000 - 10,
    jti: 'c1a9f5a2-0000-4000-8000-000000000000',
    iss: 'Vonage',
    payload_hash: createHash('sha256').update(raw).digest('hex'),
    api_key: 'abcd1234',
    application_id: 'app-1',
    ...over,
  });
  const verify = (token: string | undefined, rawBody = raw, secret = SECRET, now = NOW) =>
    vonage.verifySignature(jsonPost(body, token === undefined ? {} : { authorization: token }, rawBody), creds('jwt', secret), { now });

  it('accepts a fresh HS256 token with the right payload_hash', () => {
    expect(verify(`Bearer ${jwt(claims())}`)).toBe(true);
    expect(verify(`bearer ${jwt(claims({ payload_hash: claims().payload_hash.toUpperCase() }))}`)).toBe(true);
  });

  it('refuses a tampered body, a wrong secret, a re-signed payload', () => {
    expect(verify(`Bearer ${jwt(claims())}`, raw.replace('Hi', 'Ho'))).toBe(false);
    expect(verify(`Bearer ${jwt(claims())}`, raw, 'another-secret')).toBe(false);
    const [h, , s] = jwt(claims()).split('.');
    const forged = b64url(JSON.stringify({ ...claims(), api_key: 'other' }));
    expect(verify(`Bearer ${h}.${forged}.${s}`)).toBe(false);
  });

  it('refuses alg none, HS512, RS256 and a crit header', () => {
    const noneHeader = b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }));
    const payload = b64url(JSON.stringify(claims()));
    expect(verify(`Bearer ${noneHeader}.${payload}.`)).toBe(false);
    expect(verify(`Bearer ${noneHeader}.${payload}.${jwt(claims()).split('.')[2]}`)).toBe(false);
    expect(verify(`Bearer ${jwt(claims(), { header: { alg: 'HS512' }, alg: 'sha512' })}`)).toBe(false);
    expect(verify(`Bearer ${jwt(claims(), { header: { alg: 'RS256' } })}`)).toBe(false);
    expect(verify(`Bearer ${jwt(claims(), { header: { alg: 'HS256', crit: ['exp'] } })}`)).toBe(false);
  });

  it('checks iss and the iat window: 5 minutes old at most, 1 minute ahead at most', () => {
    expect(verify(`Bearer ${jwt(claims({ iss: 'Nexmo' }))}`)).toBe(false);
    expect(verify(`Bearer ${jwt(claims({ iss: undefined }))}`)).toBe(false);
    expect(verify(`Bearer ${jwt(claims({ iat: NOW / 1000 - 300 }))}`)).toBe(true);
    expect(verify(`Bearer ${jwt(claims({ iat: NOW / 1000 - 301 }))}`)).toBe(false);
    expect(verify(`Bearer ${jwt(claims({ iat: NOW / 1000 + 60 }))}`)).toBe(true);
    expect(verify(`Bearer ${jwt(claims({ iat: NOW / 1000 + 61 }))}`)).toBe(false);
    expect(verify(`Bearer ${jwt(claims({ iat: undefined }))}`)).toBe(false);
    expect(verify(`Bearer ${jwt(claims({ iat: String(NOW / 1000) }))}`)).toBe(false);
    expect(verify(`Bearer ${jwt(claims({ exp: NOW / 1000 - 61 }))}`)).toBe(false);
    expect(verify(`Bearer ${jwt(claims({ nbf: NOW / 1000 + 61 }))}`)).toBe(false);
  });

  it('requires payload_hash when the body is not empty', () => {
    expect(verify(`Bearer ${jwt(claims({ payload_hash: undefined }))}`)).toBe(false);
    expect(verify(`Bearer ${jwt(claims({ payload_hash: undefined }))}`, '')).toBe(true);
    expect(verify(`Bearer ${jwt(claims({ payload_hash: 42 }))}`)).toBe(false);
  });

  it.each([
    ['missing', undefined],
    ['not Bearer', `Basic ${jwt(claims())}`],
    ['two parts', `Bearer ${jwt(claims()).split('.').slice(0, 2).join('.')}`],
    ['garbage', 'Bearer !!!.???.***'],
    ['non-JSON parts', `Bearer ${b64url('x')}.${b64url('y')}.${b64url('z')}`],
    ['huge', `Bearer ${'a'.repeat(100_000)}.b.c`],
  ])('refuses an Authorization header that is %s', (_label, value) => {
    expect(verify(value)).toBe(false);
  });

  it('never throws on a hostile request, only false', () => {
    const token = { authorization: `Bearer ${jwt(claims())}` };
    for (const req of [
      { ...jsonPost(body, token), rawBody: undefined },
      { ...jsonPost(body, token), headers: undefined },
      null,
      { ...get({ ...VECTOR, sig: SIGS.md5hash }), query: undefined },
    ]) {
      expect(vonage.verifySignature(req as unknown as WebhookRequest, creds('jwt'), { now: NOW })).toBe(false);
      expect(vonage.verifySignature(req as unknown as WebhookRequest, creds('md5hash'))).toBe(false);
    }
  });
});

describe('vonage.verifySignature: configuration', () => {
  it('without signatureSecret: MISSING_CREDENTIALS', () => {
    for (const signatureSecret of [undefined, '', '  ']) {
      const c = { ...creds('md5hash'), signatureSecret };
      expectCode(() => vonage.verifySignature(get({ ...VECTOR, sig: SIGS.md5hash }), c), 'MISSING_CREDENTIALS', /signatureSecret/);
    }
  });

  it('an unknown signatureMethod is a configuration error that does not echo the value', () => {
    const e = expectCode(() => vonage.verifySignature(get(VECTOR), creds('sha3-secret-ish')), 'MISSING_CREDENTIALS', /signatureMethod must be one of/);
    expect(e.message).not.toContain('sha3-secret-ish');
    expect(e.message).not.toContain(SECRET);
  });
});

describe('vonage.parseInbound: SMS API', () => {
  const inbound = {
    msisdn: '447700900001',
    to: '447700900000',
    messageId: '0A0000000123ABCD1',
    text: 'Hello',
    type: 'text',
    keyword: 'HELLO',
    'api-key': 'abcd1234',
    'message-timestamp': '2030-01-02 03:04:05',
  };

  it.each([
    ['GET query', get(inbound)],
    ['POST form', formPost(inbound)],
    ['POST JSON', jsonPost(inbound)],
  ])('reads %s, numbers with +, the timestamp as UTC', (_label, req) => {
    expect(vonage.parseInbound(req)).toEqual([
      {
        provider: 'vonage',
        messageId: '0A0000000123ABCD1',
        from: '+447700900001',
        to: '+447700900000',
        text: 'Hello',
        receivedAt: '2030-01-02T03:04:05.000Z',
        keyword: null,
        raw: expect.objectContaining({ keyword: 'HELLO', 'api-key': 'abcd1234' }),
      },
    ]);
  });

  it('detects STOP, keeps a short code and an alphanumeric as they are', () => {
    const [m] = vonage.parseInbound(get({ ...inbound, text: 'Stop', to: '12345' }));
    expect(m).toMatchObject({ keyword: { intent: 'opt-out', keyword: 'STOP' }, to: '12345' });
  });

  it('marks a concatenated part for the handler to reassemble, without a keyword', () => {
    const [m] = vonage.parseInbound(get({ ...inbound, text: 'STOP', concat: 'true', 'concat-ref': '108', 'concat-total': '3', 'concat-part': '2' }));
    expect(m).toMatchObject({ concat: { ref: '108', part: 2, total: 3 }, keyword: null, text: 'STOP' });
    expect(vonage.parseInbound(get({ ...inbound, concat: 'false' }))[0]?.concat).toBeUndefined();
  });

  it('passes a binary message on with empty text and its data in raw', () => {
    const [m] = vonage.parseInbound(get({ ...inbound, type: 'binary', text: '', data: '0605040B8423F0', udh: '050003CC0201' }));
    expect(m).toMatchObject({ text: '', keyword: null, raw: expect.objectContaining({ data: '0605040B8423F0', udh: '050003CC0201' }) });
  });

  it.each([
    ['no messageId', { messageId: '' }, /"messageId" is missing/],
    ['no msisdn', { msisdn: '' }, /"msisdn" is missing/],
    ['no to', { to: '' }, /"to" is missing/],
    ['an unknown type', { type: 'wap' }, /"type" must be text, unicode or binary/],
    ['a 100k-character text', { text: 'x'.repeat(100_000) }, /"text" is longer than 10000/],
    ['a 100k-character id', { messageId: 'x'.repeat(100_000) }, /"messageId" is longer than 100/],
    ['a malformed timestamp', { 'message-timestamp': '02/01/2030' }, /message-timestamp must be a time/],
    ['a concat part without total', { concat: 'true', 'concat-ref': '1', 'concat-part': '1' }, /"concat-total" is missing/],
    ['a concat part beyond total', { concat: 'true', 'concat-ref': '1', 'concat-part': '4', 'concat-total': '3' }, /greater than/],
    ['a concat part 0', { concat: 'true', 'concat-ref': '1', 'concat-part': '0', 'concat-total': '3' }, /"concat-part" must be a whole number/],
    ['concat of another value', { concat: 'yes' }, /"concat" must be true or false/],
  ])('refuses %s', (_label, over, message) => {
    const e = expectCode(() => vonage.parseInbound(get({ ...inbound, ...over })), 'INVALID_INPUT', message);
    expect(e.message).toMatch(/^vonage: /);
  });

  it('refuses bodies that are not parameters, numbers where strings belong', () => {
    for (const body of [null, 'text=hi', [inbound], 7]) {
      expectCode(() => vonage.parseInbound({ ...formPost(inbound), body }), 'INVALID_INPUT', /^vonage: the body must be an object/);
    }
    expectCode(() => vonage.parseInbound(jsonPost({ ...inbound, text: { a: 1 } })), 'INVALID_INPUT', /"text" is a nested value/);
    // JSON numbers are read as their digits (Vonage sends some fields either way).
    expect(vonage.parseInbound(jsonPost({ ...inbound, msisdn: 447700900001 }))[0]?.from).toBe('+447700900001');
  });

  it('keeps __proto__ and constructor keys as plain data', () => {
    const [m] = vonage.parseInbound(jsonPost(inbound, {}, JSON.stringify(inbound).replace('{', '{"__proto__":"p","constructor":"c",')));
    expect(Object.getPrototypeOf(m?.raw)).toBeNull();
    expect(({} as Record<string, unknown>).p).toBeUndefined();
  });
});

describe('vonage.parseInbound: Messages API', () => {
  const message = {
    channel: 'sms',
    message_uuid: 'aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab',
    to: '447700900000',
    from: '447700900001',
    timestamp: '2030-01-02T03:04:05.678Z',
    text: 'START',
    message_type: 'text',
    sms: { num_messages: '1', keyword: 'START' },
    usage: { price: '0.0057', currency: 'EUR' },
  };

  it('reads the JSON message, raw as a null-prototype copy', () => {
    const [m] = vonage.parseInbound(jsonPost(message));
    expect(m).toEqual({
      provider: 'vonage',
      messageId: 'aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab',
      from: '+447700900001',
      to: '+447700900000',
      text: 'START',
      receivedAt: '2030-01-02T03:04:05.678Z',
      keyword: { intent: 'opt-in', keyword: 'START' },
      raw: message,
    });
    expect(Object.getPrototypeOf((m?.raw as { sms: object }).sms)).toBeNull();
  });

  it('reads v0.1 numbers ({ type, number })', () => {
    const [m] = vonage.parseInbound(jsonPost({ ...message, to: { type: 'sms', number: '447700900000' }, from: { type: 'sms', number: '447700900001' } }));
    expect(m).toMatchObject({ from: '+447700900001', to: '+447700900000' });
  });

  it.each([
    ['another channel', { channel: 'whatsapp' }, /"channel" must be sms/],
    ['no uuid', { message_uuid: undefined, channel: 'sms' }, /"message_uuid" is missing/],
    ['a numeric uuid', { message_uuid: 12 }, /"message_uuid" must be a string; got a number/],
    ['no text', { text: undefined }, /"text" is missing/],
    ['an image', { message_type: 'image' }, /"message_type" must be text/],
    ['no sender', { from: undefined }, /"from" is missing/],
    ['a sender object without number', { from: { type: 'sms' } }, /"from" is missing/],
    ['a sender array', { from: ['447700900001'] }, /"from" must be a string; got an array/],
    ['a zone-less timestamp', { timestamp: '2030-01-02 03:04:05' }, /timestamp must be an ISO-8601 time/],
  ])('refuses %s', (_label, over, message_) => {
    expectCode(() => vonage.parseInbound(jsonPost({ ...message, ...over })), 'INVALID_INPUT', message_);
  });

  it('refuses JSON nested absurdly deep', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 100; i++) deep = { deep };
    expectCode(() => vonage.parseInbound(jsonPost({ ...message, deep })), 'INVALID_INPUT', /nested deeper/);
  });
});

describe('vonage.parseStatus: SMS API delivery receipts', () => {
  const receipt = {
    msisdn: '447700900000',
    to: 'AcmeInc',
    'network-code': '23410',
    messageId: '0A0000000123ABCD1',
    price: '0.03330000',
    status: 'delivered',
    scts: '3001011400',
    'err-code': '0',
    'api-key': 'abcd1234',
    'client-ref': 'promo-nov-1',
    'message-timestamp': '2030-01-01 14:00:05',
  };

  it('reads a delivered receipt', () => {
    expect(vonage.parseStatus(get(receipt))).toEqual([
      {
        provider: 'vonage',
        messageId: '0A0000000123ABCD1',
        status: 'delivered',
        final: true,
        providerStatus: 'delivered',
        to: '+447700900000',
        mccmnc: '23410',
        price: { amount: 0.0333 },
        clientRef: 'promo-nov-1',
        occurredAt: '2030-01-01T14:00:00.000Z',
      },
    ]);
  });

  it.each([
    ['accepted', undefined, 'sent', false, undefined],
    ['buffered', undefined, 'sent', false, undefined],
    ['expired', '3', 'expired', true, true],
    ['failed', '2', 'undelivered', true, false],
    ['failed', '7', 'undelivered', true, false],
    ['rejected', '9', 'failed', true, true],
    ['unknown', '1', 'unknown', true, true],
  ])('%s with err-code %s → %s', (word, errCode, status, final, permanent) => {
    const params: Record<string, string> = { ...receipt, status: word };
    if (errCode === undefined) delete params['err-code'];
    else params['err-code'] = errCode;
    const [r] = vonage.parseStatus(formPost(params));
    expect(r).toMatchObject({ status, final, providerStatus: word });
    expect(r?.permanent).toBe(permanent);
  });

  it('err-code 9 (opt-out evidence) carries its code and meaning', () => {
    const [r] = vonage.parseStatus(jsonPost({ ...receipt, status: 'rejected', 'err-code': '9' }));
    expect(r).toMatchObject({ errorCode: '9', errorMessage: expect.stringMatching(/Illegal number/) });
  });

  it('falls back to message-timestamp, then now; leaves out an unusable network code', () => {
    const { scts: _scts, ...noScts } = receipt;
    expect(vonage.parseStatus(get({ ...noScts, 'network-code': 'n/a' }))[0]).toMatchObject({ occurredAt: '2030-01-01T14:00:05.000Z' });
    expect(vonage.parseStatus(get({ ...noScts, 'network-code': 'n/a' }))[0]?.mccmnc).toBeUndefined();
  });

  it.each([
    ['no messageId', { messageId: '' }, /"messageId" is missing/],
    ['no status', { status: '' }, /"status" is missing/],
    ['a Messages API word', { status: 'submitted' }, /Unknown vonage \(SMS API\) delivery status "submitted"/],
    ['a non-numeric err-code', { 'err-code': 'x' }, /err-code must be an integer/],
    ['a malformed scts', { scts: '30010114' }, /scts must be a time as YYMMDDhhmm/],
    ['a 100k-character client-ref', { 'client-ref': 'r'.repeat(100_000) }, /"client-ref" is longer than 256/],
  ])('refuses %s', (_label, over, message) => {
    expectCode(() => vonage.parseStatus(get({ ...receipt, ...over })), 'INVALID_INPUT', message);
  });
});

describe('vonage.parseStatus: Messages API', () => {
  const status = {
    message_uuid: 'aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab',
    to: '447700900000',
    from: 'AcmeInc',
    timestamp: '2030-01-02T03:04:05.000Z',
    status: 'rejected',
    channel: 'sms',
    client_ref: 'promo-nov-2',
    error: {
      type: 'https://developer.vonage.com/api-errors/messages#1320',
      title: 1320,
      detail: 'Message failed because the number was blocked',
      instance: 'bf0ca0bf927b3b52e3cb03217e1a1ddf',
    },
    usage: { price: '0.0057', currency: 'EUR' },
    destination: { network_code: '23410' },
    sms: { count_total: '1' },
  };

  it('reads a rejected status with error, price, operator and client ref', () => {
    expect(vonage.parseStatus(jsonPost(status))).toEqual([
      {
        provider: 'vonage',
        messageId: 'aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab',
        status: 'failed',
        final: true,
        providerStatus: 'rejected',
        to: '+447700900000',
        occurredAt: '2030-01-02T03:04:05.000Z',
        errorCode: '1320',
        errorMessage: 'Message failed because the number was blocked',
        price: { amount: 0.0057, currency: 'EUR' },
        mccmnc: '23410',
        clientRef: 'promo-nov-2',
      },
    ]);
  });

  it('maps submitted / delivered / undeliverable, takes the code from the error type when title is missing', () => {
    expect(vonage.parseStatus(jsonPost({ ...status, status: 'submitted', error: undefined }))[0]).toMatchObject({ status: 'sent', final: false });
    expect(vonage.parseStatus(jsonPost({ ...status, status: 'delivered', error: undefined }))[0]).toMatchObject({ status: 'delivered' });
    const [r] = vonage.parseStatus(jsonPost({ ...status, status: 'undeliverable', error: { type: 'https://x/errors#1300' } }));
    expect(r).toMatchObject({ status: 'failed', errorCode: '1300' });
  });

  it.each([
    ['an SMS API word', { status: 'accepted' }, /Unknown vonage \(Messages API\) delivery status "accepted"/],
    ['no status', { status: undefined }, /"status" is missing/],
    ['a numeric status', { status: 3 }, /"status" must be a string/],
    ['error as a string', { error: 'boom' }, /"error" must be an object/],
    ['usage as an array', { usage: [1] }, /"usage" must be an object/],
    ['a WhatsApp report', { channel: 'whatsapp' }, /"channel" must be sms/],
  ])('refuses %s', (_label, over, message) => {
    expectCode(() => vonage.parseStatus(jsonPost({ ...status, ...over })), 'INVALID_INPUT', message);
  });

  it('refuses an array of reports and other non-objects', () => {
    for (const value of [[status], 'x', null]) {
      expect(thrown(() => vonage.parseStatus(jsonPost(value))).code).toBe('INVALID_INPUT');
    }
  });
});

describe('vonage.webhookResponse', () => {
  it('answers both kinds with an empty 200', () => {
    expect(vonage.webhookResponse('inbound')).toEqual({ status: 200 });
    expect(vonage.webhookResponse('status')).toEqual({ status: 200 });
    expect(vonage.repliesInResponse).toBeFalsy();
    expectCode(() => vonage.webhookResponse('x' as 'status'), 'INVALID_INPUT');
  });
});

useNock();

describe('vonage.send: part message ids', () => {
  const part = (id: string) => ({ to: '447700900000', 'message-id': id, status: '0', 'message-price': '0.03330000' });
  const msg = { to: '+447700900000', from: 'AcmeInc', text: 'long text', encoding: 'GSM-7' as const, segments: 3 };
  const ctx = { credentials: { apiKey: 'abcd1234', apiSecret: 'vonage-secret-Zx9y8w7v' }, http: defaultHttp };

  it('lists every part’s id, part 1 first, for a split message', async () => {
    nock('https://rest.nexmo.com')
      .post('/sms/json')
      .reply(200, { 'message-count': '3', messages: [part('part-1'), part('part-2'), part('part-3')] });
    const r = await vonage.send(msg, ctx);
    expect(r).toMatchObject({ messageId: 'part-1', partMessageIds: ['part-1', 'part-2', 'part-3'] });
  });

  it('leaves them out for a single part, or when a part has no id', async () => {
    nock('https://rest.nexmo.com').post('/sms/json').reply(200, { 'message-count': '1', messages: [part('only')] });
    expect((await vonage.send(msg, ctx)).partMessageIds).toBeUndefined();
    nock('https://rest.nexmo.com')
      .post('/sms/json')
      .reply(200, { 'message-count': '2', messages: [part('p1'), { ...part('p2'), 'message-id': undefined }] });
    expect((await vonage.send(msg, ctx)).partMessageIds).toBeUndefined();
  });
});
