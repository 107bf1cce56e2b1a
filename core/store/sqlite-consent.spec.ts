import { DatabaseSync } from 'node:sqlite';
import { rejectedCode } from '../../test/support/sms-error';
import { useTempStore } from '../../test/support/temp-store';
import type { ConsentEvent } from '../types';
import { openSqliteStore } from './sqlite';

const PHONE = '+14155550100';
const OTHER = '+33612345678';

describe('sqlite store: consent ledger', () => {
  let clock: number;
  beforeEach(() => {
    clock = Date.UTC(2025, 0, 1, 12, 0, 0);
  });
  const db = useTempStore('a2p-store-consent-', (file) => openSqliteStore(file, { now: () => clock }));

  const event = (e: Partial<ConsentEvent>): ConsentEvent => ({
    phone: PHONE,
    topic: '*',
    action: 'opt-out',
    source: 'sms',
    ...e,
  });
  const tick = (ms = 1000) => (clock += ms);

  it('follows STOP, then START, then STOP', async () => {
    await db.store.recordConsent(event({ action: 'opt-out', evidence: { text: 'STOP' } }));
    expect(await db.store.checkConsent({ phone: PHONE, topic: 'marketing' })).toEqual({
      allowed: false,
      reason: 'opted-out',
      since: '2025-01-01T12:00:00.000Z',
    });
    tick();
    await db.store.recordConsent(event({ action: 'opt-in', evidence: { text: 'START' } }));
    expect(await db.store.checkConsent({ phone: PHONE, topic: 'marketing' })).toEqual({
      allowed: true,
      reason: 'opted-in',
      since: '2025-01-01T12:00:01.000Z',
    });
    tick();
    await db.store.recordConsent(event({ action: 'opt-out', evidence: { text: 'STOP' } }));
    const decision = await db.store.checkConsent({ phone: PHONE, topic: 'transactional', requireOptIn: true });
    expect(decision).toEqual({ allowed: false, reason: 'opted-out', since: '2025-01-01T12:00:02.000Z' });
  });

  it('lets a later opt-in to one topic override an earlier STOP for that topic only', async () => {
    await db.store.recordConsent(event({ topic: '*', action: 'opt-out' }));
    tick();
    await db.store.recordConsent(event({ topic: 'marketing', action: 'opt-in', source: 'form' }));
    expect(await db.store.checkConsent({ phone: PHONE, topic: 'marketing' })).toMatchObject({
      allowed: true,
      reason: 'opted-in',
    });
    expect(await db.store.checkConsent({ phone: PHONE, topic: 'transactional' })).toMatchObject({
      allowed: false,
      reason: 'opted-out',
    });
    tick();
    // A new STOP covers every topic again, the one opted into included.
    await db.store.recordConsent(event({ topic: '*', action: 'opt-out' }));
    expect(await db.store.checkConsent({ phone: PHONE, topic: 'marketing' })).toMatchObject({ allowed: false });
  });

  it('lets a topic opt-out stand beside a global opt-in', async () => {
    await db.store.recordConsent(event({ topic: '*', action: 'opt-in' }));
    tick();
    await db.store.recordConsent(event({ topic: 'marketing', action: 'opt-out' }));
    expect(await db.store.checkConsent({ phone: PHONE, topic: 'marketing' })).toMatchObject({ reason: 'opted-out' });
    expect(await db.store.checkConsent({ phone: PHONE, topic: 'alerts', requireOptIn: true })).toMatchObject({
      reason: 'opted-in',
    });
  });

  it('without events: not required unless opt-in is required', async () => {
    expect(await db.store.checkConsent({ phone: PHONE, topic: 'marketing' })).toEqual({
      allowed: true,
      reason: 'not-required',
    });
    expect(await db.store.checkConsent({ phone: PHONE, topic: 'marketing', requireOptIn: true })).toEqual({
      allowed: false,
      reason: 'no-consent',
    });
    await db.store.recordConsent(event({ phone: OTHER, topic: 'marketing', action: 'opt-in' }));
    await db.store.recordConsent(event({ topic: 'alerts', action: 'opt-in' }));
    // Another number's consent and another topic's consent say nothing about this one.
    expect(await db.store.checkConsent({ phone: PHONE, topic: 'marketing', requireOptIn: true })).toEqual({
      allowed: false,
      reason: 'no-consent',
    });
    await db.store.recordConsent(event({ topic: 'marketing', action: 'opt-in' }));
    expect(await db.store.checkConsent({ phone: PHONE, topic: 'marketing', requireOptIn: true })).toMatchObject({
      allowed: true,
      reason: 'opted-in',
    });
  });

  it('decides by event time, not by the order events were recorded (imports of old consent)', async () => {
    await db.store.recordConsent(event({ action: 'opt-out', at: '2025-01-01T10:00:00Z' }));
    await db.store.recordConsent(event({ action: 'opt-in', at: '2024-06-01T10:00:00+02:00', source: 'import' }));
    expect(await db.store.checkConsent({ phone: PHONE, topic: 'marketing' })).toEqual({
      allowed: false,
      reason: 'opted-out',
      since: '2025-01-01T10:00:00.000Z',
    });
  });

  it('breaks ties at the same instant by insertion order', async () => {
    const at = '2025-01-01T09:00:00Z';
    await db.store.recordConsent(event({ action: 'opt-in', at }));
    await db.store.recordConsent(event({ action: 'opt-out', at }));
    expect(await db.store.checkConsent({ phone: PHONE, topic: 'x' })).toMatchObject({ reason: 'opted-out' });
    await db.store.recordConsent(event({ action: 'opt-in', topic: 'x', at }));
    expect(await db.store.checkConsent({ phone: PHONE, topic: 'x' })).toMatchObject({ reason: 'opted-in' });
  });

  it('returns the record, and the history oldest first with its evidence', async () => {
    const first = await db.store.recordConsent(
      event({ action: 'opt-in', topic: 'marketing', source: 'form', evidence: { url: 'https://x.test/f', ip: '192.0.2.1' } }),
    );
    expect(first).toEqual({
      id: expect.any(Number),
      phone: PHONE,
      topic: 'marketing',
      action: 'opt-in',
      source: 'form',
      at: '2025-01-01T12:00:00.000Z',
      evidence: { url: 'https://x.test/f', ip: '192.0.2.1' },
    });
    tick();
    await db.store.recordConsent(event({ action: 'opt-out', evidence: { text: 'STOP', messageId: 'SM1' } }));
    await db.store.recordConsent(event({ action: 'opt-in', at: '2020-05-05T00:00:00Z', source: 'import' }));
    await db.store.recordConsent(event({ phone: OTHER }));
    const history = await db.store.consentHistory(PHONE);
    expect(history.map((h) => [h.at, h.action, h.source])).toEqual([
      ['2020-05-05T00:00:00.000Z', 'opt-in', 'import'],
      ['2025-01-01T12:00:00.000Z', 'opt-in', 'form'],
      ['2025-01-01T12:00:01.000Z', 'opt-out', 'sms'],
    ]);
    expect(history[2]?.evidence).toEqual({ text: 'STOP', messageId: 'SM1' });
    expect(history[0]?.evidence).toEqual({});
    expect(await db.store.consentHistory('+12025550123')).toEqual([]);
  });

  it('trims topics alike when recording and checking', async () => {
    const r = await db.store.recordConsent(event({ topic: '  marketing ', action: 'opt-in' }));
    expect(r.topic).toBe('marketing');
    expect(await db.store.checkConsent({ phone: PHONE, topic: 'marketing ', requireOptIn: true })).toMatchObject({
      allowed: true,
    });
  });

  it('keeps the ledger append-only even for someone editing the file directly', async () => {
    await db.store.recordConsent(event({}));
    const raw = new DatabaseSync(db.file);
    try {
      expect(() => raw.exec(`UPDATE consent_events SET action = 'opt-in'`)).toThrow(/append-only/);
      expect(() => raw.exec('DELETE FROM consent_events')).toThrow(/append-only/);
    } finally {
      raw.close();
    }
    expect(await db.store.checkConsent({ phone: PHONE, topic: 'x' })).toMatchObject({ reason: 'opted-out' });
  });

  it('rejects malformed events with INVALID_INPUT and records nothing', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const bad: unknown[] = [
      null,
      'STOP',
      [],
      event({ phone: '4155550100' }),
      event({ phone: '+0123456789' }),
      event({ phone: '+1415555010012345' }),
      event({ phone: ' +14155550100' }),
      event({ phone: 14155550100 as unknown as string }),
      event({ topic: '' }),
      event({ topic: '   ' }),
      event({ topic: 'x'.repeat(101) }),
      event({ topic: 'a\u0000b' }),
      event({ topic: 7 as unknown as string }),
      event({ action: 'unsubscribe' as 'opt-out' }),
      event({ action: undefined as unknown as 'opt-out' }),
      event({ source: '' }),
      event({ source: 'y'.repeat(101) }),
      event({ source: undefined as unknown as string }),
      event({ at: 'yesterday' }),
      event({ at: '2025-02-30T10:00:00Z' }),
      event({ at: '2025-01-01T10:00:00' }),
      event({ at: '2025-01-01T25:00:00Z' }),
      event({ at: '1969-12-31T23:59:59Z' }),
      event({ at: 1735732800000 as unknown as string }),
      event({ evidence: [] as unknown as Record<string, unknown> }),
      event({ evidence: 'proof' as unknown as Record<string, unknown> }),
      event({ evidence: new Date() as unknown as Record<string, unknown> }),
      event({ evidence: cyclic }),
      event({ evidence: { n: BigInt(1) } }),
      event({ evidence: { blob: 'z'.repeat(20_000) } }),
    ];
    for (const e of bad) expect([e, await rejectedCode(db.store.recordConsent(e as ConsentEvent))]).toEqual([e, 'INVALID_INPUT']);
    expect(await db.store.consentHistory(PHONE)).toEqual([]);
  });

  it('rejects malformed queries with INVALID_INPUT', async () => {
    const q = { phone: PHONE, topic: 'marketing' };
    const bad: unknown[] = [
      undefined,
      { ...q, phone: 'abc' },
      { ...q, topic: '' },
      { ...q, topic: 'x'.repeat(500) },
      { ...q, requireOptIn: 'yes' },
    ];
    for (const b of bad) {
      expect(await rejectedCode(db.store.checkConsent(b as { phone: string; topic: string }))).toBe('INVALID_INPUT');
    }
    for (const p of ['', 'x', '+1', null, { phone: PHONE }, '+1'.padEnd(5000, '5')]) {
      expect(await rejectedCode(db.store.consentHistory(p as string))).toBe('INVALID_INPUT');
    }
  });
});
