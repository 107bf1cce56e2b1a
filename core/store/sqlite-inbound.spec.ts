import { DatabaseSync } from 'node:sqlite';
import { rejected, rejectedCode } from '../../test/support/sms-error';
import { useTempStore } from '../../test/support/temp-store';
import type { InboundPart, InboundSms, Store } from '../types';
import { openSqliteStore } from './sqlite';

const HOUR = 60 * 60 * 1000;
const T0 = Date.parse('2025-04-01T10:00:00Z');
const clock = { now: T0 };

function inbound(messageId: string, extra: Partial<InboundSms> = {}): InboundSms {
  return {
    provider: 'vonage',
    messageId,
    from: '447700900123',
    to: '447700900000',
    text: 'hello',
    receivedAt: '2025-04-01T10:00:00Z',
    keyword: null,
    raw: { messageId },
    ...extra,
  };
}

function part(n: number, total: number, extra: Partial<InboundPart> = {}, messageId = `P${n}`): InboundPart {
  return {
    provider: 'vonage',
    from: '447700900123',
    ref: 'A7',
    part: n,
    total,
    message: inbound(messageId, { text: `part ${n} `, concat: { ref: 'A7', part: n, total } }),
    ...extra,
  };
}

function count(file: string, table: string): number {
  const raw = new DatabaseSync(file);
  try {
    return (raw.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    raw.close();
  }
}

const texts = (ms: InboundSms[] | null) => ms?.map((m) => m.text) ?? null;

describe('sqlite store: inbound messages', () => {
  const db = useTempStore('a2p-store-inbound-', (file) => openSqliteStore(file, { now: () => clock.now }));
  beforeEach(() => {
    clock.now = T0;
  });

  describe('recordInbound', () => {
    it('answers per message whether it was received before, a repeat within the list included', async () => {
      expect(await db.store.recordInbound([inbound('A'), inbound('B'), inbound('A')])).toEqual([false, false, true]);
      expect(await db.store.recordInbound([inbound('B'), inbound('C'), inbound('A', { provider: 'sinch' })])).toEqual([true, false, false]);
      expect(await db.store.recordInbound([])).toEqual([]);
    });

    it('marks the same message received 50 times at once as new exactly once', async () => {
      const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? db.store.recordInbound([inbound('X')]) : db.store.recordInbound([inbound('Y'), inbound('X')]))));
      const forX = answers.map((a) => a[a.length - 1]);
      expect(forX.filter((seen) => seen === false)).toHaveLength(1);
      expect(answers.map((a) => (a.length === 2 ? a[0] : true)).filter((seen) => seen === false)).toHaveLength(1);
    });

    it('keeps a receipt at least 7 days, then forgets it a little at a time', async () => {
      await db.store.recordInbound(Array.from({ length: 300 }, (_, i) => inbound(`old-${i}`)));
      clock.now = T0 + 7 * 24 * HOUR - 1;
      expect(await db.store.recordInbound([inbound('old-0')])).toEqual([true]);
      clock.now = T0 + 7 * 24 * HOUR + 1;
      await db.store.recordInbound([inbound('new-0')]);
      // Bounded: one call removes 100 plus two per message it records.
      expect(count(db.file, 'inbound_messages')).toBe(300 + 1 - 102);
      await db.store.recordInbound([inbound('new-1')]);
      await db.store.recordInbound([inbound('new-2')]);
      expect(count(db.file, 'inbound_messages')).toBe(3);
      expect(await db.store.recordInbound([inbound('old-299')])).toEqual([false]);
    });

    it('records nothing when one message of the list is malformed', async () => {
      for (const bad of [null, {}, inbound(''), inbound('x'.repeat(257)), { ...inbound('M'), provider: 'Vonage!' }, { ...inbound('M'), messageId: 5 }, inbound('a\nb')]) {
        const e = await rejected(db.store.recordInbound([inbound('ok'), bad as InboundSms]));
        expect([bad, e.code]).toEqual([bad, 'INVALID_INPUT']);
        expect(e.message).toMatch(/\[1\]/);
      }
      for (const bad of [null, undefined, 'A', { messageId: 'A' }, new Array(2)]) {
        expect(await rejectedCode(db.store.recordInbound(bad as unknown as InboundSms[]))).toBe('INVALID_INPUT');
      }
      expect(count(db.file, 'inbound_messages')).toBe(0);
    });
  });

  describe('collectInboundPart', () => {
    it('returns every part in order once the last one is in, out of order and repeated', async () => {
      expect(await db.store.collectInboundPart(part(3, 3))).toBeNull();
      expect(await db.store.collectInboundPart(part(1, 3))).toBeNull();
      expect(await db.store.collectInboundPart(part(3, 3))).toBeNull();
      expect(count(db.file, 'inbound_parts')).toBe(2);
      expect(texts(await db.store.collectInboundPart(part(2, 3)))).toEqual(['part 1 ', 'part 2 ', 'part 3 ']);
      // Again on a retry, so a reply that failed after collecting can be retried.
      const again = await db.store.collectInboundPart(part(1, 3));
      expect(again).toEqual([part(1, 3).message, part(2, 3).message, part(3, 3).message]);
      expect(count(db.file, 'inbound_parts')).toBe(3);
    });

    it('keeps the first copy of a repeated part', async () => {
      await db.store.collectInboundPart(part(1, 2));
      await db.store.collectInboundPart(part(1, 2, {}, 'P1-retry-with-other-id'));
      expect((await db.store.collectInboundPart(part(2, 2)))?.map((m) => m.messageId)).toEqual(['P1', 'P2']);
    });

    it('keeps parts of other senders, refs and providers apart', async () => {
      await db.store.collectInboundPart(part(1, 2));
      expect(await db.store.collectInboundPart(part(2, 2, { from: '447700900999' }))).toBeNull();
      expect(await db.store.collectInboundPart(part(2, 2, { ref: 'A8' }))).toBeNull();
      expect(await db.store.collectInboundPart(part(2, 2, { provider: 'sandbox' }))).toBeNull();
      expect(texts(await db.store.collectInboundPart(part(2, 2)))).toEqual(['part 1 ', 'part 2 ']);
    });

    it('refuses a total that disagrees with the parts kept, and keeps them', async () => {
      await db.store.collectInboundPart(part(1, 3));
      const e = await rejected(db.store.collectInboundPart(part(2, 2)));
      expect(e.code).toBe('INVALID_INPUT');
      expect(e.message).toMatch(/says 2 parts; the parts kept say 3/);
      expect(count(db.file, 'inbound_parts')).toBe(1);
      await db.store.collectInboundPart(part(2, 3));
      expect(texts(await db.store.collectInboundPart(part(3, 3)))).toHaveLength(3);
    });

    it('starts over when a sender reuses the ref of a message already complete', async () => {
      await db.store.collectInboundPart(part(1, 2));
      expect(await db.store.collectInboundPart(part(2, 2))).toHaveLength(2);
      // Another message under the same ref: new ids, here also another total.
      expect(await db.store.collectInboundPart(part(2, 3, {}, 'Q2'))).toBeNull();
      expect(await db.store.collectInboundPart(part(1, 3, {}, 'Q1'))).toBeNull();
      expect((await db.store.collectInboundPart(part(3, 3, {}, 'Q3')))?.map((m) => m.messageId)).toEqual(['Q1', 'Q2', 'Q3']);
      expect(count(db.file, 'inbound_parts')).toBe(3);
    });

    it('returns a one-part message at once', async () => {
      expect(texts(await db.store.collectInboundPart(part(1, 1)))).toEqual(['part 1 ']);
    });

    it('keeps parts at least 24 h, then lets an incomplete message go', async () => {
      await db.store.collectInboundPart(part(1, 2));
      clock.now = T0 + 24 * HOUR;
      expect(texts(await db.store.collectInboundPart(part(2, 2)))).toHaveLength(2);
      await db.store.collectInboundPart(part(1, 2, { ref: 'B1' }));
      clock.now = T0 + 48 * HOUR + 1;
      expect(await db.store.collectInboundPart(part(2, 2, { ref: 'B1' }))).toBeNull();
      expect(count(db.file, 'inbound_parts')).toBe(1);
    });

    it('purges a bounded number of expired parts per call', async () => {
      for (let i = 0; i < 150; i++) await db.store.collectInboundPart(part(1, 2, { ref: `R${i}` }));
      clock.now = T0 + 25 * HOUR;
      await db.store.collectInboundPart(part(1, 2, { ref: 'fresh' }));
      expect(count(db.file, 'inbound_parts')).toBe(51);
      await db.store.collectInboundPart(part(2, 2, { ref: 'fresh' }));
      expect(count(db.file, 'inbound_parts')).toBe(2);
    });

    it('rejects malformed and hostile parts with INVALID_INPUT and keeps nothing', async () => {
      const cyclic: Record<string, unknown> = { messageId: 'C' };
      cyclic.self = cyclic;
      const bad: unknown[] = [
        null,
        [],
        { ...part(1, 2), part: 0 },
        { ...part(1, 2), part: 3 },
        { ...part(1, 2), part: 1.5 },
        { ...part(1, 2), part: '1' },
        { ...part(1, 256), total: 256 },
        { ...part(1, 2), total: 0 },
        { ...part(1, 2), total: Number.NaN },
        { ...part(1, 2), from: '' },
        { ...part(1, 2), from: 7 },
        { ...part(1, 2), ref: '' },
        { ...part(1, 2), ref: 'r'.repeat(257) },
        { ...part(1, 2), provider: 'not a provider' },
        { ...part(1, 2), message: null },
        { ...part(1, 2), message: 'text' },
        { ...part(1, 2), message: [] },
        { ...part(1, 2), message: { text: 'no id' } },
        { ...part(1, 2), message: cyclic },
        { ...part(1, 2), message: { ...inbound('M'), raw: () => 1 } },
        { ...part(1, 2), message: { ...inbound('M'), raw: 10n } },
        { ...part(1, 2), message: { ...inbound('M'), raw: Number.NaN } },
        { ...part(1, 2), message: { ...inbound('M'), raw: 'x'.repeat(1024 * 1024) } },
      ];
      for (const p of bad) {
        expect([p, await rejectedCode(db.store.collectInboundPart(p as InboundPart))]).toEqual([p, 'INVALID_INPUT']);
      }
      expect(count(db.file, 'inbound_parts')).toBe(0);
    });

    it('answers STORE_ERROR once the store is closed', async () => {
      const store: Store = await openSqliteStore(':memory:');
      await store.close();
      expect(await rejectedCode(store.collectInboundPart(part(1, 2)))).toBe('STORE_ERROR');
      expect(await rejectedCode(store.recordInbound([inbound('A')]))).toBe('STORE_ERROR');
    });
  });
});
