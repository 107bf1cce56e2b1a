import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SmsError } from '../errors';
import { openStore } from '../store';
import type { OutboundSms, SendResult, SmsProvider } from '../types';
import { sendBatch } from './send-batch';
import type { DispatchOptions } from './types';

const number = (i: number) => `+1415555${String(1000 + i)}`;
const items = (n: number, tag = '') => Array.from({ length: n }, (_, i) => ({ to: number(i), text: `hello ${tag}${i}` }));

function instantProvider(fail?: (call: number) => unknown) {
  const calls: OutboundSms[] = [];
  const provider: SmsProvider = {
    id: 'sandbox',
    displayName: 'fake',
    defaultBaseUrl: '',
    credentialFields: [],
    async send(msg): Promise<SendResult> {
      calls.push(msg);
      const failure = fail?.(calls.length);
      if (failure !== undefined) throw failure;
      return { provider: 'sandbox', messageId: `m-${calls.length}`, status: 'queued', to: msg.to, segments: 1, encoding: 'GSM-7' };
    },
  };
  return { provider, calls };
}

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
    const { provider, calls } = instantProvider();
    const clock = advancingClock();
    await sendBatch(items(5), opts(provider, { concurrency: 1, ratePerSecond: 5, now: clock.now, sleep: clock.sleep }));
    expect(calls).toHaveLength(5);
    expect(clock.c.sleeps).toEqual([200, 200, 200, 200]);
  });

  it('gives concurrent workers consecutive slots, never two in the same slot', async () => {
    const { provider } = instantProvider();
    const sleeps: number[] = [];
    await sendBatch(items(8), opts(provider, { concurrency: 4, ratePerSecond: 10, now: () => 0, sleep: async (ms) => void sleeps.push(ms) }));
    expect(sleeps.sort((a, b) => a - b)).toEqual([100, 200, 300, 400, 500, 600, 700]);
  });

  it('shares one bucket between batches on the same credentials, not across accounts', async () => {
    const { provider } = instantProvider();
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
    const { provider, calls } = instantProvider((call) => (call === 1 ? new SmsError('RATE_LIMITED', '429', { retryable: true }) : undefined));
    const clock = advancingClock();
    await sendBatch(items(1), opts(provider, { ratePerSecond: 1, retryBaseMs: 0, now: clock.now, sleep: clock.sleep }));
    expect(calls).toHaveLength(2);
    expect(clock.c.sleeps).toEqual([1000]);
  });

  it('spends no slot on a duplicate or on an item that fails validation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'a2p-rate-'));
    const store = await openStore({ kind: 'sqlite', path: join(dir, 's.sqlite') });
    try {
      const { provider, calls } = instantProvider();
      const creds = credentials();
      await sendBatch(items(3), { ...opts(provider, { store, concurrency: 1, ratePerSecond: 1000 }), credentials: creds });
      const clock = advancingClock();
      const again = await sendBatch([...items(3), { to: 'bad', text: 'x' }], {
        ...opts(provider, { store, concurrency: 1, ratePerSecond: 1, now: clock.now, sleep: clock.sleep }),
        credentials: creds,
      });
      expect(calls).toHaveLength(3);
      expect(again.slice(0, 3).every((o) => o.ok && o.result.duplicate)).toBe(true);
      expect(clock.c.sleeps).toEqual([]);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('does not limit when no rate (or 0) is given', async () => {
    const { provider } = instantProvider();
    const clock = advancingClock();
    await sendBatch(items(5), opts(provider, { ratePerSecond: 0, now: clock.now, sleep: clock.sleep }));
    expect(clock.c.sleeps).toEqual([]);
  });
});
