import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { rejected } from '../../test/support/sms-error';
import { useTempDir } from '../../test/support/temp-store';
import type { Store } from '../types';
import { MIGRATIONS, SCHEMA_VERSION } from './sqlite-schema';
import { openSqliteStore, resolveSqlitePath } from './sqlite';

const PHONE = '+14155550100';

/** One call of every Store method, with valid arguments. */
function everyCall(store: Store): [string, () => Promise<unknown>][] {
  const result = { provider: 'sandbox', messageId: 'S1', status: 'queued', to: PHONE, segments: 1, encoding: 'GSM-7' } as const;
  return [
    ['recordConsent', () => store.recordConsent({ phone: PHONE, topic: '*', action: 'opt-out', source: 'sms' })],
    ['checkConsent', () => store.checkConsent({ phone: PHONE, topic: 'marketing' })],
    ['consentHistory', () => store.consentHistory(PHONE)],
    ['importConsent', () => store.importConsent([{ phone: PHONE, topic: '*', action: 'opt-out', source: 'import' }])],
    ['holdMessage', () => store.holdMessage({ queue: 'q', id: 'h', releaseAt: '2025-01-01T08:00:00Z', payload: {} })],
    ['heldMessages', () => store.heldMessages('q')],
    ['releaseHeld', () => store.releaseHeld('q', 'h')],
    ['countHeld', () => store.countHeld('q')],
    ['claimSend', () => store.claimSend('k', { provider: 'sandbox', to: PHONE })],
    ['completeSend', () => store.completeSend('k', result)],
    ['releaseSend', () => store.releaseSend('k', { inDoubt: false, error: { code: 'NETWORK_ERROR', message: 'x', retryable: false } })],
    [
      'applyReport',
      () =>
        store.applyReport({
          provider: 'sandbox',
          messageId: 'S1',
          status: 'delivered',
          final: true,
          providerStatus: 'delivered',
          occurredAt: '2025-01-01T00:00:00Z',
        }),
    ],
    ['getMessage', () => store.getMessage('S1')],
  ];
}

