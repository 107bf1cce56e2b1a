import { createHmac } from 'node:crypto';
import { expectCode } from '../../test/support/sms-error';
import type { WebhookRequest } from '../types';
import { plivo } from './plivo';

const TOKEN = 'MAXXXXXXXXXXXXXXXXXX-test-token';
const NONCE = '12345678901234567890';

function form(fields: Record<string, string>): Record<string, string> {
  return Object.assign(Object.create(null), fields);
}

function request(method: string, url: string, fields: Record<string, string>, signature: string, extra: Record<string, string> = {}): WebhookRequest {
  const body = new URLSearchParams(fields).toString();
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

  it('needs the auth token', () => {
    const ok = request('POST', 'https://example.com/sms/inbound', inbound, 'x');
    expectCode(() => plivo.verifySignature(ok, {}), 'MISSING_CREDENTIALS');
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

  it('refuses malformed callbacks with INVALID_INPUT', () => {
    expectCode(() => plivo.parseStatus(post({ Status: 'delivered' })), 'INVALID_INPUT', /MessageUUID/);
    expectCode(() => plivo.parseStatus(post({ MessageUUID: 'u', Status: 'teleported' })), 'INVALID_INPUT');
    expectCode(() => plivo.parseStatus(post({ MessageUUID: 'u', Status: 'sent', Sequence: '-1' })), 'INVALID_INPUT', /Sequence/);
    expectCode(() => plivo.parseStatus(post({ MessageUUID: 'u', Status: 'sent', DeliveryReportTime: 'yesterday' })), 'INVALID_INPUT');
    expectCode(() => plivo.parseInbound(post({ MessageUUID: 'u', From: '1', To: '2', Text: 'x'.repeat(100_000) })), 'INVALID_INPUT', /Text/);
    expectCode(() => plivo.parseInbound({ ...post({}), body: [1, 2] }), 'INVALID_INPUT');
    expectCode(() => plivo.parseInbound(post({ MessageUUID: { a: 1 }, From: '1', To: '2' })), 'INVALID_INPUT');
  });
});
