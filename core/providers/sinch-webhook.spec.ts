import { createHmac } from 'node:crypto';
import { expectCode } from '../../test/support/sms-error';
import type { WebhookRequest } from '../types';
import { sinch } from './sinch';

const SECRET = 'SMSWebhooksSecret';
const NONCE = '01JHFFHWYY7HSS4FWTMDTQEK8V';
const TIMESTAMP = '1736760161';
const BODY =
  '{"at":"2025-01-13T09:22:40.914Z","batch_id":"01JHFFHQ0P99JPPNQPJDV7JTBP","client_reference":"a client reference","code":0,"operator_status_at":"2025-01-13T09:22:00Z","recipient":"33662162466","status":"Delivered","type":"recipient_delivery_report_sms"}';
const NOW = Number(TIMESTAMP) * 1000 + 10_000;

function request(body: string, headers: Record<string, string | undefined> = {}): WebhookRequest {
  return {
    method: 'POST',
    url: 'https://example.com/sms/dlr',
    headers: {
      'x-sinch-webhook-signature': 'ZoHei66PPN/kZjw7hFVfGhJOnml3iGNCMWoyQVcE5o0=',
      'x-sinch-webhook-signature-algorithm': 'HmacSHA256',
      'x-sinch-webhook-signature-nonce': NONCE,
      'x-sinch-webhook-signature-timestamp': TIMESTAMP,
      ...headers,
    },
    rawBody: Buffer.from(body),
    body: JSON.parse(body),
    query: Object.create(null),
  };
}

describe('sinch webhook signature', () => {
  it('accepts the official vector (reference §3.7)', () => {
    expect(sinch.verifySignature(request(BODY), { webhookSecret: SECRET }, { now: NOW })).toBe(true);
  });

  it.each([
    ['a tampered body', request(BODY.replace('Delivered', 'Failed'))],
    ['another nonce', request(BODY, { 'x-sinch-webhook-signature-nonce': 'X' })],
    ['a missing signature', request(BODY, { 'x-sinch-webhook-signature': undefined })],
    ['another algorithm', request(BODY, { 'x-sinch-webhook-signature-algorithm': 'HmacSHA1' })],
    ['a garbage signature', request(BODY, { 'x-sinch-webhook-signature': '%%%' })],
  ])('refuses %s', (_name, req) => {
    expect(sinch.verifySignature(req, { webhookSecret: SECRET }, { now: NOW })).toBe(false);
  });

  it('refuses a wrong secret and a stale or future timestamp', () => {
    expect(sinch.verifySignature(request(BODY), { webhookSecret: 'other' }, { now: NOW })).toBe(false);
    expect(sinch.verifySignature(request(BODY), { webhookSecret: SECRET }, { now: NOW + 600_000 })).toBe(false);
    expect(sinch.verifySignature(request(BODY), { webhookSecret: SECRET }, { now: NOW - 700_000 })).toBe(false);
  });

  it('accepts a request signed now, and needs the secret', () => {
    const ts = String(Math.floor(Date.now() / 1000));
    const sig = createHmac('sha256', SECRET).update(`${BODY}.n1.${ts}`).digest('base64');
    const req = request(BODY, { 'x-sinch-webhook-signature': sig, 'x-sinch-webhook-signature-nonce': 'n1', 'x-sinch-webhook-signature-timestamp': ts });
    expect(sinch.verifySignature(req, { webhookSecret: SECRET })).toBe(true);
    expectCode(() => sinch.verifySignature(req, {}), 'MISSING_CREDENTIALS');
    expectCode(() => sinch.verifySignature(req, { webhookSecret: 7 } as never), 'MISSING_CREDENTIALS');
  });

  it('refuses hostile requests without throwing', () => {
    const ok = request(BODY);
    const hostile: unknown[] = [
      { ...ok, rawBody: 'not a buffer' },
      { ...ok, headers: { ...ok.headers, 'x-sinch-webhook-signature-timestamp': '1736760161.5' } },
      { ...ok, headers: { ...ok.headers, 'x-sinch-webhook-signature-timestamp': '9'.repeat(100_000) } },
      { ...ok, headers: { ...ok.headers, 'x-sinch-webhook-signature-nonce': 'n'.repeat(100_000) } },
      { ...ok, headers: { ...ok.headers, 'x-sinch-webhook-signature': ['a'] } },
      { ...ok, headers: undefined },
      null,
    ];
    for (const req of hostile) expect(sinch.verifySignature(req as WebhookRequest, { webhookSecret: SECRET }, { now: NOW })).toBe(false);
  });
});

