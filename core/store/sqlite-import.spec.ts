import { DatabaseSync } from 'node:sqlite';
import { rejected, rejectedCode } from '../../test/support/sms-error';
import { useTempStore, ledgerRowCount } from '../../test/support/temp-store';
import type { ConsentEvent } from '../types';
import { openSqliteStore } from './sqlite';

const PHONE = '+14155550100';
const OTHER = '+33612345678';

describe('sqlite store: importConsent', () => {
  let clock: number;
  beforeEach(() => {
    clock = Date.UTC(2025, 0, 1, 12, 0, 0);
  });
  const db = useTempStore('a2p-store-import-', (file) => openSqliteStore(file, { now: () => clock }));

  const event = (e: Partial<ConsentEvent>): ConsentEvent => ({
    phone: PHONE,
    topic: '*',
    action: 'opt-out',
    source: 'import',
    ...e,
  });
  const rowCount = (): number => ledgerRowCount(db.file);

  it('records a list, skipping what the ledger already says, and a re-import adds nothing', async () => {
    const list = [event({}), event({ phone: OTHER, evidence: { import: { row: 2 } } })];
    expect(await db.store.importConsent(list)).toEqual({ recorded: 2, unchanged: 0 });
    expect(await db.store.checkConsent({ phone: OTHER, topic: 'marketing' })).toMatchObject({ reason: 'opted-out' });
    clock += 1000;
    expect(await db.store.importConsent(list)).toEqual({ recorded: 0, unchanged: 2 });
    expect(await db.store.consentHistory(OTHER)).toEqual([
      expect.objectContaining({ source: 'import', evidence: { import: { row: 2 } }, at: '2025-01-01T12:00:00.000Z' }),
    ]);
  });

  it('applies events in order, so a later one sees the earlier ones', async () => {
    const result = await db.store.importConsent([
      event({}),
      event({}),
      event({ action: 'opt-in' }),
      event({ action: 'opt-in' }),
      event({ topic: 'marketing', action: 'opt-in' }),
      event({ topic: 'marketing', action: 'opt-out' }),
    ]);
    expect(result).toEqual({ recorded: 3, unchanged: 3 });
    expect((await db.store.consentHistory(PHONE)).map((r) => `${r.topic}:${r.action}`)).toEqual([
      '*:opt-out',
      '*:opt-in',
      'marketing:opt-out',
    ]);
  });

  it('compares a topic event with the latest event of that topic or of *', async () => {
    await db.store.recordConsent(event({ topic: '*', action: 'opt-out' }));
    clock += 1000;
    // Marketing is already opted out through the STOP; transactional too; a marketing opt-in is news.
    expect(
      await db.store.importConsent([
        event({ topic: 'marketing' }),
        event({ topic: 'transactional' }),
        event({ topic: 'alerts', action: 'opt-in' }),
      ]),
    ).toEqual({ recorded: 1, unchanged: 2 });
  });

  it('counts a * event unchanged only when every topic already answers the same', async () => {
    await db.store.recordConsent(event({ topic: '*', action: 'opt-out' }));
    clock += 1000;
    await db.store.recordConsent(event({ topic: 'marketing', action: 'opt-in', source: 'form' }));
    clock += 1000;
    // The opt-in to marketing since the STOP means the list's opt-out changes something.
    expect(await db.store.importConsent([event({})])).toEqual({ recorded: 1, unchanged: 0 });
    expect(await db.store.checkConsent({ phone: PHONE, topic: 'marketing' })).toMatchObject({ reason: 'opted-out' });
    // A topic opt-out alone does not cover every topic: a * opt-out still adds something.
    expect(await db.store.importConsent([event({ phone: OTHER, topic: 'marketing' }), event({ phone: OTHER })])).toEqual({
      recorded: 2,
      unchanged: 0,
    });
    // An earlier same-action topic event after the * one changes nothing.
    await db.store.recordConsent(event({ phone: OTHER, topic: 'alerts', action: 'opt-out' }));
    expect(await db.store.importConsent([event({ phone: OTHER })])).toEqual({ recorded: 0, unchanged: 1 });
  });

  it('records a * opt-in for a number that has no events (not-required becomes opted-in)', async () => {
    expect(await db.store.importConsent([event({ action: 'opt-in' })])).toEqual({ recorded: 1, unchanged: 0 });
    expect(await db.store.checkConsent({ phone: PHONE, topic: 'x', requireOptIn: true })).toMatchObject({
      allowed: true,
      reason: 'opted-in',
    });
  });

  it('accepts an empty list', async () => {
    expect(await db.store.importConsent([])).toEqual({ recorded: 0, unchanged: 0 });
  });

  it('records nothing when one event in the middle is invalid, and names it', async () => {
    const list: ConsentEvent[] = [];
    for (let i = 0; i < 5000; i++) list.push(event({ phone: `+1415555${String(i).padStart(4, '0')}` }));
    list[2500] = event({ phone: '0612345678' });
    const e = await rejected(db.store.importConsent(list));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toMatch(/\[2500\].*E\.164.*nothing was recorded/);
    expect(rowCount()).toBe(0);
  });

  it('rolls back every event when the database fails part-way', async () => {
    await db.store.recordConsent(event({ phone: OTHER }));
    const raw = new DatabaseSync(db.file);
    // A trigger standing in for a disk failure on the 3rd insert of the import.
    raw.exec(`CREATE TRIGGER fail_third BEFORE INSERT ON consent_events
              WHEN (SELECT COUNT(*) FROM consent_events) >= 3 BEGIN SELECT RAISE(ABORT, 'disk gone'); END`);
    raw.close();
    const list = ['+14155550101', '+14155550102', '+14155550103', '+14155550104'].map((phone) => event({ phone }));
    const e = await rejected(db.store.importConsent(list));
    expect(e.code).toBe('STORE_ERROR');
    expect(rowCount()).toBe(1);
  });

  it('imports 100,000 events in one call', async () => {
    const list: ConsentEvent[] = [];
    for (let i = 0; i < 100_000; i++) list.push(event({ phone: `+1415${String(i).padStart(7, '0')}` }));
    expect(await db.store.importConsent(list)).toEqual({ recorded: 100_000, unchanged: 0 });
    expect(rowCount()).toBe(100_000);
  });

  it('rejects malformed and hostile input with INVALID_INPUT', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const bad: unknown[] = [
      undefined,
      null,
      'events',
      { length: 1, 0: event({}) },
      [null],
      [event({ action: 'unsubscribe' as ConsentEvent['action'] })],
      [event({ topic: '' })],
      [event({ topic: 'x'.repeat(101) })],
      [event({ source: '' })],
      [event({ at: 'yesterday' })],
      [event({ evidence: cyclic })],
      [event({ evidence: { big: 'x'.repeat(20_000) } })],
      [event({ evidence: [] as unknown as Record<string, unknown> })],
    ];
    for (const input of bad) {
      expect([input, await rejectedCode(db.store.importConsent(input as ConsentEvent[]))]).toEqual([input, 'INVALID_INPUT']);
    }
    const tooMany = new Array<ConsentEvent>(1_000_001);
    expect(await rejectedCode(db.store.importConsent(tooMany))).toBe('INVALID_INPUT');
    expect(rowCount()).toBe(0);
  });
});
