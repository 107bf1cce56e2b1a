import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { SmsError } from '../errors';
import type { ConsentEvent, Store } from '../types';
import { openSqliteStore } from './sqlite';

const PHONE = '+14155550100';
const OTHER = '+33612345678';

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return e instanceof SmsError ? e.code : `raw: ${String(e)}`;
  }
  return 'resolved';
}

describe('sqlite store: consent ledger', () => {
  let dir: string;
  let file: string;
  let store: Store;
  let clock: number;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'a2p-store-consent-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  beforeEach(async () => {
    clock = Date.UTC(2025, 0, 1, 12, 0, 0);
    file = path.join(dir, `${expect.getState().currentTestName?.replace(/\W+/g, '-')}.sqlite`);
    store = await openSqliteStore(file, { now: () => clock });
  });
  afterEach(() => store.close());

  const event = (e: Partial<ConsentEvent>): ConsentEvent => ({
    phone: PHONE,
    topic: '*',
    action: 'opt-out',
    source: 'sms',
    ...e,
  });
  const tick = (ms = 1000) => (clock += ms);

  it('follows STOP, then START, then STOP', async () => {
    await store.recordConsent(event({ action: 'opt-out', evidence: { text: 'STOP' } }));
    expect(await store.checkConsent({ phone: PHONE, topic: 'marketing' })).toEqual({
      allowed: false,
      reason: 'opted-out',
      since: '2025-01-01T12:00:00.000Z',
    });
    tick();
    await store.recordConsent(event({ action: 'opt-in', evidence: { text: 'START' } }));
    expect(await store.checkConsent({ phone: PHONE, topic: 'marketing' })).toEqual({
      allowed: true,
      reason: 'opted-in',
      since: '2025-01-01T12:00:01.000Z',
    });
    tick();
    await store.recordConsent(event({ action: 'opt-out', evidence: { text: 'STOP' } }));
    const decision = await store.checkConsent({ phone: PHONE, topic: 'transactional', requireOptIn: true });
    expect(decision).toEqual({ allowed: false, reason: 'opted-out', since: '2025-01-01T12:00:02.000Z' });
  });

  it('lets a later opt-in to one topic override an earlier STOP for that topic only', async () => {
    await store.recordConsent(event({ topic: '*', action: 'opt-out' }));
    tick();
    await store.recordConsent(event({ topic: 'marketing', action: 'opt-in', source: 'form' }));
    expect(await store.checkConsent({ phone: PHONE, topic: 'marketing' })).toMatchObject({
      allowed: true,
      reason: 'opted-in',
    });
    expect(await store.checkConsent({ phone: PHONE, topic: 'transactional' })).toMatchObject({
      allowed: false,
      reason: 'opted-out',
    });
    tick();
    // A new STOP covers every topic again, the one opted into included.
    await store.recordConsent(event({ topic: '*', action: 'opt-out' }));
    expect(await store.checkConsent({ phone: PHONE, topic: 'marketing' })).toMatchObject({ allowed: false });
  });

  it('lets a topic opt-out stand beside a global opt-in', async () => {
    await store.recordConsent(event({ topic: '*', action: 'opt-in' }));
    tick();
    await store.recordConsent(event({ topic: 'marketing', action: 'opt-out' }));
    expect(await store.checkConsent({ phone: PHONE, topic: 'marketing' })).toMatchObject({ reason: 'opted-out' });
    expect(await store.checkConsent({ phone: PHONE, topic: 'alerts', requireOptIn: true })).toMatchObject({
      reason: 'opted-in',
    });
  });

  it('without events: not required unless opt-in is required', async () => {
    expect(await store.checkConsent({ phone: PHONE, topic: 'marketing' })).toEqual({
      allowed: true,
      reason: 'not-required',
    });
    expect(await store.checkConsent({ phone: PHONE, topic: 'marketing', requireOptIn: true })).toEqual({
      allowed: false,
      reason: 'no-consent',
    });
    await store.recordConsent(event({ phone: OTHER, topic: 'marketing', action: 'opt-in' }));
    await store.recordConsent(event({ topic: 'alerts', action: 'opt-in' }));
    // Another number's consent and another topic's consent say nothing about this one.
    expect(await store.checkConsent({ phone: PHONE, topic: 'marketing', requireOptIn: true })).toEqual({
      allowed: false,
      reason: 'no-consent',
    });
    await store.recordConsent(event({ topic: 'marketing', action: 'opt-in' }));
    expect(await store.checkConsent({ phone: PHONE, topic: 'marketing', requireOptIn: true })).toMatchObject({
      allowed: true,
      reason: 'opted-in',
    });
  });

  it('decides by event time, not by the order events were recorded (imports of old consent)', async () => {
    await store.recordConsent(event({ action: 'opt-out', at: '2025-01-01T10:00:00Z' }));
    await store.recordConsent(event({ action: 'opt-in', at: '2024-06-01T10:00:00+02:00', source: 'import' }));
    expect(await store.checkConsent({ phone: PHONE, topic: 'marketing' })).toEqual({
      allowed: false,
      reason: 'opted-out',
      since: '2025-01-01T10:00:00.000Z',
    });
  });

  it('breaks ties at the same instant by insertion order', async () => {
    const at = '2025-01-01T09:00:00Z';
    await store.recordConsent(event({ action: 'opt-in', at }));
    await store.recordConsent(event({ action: 'opt-out', at }));
    expect(await store.checkConsent({ phone: PHONE, topic: 'x' })).toMatchObject({ reason: 'opted-out' });
    await store.recordConsent(event({ action: 'opt-in', topic: 'x', at }));
    expect(await store.checkConsent({ phone: PHONE, topic: 'x' })).toMatchObject({ reason: 'opted-in' });
  });

  it('returns the record, and the history oldest first with its evidence', async () => {
    const first = await store.recordConsent(
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
    await store.recordConsent(event({ action: 'opt-out', evidence: { text: 'STOP', messageId: 'SM1' } }));
    await store.recordConsent(event({ action: 'opt-in', at: '2020-05-05T00:00:00Z', source: 'import' }));
    await store.recordConsent(event({ phone: OTHER }));
    const history = await store.consentHistory(PHONE);
    expect(history.map((h) => [h.at, h.action, h.source])).toEqual([
      ['2020-05-05T00:00:00.000Z', 'opt-in', 'import'],
      ['2025-01-01T12:00:00.000Z', 'opt-in', 'form'],
      ['2025-01-01T12:00:01.000Z', 'opt-out', 'sms'],
    ]);
    expect(history[2]?.evidence).toEqual({ text: 'STOP', messageId: 'SM1' });
    expect(history[0]?.evidence).toEqual({});
    expect(await store.consentHistory('+12025550123')).toEqual([]);
  });

  it('trims topics alike when recording and checking', async () => {
    const r = await store.recordConsent(event({ topic: '  marketing ', action: 'opt-in' }));
    expect(r.topic).toBe('marketing');
    expect(await store.checkConsent({ phone: PHONE, topic: 'marketing ', requireOptIn: true })).toMatchObject({
      allowed: true,
    });
  });

  it('keeps the ledger append-only even for someone editing the file directly', async () => {
    await store.recordConsent(event({}));
    const raw = new DatabaseSync(file);
    try {
      expect(() => raw.exec(`UPDATE consent_events SET action = 'opt-in'`)).toThrow(/append-only/);
      expect(() => raw.exec('DELETE FROM consent_events')).toThrow(/append-only/);
    } finally {
      raw.close();
    }
    expect(await store.checkConsent({ phone: PHONE, topic: 'x' })).toMatchObject({ reason: 'opted-out' });
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
    for (const e of bad) expect([e, await codeOf(store.recordConsent(e as ConsentEvent))]).toEqual([e, 'INVALID_INPUT']);
    expect(await store.consentHistory(PHONE)).toEqual([]);
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
      expect(await codeOf(store.checkConsent(b as { phone: string; topic: string }))).toBe('INVALID_INPUT');
    }
    for (const p of ['', 'x', '+1', null, { phone: PHONE }, '+1'.padEnd(5000, '5')]) {
      expect(await codeOf(store.consentHistory(p as string))).toBe('INVALID_INPUT');
    }
  });
});
