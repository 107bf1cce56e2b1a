import { DatabaseSync } from 'node:sqlite';
import { rejectedCode } from '../../test/support/sms-error';
import { useTempStore } from '../../test/support/temp-store';
import type { DeliveryCount, DeliveryFilter, DeliveryReport, NormalizedStatus, ProviderId } from '../types';
import { openSqliteStore, prefixUpperBound } from './sqlite';

const T0 = Date.parse('2025-04-01T00:00:00Z');
const clock = { now: T0 };

function report(
  messageId: string,
  clientRef: string | undefined,
  status: NormalizedStatus,
  extra: Partial<DeliveryReport> = {},
): DeliveryReport {
  return {
    provider: 'infobip',
    messageId,
    status,
    final: status !== 'sent',
    providerStatus: status,
    occurredAt: '2025-04-01T10:00:00Z',
    to: '+33612345678',
    ...(clientRef === undefined ? {} : { clientRef }),
    ...extra,
  };
}

const total = (counts: DeliveryCount[]) => counts.reduce((n, c) => n + c.count, 0);

describe('sqlite store: deliveryCounts', () => {
  const db = useTempStore('a2p-store-counts-', (file) => openSqliteStore(file, { now: () => clock.now }));
  beforeEach(() => {
    clock.now = T0;
  });

  it('groups the message log by status, country and operator', async () => {
    await db.store.applyReports([
      report('1', 'promo-nov-1', 'delivered', { mccmnc: '20801' }),
      report('2', 'promo-nov-2', 'delivered', { mccmnc: '20801' }),
      report('3', 'promo-nov-3', 'delivered', { mccmnc: '20810' }),
      report('4', 'promo-nov-4', 'undelivered', { mccmnc: '20801', errorCode: '5' }),
      report('5', 'promo-nov-5', 'sent', { to: '+14155550100' }),
      report('6', 'promo-nov-6', 'delivered', { to: undefined }),
    ]);
    expect(await db.store.deliveryCounts({ clientRefPrefix: 'promo-nov-' })).toEqual([
      { status: 'delivered', count: 1 },
      { status: 'delivered', country: 'FR', mccmnc: '20801', count: 2 },
      { status: 'delivered', country: 'FR', mccmnc: '20810', count: 1 },
      { status: 'sent', country: 'US', count: 1 },
      { status: 'undelivered', country: 'FR', mccmnc: '20801', count: 1 },
    ]);
  });

  it('takes % _ and \\ in a prefix literally, and matches case', async () => {
    const refs = ['50%_off-1', '50%_off-2', '50%Xoff', '50X_off', '50%_OFF-3', 'a\\b-1', 'a\\\\b', 'aXb', 'promo', 'promo-1', 'Promo-2', 'prom', 'promo\u{10FFFF}x', 'promp'];
    await db.store.applyReports(refs.map((ref, i) => report(`M${i}`, ref, 'delivered')));
    const matched = async (f: DeliveryFilter) => total(await db.store.deliveryCounts(f));
    expect(await matched({ clientRefPrefix: '50%_off' })).toBe(2);
    expect(await matched({ clientRefPrefix: '50%' })).toBe(4);
    expect(await matched({ clientRefPrefix: 'a\\b' })).toBe(1);
    expect(await matched({ clientRefPrefix: 'a\\' })).toBe(2);
    expect(await matched({ clientRefPrefix: 'promo' })).toBe(3);
    expect(await matched({ clientRefPrefix: 'promo-' })).toBe(1);
    expect(await matched({ clientRefPrefix: 'Promo' })).toBe(1);
    expect(await matched({ clientRefPrefix: 'promo\u{10FFFF}' })).toBe(1);
    expect(await matched({ clientRef: 'promo' })).toBe(1);
    expect(await matched({ clientRef: '50%_off-1' })).toBe(1);
    expect(await matched({ clientRef: '50%' })).toBe(0);
  });

  it('filters by provider and by creation time (since inclusive, until exclusive)', async () => {
    for (let h = 0; h < 6; h++) {
      clock.now = T0 + h * 3600_000;
      await db.store.applyReport(report(`H${h}`, 'c', 'delivered', { provider: (h % 2 ? 'sinch' : 'infobip') as ProviderId }));
    }
    const matched = async (f: DeliveryFilter) => total(await db.store.deliveryCounts(f));
    expect(await matched({})).toBe(6);
    expect(await matched({ since: '2025-04-01T02:00:00Z' })).toBe(4);
    expect(await matched({ until: '2025-04-01T02:00:00Z' })).toBe(2);
    expect(await matched({ since: '2025-04-01T01:00:00Z', until: '2025-04-01T04:00:00+00:00' })).toBe(3);
    expect(await matched({ since: '2025-04-01T03:00:00+02:00' })).toBe(5);
    expect(await matched({ since: '2025-04-01', until: '2025-04-02', provider: 'sinch' })).toBe(3);
    expect(await matched({ since: '2025-04-01T05:00:00Z', until: '2025-04-01T05:00:00Z' })).toBe(0);
    expect(await matched({ provider: 'sinch', clientRef: 'c', clientRefPrefix: 'c' })).toBe(3);
  });

  it('answers an empty list when nothing matches', async () => {
    expect(await db.store.deliveryCounts({})).toEqual([]);
    await db.store.applyReport(report('1', 'a', 'delivered'));
    expect(await db.store.deliveryCounts({ clientRefPrefix: 'b' })).toEqual([]);
    expect(await db.store.deliveryCounts({ provider: 'twilio' })).toEqual([]);
  });

  it('counts sends recorded without any report', async () => {
    await db.store.completeSend('k', {
      provider: 'infobip', messageId: 'S1', status: 'queued', to: '+4915112345678', segments: 1, encoding: 'GSM-7', clientRef: 'x-1',
    });
    expect(await db.store.deliveryCounts({ clientRefPrefix: 'x-' })).toEqual([{ status: 'queued', country: 'DE', count: 1 }]);
  });

  it('serves prefix queries from the client reference index', async () => {
    const raw = new DatabaseSync(db.file);
    try {
      const plan = raw
        .prepare('EXPLAIN QUERY PLAN SELECT COUNT(*) FROM messages WHERE client_ref >= ? AND client_ref < ?')
        .all('promo-', 'promo.') as { detail: string }[];
      expect(plan.map((p) => p.detail).join('\n')).toMatch(/USING (COVERING )?INDEX messages_by_client_ref/);
    } finally {
      raw.close();
    }
  });

  it('rejects a malformed filter with INVALID_INPUT', async () => {
    const bad: unknown[] = [
      null,
      undefined,
      'promo',
      [],
      { campaign: 'promo' },
      { clientref: 'promo' },
      JSON.parse('{"__proto__": {"clientRef": "x"}}'),
      { clientRef: 5 },
      { clientRef: '' },
      { clientRef: null },
      { clientRef: 'r'.repeat(257) },
      { clientRefPrefix: '' },
      { clientRefPrefix: ['promo'] },
      { clientRefPrefix: 'p'.repeat(201) },
      { clientRefPrefix: 'a\u0000' },
      { clientRefPrefix: 'a\uD800' },
      { provider: 'Twilio' },
      { provider: 1 },
      { since: 'yesterday' },
      { since: '2025-02-30' },
      { since: '2025-04-01T10:00:00' },
      { until: 1743465600000 },
      { since: '2025-04-02', until: '2025-04-01' },
    ];
    for (const f of bad) expect([f, await rejectedCode(db.store.deliveryCounts(f as DeliveryFilter))]).toEqual([f, 'INVALID_INPUT']);
  });

  it('answers STORE_ERROR once the store is closed', async () => {
    const store = await openSqliteStore(':memory:');
    await store.close();
    expect(await rejectedCode(store.deliveryCounts({}))).toBe('STORE_ERROR');
  });
});

describe('prefixUpperBound', () => {
  it('is the least string above every string with the prefix', () => {
    expect(prefixUpperBound('promo-')).toBe('promo.');
    expect(prefixUpperBound('a\u{10FFFF}')).toBe('b');
    expect(prefixUpperBound('a\uD7FF')).toBe('a\uE000');
    expect(prefixUpperBound('a😀')).toBe('a😁');
    expect(prefixUpperBound('\u{10FFFF}\u{10FFFF}')).toBeUndefined();
  });
});
