import { generateKeyPairSync, sign } from 'node:crypto';
import { expectCode } from '../../test/support/sms-error';
import type { WebhookRequest } from '../types';
import { telnyx } from './telnyx';

const { publicKey, privateKey } = generateKeyPairSync('ed25519');
// Mission Control shows the raw 32-byte key in base64: the DER SPKI without its 12-byte prefix.
const PUBLIC_KEY = publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('base64');
const NOW = 1_790_000_000_000;

function signed(body: string, ts = String(NOW / 1000), key = privateKey): WebhookRequest {
  const signature = sign(null, Buffer.from(`${ts}|${body}`), key).toString('base64');
  return {
    method: 'POST',
    url: 'https://example.com/sms/dlr',
    headers: { 'telnyx-signature-ed25519': signature, 'telnyx-timestamp': ts },
    rawBody: Buffer.from(body),
    body: JSON.parse(body),
    query: Object.create(null),
  };
}

const finalized = (status: string, errors: unknown[] = []) =>
  JSON.stringify({
    data: {
      event_type: 'message.finalized',
      id: 'ev-1',
      occurred_at: '2026-11-02T10:00:00.000+00:00',
      payload: {
        id: 'msg-1',
        to: [{ phone_number: '+14155550100', status }],
        errors,
        completed_at: '2026-11-02T10:00:05.000+00:00',
        cost: { amount: '0.0040', currency: 'USD' },
      },
    },
  });

describe('telnyx webhook signature (Ed25519)', () => {
  const creds = { publicKey: PUBLIC_KEY };

  it('accepts a request signed with the account key within 300 s', () => {
    expect(telnyx.verifySignature(signed(finalized('delivered')), creds, { now: NOW + 299_000 })).toBe(true);
  });

  it('refuses a tampered body, another key, a stale or future timestamp, and garbage', () => {
    const ok = signed(finalized('delivered'));
    expect(telnyx.verifySignature({ ...ok, rawBody: Buffer.from(finalized('delivery_failed')) }, creds, { now: NOW })).toBe(false);
    expect(telnyx.verifySignature(signed(finalized('delivered'), undefined, generateKeyPairSync('ed25519').privateKey), creds, { now: NOW })).toBe(false);
    expect(telnyx.verifySignature(ok, creds, { now: NOW + 301_000 })).toBe(false);
    expect(telnyx.verifySignature(ok, creds, { now: NOW - 301_000 })).toBe(false);
    expect(telnyx.verifySignature({ ...ok, headers: { ...ok.headers, 'telnyx-timestamp': undefined } }, creds, { now: NOW })).toBe(false);
    expect(telnyx.verifySignature({ ...ok, headers: { ...ok.headers, 'telnyx-signature-ed25519': 'AAAA' } }, creds, { now: NOW })).toBe(false);
    expect(telnyx.verifySignature({ ...ok, headers: {} }, creds, { now: NOW })).toBe(false);
  });

  it('needs a well-formed public key', () => {
    const ok = signed(finalized('delivered'));
    expectCode(() => telnyx.verifySignature(ok, {}, { now: NOW }), 'MISSING_CREDENTIALS');
    expectCode(() => telnyx.verifySignature(ok, { publicKey: 'c2hvcnQ=' }, { now: NOW }), 'MISSING_CREDENTIALS', /32 bytes/);
    // 32 bytes once the decoder skips what is not base64: still not a key as Mission Control shows it.
    expectCode(() => telnyx.verifySignature(ok, { publicKey: `${PUBLIC_KEY.slice(0, 20)}!${PUBLIC_KEY.slice(20)}` }, { now: NOW }), 'MISSING_CREDENTIALS');
    expectCode(() => telnyx.verifySignature(ok, { publicKey: 'A'.repeat(100_000) }, { now: NOW }), 'MISSING_CREDENTIALS');
    expectCode(() => telnyx.verifySignature(ok, { publicKey: 5 } as never, { now: NOW }), 'MISSING_CREDENTIALS');
    const err = expectCode(() => telnyx.verifySignature(ok, { publicKey: 'c2hvcnQ=' }, { now: NOW }), 'MISSING_CREDENTIALS');
    expect(err.message).not.toContain('c2hvcnQ=');
  });

  it('refuses hostile requests without throwing', () => {
    const ok = signed(finalized('delivered'));
    const hostile: unknown[] = [
      { ...ok, headers: { ...ok.headers, 'telnyx-timestamp': `${NOW / 1000}.0` } },
      { ...ok, headers: { ...ok.headers, 'telnyx-timestamp': '-1' } },
      { ...ok, headers: { ...ok.headers, 'telnyx-signature-ed25519': 'A'.repeat(100_000) } },
      { ...ok, headers: { ...ok.headers, 'telnyx-signature-ed25519': '!!!!' } },
      { ...ok, headers: { ...ok.headers, 'telnyx-signature-ed25519': ['x'] } },
      { ...ok, rawBody: undefined },
      { ...ok, headers: null },
      undefined,
    ];
    for (const req of hostile) expect(telnyx.verifySignature(req as WebhookRequest, creds, { now: NOW })).toBe(false);
  });
});

