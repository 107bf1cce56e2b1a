import { fakeProvider } from '../../test/support/fake-provider';
import { useTempStore } from '../../test/support/temp-store';
import { SmsError } from '../errors';
import { openSqliteStore } from '../store/sqlite';
import type { SendResult, SmsProvider, Store } from '../types';
import { sendBatch } from './send-batch';
import type { DispatchOptions, SendOutcome } from './types';

const tick = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const number = (i: number) => `+1415555${String(1000 + i)}`;

const db = useTempStore('a2p-dispatch-');

const opts = (provider: SmsProvider, over: Partial<DispatchOptions> = {}): DispatchOptions => ({
  provider,
  credentials: {},
  store: db.store,
  // Real but short waits: long enough for a concurrent run to finish its send.
  sleep: (ms) => tick(Math.min(ms, 5)),
  retryBaseMs: 5,
  ...over,
});

const items = (n: number) => Array.from({ length: n }, (_, i) => ({ to: number(i), text: `Order ${i} shipped` }));
const keyOf = (o: SendOutcome | undefined) => (o?.ok ? o.result.idempotencyKey : o?.error.code);

describe('sendBatch idempotency (SQLite store)', () => {
  it('sends each item once when the same batch runs twice; the second run answers duplicates', async () => {
    const fake = fakeProvider();
    const first = await sendBatch(items(20), opts(fake.provider));
    const second = await sendBatch(items(20), opts(fake.provider));
    expect(fake.calls).toHaveLength(20);
    expect(first.every((o) => o.ok && o.result.duplicate === undefined)).toBe(true);
    second.forEach((o, i) => {
      expect(o).toMatchObject({ ok: true, result: { duplicate: true, to: number(i) } });
      const before = first[i];
      expect(o.ok && before?.ok && o.result.messageId === before.result.messageId).toBe(true);
    });
    const record = await db.store.getMessage(keyOf(first[0])!);
    expect(record).toMatchObject({ state: 'sent', messageId: 'm-1' });
  });

  it('sends every item exactly once when two runs of the same 200 items overlap on one store', async () => {
    const fake = fakeProvider({ latencyMs: () => Math.floor(Math.random() * 4) });
    const o = { concurrency: 8, retries: 20 };
    const [a, b] = await Promise.all([sendBatch(items(200), opts(fake.provider, o)), sendBatch(items(200), opts(fake.provider, o))]);
    for (let i = 0; i < 200; i++) expect(fake.callsTo(number(i))).toBe(1);
    expect(fake.calls).toHaveLength(200);
    for (let i = 0; i < 200; i++) {
      const x = a[i];
      const y = b[i];
      expect(x?.ok && y?.ok).toBe(true);
      // The overlapping duplicate resolves to the first run's message.
      expect(x?.ok && y?.ok && x.result.messageId === y.result.messageId).toBe(true);
      expect([x?.ok && x.result.duplicate, y?.ok && y.result.duplicate].filter(Boolean)).toHaveLength(1);
    }
  });

  it('sends the same message twice in one batch only once', async () => {
    const fake = fakeProvider();
    const out = await sendBatch([{ to: number(0), text: 'hi' }, { to: number(0), text: 'hi' }], opts(fake.provider, { concurrency: 1 }));
    expect(fake.calls).toHaveLength(1);
    expect(out[1]).toMatchObject({ ok: true, result: { duplicate: true, messageId: 'm-1' } });
  });

  it('lets a new run send again once the idempotency window has passed', async () => {
    const fake = fakeProvider();
    await sendBatch(items(1), opts(fake.provider));
    await tick(5);
    const again = await sendBatch(items(1), opts(fake.provider, { idempotencyWindowMs: 1 }));
    expect(fake.calls).toHaveLength(2);
    expect(again[0]?.ok && again[0].result.duplicate).toBeUndefined();
  });

  it('treats an explicit key as the identity of the send to its recipient, whatever the text', async () => {
    const fake = fakeProvider();
    await sendBatch([{ to: number(0), text: 'first', idempotencyKey: 'order-9' }], opts(fake.provider));
    // A re-rendered text (a timestamp, an edited template) under the same key is the same send.
    const [o] = await sendBatch([{ to: number(0), text: 'first, re-rendered', idempotencyKey: 'order-9' }], opts(fake.provider));
    expect(fake.calls).toHaveLength(1);
    expect(o).toMatchObject({ ok: true, result: { duplicate: true, to: number(0), messageId: 'm-1' } });
  });

  it('refuses an explicit key reused for another recipient with IDEMPOTENCY_CONFLICT, not a duplicate nobody received', async () => {
    const fake = fakeProvider();
    await sendBatch([{ to: number(0), text: 'first', idempotencyKey: 'order-9' }], opts(fake.provider));
    const [o] = await sendBatch([{ to: number(1), text: 'second', idempotencyKey: 'order-9' }], opts(fake.provider));
    expect(fake.calls).toHaveLength(1);
    expect(o).toMatchObject({ ok: false, error: { code: 'IDEMPOTENCY_CONFLICT', retryable: false } });
    // The other message's recipient is not disclosed.
    expect(o?.ok === false && o.error.message).not.toContain(number(0));
    expect(await db.store.getMessage('order-9')).toMatchObject({ state: 'sent', to: number(0) });
  });

  it('refuses an explicit key reused over another provider, and one still pending or in doubt for another recipient', async () => {
    const fake = fakeProvider();
    await sendBatch([{ to: number(0), text: 'x', idempotencyKey: 'order-10' }], { provider: 'sandbox', credentials: {}, store: db.store });
    const other: SmsProvider = { ...fake.provider, id: 'twilio' };
    const [o] = await sendBatch([{ to: number(0), text: 'x', idempotencyKey: 'order-10' }], opts(other));
    expect(o).toMatchObject({ ok: false, error: { code: 'IDEMPOTENCY_CONFLICT' } });
    expect(o?.ok === false && o.error.message).toContain('provider sandbox');

    await db.store.claimSend('order-11', { provider: 'sandbox', to: number(0) });
    const [pending] = await sendBatch([{ to: number(1), text: 'x', idempotencyKey: 'order-11' }], opts(fake.provider));
    await db.store.releaseSend('order-11', { inDoubt: true, error: { code: 'NETWORK_ERROR', message: 'timeout', retryable: false } });
    const [inDoubt] = await sendBatch([{ to: number(1), text: 'x', idempotencyKey: 'order-11' }], opts(fake.provider));
    expect([pending, inDoubt].map((r) => r?.ok === false && r.error.code)).toEqual(['IDEMPOTENCY_CONFLICT', 'IDEMPOTENCY_CONFLICT']);
    expect(fake.calls).toHaveLength(0);
  });

  it('lets an explicit key whose send certainly failed be used for another recipient', async () => {
    let refuse = true;
    const fake = fakeProvider({ fail: () => (refuse ? new SmsError('INVALID_PHONE', 'unroutable') : undefined) });
    await sendBatch([{ to: number(0), text: 'x', idempotencyKey: 'order-12' }], opts(fake.provider));
    refuse = false;
    const [o] = await sendBatch([{ to: number(1), text: 'x', idempotencyKey: 'order-12' }], opts(fake.provider));
    expect(o).toMatchObject({ ok: true, result: { to: number(1), messageId: 'm-2' } });
  });

  it('refuses an explicit key used twice in one batch for two recipients, sending the first only', async () => {
    const fake = fakeProvider({ latencyMs: () => 20 });
    const out = await sendBatch(
      [
        { to: number(0), text: 'x', idempotencyKey: 'order-13' },
        { to: number(1), text: 'x', idempotencyKey: 'order-13' },
      ],
      opts(fake.provider),
    );
    expect(out.map((o) => (o.ok ? 'ok' : o.error.code))).toEqual(['ok', 'IDEMPOTENCY_CONFLICT']);
    expect(fake.calls).toHaveLength(1);
  });

  it('sends identical items of one batch once at the default concurrency, however slow the provider', async () => {
    const fake = fakeProvider({ latencyMs: () => 150 });
    const same = { to: number(0), text: 'Reminder: appointment tomorrow' };
    // A sleep that does not wait: a twin meeting the live claim would use its retries at once.
    const out = await sendBatch([same, same, same], opts(fake.provider, { sleep: async () => undefined }));
    expect(fake.calls).toHaveLength(1);
    expect(out[0]).toMatchObject({ ok: true, result: { messageId: 'm-1' } });
    expect(out[0]?.ok && out[0].result.duplicate).toBeUndefined();
    expect(out.slice(1)).toEqual([
      expect.objectContaining({ ok: true, result: expect.objectContaining({ duplicate: true, messageId: 'm-1' }) }),
      expect.objectContaining({ ok: true, result: expect.objectContaining({ duplicate: true, messageId: 'm-1' }) }),
    ]);
  });

  it("gives a twin the first item's error when the first fails", async () => {
    const fake = fakeProvider({ latencyMs: () => 20, fail: () => new SmsError('INVALID_PHONE', 'unroutable') });
    const same = { to: number(0), text: 'hi' };
    const out = await sendBatch([same, same], opts(fake.provider));
    expect(out.map((o) => (o.ok ? 'ok' : o.error.code))).toEqual(['INVALID_PHONE', 'INVALID_PHONE']);
    expect(fake.calls).toHaveLength(1);
  });

  it('fails every item with STORE_ERROR and calls no provider when the store is closed', async () => {
    const fake = fakeProvider();
    await db.store.close();
    const out = await sendBatch(items(3), opts(fake.provider));
    expect(out.map((o) => (o.ok ? 'ok' : o.error.code))).toEqual(['STORE_ERROR', 'STORE_ERROR', 'STORE_ERROR']);
    expect(fake.calls).toHaveLength(0);
  });

  it('wraps a store that throws a plain error into STORE_ERROR without calling the provider', async () => {
    const fake = fakeProvider();
    const broken: Store = Object.create(db.store, { claimSend: { value: async () => Promise.reject(new Error('disk on fire')) } });
    const [o] = await sendBatch(items(1), opts(fake.provider, { store: broken }));
    expect(o).toMatchObject({ ok: false, error: { code: 'STORE_ERROR' } });
    expect(fake.calls).toHaveLength(0);
  });

  it('reports a message sent when recording it fails twice, and blocks its key as in doubt naming the message id', async () => {
    const fake = fakeProvider();
    let attempts = 0;
    const flaky: Store = Object.create(db.store, {
      completeSend: { value: async () => Promise.reject(new SmsError('STORE_ERROR', `disk full ${++attempts}`)) },
    });
    const [o] = await sendBatch(items(1), opts(fake.provider, { store: flaky }));
    expect(o).toMatchObject({ ok: true, result: { messageId: 'm-1' } });
    expect(attempts).toBe(2);
    const record = await db.store.getMessage(keyOf(o)!);
    expect(record).toMatchObject({ state: 'in-doubt', provider: 'sandbox', errorCode: 'STORE_ERROR' });
    expect(record?.errorMessage).toContain('m-1');
    const [again] = await sendBatch(items(1), opts(fake.provider));
    expect(again).toMatchObject({ ok: false, error: { code: 'SEND_IN_DOUBT' } });
    expect(fake.calls).toHaveLength(1);
  });

  it('records the send when recording fails once', async () => {
    const fake = fakeProvider();
    let attempts = 0;
    const once: Store = Object.create(db.store, {
      completeSend: {
        value: async (key: string, result: SendResult) =>
          ++attempts === 1 ? Promise.reject(new Error('SQLITE_BUSY')) : db.store.completeSend(key, result),
      },
    });
    const [o] = await sendBatch(items(1), opts(fake.provider, { store: once }));
    expect(await db.store.getMessage(keyOf(o)!)).toMatchObject({ state: 'sent', messageId: 'm-1' });
  });
});

