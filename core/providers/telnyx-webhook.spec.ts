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
  });
});

describe('telnyx webhook parsing', () => {
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
