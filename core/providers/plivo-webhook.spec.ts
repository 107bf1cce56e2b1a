import { createHmac } from 'node:crypto';
import { expectCode } from '../../test/support/sms-error';
import type { WebhookRequest } from '../types';
import { plivo } from './plivo';

const TOKEN = 'MAXXXXXXXXXXXXXXXXXX-test-token';
const NONCE = '12345678901234567890';

type Fields = Record<string, string | string[]>;

function form(fields: Fields): Fields {
  return Object.assign(Object.create(null), fields);
}

function request(method: string, url: string, fields: Fields, signature: string, extra: Record<string, string> = {}): WebhookRequest {
  const encoded = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) encoded.append(k, x);
  const body = encoded.toString();
  return {
    method,
    url,
    headers: { 'x-plivo-signature-v3': signature, 'x-plivo-signature-v3-nonce': NONCE, ...extra },
    rawBody: Buffer.from(method === 'GET' ? '' : body),
    body: method === 'GET' ? form({}) : form(fields),
    query: form(Object.fromEntries(new URL(url).searchParams)),
  };
}

describe('plivo webhook signature (V3, official vectors of reference §3.5)', () => {
  const inbound = { From: '14155550100', To: '14155550199', Text: 'Hello STOP', Type: 'sms', MessageUUID: '2f1c1b6e-0000-0000-0000-000000000000' };

  it.each([
    ['POST with params', 'POST', 'https://example.com/sms/inbound', inbound, '7tdfWqyxq7BfmcGRfQef6XnQ1q+xuxwkYcStc8+zOSM='],
    ['POST with a query and params', 'POST', 'https://example.com/sms/inbound?tenant=a&x=1', { From: '14155550100', Text: 'hi' }, 'mAvpiEi5H+NLiNRQtV+g479TgmZxaYpckIsr2FllQjM='],
    ['POST without params', 'POST', 'https://example.com/sms/inbound', {}, 'kWtu40txtW5z5rDT2HLZ4WtMvy8HlGlgXUAttYjAvT4='],
  ])('accepts %s', (_name, method, url, fields, sig) => {
    expect(plivo.verifySignature(request(method, url, fields, sig), { authToken: TOKEN })).toBe(true);
  });

  it('accepts the GET vector, params in the query', () => {
    const url = 'https://example.com/sms/status?b=2&a=1&Status=delivered&MessageUUID=u1';
    const req = request('GET', url, {}, 'B8DdcRmUp1T7Ow2NnGtTM9ZM/KcTbiD9QzJDB5CQRSk=');
    expect(plivo.verifySignature(req, { authToken: TOKEN })).toBe(true);
  });

  // Base strings and signatures taken from plivo@4.79.0's validateV3Signature (it accepts each):
  // the URL is signed as written, so an explicit port, the host's case and an empty path count.
  it.each([
    ['an explicit default port', 'https://example.com:443/sms/inbound', { From: '1' }, 'mlh/rheqx2+VBMyFbDl4L/XEE5M3RetbmsjaRt5WAZ0='],
    ['an upper-case host', 'https://Example.COM/sms/inbound', { From: '1' }, 'z5yVNGu42fg/qpBemGt6ubfkJH6JhJQ8PnWTLKxr1Uk='],
    ['an empty path', 'https://example.com', { From: '1' }, '/UMbCUyeeV+ZZJV6ILidxpAT1ftfH5GVi5DWyiV+5BI='],
    ['a bare slash path', 'https://example.com/', { From: '1' }, 'p9hfNPtAyP4xYP9bWzYx9pKk727/fWieVYJUEvEZANU='],
    ['a percent-encoded path', 'https://example.com/a%20b/c', { From: '1' }, 'hKMbQAR+lsl0XiOxBXIBjNZsbJjV7n4oxFU/ojIlcm0='],
    ['an encoded query and a key without value', 'https://example.com/x?q=a+b&r=%2F&s', { From: '1' }, 'avW9QjQhKefWZ4yZDGp4f4jbKsIyxCtEPfjB39YhNnk='],
    ['repeated keys in query and body', 'https://example.com/x?q=2&q=1', { From: ['b', 'a'] }, 'CTTugRezafpzCM8aidrEYV08PE2iRiqJaXA7xkyYBVc='],
    ['non-ASCII text on a local port', 'http://127.0.0.1:1880/sms/inbound', { Text: 'é ü 😀', From: '1' }, 'ignM574qY0vzl36CsN/fe7kKOlrqRQUS5pXfCwZ2xzk='],
  ])('signs the URL as plivo-node does: %s', (_name, url, fields, sig) => {
    expect(plivo.verifySignature(request('POST', url, fields, sig), { authToken: TOKEN })).toBe(true);
  });

  it('signs a GET as plivo-node does: decoded query values, sorted', () => {
    const req = request('GET', 'https://example.com/x?q=a+b&From=1', {}, 'hwpnuoLKWCIlay5PTCSvTRHuUiWUWPbDyfgy/CtUzUo=');
    expect(plivo.verifySignature(req, { authToken: TOKEN })).toBe(true);
  });

  it('refuses a method Plivo does not call with, even over a valid POST signature', () => {
    const post = request('POST', 'https://example.com/sms/inbound', inbound, '7tdfWqyxq7BfmcGRfQef6XnQ1q+xuxwkYcStc8+zOSM=');
    expect(plivo.verifySignature(post, { authToken: TOKEN })).toBe(true);
    expect(plivo.verifySignature({ ...post, method: 'PUT' }, { authToken: TOKEN })).toBe(false);
  });

  it('accepts any one of several comma-separated signatures (token rotation)', () => {
    const req = request('POST', 'https://example.com/sms/inbound', inbound, 'AAAA, 7tdfWqyxq7BfmcGRfQef6XnQ1q+xuxwkYcStc8+zOSM=');
    expect(plivo.verifySignature(req, { authToken: TOKEN })).toBe(true);
  });

  it.each([
    ['a tampered param', { ...inbound, Text: 'Hello START' }, {}],
    ['another URL', inbound, { url: 'https://example.com/sms/other' }],
    ['a missing nonce', inbound, { nonce: '' }],
  ])('refuses %s', (_name, fields, change: { url?: string; nonce?: string }) => {
    const req = request('POST', change.url ?? 'https://example.com/sms/inbound', fields, '7tdfWqyxq7BfmcGRfQef6XnQ1q+xuxwkYcStc8+zOSM=');
    if (change.nonce !== undefined) req.headers['x-plivo-signature-v3-nonce'] = change.nonce;
    expect(plivo.verifySignature(req, { authToken: TOKEN })).toBe(false);
  });

  it('refuses a wrong token, a V2-only request and garbage without throwing', () => {
    const ok = request('POST', 'https://example.com/sms/inbound', inbound, '7tdfWqyxq7BfmcGRfQef6XnQ1q+xuxwkYcStc8+zOSM=');
    expect(plivo.verifySignature(ok, { authToken: 'other' })).toBe(false);
    const v2 = createHmac('sha256', TOKEN).update(`https://example.com/sms/inbound${NONCE}`).digest('base64');
    const onlyV2 = { ...ok, headers: { 'x-plivo-signature-v2': v2, 'x-plivo-signature-v2-nonce': NONCE } };
    expect(plivo.verifySignature(onlyV2, { authToken: TOKEN })).toBe(false);
    expect(plivo.verifySignature({ ...ok, url: 'not a url' }, { authToken: TOKEN })).toBe(false);
    expect(plivo.verifySignature({ ...ok, headers: { ...ok.headers, 'x-plivo-signature-v3': 'x'.repeat(100_000) } }, { authToken: TOKEN })).toBe(false);
  });

  it('refuses hostile requests without throwing', () => {
    const ok = request('POST', 'https://example.com/sms/inbound', inbound, '7tdfWqyxq7BfmcGRfQef6XnQ1q+xuxwkYcStc8+zOSM=');
    const hostile: unknown[] = [
      { ...ok, body: { From: { nested: true } } },
      { ...ok, body: 'From=1' },
      { ...ok, url: 'ftp://example.com/sms/inbound' },
      { ...ok, headers: { 'x-plivo-signature-v3': ['a', 'b'], 'x-plivo-signature-v3-nonce': NONCE } },
      { ...ok, method: undefined },
      { ...ok, headers: undefined },
      null,
    ];
    for (const req of hostile) expect(plivo.verifySignature(req as WebhookRequest, { authToken: TOKEN })).toBe(false);
  });

  it('needs the auth token', () => {
    const ok = request('POST', 'https://example.com/sms/inbound', inbound, 'x');
    expectCode(() => plivo.verifySignature(ok, {}), 'MISSING_CREDENTIALS');
    expectCode(() => plivo.verifySignature(ok, { authToken: '  ' }), 'MISSING_CREDENTIALS');
    expectCode(() => plivo.verifySignature(ok, { authToken: 42 } as never), 'MISSING_CREDENTIALS');
  });
});