describe('sqlite store: opening, schema and failures', () => {
  const tmp = useTempDir('a2p-store-open-');

  it('creates missing parent folders, uses WAL, and records the schema version', async () => {
    const file = path.join(tmp.path, 'deep', 'er', 'a2p-kit.sqlite');
    const store = await openSqliteStore(file);
    await store.close();
    const raw = new DatabaseSync(file);
    try {
      expect(raw.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
      expect(raw.prepare('PRAGMA user_version').get()).toEqual({ user_version: SCHEMA_VERSION });
    } finally {
      raw.close();
    }
  });

  it('keeps what it stored across a close and reopen', async () => {
    const file = path.join(tmp.path, 'reopen.sqlite');
    const first = await openSqliteStore(file);
    await first.recordConsent({ phone: PHONE, topic: '*', action: 'opt-out', source: 'sms' });
    await first.claimSend('k', { provider: 'sandbox', to: PHONE });
    await first.close();
    const second = await openSqliteStore(file);
    try {
      expect(await second.checkConsent({ phone: PHONE, topic: 'x' })).toMatchObject({ reason: 'opted-out' });
      expect(await second.claimSend('k', { provider: 'sandbox', to: PHONE })).toMatchObject({ state: 'pending' });
    } finally {
      await second.close();
    }
  });

  it('works in memory for dry runs', async () => {
    const store = await openSqliteStore(':memory:');
    await store.recordConsent({ phone: PHONE, topic: 'x', action: 'opt-in', source: 'api' });
    expect(await store.consentHistory(PHONE)).toHaveLength(1);
    await store.close();
  });

  it('fails every call after close with STORE_ERROR; close itself is idempotent', async () => {
    const store = await openSqliteStore(path.join(tmp.path, 'closed.sqlite'));
    await store.close();
    await store.close();
    for (const [name, call] of everyCall(store)) {
      const e = await rejected(call());
      expect([name, e.code, e.message]).toEqual([name, 'STORE_ERROR', expect.stringContaining('closed')]);
    }
  });

  it('refuses a file that is not a SQLite database with STORE_ERROR', async () => {
    const file = path.join(tmp.path, 'garbage.sqlite');
    fs.writeFileSync(file, Buffer.alloc(8192, 0x5a));
    const e = await rejected(openSqliteStore(file));
    expect(e.code).toBe('STORE_ERROR');
    expect(e.message).toMatch(/not a SQLite database/);
  });

  it('refuses a path it cannot create with STORE_ERROR', async () => {
    const blocker = path.join(tmp.path, 'a-file');
    fs.writeFileSync(blocker, 'x');
    expect((await rejected(openSqliteStore(path.join(blocker, 'sub', 'db.sqlite')))).code).toBe('STORE_ERROR');
    // A folder where the file should be.
    expect((await rejected(openSqliteStore(tmp.path))).code).toBe('STORE_ERROR');
  });

  it('migrates a version-1 file to the current schema, keeping its data', async () => {
    const file = path.join(tmp.path, 'v1.sqlite');
    const raw = new DatabaseSync(file);
    raw.exec(MIGRATIONS[0] as string);
    raw.exec('PRAGMA user_version = 1');
    raw.exec(`INSERT INTO consent_events (phone, topic, action, source, at_ms, evidence, recorded_at_ms)
              VALUES ('${PHONE}', '*', 'opt-out', 'sms', 0, '{"text":"STOP"}', 0)`);
    raw.close();
    const store = await openSqliteStore(file);
    try {
      expect(await store.consentHistory(PHONE)).toEqual([
        { id: 1, phone: PHONE, topic: '*', action: 'opt-out', source: 'sms', at: '1970-01-01T00:00:00.000Z', evidence: { text: 'STOP' } },
      ]);
      await store.holdMessage({ queue: 'q', id: 'h', releaseAt: '2025-01-01T08:00:00Z', payload: { n: 1 } });
      expect(await store.countHeld('q')).toBe(1);
    } finally {
      await store.close();
    }
    const check = new DatabaseSync(file);
    try {
      expect(check.prepare('PRAGMA user_version').get()).toEqual({ user_version: SCHEMA_VERSION });
      expect(SCHEMA_VERSION).toBe(3);
    } finally {
      check.close();
    }
  });

  it('refuses a file written by a newer schema instead of damaging it', async () => {
    const file = path.join(tmp.path, 'future.sqlite');
    const raw = new DatabaseSync(file);
    raw.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    const e = await rejected(openSqliteStore(file));
    expect(e.code).toBe('STORE_ERROR');
    expect(e.message).toMatch(/newer/);
  });

  it('answers a write lock held past the busy timeout with a retryable STORE_ERROR', async () => {
    const file = path.join(tmp.path, 'busy.sqlite');
    const store = await openSqliteStore(file, { busyTimeoutMs: 50 });
    const other = new DatabaseSync(file);
    other.exec('BEGIN IMMEDIATE');
    try {
      const e = await rejected(store.claimSend('k', { provider: 'sandbox', to: PHONE }));
      expect(e.code).toBe('STORE_ERROR');
      expect(e.retryable).toBe(true);
      // Reads go on beside the writer (WAL).
      expect(await store.checkConsent({ phone: PHONE, topic: 'x' })).toMatchObject({ allowed: true });
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(await store.claimSend('k', { provider: 'sandbox', to: PHONE })).toEqual({ claimed: true });
    await store.close();
  });

  it('turns a broken stored row into STORE_ERROR, not a raw exception', async () => {
    const file = path.join(tmp.path, 'tampered.sqlite');
    const store = await openSqliteStore(file);
    await store.completeSend('k', { provider: 'sandbox', messageId: 'S1', status: 'queued', to: PHONE, segments: 1, encoding: 'GSM-7' });
    const raw = new DatabaseSync(file);
    raw.exec(`UPDATE sends SET result = '{not json' WHERE idempotency_key = 'k'`);
    raw.close();
    expect((await rejected(store.claimSend('k', { provider: 'sandbox', to: PHONE }))).code).toBe('STORE_ERROR');
    await store.close();
  });

  it('validates its own options and path', async () => {
    for (const p of ['', '   ', 'a\u0000b', undefined, 42]) {
      expect((await rejected(openSqliteStore(p as string))).code).toBe('INVALID_INPUT');
    }
    for (const busyTimeoutMs of [-1, 1.5, Number.NaN, 10_000_000]) {
      expect((await rejected(openSqliteStore(':memory:', { busyTimeoutMs }))).code).toBe('INVALID_INPUT');
    }
    expect((await rejected(openSqliteStore(':memory:', { now: 5 as unknown as () => number }))).code).toBe('INVALID_INPUT');
    const broken = await openSqliteStore(':memory:', { now: () => Number.NaN });
    expect((await rejected(broken.claimSend('k', { provider: 'sandbox', to: PHONE }))).code).toBe('STORE_ERROR');
    await broken.close();
  });

  it('resolves ~ to the home folder and relative paths from the working directory', () => {
    expect(resolveSqlitePath('~/.n8n/a2p-kit.sqlite')).toBe(path.join(os.homedir(), '.n8n', 'a2p-kit.sqlite'));
    expect(resolveSqlitePath('data/a.sqlite')).toBe(path.resolve('data/a.sqlite'));
    expect(resolveSqlitePath(':memory:')).toBe(':memory:');
  });
});