describe('sinch webhook parsing', () => {
  // A service's one callback URL receives inbound messages and the reports of batches sent without a callback_url.
  it.each([
    ['mo_text', 'inbound'],
    ['recipient_delivery_report_sms', 'status'],
    ['delivery_report_sms', undefined],
    ['mo_binary', undefined],
  ])('classifies type %s as %s', (type, kind) => {
    expect(sinch.webhookKind?.(request(JSON.stringify({ type, id: 'x' })))).toBe(kind);
  });

  it('refuses to classify a body that is not a Sinch callback', () => {
    expectCode(() => sinch.webhookKind?.(request('[1,2]')), 'INVALID_INPUT');
  });

  it('reads a recipient delivery report', () => {
    expect(sinch.parseStatus(request(BODY))).toEqual([
      {
        provider: 'sinch',
        messageId: '01JHFFHQ0P99JPPNQPJDV7JTBP',
        status: 'delivered',
        final: true,
        providerStatus: 'Delivered',
        to: '+33662162466',
        occurredAt: '2025-01-13T09:22:00.000Z',
        clientRef: 'a client reference',
      },
    ]);
  });

  it('keeps a failure code as the error', () => {
    const [r] = sinch.parseStatus(request(BODY.replace('"code":0', '"code":402').replace('Delivered', 'Failed')));
    expect(r).toMatchObject({ status: 'undelivered', errorCode: '402' });
  });

  it('reads an inbound mo_text', () => {
    const body = JSON.stringify({ type: 'mo_text', id: 'mo-1', from: '33612345678', to: '12345', body: 'STOP', received_at: '2026-01-01T10:00:00Z' });
    expect(sinch.parseInbound(request(body))).toEqual([
      expect.objectContaining({ messageId: 'mo-1', from: '+33612345678', to: '12345', text: 'STOP', receivedAt: '2026-01-01T10:00:00.000Z', keyword: expect.objectContaining({ intent: 'opt-out' }) }),
    ]);
  });

  it('keeps the operator as mccmnc only when it is an MCC/MNC code', () => {
    expect(sinch.parseStatus(request(BODY.replace('"code":0', '"code":0,"operator":"20801"')))[0]?.mccmnc).toBe('20801');
    expect(sinch.parseStatus(request(BODY.replace('"code":0', '"code":0,"operator":"Orange"')))[0]?.mccmnc).toBeUndefined();
  });

  it('falls back to "at" and names the field whose time is malformed', () => {
    const noOperatorTime = BODY.replace(',"operator_status_at":"2025-01-13T09:22:00Z"', '');
    expect(sinch.parseStatus(request(noOperatorTime))[0]?.occurredAt).toBe('2025-01-13T09:22:40.914Z');
    expectCode(() => sinch.parseStatus(request(BODY.replace('"2025-01-13T09:22:00Z"', '"09:22"'))), 'INVALID_INPUT', /operator_status_at/);
  });

  it('answers 200 with no body', () => {
    expect(sinch.webhookResponse('inbound')).toEqual({ status: 200 });
    expect(sinch.webhookResponse('status')).toEqual({ status: 200 });
  });

  it('names the provider and the field of every malformed body', () => {
    const cases: [string, RegExp][] = [
      ['null', /sinch: the body must be a JSON object; got null/],
      ['42', /got a number/],
      ['[{"type":"recipient_delivery_report_sms"}]', /got an array/],
      [BODY.replace('"recipient":"33662162466"', '"recipient":33662162466'), /"recipient" must be a string/],
      [BODY.replace('"batch_id":"01JHFFHQ0P99JPPNQPJDV7JTBP",', ''), /"batch_id" is missing/],
      [BODY.replace('"status":"Delivered"', '"status":["Delivered"]'), /"status" must be a string/],
      [BODY.replace('"client_reference":"a client reference"', `"client_reference":"${'x'.repeat(100_000)}"`), /"client_reference" is longer/],
      [BODY.replace('"type":"recipient_delivery_report_sms"', '"type":{"__proto__":"x"}'), /"type" must be a string/],
    ];
    for (const [body, message] of cases) expectCode(() => sinch.parseStatus(request(body)), 'INVALID_INPUT', message);
    const constructorKey = sinch.parseStatus(request(BODY.replace('"code":0', '"code":0,"constructor":{"prototype":{"x":1}}')));
    expect(constructorKey[0]?.messageId).toBe('01JHFFHQ0P99JPPNQPJDV7JTBP');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expectCode(() => sinch.parseInbound(request(JSON.stringify({ type: 'mo_binary', id: 'x', from: '1', to: '2', body: 'AAE=' }))), 'INVALID_INPUT', /"mo_text"; got "mo_binary"/);
    expectCode(() => sinch.parseInbound(request(JSON.stringify({ type: 'mo_text', from: '1', to: '2', body: 'hi' }))), 'INVALID_INPUT', /"id" is missing/);
  });

  it('refuses batch summaries, other types and malformed bodies with INVALID_INPUT', () => {
    expectCode(() => sinch.parseStatus(request(JSON.stringify({ type: 'delivery_report_sms', batch_id: 'b', statuses: [] }))), 'INVALID_INPUT', /per_recipient/);
    expectCode(() => sinch.parseStatus(request(JSON.stringify({ type: 'mo_text' }))), 'INVALID_INPUT');
    expectCode(() => sinch.parseStatus(request('[1]')), 'INVALID_INPUT');
    expectCode(() => sinch.parseStatus(request(BODY.replace('"code":0', '"code":"x"'))), 'INVALID_INPUT', /code/);
    expectCode(() => sinch.parseStatus(request(BODY.replace('"at":"2025-01-13T09:22:40.914Z"', '"at":"soon"').replace(',"operator_status_at":"2025-01-13T09:22:00Z"', ''))), 'INVALID_INPUT');
    expectCode(() => sinch.parseInbound(request(JSON.stringify({ type: 'mo_text', id: 'x', from: '1', to: '2', body: 'x'.repeat(100_000) }))), 'INVALID_INPUT');
    const proto = sinch.parseInbound(request('{"type":"mo_text","id":"x","from":"1","to":"2","body":"hi","__proto__":{"polluted":true}}'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(proto[0]?.raw)).toBeNull();
  });
});
