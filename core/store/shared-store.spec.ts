import path from 'node:path';
import { rejected } from '../../test/support/sms-error';
import { useTempDir } from '../../test/support/temp-store';
import { SmsError } from '../errors';
import type { Store, StoreConfig } from '../types';
import { openStore, sharedStore, StoreRegistry } from './index';

const PHONE = '+14155550100';

/** A registry over real sqlite stores that counts opens and closes. */
function countingRegistry(failFirst = 0) {
  const counts = { opens: 0, closes: 0, failures: 0 };
  let failuresLeft = failFirst;
  const registry = new StoreRegistry(async (config: StoreConfig) => {
    if (failuresLeft > 0) {
      failuresLeft--;
      counts.failures++;
      throw new SmsError('STORE_ERROR', 'disk not mounted yet', { retryable: true });
    }
    const store = await openStore(config);
    counts.opens++;
    const close = store.close.bind(store);
    store.close = async () => {
      counts.closes++;
      await close();
    };
    return store;
  });
  return { registry, counts };
}

describe('shared stores', () => {
  const tmp = useTempDir('a2p-shared-store-');
  let config: StoreConfig;
  beforeEach(() => {
    config = { kind: 'sqlite', path: tmp.testFile() };
  });

  it('opens a database once for every lease on it, however its path is written', async () => {
    const { registry, counts } = countingRegistry();
    const a = registry.lease(config);
    const b = registry.lease({ kind: 'sqlite', path: path.relative(process.cwd(), (config as { path: string }).path) });
    const [sa, sb] = await Promise.all([a.store, b.store]);
    await sa.recordConsent({ phone: PHONE, topic: '*', action: 'opt-out', source: 'sms' });
    expect(await sb.checkConsent({ phone: PHONE, topic: 'x' })).toMatchObject({ reason: 'opted-out' });
    expect(counts.opens).toBe(1);
    expect(registry.size).toBe(1);
    expect(await a.store).toBe(sa);
    await a.release();
    await b.release();
  });

  it('closes the database when its last lease is released, and reopens on demand', async () => {
    const { registry, counts } = countingRegistry();
    const a = registry.lease(config);
    const b = registry.lease(config);
    await a.store;
    await a.release();
    await a.release();
    expect(counts.closes).toBe(0);
    expect(await (await b.store).claimSend('k', { provider: 'sandbox', to: PHONE })).toEqual({ claimed: true });
    await b.release();
    expect(counts.closes).toBe(1);
    expect(registry.size).toBe(0);

    const c = registry.lease(config);
    expect(await (await c.store).claimSend('k', { provider: 'sandbox', to: PHONE })).toMatchObject({ state: 'pending' });
    expect(counts.opens).toBe(2);
    await c.release();
  });

  it("gives views whose close() releases only that lease", async () => {
    const { registry, counts } = countingRegistry();
    const a = registry.lease(config);
    const b = registry.lease(config);
    const va: Store = await a.store;
    const vb: Store = await b.store;
    await va.close();
    expect((await rejected(va.getMessage('k'))).code).toBe('STORE_ERROR');
    expect((await rejected(a.store)).code).toBe('STORE_ERROR');
    expect(await vb.getMessage('k')).toBeNull();
    expect(counts.closes).toBe(0);
    await vb.close();
    expect(counts.closes).toBe(1);
  });

  it('gives views that pass every Store method through, the import and held messages included', async () => {
    const { registry } = countingRegistry();
    const a = registry.lease(config);
    const b = registry.lease(config);
    const va = await a.store;
    const vb = await b.store;
    expect(await va.importConsent([{ phone: PHONE, topic: '*', action: 'opt-out', source: 'import' }])).toEqual({
      recorded: 1,
      unchanged: 0,
    });
    expect(await vb.consentHistory(PHONE)).toHaveLength(1);
    const held = await va.holdMessage({ queue: 'q', releaseAt: '2025-01-01T08:00:00Z', payload: { n: 1 } });
    expect(await vb.countHeld('q')).toBe(1);
    expect(await vb.heldMessages('q', { limit: 5 })).toEqual([held]);
    expect(await vb.releaseHeld('q', held.id)).toBe(true);
    expect(await va.releaseHeld('q', held.id)).toBe(false);
    await a.release();
    for (const call of [
      () => va.importConsent([]),
      () => va.holdMessage({ queue: 'q', releaseAt: '2025-01-01T08:00:00Z', payload: 1 }),
      () => va.heldMessages('q'),
      () => va.releaseHeld('q', 'x'),
      () => va.countHeld('q'),
    ]) {
      expect((await rejected(call())).code).toBe('STORE_ERROR');
    }
    await b.release();
  });

  it('gives views that pass the webhook methods through', async () => {
    const { registry } = countingRegistry();
    const a = registry.lease(config);
    const b = registry.lease(config);
    const va = await a.store;
    const vb = await b.store;
    const report = {
      provider: 'sandbox' as const, messageId: 'M1', status: 'delivered' as const, final: true,
      providerStatus: 'delivered', occurredAt: '2025-04-01T10:00:00Z', to: PHONE, clientRef: 'promo-1',
    };
    expect(await va.applyReports([report])).toEqual([{ duplicate: false, status: 'delivered' }]);
    expect(await vb.applyReports([report])).toEqual([{ duplicate: true, status: 'delivered', previousStatus: 'delivered' }]);
    expect(await vb.deliveryCounts({ clientRefPrefix: 'promo-' })).toEqual([{ status: 'delivered', country: 'US', count: 1 }]);
    const sms = { provider: 'sandbox' as const, messageId: 'IN1', from: PHONE, to: '+14155550199', text: 'hi', receivedAt: '2025-04-01T10:00:00Z', keyword: null, raw: {} };
    expect(await va.recordInbound([sms])).toEqual([false]);
    expect(await vb.recordInbound([sms])).toEqual([true]);
    expect(await va.collectInboundPart({ provider: 'sandbox', from: PHONE, ref: 'r', part: 1, total: 1, message: sms })).toEqual([sms]);
    await a.release();
    for (const call of [
      () => va.applyReports([]),
      () => va.recordInbound([]),
      () => va.collectInboundPart({ provider: 'sandbox', from: PHONE, ref: 'r', part: 1, total: 1, message: sms }),
      () => va.deliveryCounts({}),
    ]) {
      expect((await rejected(call())).code).toBe('STORE_ERROR');
    }
    await b.release();
  });

  it('retries opening on the next access after a failed open', async () => {
    const { registry, counts } = countingRegistry(1);
    const lease = registry.lease(config);
    const first = await rejected(lease.store);
    expect(first).toMatchObject({ code: 'STORE_ERROR', retryable: true });
    const store = await lease.store;
    expect(await store.getMessage('k')).toBeNull();
    expect(counts).toEqual({ opens: 1, closes: 0, failures: 1 });
    await lease.release();
    expect(counts.closes).toBe(1);
  });

  it('releases cleanly a lease whose database never opened', async () => {
    const { registry, counts } = countingRegistry(5);
    const lease = registry.lease(config);
    await rejected(lease.store);
    await lease.release();
    expect(counts).toEqual({ opens: 0, closes: 0, failures: 1 });
    expect(registry.size).toBe(0);
  });

  it('answers a bad configuration through the lease, never by throwing', async () => {
    const { registry } = countingRegistry();
    const lease = registry.lease({ kind: 'sqlite', path: '' });
    expect((await rejected(lease.store)).code).toBe('INVALID_INPUT');
    await lease.release();
    const pg = registry.lease({ kind: 'postgres', connectionString: 'postgres://u:p@h/db' });
    expect((await rejected(pg.store)).code).toBe('INVALID_INPUT');
    await pg.release();
    expect(registry.size).toBe(0);
  });

  it('serves the process-wide registry through sharedStore', async () => {
    const a = sharedStore(config);
    const b = sharedStore(config);
    const sa = await a.store;
    await sa.claimSend('k', { provider: 'sandbox', to: PHONE });
    expect(await (await b.store).claimSend('k', { provider: 'sandbox', to: PHONE })).toMatchObject({ state: 'pending' });
    await a.release();
    await b.release();
    expect((await rejected(sa.getMessage('k'))).code).toBe('STORE_ERROR');
  });
});
