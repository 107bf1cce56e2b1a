import { expectCode } from '../../test/support/sms-error';
import { publicRequestUrl, readWebhookRequest, statusCallbackUrlFor } from './request';

const raw = (body: string, headers: Record<string, string | string[]> = {}, url = 'http://127.0.0.1:1880/sms?a=1&a=2&b=x%20y') => ({
  method: 'post',
  url,
  headers,
  rawBody: Buffer.from(body),
});

describe('readWebhookRequest', () => {
  it('parses JSON, forms and empty bodies into null-prototype records, with lower-case headers', () => {
    const json = readWebhookRequest(raw('{"__proto__":{"x":1},"a":1}', { 'Content-Type': 'application/json', 'X-Many': ['1', '2'] }));
    expect(json.method).toBe('POST');
    expect(json.headers).toMatchObject({ 'content-type': 'application/json', 'x-many': '1, 2' });
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(json.query).toEqual(Object.assign(Object.create(null), { a: ['1', '2'], b: 'x y' }));
    const form = readWebhookRequest(raw('To=%2B1415&Body=hi+there&Body=again', { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }));
    expect(form.body).toEqual(Object.assign(Object.create(null), { To: '+1415', Body: ['hi there', 'again'] }));
    expect(Object.getPrototypeOf(form.body)).toBeNull();
    expect(readWebhookRequest(raw('')).body).toEqual(Object.create(null));
    expect(readWebhookRequest(raw('{"a":1}')).body).toEqual({ a: 1 });
    expect(readWebhookRequest(raw('a=1')).body).toEqual(Object.assign(Object.create(null), { a: '1' }));
  });

  it('reads a body without a content type as JSON when it is JSON, else as form fields; +json as JSON', () => {
    expect(readWebhookRequest(raw(' [1,2]')).body).toEqual([1, 2]);
    expect(readWebhookRequest(raw('{"a":1}', { 'content-type': 'application/vnd.api+json' })).body).toEqual({ a: 1 });
    expect(readWebhookRequest(raw('{"a":1}', { 'content-type': 'text/plain' })).body).toEqual({ a: 1 });
    expect(readWebhookRequest(raw('', { 'content-type': 'application/json' })).body).toEqual(Object.create(null));
    expect(readWebhookRequest({ ...raw(''), rawBody: Buffer.from('\uFEFF{"a":1}') }).body).toEqual({ a: 1 });
    expectCode(() => readWebhookRequest(raw('{"a":', {})), 'INVALID_INPUT', /not valid JSON/);
  });

  it('keeps __proto__ and constructor keys as plain data', () => {
    const form = readWebhookRequest(raw('__proto__=x&constructor=y', { 'content-type': 'application/x-www-form-urlencoded' }, 'http://h/x?__proto__=q'));
    expect(Object.getPrototypeOf(form.body)).toBeNull();
    expect(Object.keys(form.body as object)).toEqual(['__proto__', 'constructor']);
    expect(form.query.__proto__).toBe('q');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('takes a body of exactly the limit and counts JSON depth outside strings only', () => {
    expect(readWebhookRequest(raw('x'.repeat(10)), 10).body).toEqual(Object.assign(Object.create(null), { ['x'.repeat(10)]: '' }));
    expect(readWebhookRequest(raw('['.repeat(64) + ']'.repeat(64))).body).toBeInstanceOf(Array);
    expectCode(() => readWebhookRequest(raw('['.repeat(65) + ']'.repeat(65))), 'INVALID_INPUT', /deeper than 64/);
    expect(readWebhookRequest(raw(JSON.stringify({ t: '[[[[\\"{{{{'.repeat(100) }))).body).toHaveProperty('t');
  });

  it('joins the text of repeated headers and drops what is not text', () => {
    const req = readWebhookRequest(raw('', { 'X-List': ['a', 7 as unknown as string, 'b'], 'X-Num': 5 as unknown as string, 'X-Obj': {} as unknown as string }));
    expect({ ...req.headers }).toEqual({ 'x-list': 'a, b' });
  });

  it('keeps its limit when handed one that is not a number', () => {
    expect(readWebhookRequest(raw('x'.repeat(1000)), Number.NaN).rawBody).toHaveLength(1000);
    expectCode(() => readWebhookRequest(raw('x'.repeat(1024 * 1024 + 1)), Number.NaN), 'PAYLOAD_TOO_LARGE');
    expectCode(() => readWebhookRequest(raw('x'.repeat(1024 * 1024 + 1)), -1), 'PAYLOAD_TOO_LARGE');
  });

  it('keeps the URL byte for byte: signatures are over it', () => {
    const url = 'https://example.com/hook?It%27s+amazing=1&bodySHA256=abc';
    expect(readWebhookRequest(raw('', {}, url)).url).toBe(url);
  });

  it.each([
    ['over the limit', () => readWebhookRequest(raw('x'.repeat(11)), 10), 'PAYLOAD_TOO_LARGE'],
    ['bad JSON', () => readWebhookRequest(raw('{', { 'content-type': 'application/json' })), 'INVALID_INPUT'],
    ['non-UTF-8', () => readWebhookRequest({ ...raw(''), rawBody: Buffer.from([0xff, 0xfe, 0x41]) }), 'INVALID_INPUT'],
    ['multipart', () => readWebhookRequest(raw('--x', { 'content-type': 'multipart/form-data; boundary=x' })), 'INVALID_INPUT'],
    ['10k form fields', () => readWebhookRequest(raw(Array.from({ length: 10_000 }, (_, i) => `f${i}=1`).join('&'), { 'content-type': 'application/x-www-form-urlencoded' })), 'INVALID_INPUT'],
    ['a bad query escape', () => readWebhookRequest(raw('', {}, 'http://h/x?a=%E0%A4%A')), 'INVALID_INPUT'],
    ['a relative URL', () => readWebhookRequest(raw('', {}, '/sms')), 'INVALID_INPUT'],
    ['a junk method', () => readWebhookRequest({ ...raw(''), method: 'GET /x' }), 'INVALID_INPUT'],
    ['a string body', () => readWebhookRequest({ ...raw(''), rawBody: 'x' as unknown as Buffer }), 'INVALID_INPUT'],
    ['300 headers', () => readWebhookRequest(raw('', Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`h${i}`, 'v'])))), 'INVALID_INPUT'],
  ])('refuses %s with a coded error', (_name, fn, code) => {
    expectCode(fn, code as 'INVALID_INPUT');
  });
});

