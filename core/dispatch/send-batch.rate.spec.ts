import { fakeProvider } from '../../test/support/fake-provider';
import { useTempStore } from '../../test/support/temp-store';
import { SmsError } from '../errors';
import { openSqliteStore } from '../store/sqlite';
import type { SmsProvider } from '../types';
import { sendBatch } from './send-batch';
import type { DispatchOptions } from './types';

const number = (i: number) => `+1415555${String(1000 + i)}`;
const items = (n: number, tag = '') => Array.from({ length: n }, (_, i) => ({ to: number(i), text: `hello ${tag}${i}` }));

/** A clock whose sleeps advance time at once and are recorded in call order. */
function advancingClock() {
  const c = { t: 5_000_000, sleeps: [] as number[] };
  return {
    c,
    now: () => c.t,
    sleep: async (ms: number) => {
      c.sleeps.push(ms);
      c.t += ms;
    },
  };
}

// Every test uses its own account: buckets are shared process-wide by credential identity.
let account = 0;
const credentials = () => ({ apiKey: `rate-spec-${++account}`, apiSecret: 'not-logged' });

const opts = (provider: SmsProvider, over: Partial<DispatchOptions>): DispatchOptions => ({ provider, credentials: credentials(), ...over });

describe('sendBatch rate limiting (token bucket, burst 1)', () => {
  it('spaces sequential sends 1000/rate ms apart, the first at once', async () => {
    const { provider, calls } = fakeProvider();
    const clock = advancingClock();
    await sendBatch(items(5), opts(provider, { concurrency: 1, ratePerSecond: 5, now: clock.now, sleep: clock.sleep }));
    expect(calls).toHaveLength(5);
    expect(clock.c.sleeps).toEqual([200, 200, 200, 200]);
  });

  it('gives concurrent workers consecutive slots, never two in the same slot', async () => {
    const { provider } = fakeProvider();
    const sleeps: number[] = [];
    await sendBatch(items(8), opts(provider, { concurrency: 4, ratePerSecond: 10, now: () => 0, sleep: async (ms) => void sleeps.push(ms) }));
    expect(sleeps.sort((a, b) => a - b)).toEqual([100, 200, 300, 400, 500, 600, 700]);
  });

  it('shares one bucket between batches on the same credentials, not across accounts', async () => {
    const { provider } = fakeProvider();
    const shared = credentials();
    const sleeps: number[] = [];
    const o = { concurrency: 2, ratePerSecond: 10, now: () => 0, sleep: async (ms: number) => void sleeps.push(ms) };
    await Promise.all([
      sendBatch(items(3, 'a'), { ...opts(provider, o), credentials: shared }),
      sendBatch(items(3, 'b'), { ...opts(provider, o), credentials: { ...shared } }),
    ]);
    expect(sleeps.sort((a, b) => a - b)).toEqual([100, 200, 300, 400, 500]);

    const other: number[] = [];
    await sendBatch(items(2, 'c'), opts(provider, { ...o, sleep: async (ms) => void other.push(ms) }));
    expect(other).toEqual([100]);
  });

  it('spends a slot on every provider attempt, retries included', async () => {
    const { provider, calls } = fakeProvider({ fail: (_msg, call) => (call === 1 ? new SmsError('RATE_LIMITED', '429', { retryable: true }) : undefined) });
    const clock = advancingClock();
    await sendBatch(items(1), opts(provider, { ratePerSecond: 1, retryBaseMs: 0, now: clock.now, sleep: clock.sleep }));
    expect(calls).toHaveLength(2);
    expect(clock.c.sleeps).toEqual([1000]);
  });

  describe('with a store', () => {
    const db = useTempStore('a2p-rate-');

    it('spends no slot on a duplicate or on an item that fails validation', async () => {
      const { provider, calls } = fakeProvider();
      const creds = credentials();
      await sendBatch(items(3), { ...opts(provider, { store: db.store, concurrency: 1, ratePerSecond: 1000 }), credentials: creds });
      const clock = advancingClock();
      const again = await sendBatch([...items(3), { to: 'bad', text: 'x' }], {
        ...opts(provider, { store: db.store, concurrency: 1, ratePerSecond: 1, now: clock.now, sleep: clock.sleep }),
        credentials: creds,
      });
      expect(calls).toHaveLength(3);
      expect(again.slice(0, 3).every((o) => o.ok && o.result.duplicate)).toBe(true);
      expect(clock.c.sleeps).toEqual([]);
    });

    it('gives the claim back during a rate wait longer than its lease could cover, so another run is not told "in doubt"', async () => {
      const { provider, calls, callsTo } = fakeProvider();
      const creds = credentials();
      const clock = { t: Date.UTC(2030, 0, 1) };
      const store = await openSqliteStore(':memory:', { now: () => clock.t });
      const waits: { ms: number; done: () => void }[] = [];
      const sleep = (ms: number) => new Promise<void>((done) => waits.push({ ms, done }));
      const slow = { store, now: () => clock.t, sleep, concurrency: 3, ratePerSecond: 0.002 };
      const a = sendBatch(items(3), { ...opts(provider, slow), credentials: creds });
      while (waits.length < 2) await new Promise((r) => setImmediate(r));
      // One message per 500 s: the 2nd and 3rd items wait 500 s and 1000 s, longer than the claim is held.
      expect(waits.map((w) => w.ms)).toEqual([500_000, 1_000_000]);
      clock.t += 20 * 60_000;
      const [b] = await sendBatch([items(3)[2]!], { ...opts(provider, { store, now: () => clock.t }), credentials: creds });
      expect(b).toMatchObject({ ok: true, result: { messageId: 'm-2' } });
      for (const w of waits) w.done();
      const outcomes = await a;
      expect(outcomes.map((o) => o.ok && (o.result.duplicate ?? false))).toEqual([false, false, true]);
      expect(calls).toHaveLength(3);
      expect(callsTo(number(2))).toBe(1);
      await store.close();
    });
  });

  it('does not limit when no rate (or 0) is given', async () => {
    const { provider } = fakeProvider();
    const clock = advancingClock();
    await sendBatch(items(5), opts(provider, { ratePerSecond: 0, now: clock.now, sleep: clock.sleep }));
    expect(clock.c.sleeps).toEqual([]);
  });
});