describe('telnyx webhook parsing', () => {
  // A messaging profile's one webhook URL receives inbound messages and delivery events alike.
  it.each([
    ['message.received', 'inbound'],
    ['message.sent', 'status'],
    ['message.finalized', 'status'],
    ['number_order.complete', undefined],
  ])('classifies event %s as %s', (type, kind) => {
    expect(telnyx.webhookKind?.(signed(JSON.stringify({ data: { event_type: type, payload: {} } })))).toBe(kind);
  });

  it('refuses to classify a body without data.event_type', () => {
    expectCode(() => telnyx.webhookKind?.(signed(JSON.stringify({ data: { payload: {} } }))), 'INVALID_INPUT');
  });

  it('reads message.finalized, with the opt-out error code', () => {
    const [r] = telnyx.parseStatus(signed(finalized('delivery_failed', [{ code: '40300', title: 'Blocked as opted out' }])));
    expect(r).toEqual({
      provider: 'telnyx',
      messageId: 'msg-1',
      status: 'undelivered',
      final: true,
      providerStatus: 'delivery_failed',
      to: '+14155550100',
      occurredAt: '2026-11-02T10:00:05.000Z',
      errorCode: '40300',
      errorMessage: 'Blocked as opted out',
      price: { amount: 0.004, currency: 'USD' },
    });
  });

  it('reads message.received', () => {
    const body = JSON.stringify({
      data: { event_type: 'message.received', occurred_at: '2026-11-02T10:00:00Z', payload: { id: 'in-1', from: { phone_number: '+14155550100' }, to: [{ phone_number: '+14155550199' }], text: 'STOP', parts: 1 } },
    });
    expect(telnyx.parseInbound(signed(body))).toEqual([
      expect.objectContaining({ provider: 'telnyx', messageId: 'in-1', from: '+14155550100', to: '+14155550199', text: 'STOP', keyword: expect.objectContaining({ intent: 'opt-out' }) }),
    ]);
  });

  it('reads message.sent: one report per recipient, no error while in flight', () => {
    const body = JSON.stringify({
      data: {
        event_type: 'message.sent',
        occurred_at: '2026-11-02T10:00:00.000+00:00',
        payload: { id: 'msg-2', to: [{ phone_number: '+14155550100', status: 'sent' }, { phone_number: '+14155550101', status: 'sending_failed' }], errors: [{ code: 40001, detail: 'Not routable' }], sent_at: '2026-11-02T10:00:01Z' },
      },
    });
    expect(telnyx.parseStatus(signed(body))).toEqual([
      { provider: 'telnyx', messageId: 'msg-2', status: 'sent', final: false, providerStatus: 'sent', to: '+14155550100', occurredAt: '2026-11-02T10:00:01.000Z' },
      {
        provider: 'telnyx', messageId: 'msg-2', status: 'failed', final: true, providerStatus: 'sending_failed', to: '+14155550101',
        occurredAt: '2026-11-02T10:00:01.000Z', errorCode: '40001', errorMessage: 'Not routable',
      },
    ]);
  });

  it('answers 200 with no body', () => {
    expect(telnyx.webhookResponse('inbound')).toEqual({ status: 200 });
    expect(telnyx.webhookResponse('status')).toEqual({ status: 200 });
  });

  it('names the field of every malformed event', () => {
    const withPayload = (change: (p: Record<string, unknown>) => void) => {
      const body = JSON.parse(finalized('delivered'));
      change(body.data.payload);
      return signed(JSON.stringify(body));
    };
    const cases: [WebhookRequest, RegExp][] = [
      [withPayload((p) => { p.cost = { amount: [3], currency: 'USD' }; }), /cost.amount/],
      [withPayload((p) => { p.cost = { amount: '3'.repeat(100_000) }; }), /cost.amount/],
      [withPayload((p) => { p.cost = 'free'; }), /cost" must be an object/],
      [withPayload((p) => { p.errors = 'none'; }), /errors" must be an array/],
      [withPayload((p) => { p.completed_at = 1_790_000_000; }), /completed_at/],
      [withPayload((p) => { p.to = [{ phone_number: 14155550100, status: 'delivered' }]; }), /to.phone_number" must be a string/],
      [withPayload((p) => { p.to = [null]; }), /recipient 1 of "data.payload.to"/],
      [withPayload((p) => { p.to = { phone_number: '+14155550100', status: 'delivered' }; }), /"data.payload.to" must be an array/],
      [withPayload((p) => { p.to = []; }), /names no recipient/],
      [withPayload((p) => { delete p.id; }), /"data.payload.id" is missing/],
      [withPayload((p) => { p.id = 'x'.repeat(100_000); }), /"data.payload.id" is longer/],
      [signed('{"data":{"event_type":"message.finalized","payload":[]}}'), /"data.payload" must be an object/],
      [signed('null'), /telnyx: the body must be a JSON object/],
      [signed(`{"data":{"event_type":"${'m'.repeat(100_000)}","payload":{}}}`), /event_type/],
    ];
    for (const [req, message] of cases) expectCode(() => telnyx.parseStatus(req), 'INVALID_INPUT', message);
    const inbound = (payload: unknown) => signed(JSON.stringify({ data: { event_type: 'message.received', payload } }));
    expectCode(() => telnyx.parseInbound(inbound({ id: 'i', to: [{ phone_number: '+1' }] })), 'INVALID_INPUT', /"data.payload.from" is missing/);
    expectCode(() => telnyx.parseInbound(inbound({ id: 'i', from: { phone_number: '+1' }, to: [] })), 'INVALID_INPUT', /"data.payload.to" names no recipient/);
    expectCode(() => telnyx.parseInbound(inbound({ id: 'i', from: { phone_number: '+1' }, to: [{ phone_number: '+2' }], text: 'x'.repeat(100_000) })), 'INVALID_INPUT', /text/);
    expectCode(() => telnyx.parseInbound(inbound({ id: 'i', from: { phone_number: '+1' }, to: [{ phone_number: '+2' }], received_at: 'now' })), 'INVALID_INPUT', /received_at/);
  });

  it('never lets a __proto__ key reach a prototype', () => {
    const body = '{"data":{"event_type":"message.received","__proto__":{"x":1},"payload":{"id":"in-2","from":{"phone_number":"+14155550100"},"to":[{"phone_number":"+14155550199"}],"text":"hi","__proto__":{"text":"STOP"}}}}';
    const [m] = telnyx.parseInbound(signed(body));
    expect(m).toMatchObject({ messageId: 'in-2', text: 'hi', keyword: null });
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(Object.getPrototypeOf((m?.raw as { data: object }).data)).toBeNull();
    expectCode(() => telnyx.parseStatus(signed('{"data":{"__proto__":{"event_type":"message.finalized"},"payload":{}}}')), 'INVALID_INPUT', /event_type" is missing/);
  });

  it('refuses other events and malformed bodies with INVALID_INPUT', () => {
    expectCode(() => telnyx.parseStatus(signed(JSON.stringify({ data: { event_type: 'message.received', payload: { id: 'x' } } }))), 'INVALID_INPUT', /message.finalized/);
    expectCode(() => telnyx.parseInbound(signed(finalized('sent'))), 'INVALID_INPUT', /message.received/);
    expectCode(() => telnyx.parseStatus(signed('{"data":[]}')), 'INVALID_INPUT');
    expectCode(() => telnyx.parseStatus(signed('"x"')), 'INVALID_INPUT');
    expectCode(() => telnyx.parseStatus(signed(finalized('teleported'))), 'INVALID_INPUT');
    expectCode(() => telnyx.parseStatus(signed(finalized('delivered').replace('"msg-1"', '12'))), 'INVALID_INPUT', /payload.id/);
    expectCode(() => telnyx.parseStatus(signed(finalized('failed', ['x']))), 'INVALID_INPUT', /errors/);
  });
});
