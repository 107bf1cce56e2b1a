import { rejectedCode } from '../../test/support/sms-error';
import { useTempStore } from '../../test/support/temp-store';
import { openSqliteStore } from '../store/sqlite';
import type { ConsentRecord } from '../types';
import { checkRecipient, everyTopic, recipientHistory, recordRecipient } from './ledger';

const FR = '+33612345678';
const US = '+14155550100';

describe('consent ledger', () => {
  let clock: number;
  beforeEach(() => {
    clock = Date.UTC(2025, 0, 1, 12, 0, 0);
  });
  const db = useTempStore('a2p-ledger-', (file) => openSqliteStore(file, { now: () => clock }));
  const tick = () => (clock += 1000);

  it('follows STOP, then START, then STOP, whatever way the number is written', async () => {
    const stop = { action: 'opt-out', source: 'sms', evidence: { text: 'STOP' } } as const;
    await recordRecipient(db.store, { phone: '06 12 34 56 78', defaultCountry: 'FR', ...stop });
    tick();
    await recordRecipient(db.store, { phone: '+33 6 12 34 56 78', action: 'opt-in', source: 'sms', evidence: { text: 'START' } });
    expect(await checkRecipient(db.store, { phone: '0033612345678' })).toEqual({
      allowed: true,
      reason: 'opted-in',
      since: '2025-01-01T12:00:01.000Z',
      phone: FR,
    });
    tick();
    await recordRecipient(db.store, { phone: '0612345678', defaultCountry: 'fr', ...stop });
    expect(await checkRecipient(db.store, { phone: FR })).toEqual({
      allowed: false,
      reason: 'opted-out',
      since: '2025-01-01T12:00:02.000Z',
      phone: FR,
    });
    expect((await recipientHistory(db.store, '06.12.34.56.78', { defaultCountry: 'FR' })).map((r) => [r.action, r.evidence])).toEqual([
      ['opt-out', { text: 'STOP' }],
      ['opt-in', { text: 'START' }],
      ['opt-out', { text: 'STOP' }],
    ]);
  });

  it('keeps history in record order for events at the same instant', async () => {
    const at = '2025-01-01T09:00:00Z';
    for (const action of ['opt-in', 'opt-out', 'opt-in', 'opt-out'] as const) {
      await recordRecipient(db.store, { phone: US, action, at, evidence: { action } });
    }
    const history = await recipientHistory(db.store, US);
    expect(history.map((r) => r.evidence.action)).toEqual(['opt-in', 'opt-out', 'opt-in', 'opt-out']);
    expect(history.map((r) => r.at)).toEqual(Array(4).fill('2025-01-01T09:00:00.000Z'));
    expect(await checkRecipient(db.store, { phone: US, topic: 'alerts' })).toMatchObject({ reason: 'opted-out' });
  });

  it('defaults: topic * and source api when recording, topic marketing when checking', async () => {
    const record = await recordRecipient(db.store, { phone: US, action: 'opt-out' });
    expect(record).toMatchObject({ phone: US, topic: '*', source: 'api', evidence: {}, at: '2025-01-01T12:00:00.000Z' });
    tick();
    // Blank fields are unset node fields: the defaults apply.
    const optIn = await recordRecipient(db.store, { phone: US, action: 'opt-in', topic: ' ', source: '', at: '' });
    expect(optIn).toMatchObject({ topic: '*', source: 'api', at: '2025-01-01T12:00:01.000Z' });
    tick();
    await recordRecipient(db.store, { phone: US, action: 'opt-out', topic: 'marketing', source: 'form' });
    expect(await checkRecipient(db.store, { phone: US })).toMatchObject({ allowed: false, reason: 'opted-out' });
    expect(await checkRecipient(db.store, { phone: US, topic: '' })).toMatchObject({ allowed: false });
    expect(await checkRecipient(db.store, { phone: US, topic: 'alerts' })).toMatchObject({ allowed: true, reason: 'opted-in' });
  });

  it('answers requireOptIn as the store does', async () => {
    expect(await checkRecipient(db.store, { phone: US })).toEqual({ allowed: true, reason: 'not-required', phone: US });
    expect(await checkRecipient(db.store, { phone: US, requireOptIn: true })).toEqual({ allowed: false, reason: 'no-consent', phone: US });
    await recordRecipient(db.store, { phone: US, topic: 'marketing', action: 'opt-in', source: 'form' });
    expect(await checkRecipient(db.store, { phone: US, requireOptIn: true })).toMatchObject({ allowed: true, reason: 'opted-in' });
  });

  it('filters history by topic: the topic and *, or everything for *', async () => {
    await recordRecipient(db.store, { phone: US, action: 'opt-out' });
    tick();
    await recordRecipient(db.store, { phone: US, topic: 'marketing', action: 'opt-in' });
    tick();
    await recordRecipient(db.store, { phone: US, topic: 'alerts', action: 'opt-in' });
    const topics = async (topic?: string) =>
      (await recipientHistory(db.store, US, topic === undefined ? undefined : { topic })).map((r) => r.topic);
    expect(await topics('marketing')).toEqual(['*', 'marketing']);
    expect(await topics(' alerts ')).toEqual(['*', 'alerts']);
    expect(await topics('*')).toEqual(['*', 'marketing', 'alerts']);
    expect(await topics()).toEqual(['*', 'marketing', 'alerts']);
    expect(await recipientHistory(db.store, '+12025550123')).toEqual([]);
  });

  describe('checking topic *', () => {
    it('is blocked while an opt-out of any topic stands', async () => {
      await recordRecipient(db.store, { phone: US, action: 'opt-in' });
      tick();
      await recordRecipient(db.store, { phone: US, topic: 'marketing', action: 'opt-out' });
      expect(await checkRecipient(db.store, { phone: US, topic: '*' })).toEqual({
        allowed: false,
        reason: 'opted-out',
        since: '2025-01-01T12:00:01.000Z',
        phone: US,
      });
      tick();
      await recordRecipient(db.store, { phone: US, topic: 'marketing', action: 'opt-in' });
      expect(await checkRecipient(db.store, { phone: US, topic: '*', requireOptIn: true })).toEqual({
        allowed: true,
        reason: 'opted-in',
        since: '2025-01-01T12:00:02.000Z',
        phone: US,
      });
      tick();
      await recordRecipient(db.store, { phone: US, action: 'opt-out' });
      expect(await checkRecipient(db.store, { phone: US, topic: '*' })).toMatchObject({
        reason: 'opted-out',
        since: '2025-01-01T12:00:03.000Z',
      });
    });

    it('needs a * opt-in for opted-in: topic opt-ins say nothing about other topics', async () => {
      await recordRecipient(db.store, { phone: US, topic: 'marketing', action: 'opt-in' });
      expect(await checkRecipient(db.store, { phone: US, topic: '*' })).toMatchObject({ allowed: true, reason: 'not-required' });
      expect(await checkRecipient(db.store, { phone: US, topic: '*', requireOptIn: true })).toMatchObject({
        allowed: false,
        reason: 'no-consent',
      });
    });

    it('lets a later * event override earlier topic events', () => {
      const r = (id: number, topic: string, action: ConsentRecord['action']): ConsentRecord => ({
        id,
        phone: US,
        topic,
        action,
        source: 'api',
        at: `2025-01-01T00:00:0${id}.000Z`,
        evidence: {},
      });
      expect(everyTopic([r(1, 'marketing', 'opt-out'), r(2, '*', 'opt-in')], true)).toEqual({
        allowed: true,
        reason: 'opted-in',
        since: '2025-01-01T00:00:02.000Z',
      });
      expect(everyTopic([r(1, '*', 'opt-out'), r(2, 'marketing', 'opt-in')], false)).toEqual({
        allowed: false,
        reason: 'opted-out',
        since: '2025-01-01T00:00:01.000Z',
      });
      expect(everyTopic([r(1, '*', 'opt-in'), r(2, 'a', 'opt-out'), r(3, 'b', 'opt-out'), r(4, 'a', 'opt-in')], false)).toMatchObject({
        reason: 'opted-out',
        since: '2025-01-01T00:00:03.000Z',
      });
      expect(everyTopic([], false)).toEqual({ allowed: true, reason: 'not-required' });
    });
  });

  it('rejects bad numbers with INVALID_PHONE and records nothing', async () => {
    const phones: unknown[] = [
      '',
      'n/a',
      'john@example.com',
      '0612345678',
      '+1 800 FLOWERS',
      '1'.repeat(10_000),
      33612345678,
      null,
      undefined,
      {},
    ];
    for (const phone of phones) {
      const codes = [
        await rejectedCode(recordRecipient(db.store, { phone: phone as string, action: 'opt-out' })),
        await rejectedCode(checkRecipient(db.store, { phone: phone as string })),
        await rejectedCode(recipientHistory(db.store, phone as string)),
      ];
      expect([phone, codes]).toEqual([phone, ['INVALID_PHONE', 'INVALID_PHONE', 'INVALID_PHONE']]);
    }
    expect(await recipientHistory(db.store, FR)).toEqual([]);
  });

  it('rejects malformed options and events with INVALID_INPUT', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const events: unknown[] = [
      undefined,
      null,
      'STOP',
      [],
      { phone: US },
      { phone: US, action: 'unsubscribe' },
      { phone: US, action: 'opt-out', topic: 'x'.repeat(101) },
      { phone: US, action: 'opt-out', topic: 'a\u0007b' },
      { phone: US, action: 'opt-out', topic: 42 },
      { phone: US, action: 'opt-out', source: 'z'.repeat(500) },
      { phone: US, action: 'opt-out', source: 7 },
      { phone: US, action: 'opt-out', evidence: 'proof' },
      { phone: US, action: 'opt-out', evidence: ['proof'] },
      { phone: US, action: 'opt-out', evidence: cyclic },
      { phone: US, action: 'opt-out', evidence: { n: 1n } },
      { phone: US, action: 'opt-out', evidence: { blob: 'b'.repeat(50_000) } },
      { phone: US, action: 'opt-out', at: 'yesterday' },
      { phone: US, action: 'opt-out', at: 1735732800000 },
      { phone: '0612345678', action: 'opt-out', defaultCountry: 'XX' },
      { phone: '0612345678', action: 'opt-out', defaultCountry: 33 },
    ];
    for (const e of events) {
      expect([e, await rejectedCode(recordRecipient(db.store, e as never))]).toEqual([e, 'INVALID_INPUT']);
    }
    const queries: unknown[] = [
      undefined,
      'x',
      { phone: US, topic: 'x'.repeat(101) },
      { phone: US, topic: {} },
      { phone: US, requireOptIn: 'yes' },
      { phone: '0612345678', defaultCountry: 'France' },
    ];
    for (const q of queries) {
      expect([q, await rejectedCode(checkRecipient(db.store, q as never))]).toEqual([q, 'INVALID_INPUT']);
    }
    for (const opts of ['FR', [], { topic: 'x'.repeat(200) }, { defaultCountry: 'ZZ' }]) {
      expect([opts, await rejectedCode(recipientHistory(db.store, US, opts as never))]).toEqual([opts, 'INVALID_INPUT']);
    }
    expect(await recipientHistory(db.store, US)).toEqual([]);
  });
});
