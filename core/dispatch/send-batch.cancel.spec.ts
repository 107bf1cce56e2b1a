import { fakeProvider } from '../../test/support/fake-provider';
import { useTempStore } from '../../test/support/temp-store';
import { SmsError } from '../errors';
import type { SmsProvider } from '../types';
import { cancelableSleep } from './cancel';
import { sendBatch } from './send-batch';
import type { DispatchOptions, SendOutcome } from './types';

const number = (i: number) => `+1415555${String(1000 + i)}`;
const items = (n: number) => Array.from({ length: n }, (_, i) => ({ to: number(i), text: `Order ${i} shipped` }));
const codes = (out: SendOutcome[]) => out.map((o) => (o.ok ? 'ok' : o.error.code));
const flush = () => new Promise((r) => setImmediate(r));

const db = useTempStore('a2p-cancel-');

// Every test uses its own account: rate buckets are shared process-wide by credential identity.
let account = 0;
const opts = (provider: SmsProvider, over: Partial<DispatchOptions> = {}): DispatchOptions => ({
  provider,
  credentials: { apiKey: `cancel-spec-${++account}` },
  store: db.store,
  ...over,
});

describe('sendBatch with an abort signal', () => {
  it('sends nothing and claims nothing when the signal is already aborted', async () => {
    const fake = fakeProvider();
    const out = await sendBatch(items(3), opts(fake.provider, { signal: AbortSignal.abort() }));
    expect(codes(out)).toEqual(['CANCELED', 'CANCELED', 'CANCELED']);
    expect(out[0]).toMatchObject({ ok: false, error: { retryable: true, provider: 'sandbox' } });
    expect(fake.calls).toHaveLength(0);
    const again = await sendBatch(items(3), opts(fake.provider));
    expect(codes(again)).toEqual(['ok', 'ok', 'ok']);
  });

  it('cancels mid-batch: in-flight items complete, unstarted ones fail CANCELED, retryable and unclaimed', async () => {
    const controller = new AbortController();
    const gates: (() => void)[] = [];
    const base = fakeProvider().provider;
    const provider: SmsProvider = {
      ...base,
      async send(msg, ctx) {
        await new Promise<void>((r) => gates.push(r));
        return base.send(msg, ctx);
      },
    };
    const run = sendBatch(items(5), opts(provider, { concurrency: 2, signal: controller.signal }));
    while (gates.length < 2) await flush();
    controller.abort();
    gates.forEach((open) => open());
    const out = await run;
    expect(codes(out)).toEqual(['ok', 'ok', 'CANCELED', 'CANCELED', 'CANCELED']);
    expect(out[2]).toMatchObject({ ok: false, error: { retryable: true } });
    const first = out[0];
    expect(await db.store.getMessage(first?.ok ? first.result.messageId : '')).toMatchObject({ state: 'sent' });

    // Nothing was claimed for the canceled items: a new run sends exactly those.
    const fresh = fakeProvider();
    const again = await sendBatch(items(5), opts(fresh.provider));
    expect(again.map((o) => o.ok && (o.result.duplicate ?? false))).toEqual([true, true, false, false, false]);
    expect(fresh.calls.map((m) => m.to)).toEqual([number(2), number(3), number(4)]);
  });

  // Real sleeps: the second item would wait 100 s (spent holding its claim) or 1000 s (spent without).
  it.each([0.01, 0.001])('ends a rate wait at once at %d messages/s, leaving the key free', async (ratePerSecond) => {
    const controller = new AbortController();
    const fake = fakeProvider();
    const run = sendBatch(items(2), opts(fake.provider, { ratePerSecond, signal: controller.signal }));
    while (fake.calls.length < 1) await flush();
    await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    const out = await run;
    expect(codes(out)).toEqual(['ok', 'CANCELED']);
    expect(fake.calls).toHaveLength(1);
    const [dry] = await sendBatch(items(2).slice(1), opts(fake.provider, { dryRun: true }));
    const key = dry?.ok ? dry.result.idempotencyKey : undefined;
    expect(await db.store.getMessage(key!)).toMatchObject({ state: 'failed', errorCode: 'CANCELED' });
  });

  it('ends a retry backoff at once and does not retry', async () => {
    const controller = new AbortController();
    const fake = fakeProvider({ fail: () => new SmsError('PROVIDER_ERROR', 'HTTP 503', { retryable: true, httpStatus: 503 }) });
    const waiting: number[] = [];
    const sleep = (ms: number) => {
      waiting.push(ms);
      return new Promise<void>(() => undefined); // never ends by itself
    };
    const run = sendBatch(items(1), opts(fake.provider, { sleep, retryBaseMs: 1000, random: () => 1, signal: controller.signal }));
    while (waiting.length < 1) await flush();
    controller.abort();
    expect(codes(await run)).toEqual(['CANCELED']);
    expect(fake.calls).toHaveLength(1);
  });
});

describe('cancelableSleep', () => {
  it('passes the sleep through without a signal, and rejects at once when already aborted', async () => {
    const sleep = jest.fn(async () => undefined);
    expect(cancelableSleep(sleep, undefined, 'sandbox')).toBe(sleep);
    const aborted = AbortSignal.abort();
    await expect(cancelableSleep(sleep, aborted, 'sandbox')(10)).rejects.toMatchObject({ code: 'CANCELED' });
    expect(sleep).not.toHaveBeenCalled();
  });

  it('passes on the rejection of a sleep that fails by itself', async () => {
    const controller = new AbortController();
    const broken = async () => Promise.reject(new Error('timer broke'));
    await expect(cancelableSleep(broken, controller.signal, 'sandbox')(10)).rejects.toThrow('timer broke');
  });
});
