import { deriveIdempotencyKey, type IdempotencyKeyParts } from './idempotency-key';

const base: IdempotencyKeyParts = { provider: 'twilio', to: '+14155550100', text: 'Your code is 1234', from: '+14155550199', scope: 'otp' };

describe('deriveIdempotencyKey', () => {
  it('is a stable sha256 hex digest of the parts', () => {
    const k = deriveIdempotencyKey(base);
    expect(k).toMatch(/^[0-9a-f]{64}$/);
    expect(deriveIdempotencyKey({ ...base })).toBe(k);
  });

  it.each<[string, Partial<IdempotencyKeyParts>]>([
    ['provider', { provider: 'vonage' }],
    ['recipient', { to: '+14155550101' }],
    ['text', { text: 'Your code is 1235' }],
    ['sender', { from: 'ACME' }],
    ['scope', { scope: 'otp-2' }],
    ['scheduled time', { sendAt: '2030-01-31T09:00:00.000Z' }],
    ['account', { account: 'accountSid:AC0000000000000000000000000000000002' }],
  ])('changes with the %s', (_name, change) => {
    expect(deriveIdempotencyKey({ ...base, ...change })).not.toBe(deriveIdempotencyKey(base));
  });

  it('is separator-safe: moving characters between fields gives a different key', () => {
    const a = deriveIdempotencyKey({ ...base, text: 'a|b', from: 'c' });
    const b = deriveIdempotencyKey({ ...base, text: 'a', from: '|bc' });
    const c = deriveIdempotencyKey({ ...base, text: 'hello","x', scope: '' });
    const d = deriveIdempotencyKey({ ...base, text: 'hello', scope: 'x' });
    expect(new Set([a, b, c, d]).size).toBe(4);
  });

  it('treats a missing scope as the empty scope, and no sender differently from a sender named "null"', () => {
    const { from: _f, scope: _s, ...bare } = base;
    expect(deriveIdempotencyKey(bare)).toBe(deriveIdempotencyKey({ ...bare, scope: '' }));
    expect(deriveIdempotencyKey(bare)).not.toBe(deriveIdempotencyKey({ ...bare, from: 'null' }));
  });

  it('reads the scheduled time as an instant: another zone or precision is the same schedule', () => {
    const utc = deriveIdempotencyKey({ ...base, sendAt: '2030-01-31T09:00:00.000Z' });
    expect(deriveIdempotencyKey({ ...base, sendAt: '2030-01-31T10:00:00+01:00' })).toBe(utc);
    expect(deriveIdempotencyKey({ ...base, sendAt: '2030-01-31T09:00Z' })).toBe(utc);
    expect(deriveIdempotencyKey({ ...base, sendAt: '2030-02-01T09:00:00.000Z' })).not.toBe(utc);
    // Unparsable text still counts, as itself, rather than throwing.
    expect(deriveIdempotencyKey({ ...base, sendAt: 'next tuesday' })).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not confuse the account with the sender or the scope', () => {
    const keys = [
      deriveIdempotencyKey({ ...base, account: 'x', from: 'y' }),
      deriveIdempotencyKey({ ...base, account: 'y', from: 'x' }),
      deriveIdempotencyKey({ ...base, account: 'x', scope: 'otp' }),
      deriveIdempotencyKey({ ...base, account: 'otp', scope: 'x' }),
    ];
    expect(new Set(keys).size).toBe(4);
  });

  it('handles megabyte text and unusual characters without throwing', () => {
    expect(deriveIdempotencyKey({ ...base, text: 'x'.repeat(1_000_000) })).toMatch(/^[0-9a-f]{64}$/);
    expect(deriveIdempotencyKey({ ...base, text: '\u0000\uD800😀' })).toMatch(/^[0-9a-f]{64}$/);
  });
});
