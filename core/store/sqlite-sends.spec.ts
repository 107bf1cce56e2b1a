import { DatabaseSync } from 'node:sqlite';
import { rejectedCode } from '../../test/support/sms-error';
import { useTempStore } from '../../test/support/temp-store';
import type { SmsErrorJson } from '../errors';
import type { ClaimInfo, SendResult } from '../types';
import { openSqliteStore } from './sqlite';

const TO = '+14155550100';
const INFO: ClaimInfo = { provider: 'twilio', to: TO };
const MINUTE = 60_000;

function result(messageId: string, extra: Partial<SendResult> = {}): SendResult {
  return { provider: 'twilio', messageId, status: 'queued', to: TO, segments: 1, encoding: 'GSM-7', ...extra };
}

describe('sqlite store: idempotent sends', () => {
  let clock: number;
  beforeEach(() => {
    clock = Date.UTC(2025, 2, 1, 8, 0, 0);
  });
  const db = useTempStore('a2p-store-sends-', (file) => openSqliteStore(file, { now: () => clock }));

  it('claims a new key once; a second claim sees the live claim', async () => {
    expect(await db.store.claimSend('k', INFO)).toEqual({ claimed: true });
    clock += MINUTE;
    expect(await db.store.claimSend('k', INFO)).toEqual({
      claimed: false,
      state: 'pending',
      claimedAt: '2025-03-01T08:00:00.000Z',
    });
    expect(await db.store.getMessage('k')).toMatchObject({ idempotencyKey: 'k', state: 'pending', final: false, to: TO });
  });

  it('turns a claim held past its lease into in-doubt, never into a new claim', async () => {
    await db.store.claimSend('k', INFO);
    clock += 10 * MINUTE - 1;
    expect(await db.store.claimSend('k', INFO)).toMatchObject({ claimed: false, state: 'pending' });
    clock += 1;
    expect(await db.store.claimSend('k', INFO)).toEqual({
      claimed: false,
      state: 'in-doubt',
      claimedAt: '2025-03-01T08:00:00.000Z',
    });
    clock += 24 * 60 * MINUTE;
    expect(await db.store.claimSend('k', INFO)).toMatchObject({ claimed: false, state: 'in-doubt' });
    expect(await db.store.getMessage('k')).toMatchObject({ state: 'in-doubt' });
  });

  it("honours the claimer's own lease", async () => {
    await db.store.claimSend('k', { ...INFO, leaseMs: 5000 });
    clock += 4999;
    expect(await db.store.claimSend('k', INFO)).toMatchObject({ state: 'pending' });
    clock += 1;
    expect(await db.store.claimSend('k', INFO)).toMatchObject({ state: 'in-doubt' });
  });

  it('answers a completed key with its result while no window is set', async () => {
    await db.store.claimSend('k', INFO);
    await db.store.completeSend('k', result('SM1', { price: { amount: 0.0079, currency: 'USD' }, raw: { sid: 'SM1' } }));
    clock += 365 * 24 * 60 * MINUTE;
    expect(await db.store.claimSend('k', INFO)).toEqual({
      claimed: false,
      state: 'sent',
      result: result('SM1', { price: { amount: 0.0079, currency: 'USD' }, raw: { sid: 'SM1' } }),
    });
    expect(await db.store.getMessage('k')).toMatchObject({
      idempotencyKey: 'k',
      messageId: 'SM1',
      state: 'sent',
      status: 'queued',
      final: false,
      segments: 1,
      encoding: 'GSM-7',
      price: { amount: 0.0079, currency: 'USD' },
    });
  });

  it('re-claims a completed key once its window has passed', async () => {
    await db.store.claimSend('k', { ...INFO, windowMs: MINUTE });
    clock += 1000;
    await db.store.completeSend('k', result('SM1'));
    clock += MINUTE - 1;
    expect(await db.store.claimSend('k', { ...INFO, windowMs: MINUTE })).toMatchObject({ claimed: false, state: 'sent' });
    clock += 1;
    expect(await db.store.claimSend('k', { ...INFO, windowMs: MINUTE })).toEqual({ claimed: true });
    expect(await db.store.claimSend('k', INFO)).toMatchObject({ claimed: false, state: 'pending' });
    // The first message stays findable by its id; the key now names the new attempt.
    expect(await db.store.getMessage('SM1')).toMatchObject({ messageId: 'SM1', state: 'sent' });
    expect(await db.store.getMessage('k')).toMatchObject({ state: 'pending' });
    await db.store.completeSend('k', result('SM2'));
    expect(await db.store.getMessage('k')).toMatchObject({ messageId: 'SM2' });
  });

  it('treats windowMs 0 as "never blocks" and Infinity as "forever"', async () => {
    await db.store.claimSend('k', INFO);
    await db.store.completeSend('k', result('SM1'));
    clock += 1000 * 24 * 60 * MINUTE;
    expect(await db.store.claimSend('k', { ...INFO, windowMs: Number.POSITIVE_INFINITY })).toMatchObject({ state: 'sent' });
    expect(await db.store.claimSend('k', { ...INFO, windowMs: 0 })).toEqual({ claimed: true });
  });

  it('accepts a fractional lease, rounded up to whole milliseconds', async () => {
    await db.store.claimSend('k', { ...INFO, leaseMs: 1.5 });
    clock += 1;
    expect(await db.store.claimSend('k', INFO)).toMatchObject({ state: 'pending' });
    clock += 1;
    expect(await db.store.claimSend('k', INFO)).toMatchObject({ state: 'in-doubt' });
  });

  it('lets a failed send be claimed again, with its error kept until then', async () => {
    await db.store.claimSend('k', INFO);
    await db.store.releaseSend('k', {
      inDoubt: false,
      error: { code: 'PROVIDER_ERROR', message: 'rejected', retryable: false, providerCode: '21211' },
    });
    expect(await db.store.getMessage('k')).toMatchObject({
      state: 'failed',
      errorCode: 'PROVIDER_ERROR',
      errorMessage: 'rejected',
    });
    expect(await db.store.claimSend('k', INFO)).toEqual({ claimed: true });
    const again = await db.store.getMessage('k');
    expect(again).toMatchObject({ state: 'pending' });
    expect(again?.errorCode).toBeUndefined();
  });

  it('keeps an in-doubt release blocked', async () => {
    await db.store.claimSend('k', INFO);
    await db.store.releaseSend('k', { inDoubt: true, error: { code: 'NETWORK_ERROR', message: 'timeout', retryable: false } });
    expect(await db.store.claimSend('k', INFO)).toEqual({
      claimed: false,
      state: 'in-doubt',
      claimedAt: '2025-03-01T08:00:00.000Z',
    });
    // Someone checked with the provider: nothing went out, so the key may be used again.
    await db.store.releaseSend('k', { inDoubt: false, error: { code: 'NETWORK_ERROR', message: 'checked', retryable: true } });
    expect(await db.store.claimSend('k', INFO)).toEqual({ claimed: true });
  });

  it('frees an in-doubt key once its window has passed, measured from the claim', async () => {
    await db.store.claimSend('k', INFO);
    clock += 5 * MINUTE;
    await db.store.releaseSend('k', { inDoubt: true, error: { code: 'NETWORK_ERROR', message: 'timeout', retryable: false } });
    clock += 55 * MINUTE - 1;
    expect(await db.store.claimSend('k', { ...INFO, windowMs: 60 * MINUTE })).toMatchObject({ claimed: false, state: 'in-doubt' });
    clock += 1;
    expect(await db.store.claimSend('k', { ...INFO, windowMs: 60 * MINUTE })).toEqual({ claimed: true });
    expect(await db.store.getMessage('k')).toMatchObject({ state: 'pending' });
  });

  it('frees a claim abandoned past its lease once the window has passed, never while the lease runs', async () => {
    await db.store.claimSend('k', { ...INFO, leaseMs: 2 * MINUTE });
    clock += MINUTE;
    expect(await db.store.claimSend('k', { ...INFO, windowMs: 0 })).toMatchObject({ claimed: false, state: 'pending' });
    clock += MINUTE;
    expect(await db.store.claimSend('k', { ...INFO, windowMs: 10 * MINUTE })).toMatchObject({ claimed: false, state: 'in-doubt' });
    clock += 8 * MINUTE;
    expect(await db.store.claimSend('k', { ...INFO, windowMs: 10 * MINUTE })).toEqual({ claimed: true });
  });

  it('answers a conflict, not the stored state, when a key is claimed for another recipient or provider', async () => {
    await db.store.claimSend('k', INFO);
    const conflict = { claimed: false, state: 'conflict', provider: 'twilio', to: TO, claimedAt: '2025-03-01T08:00:00.000Z' };
    expect(await db.store.claimSend('k', { ...INFO, to: '+14155550101' })).toEqual(conflict);
    await db.store.completeSend('k', result('SM1'));
    expect(await db.store.claimSend('k', { provider: 'vonage', to: TO })).toEqual(conflict);
    expect(await db.store.claimSend('k', INFO)).toMatchObject({ claimed: false, state: 'sent' });
    // The record is untouched by the refused claims.
    expect(await db.store.getMessage('k')).toMatchObject({ messageId: 'SM1', to: TO, provider: 'twilio' });
  });

  it('lets a key be claimed for another recipient once it no longer blocks (failed, or sent outside the window)', async () => {
    await db.store.claimSend('k', INFO);
    await db.store.releaseSend('k', { inDoubt: false, error: { code: 'INVALID_PHONE', message: 'no', retryable: false } });
    expect(await db.store.claimSend('k', { ...INFO, to: '+14155550101' })).toEqual({ claimed: true });
    await db.store.completeSend('k', result('SM2', { to: '+14155550101' }));
    clock += MINUTE;
    expect(await db.store.claimSend('k', { ...INFO, windowMs: MINUTE })).toEqual({ claimed: true });
    expect(await db.store.getMessage('k')).toMatchObject({ to: TO, state: 'pending' });
  });

  it('never downgrades a recorded send on release', async () => {
    await db.store.claimSend('k', INFO);
    await db.store.completeSend('k', result('SM1'));
    await db.store.releaseSend('k', { inDoubt: false, error: { code: 'NETWORK_ERROR', message: 'late', retryable: true } });
    expect(await db.store.claimSend('k', INFO)).toMatchObject({ claimed: false, state: 'sent' });
  });

  it('records a completed send even without a live claim', async () => {
    await db.store.completeSend('lost-claim', result('SM9'));
    expect(await db.store.claimSend('lost-claim', INFO)).toMatchObject({ claimed: false, state: 'sent' });
    await db.store.claimSend('released', INFO);
    await db.store.releaseSend('released', { inDoubt: false, error: { code: 'NETWORK_ERROR', message: 'x', retryable: true } });
    await db.store.completeSend('released', result('SM10'));
    expect(await db.store.claimSend('released', INFO)).toMatchObject({ claimed: false, state: 'sent' });
  });

  it('stores a result whose raw answer is huge or unserialisable without that raw answer', async () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    await db.store.completeSend('big', result('SM1', { raw: { body: 'x'.repeat(100_000) } }));
    await db.store.completeSend('cyclic', result('SM2', { raw: cyclic }));
    const big = await db.store.claimSend('big', INFO);
    const cyc = await db.store.claimSend('cyclic', INFO);
    expect(big).toEqual({ claimed: false, state: 'sent', result: result('SM1') });
    expect(cyc).toEqual({ claimed: false, state: 'sent', result: result('SM2') });
  });

  it('persists only the documented error fields of a release (a cause may carry secrets)', async () => {
    await db.store.claimSend('k', INFO);
    const error = {
      code: 'AUTH_FAILED',
      message: 'm'.repeat(5000),
      retryable: false,
      httpStatus: 401,
      cause: { headers: { authorization: 'Basic c2VjcmV0LXRva2Vu' } },
      config: { authToken: 'secret-token' },
    };
    await db.store.releaseSend('k', { inDoubt: false, error: error as unknown as SmsErrorJson });
    const raw = new DatabaseSync(db.file);
    try {
      const row = raw.prepare('SELECT error FROM sends WHERE idempotency_key = ?').get('k') as { error: string };
      expect(row.error).not.toMatch(/secret|c2VjcmV0|authorization/);
      expect(JSON.parse(row.error)).toEqual({ code: 'AUTH_FAILED', message: 'm'.repeat(2000), retryable: false, httpStatus: 401 });
    } finally {
      raw.close();
    }
  });

  it('claims each of 50 keys exactly once among 500 concurrent claims', async () => {
    const claims = Array.from({ length: 500 }, (_, i) => `key-${i % 50}`);
    const answers = await Promise.all(claims.map((key) => db.store.claimSend(key, INFO).then((r) => ({ key, r }))));
    const won = answers.filter((a) => a.r.claimed).map((a) => a.key);
    expect(won.sort()).toEqual(Array.from({ length: 50 }, (_, i) => `key-${i}`).sort());
    expect(answers.filter((a) => !a.r.claimed).every((a) => !a.r.claimed && a.r.state === 'pending')).toBe(true);
  });

  it('rejects malformed claims, completions and releases with INVALID_INPUT', async () => {
    const badKeys: unknown[] = ['', '   ', 'k'.repeat(513), 'a\nb', 42, null, undefined, {}];
    for (const key of badKeys) {
      expect(await rejectedCode(db.store.claimSend(key as string, INFO))).toBe('INVALID_INPUT');
      expect(await rejectedCode(db.store.completeSend(key as string, result('SM1')))).toBe('INVALID_INPUT');
    }
    const badInfo: unknown[] = [
      null,
      'twilio',
      { to: TO },
      { ...INFO, provider: 'Twilio!' },
      { ...INFO, provider: 'p'.repeat(60) },
      { ...INFO, to: '' },
      { ...INFO, to: 'x'.repeat(100) },
      { ...INFO, leaseMs: 0 },
      { ...INFO, leaseMs: -5 },
      { ...INFO, leaseMs: Number.NaN },
      { ...INFO, leaseMs: '600000' },
      { ...INFO, leaseMs: Number.POSITIVE_INFINITY },
      { ...INFO, leaseMs: 1e300 },
      { ...INFO, windowMs: -1 },
      { ...INFO, windowMs: Number.NaN },
      { ...INFO, windowMs: '1h' },
    ];
    for (const info of badInfo) expect(await rejectedCode(db.store.claimSend('k', info as ClaimInfo))).toBe('INVALID_INPUT');
    const badResults: unknown[] = [
      null,
      [],
      { ...result('SM1'), messageId: '' },
      { ...result('SM1'), messageId: 'm'.repeat(300) },
      { ...result('SM1'), status: 'read' },
      { ...result('SM1'), encoding: 'UTF-8' },
      { ...result('SM1'), segments: -1 },
      { ...result('SM1'), segments: 1.5 },
      { ...result('SM1'), segments: 10_000 },
      { ...result('SM1'), to: undefined },
      { ...result('SM1'), provider: '' },
      { ...result('SM1'), price: { amount: 'free' } },
      { ...result('SM1'), price: { amount: Number.NaN } },
    ];
    for (const r of badResults) expect(await rejectedCode(db.store.completeSend('k', r as SendResult))).toBe('INVALID_INPUT');
    await db.store.claimSend('k', INFO);
    const badOutcomes: unknown[] = [
      null,
      { inDoubt: 'no', error: { code: 'NETWORK_ERROR', message: 'x' } },
      { inDoubt: false },
      { inDoubt: false, error: 'boom' },
      { inDoubt: false, error: { code: 'lower', message: 'x' } },
      { inDoubt: false, error: { code: 'NOT_A_CODE', message: 'x' } },
      { inDoubt: false, error: { code: 'constructor', message: 'x' } },
      { inDoubt: false, error: { code: 'NETWORK_ERROR', message: 7 } },
    ];
    for (const o of badOutcomes) {
      expect(await rejectedCode(db.store.releaseSend('k', o as { inDoubt: boolean; error: never }))).toBe('INVALID_INPUT');
    }
    expect(
      await rejectedCode(db.store.releaseSend('never-claimed', { inDoubt: false, error: { code: 'NETWORK_ERROR', message: 'x', retryable: false } })),
    ).toBe('INVALID_INPUT');
    expect(await db.store.claimSend('k', INFO)).toMatchObject({ state: 'pending' });
  });
});