describe('sendBatch with the real sandbox adapter', () => {
  it('sends through the provider id, records the send, and fails a simulated rejection alone', async () => {
    const out = await sendBatch(
      [
        { to: '+14155551000', text: 'hi' },
        { to: '+14155550194', text: 'hi' },
      ],
      { provider: 'sandbox', credentials: {}, store: db.store },
    );
    expect(out[0]).toMatchObject({ ok: true, result: { provider: 'sandbox', to: '+14155551000', messageId: expect.stringMatching(/^sandbox-/) } });
    expect(out[1]).toMatchObject({ ok: false, error: { code: 'OPTED_OUT' } });
    const id = out[0]?.ok ? out[0].result.messageId : '';
    expect(await db.store.getMessage(id)).toMatchObject({ state: 'sent', to: '+14155551000' });
  });
});

describe('sendBatch retries with the store', () => {
  it('retries a 503, claiming again, and records the send once', async () => {
    const fake = fakeProvider({
      fail: (_m, call) => (call === 1 ? new SmsError('PROVIDER_ERROR', 'HTTP 503', { retryable: true, httpStatus: 503 }) : undefined),
    });
    const sleeps: number[] = [];
    const [o] = await sendBatch(items(1), opts(fake.provider, { sleep: async (ms) => void sleeps.push(ms), random: () => 0.5, retryBaseMs: 500 }));
    expect(o).toMatchObject({ ok: true, result: { messageId: 'm-2' } });
    expect(fake.calls).toHaveLength(2);
    expect(sleeps).toEqual([250]);
    expect(await db.store.getMessage(keyOf(o)!)).toMatchObject({ state: 'sent', messageId: 'm-2' });
  });

  it('does not retry a 401 and leaves the key free for a later run', async () => {
    let refuse = true;
    const fake = fakeProvider({ fail: () => (refuse ? new SmsError('AUTH_FAILED', 'HTTP 401', { httpStatus: 401 }) : undefined) });
    const [o] = await sendBatch(items(1), opts(fake.provider));
    expect(o).toMatchObject({ ok: false, error: { code: 'AUTH_FAILED' } });
    expect(fake.calls).toHaveLength(1);
    refuse = false;
    const [later] = await sendBatch(items(1), opts(fake.provider));
    expect(later).toMatchObject({ ok: true, result: { messageId: 'm-2' } });
  });

  it("waits for another run's live claim up to its lease, then gives up with SEND_IN_PROGRESS", async () => {
    const fake = fakeProvider();
    const clock = { t: Date.UTC(2030, 0, 1) };
    const store = await openSqliteStore(':memory:', { now: () => clock.t });
    const [prepared] = await sendBatch(items(1), opts(fake.provider, { dryRun: true }));
    await store.claimSend(keyOf(prepared)!, { provider: 'sandbox', to: number(0), leaseMs: 7 * 24 * 3600_000 });
    const sleeps: number[] = [];
    const sleep = async (ms: number) => {
      sleeps.push(ms);
      clock.t += ms;
    };
    const timeoutMs = 1000;
    const [o] = await sendBatch(items(1), opts(fake.provider, { store, retries: 2, sleep, now: () => clock.t, timeoutMs }));
    expect(o).toMatchObject({ ok: false, error: { code: 'SEND_IN_PROGRESS', retryable: true } });
    // Far more than the 2 retries, backing off, all in all as long as a lease (timeout + 10 min).
    expect(sleeps.length).toBeGreaterThan(10);
    expect(sleeps.slice(0, 3)).toEqual([50, 100, 200]);
    expect(Math.max(...sleeps)).toBe(5000);
    expect(sleeps.reduce((a, b) => a + b, 0)).toBe(timeoutMs + 10 * 60_000);
    expect(fake.calls).toHaveLength(0);
    await store.close();
  });

  it("answers another run's result once that run completes, however long it took", async () => {
    const fake = fakeProvider();
    const clock = { t: Date.UTC(2030, 0, 1) };
    const store = await openSqliteStore(':memory:', { now: () => clock.t });
    const [prepared] = await sendBatch(items(1), opts(fake.provider, { dryRun: true }));
    const key = keyOf(prepared)!;
    await store.claimSend(key, { provider: 'sandbox', to: number(0) });
    let polls = 0;
    const sleep = async (ms: number) => {
      clock.t += ms;
      // The other run finishes after 40 s of polling, well past the 3 retries' backoff.
      if (++polls === 12) {
        await store.completeSend(key, { provider: 'sandbox', messageId: 'other-run', status: 'queued', to: number(0), segments: 1, encoding: 'GSM-7' });
      }
    };
    const [o] = await sendBatch(items(1), opts(fake.provider, { store, sleep, now: () => clock.t }));
    expect(o).toMatchObject({ ok: true, result: { duplicate: true, messageId: 'other-run' } });
    expect(fake.calls).toHaveLength(0);
    await store.close();
  });

  it('lets an in-doubt send and a claim abandoned past its lease be sent again once the window has passed', async () => {
    const clock = { t: Date.UTC(2030, 0, 1) };
    const store = await openSqliteStore(':memory:', { now: () => clock.t });
    let timeOut = true;
    const fake = fakeProvider({
      fail: () => (timeOut ? new SmsError('NETWORK_ERROR', 'no answer within 30000 ms', { inDoubt: true }) : undefined),
    });
    const o = (over: Partial<DispatchOptions> = {}) => opts(fake.provider, { store, now: () => clock.t, ...over });
    const [first] = await sendBatch(items(1), o());
    expect(first).toMatchObject({ ok: false, error: { code: 'NETWORK_ERROR', inDoubt: true } });
    timeOut = false;
    clock.t += 24 * 3600_000 - 1;
    expect(await sendBatch(items(1), o())).toEqual([expect.objectContaining({ ok: false, error: expect.objectContaining({ code: 'SEND_IN_DOUBT' }) })]);
    clock.t += 1;
    expect(await sendBatch(items(1), o())).toEqual([expect.objectContaining({ ok: true, result: expect.objectContaining({ messageId: 'm-2' }) })]);

    // A run that crashed holding its claim: in doubt after the lease, free after the window.
    const [prepared] = await sendBatch([{ to: number(5), text: 'crash' }], o({ dryRun: true }));
    await store.claimSend(keyOf(prepared)!, { provider: 'sandbox', to: number(5) });
    clock.t += 3600_000;
    expect(await sendBatch([{ to: number(5), text: 'crash' }], o())).toEqual([
      expect.objectContaining({ ok: false, error: expect.objectContaining({ code: 'SEND_IN_DOUBT' }) }),
    ]);
    clock.t += 23 * 3600_000;
    expect(await sendBatch([{ to: number(5), text: 'crash' }], o())).toEqual([expect.objectContaining({ ok: true })]);
    expect(fake.callsTo(number(5))).toBe(1);
    await store.close();
  });

  it('treats an adapter crash (not an SmsError) as in doubt: no retry, no re-send later, no secret in the message', async () => {
    const fake = fakeProvider({ fail: () => new TypeError('request to https://u:hunter2-secret@api failed') });
    const [o] = await sendBatch(items(1), opts(fake.provider, { credentials: { password: 'hunter2-secret' } }));
    expect(o).toMatchObject({ ok: false, error: { code: 'PROVIDER_ERROR', inDoubt: true } });
    expect(o?.ok === false && o.error.message).toBe('sandbox: request to https://u:[redacted]@api failed');
    const [again] = await sendBatch(items(1), opts(fake.provider));
    expect(again).toMatchObject({ ok: false, error: { code: 'SEND_IN_DOUBT' } });
    expect(fake.calls).toHaveLength(1);
  });
});
