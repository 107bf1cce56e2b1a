import { fakeProvider } from '../../test/support/fake-provider';
import { useTempStore } from '../../test/support/temp-store';
import { SmsError } from '../errors';
import type { SmsProvider, Store } from '../types';
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

  it('treats an explicit key as the identity of the send, whatever the content', async () => {
    const fake = fakeProvider();
    await sendBatch([{ to: number(0), text: 'first', idempotencyKey: 'order-9' }], opts(fake.provider));
    const [o] = await sendBatch([{ to: number(1), text: 'second', idempotencyKey: 'order-9' }], opts(fake.provider));
    expect(fake.calls).toHaveLength(1);
    expect(o).toMatchObject({ ok: true, result: { duplicate: true, to: number(0) } });
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

  it('reports a message sent when recording it fails, and blocks its key as in doubt', async () => {
    const fake = fakeProvider();
    const flaky: Store = Object.create(db.store, {
      completeSend: { value: async () => Promise.reject(new SmsError('STORE_ERROR', 'disk full')) },
    });
    const [o] = await sendBatch(items(1), opts(fake.provider, { store: flaky }));
    expect(o).toMatchObject({ ok: true, result: { messageId: 'm-1' } });
    const [again] = await sendBatch(items(1), opts(fake.provider));
    expect(again).toMatchObject({ ok: false, error: { code: 'SEND_IN_DOUBT' } });
    expect(fake.calls).toHaveLength(1);
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

  it('gives up on SEND_IN_PROGRESS after the retries when another run holds the claim', async () => {
    const fake = fakeProvider();
    const [prepared] = await sendBatch(items(1), opts(fake.provider, { dryRun: true }));
    const key = keyOf(prepared)!;
    await db.store.claimSend(key, { provider: 'sandbox', to: number(0) });
    const sleeps: number[] = [];
    const [o] = await sendBatch(items(1), opts(fake.provider, { retries: 2, sleep: async (ms) => void sleeps.push(ms), random: () => 1 }));
    expect(o).toMatchObject({ ok: false, error: { code: 'SEND_IN_PROGRESS', retryable: true } });
    expect(sleeps).toEqual([5, 10]);
    expect(fake.calls).toHaveLength(0);
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