describe('publicRequestUrl and statusCallbackUrlFor', () => {
  it('puts the request query on the configured public URL, or keeps the engine URL', () => {
    expect(publicRequestUrl('https://nr.example.com/hooks/sms', 'http://127.0.0.1:1880/sms?bodySHA256=ab%2Fc')).toBe('https://nr.example.com/hooks/sms?bodySHA256=ab%2Fc');
    expect(publicRequestUrl(undefined, 'http://127.0.0.1:1880/sms')).toBe('http://127.0.0.1:1880/sms');
    expect(publicRequestUrl('  ', 'http://127.0.0.1:1880/sms')).toBe('http://127.0.0.1:1880/sms');
    expectCode(() => publicRequestUrl('https://x.example/sms?x=1', 'http://h/sms'), 'INVALID_INPUT', /query/);
    expectCode(() => publicRequestUrl('ftp://x.example/sms', 'http://h/sms'), 'INVALID_INPUT');
    expectCode(() => publicRequestUrl('https://user:pw@x.example/sms', 'http://h/sms'), 'INVALID_INPUT');
  });

  it('adds the Infobip token, and only for Infobip', () => {
    expect(statusCallbackUrlFor('twilio', 'https://x.example/dlr', {})).toBe('https://x.example/dlr');
    expect(statusCallbackUrlFor('infobip', 'https://x.example/dlr', { webhookToken: 'a b&c' })).toBe('https://x.example/dlr?token=a%20b%26c');
    expectCode(() => statusCallbackUrlFor('infobip', 'https://x.example/dlr', {}), 'MISSING_CREDENTIALS');
    expectCode(() => statusCallbackUrlFor('twilio', '', {}), 'INVALID_INPUT');
  });
});