describe('plivo webhook parsing', () => {
  const post = (fields: Record<string, unknown>): WebhookRequest => ({
    method: 'POST',
    url: 'https://example.com/x',
    headers: {},
    rawBody: Buffer.from('x'),
    body: Object.assign(Object.create(null), fields),
    query: Object.create(null),
  });

  it('reads an inbound message, with E.164 numbers and the keyword', () => {
    const [m] = plivo.parseInbound(post({ MessageUUID: 'u-1', From: '14155550100', To: '14155550199', Text: 'STOP', MessageIntent: 'optout' }));
    expect(m).toMatchObject({ provider: 'plivo', messageId: 'u-1', from: '+14155550100', to: '+14155550199', text: 'STOP', keyword: { intent: 'opt-out' } });
  });

  it("keeps Plivo's own intent when our keywords do not match", () => {
    const [m] = plivo.parseInbound(post({ MessageUUID: 'u-1', From: '14155550100', To: '14155550199', Text: 'ARRET SVP', MessageIntent: 'optout' }));
    expect(m?.keyword).toEqual({ intent: 'opt-out', keyword: 'ARRET SVP' });
  });

  it('reads a status callback: sequence, operator, price, error, time', () => {
    const [r] = plivo.parseStatus(
      post({
        MessageUUID: 'u-2', Status: 'undelivered', ErrorCode: '200', To: '14155550100', MCC: '310', MNC: '260',
        TotalAmount: '0.0050', Sequence: '3', DeliveryReportTime: '2026-11-02 10:00:01.123456',
      }),
    );
    expect(r).toMatchObject({
      provider: 'plivo', messageId: 'u-2', status: 'undelivered', final: true, errorCode: '200', to: '+14155550100',
      mccmnc: '310260', price: { amount: 0.005 }, sequence: 3, occurredAt: '2026-11-02T10:00:01.123Z',
    });
  });

  it('reads a GET status callback from the query', () => {
    const query = Object.assign(Object.create(null), { MessageUUID: 'u-3', Status: 'delivered', MessageTime: '2026-11-02 10:00:00' });
    const [r] = plivo.parseStatus({ method: 'GET', url: 'https://example.com/x', headers: {}, rawBody: Buffer.alloc(0), body: Object.create(null), query });
    expect(r).toMatchObject({ messageId: 'u-3', status: 'delivered', final: true, occurredAt: '2026-11-02T10:00:00.000Z' });
  });

  it('prices a report by TotalAmount, else TotalRate × Units', () => {
    const base = { MessageUUID: 'u', Status: 'delivered' };
    expect(plivo.parseStatus(post({ ...base, TotalAmount: '0.0195', TotalRate: '0.0065', Units: '3' }))[0]?.price).toEqual({ amount: 0.0195 });
    expect(plivo.parseStatus(post({ ...base, TotalRate: '0.0065', Units: '3' }))[0]?.price).toEqual({ amount: 0.0195 });
    expect(plivo.parseStatus(post({ ...base, TotalRate: '0.0065' }))[0]?.price).toBeUndefined();
    expect(plivo.parseStatus(post({ ...base, ErrorCode: '000' }))[0]?.errorCode).toBeUndefined();
  });

  it('keeps own __proto__ and constructor fields as data', () => {
    const body = JSON.parse('{"MessageUUID":"u-4","From":"14155550100","To":"14155550199","Text":"hi","__proto__":"x","constructor":"y"}');
    const [m] = plivo.parseInbound(post(body));
    expect(m).toMatchObject({ messageId: 'u-4', text: 'hi' });
    expect(Object.getPrototypeOf(m?.raw)).toBeNull();
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expectCode(() => plivo.parseStatus(post(JSON.parse('{"__proto__":{"MessageUUID":"u"},"Status":"sent"}'))), 'INVALID_INPUT', /"__proto__" is a nested value/);
  });

  it('answers 200 with no body', () => {
    expect(plivo.webhookResponse('inbound')).toEqual({ status: 200 });
    expect(plivo.webhookResponse('status')).toEqual({ status: 200 });
  });

  it('refuses malformed callbacks with INVALID_INPUT', () => {
    for (const body of [null, 'MessageUUID=u', 42, [{ MessageUUID: 'u' }]]) {
      expectCode(() => plivo.parseStatus({ ...post({}), body }), 'INVALID_INPUT', /plivo: the body must be an object/);
      expectCode(() => plivo.parseInbound({ ...post({}), body }), 'INVALID_INPUT', /plivo/);
    }
    expectCode(() => plivo.parseStatus(post({ MessageUUID: ['a', 'b'], Status: 'sent' })), 'INVALID_INPUT', /MessageUUID.*repeated/);
    expectCode(() => plivo.parseStatus(post({ MessageUUID: 'u', Status: 'sent', TotalAmount: 'free' })), 'INVALID_INPUT', /TotalAmount/);
    expectCode(() => plivo.parseStatus(post({ MessageUUID: 'u', Status: 'sent', TotalRate: '0.1', Units: 'many' })), 'INVALID_INPUT', /Units/);
    expectCode(() => plivo.parseStatus(post({ MessageUUID: 'u', Status: 'sent', MCC: '310' })), 'INVALID_INPUT', /MCC/);
    expectCode(() => plivo.parseStatus(post({ MessageUUID: 'u', Status: 'sent', MCC: 'abc', MNC: '26' })), 'INVALID_INPUT', /MNC/);
    expectCode(() => plivo.parseStatus(post({ MessageUUID: 'u', Status: 'x'.repeat(100_000) })), 'INVALID_INPUT', /Status/);
    expectCode(() => plivo.parseInbound(post({ MessageUUID: 'u', To: '2', Text: 'hi' })), 'INVALID_INPUT', /From/);
    expectCode(() => plivo.parseStatus(post({ Status: 'delivered' })), 'INVALID_INPUT', /MessageUUID/);
    expectCode(() => plivo.parseStatus(post({ MessageUUID: 'u', Status: 'teleported' })), 'INVALID_INPUT');
    expectCode(() => plivo.parseStatus(post({ MessageUUID: 'u', Status: 'sent', Sequence: '-1' })), 'INVALID_INPUT', /Sequence/);
    expectCode(() => plivo.parseStatus(post({ MessageUUID: 'u', Status: 'sent', DeliveryReportTime: 'yesterday' })), 'INVALID_INPUT');
    expectCode(() => plivo.parseInbound(post({ MessageUUID: 'u', From: '1', To: '2', Text: 'x'.repeat(100_000) })), 'INVALID_INPUT', /Text/);
    expectCode(() => plivo.parseInbound({ ...post({}), body: [1, 2] }), 'INVALID_INPUT');
    expectCode(() => plivo.parseInbound(post({ MessageUUID: { a: 1 }, From: '1', To: '2' })), 'INVALID_INPUT');
  });
});
