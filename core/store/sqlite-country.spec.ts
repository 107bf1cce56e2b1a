/**
 * The recipient's country on the message log (schema 3): set when a message row is made or its
 * recipient learned, and filled in by the migration for the rows of an older file.
 */
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { useTempDir, useTempStore } from '../../test/support/temp-store';
import type { DeliveryReport } from '../types';
import { openSqliteStore } from './sqlite';
import { MIGRATIONS, SCHEMA_VERSION } from './sqlite-schema';

function report(messageId: string, extra: Partial<DeliveryReport> = {}): DeliveryReport {
  return {
    provider: 'sinch',
    messageId,
    status: 'delivered',
    final: true,
    providerStatus: 'Delivered',
    occurredAt: '2025-04-01T10:00:00Z',
    ...extra,
  };
}

describe('sqlite store: recipient country', () => {
  const db = useTempStore('a2p-store-country-', (file) => openSqliteStore(file));

  it('sets the country from the send’s recipient', async () => {
    await db.store.claimSend('k', { provider: 'sinch', to: '+33612345678' });
    expect(await db.store.getMessage('k')).toMatchObject({ state: 'pending', country: 'FR' });
    await db.store.completeSend('k', { provider: 'sinch', messageId: 'S1', status: 'queued', to: '+33612345678', segments: 1, encoding: 'GSM-7' });
    expect(await db.store.getMessage('S1')).toMatchObject({ country: 'FR' });
  });

  it('reads recipients written with or without the plus, and leaves other ones without a country', async () => {
    await db.store.applyReport(report('R1', { to: '14155550100' }));
    await db.store.applyReport(report('R2', { to: '+4915112345678' }));
    for (const [id, to] of [['R3', 'not a number'], ['R4', '+80012345678'], ['R5', '+447700900123'], ['R6', '0612345678']]) {
      await db.store.applyReport(report(id as string, { to }));
    }
    expect(await db.store.getMessage('R1')).toMatchObject({ country: 'US' });
    expect(await db.store.getMessage('R2')).toMatchObject({ country: 'DE' });
    // +800 is international, 07700 900xxx is reserved for drama, 06… is a national format.
    for (const id of ['R3', 'R4', 'R5', 'R6']) expect((await db.store.getMessage(id))?.country).toBeUndefined();
  });

  it('learns the country with the recipient from a later report, and keeps it after', async () => {
    await db.store.applyReport(report('R1', { status: 'sent', providerStatus: 'Dispatched' }));
    expect((await db.store.getMessage('R1'))?.country).toBeUndefined();
    await db.store.applyReport(report('R1', { to: '+33612345678' }));
    await db.store.applyReport(report('R1', { to: '+14155550100', status: 'failed', providerStatus: 'Failed' }));
    expect(await db.store.getMessage('R1')).toMatchObject({ to: '+33612345678', country: 'FR' });
  });

  it('takes the send’s recipient over the one a report gave first', async () => {
    await db.store.applyReport(report('S1', { to: '33612345678' }));
    await db.store.completeSend('k', { provider: 'sinch', messageId: 'S1', status: 'sent', to: '+14155550100', segments: 1, encoding: 'GSM-7' });
    expect(await db.store.getMessage('k')).toMatchObject({ to: '+14155550100', country: 'US' });
  });
});

describe('sqlite store: migration from schema 2', () => {
  const tmp = useTempDir('a2p-store-migrate3-');

  function versionTwoFile(rows: number): string {
    const file = path.join(tmp.path, `v2-${rows}.sqlite`);
    const raw = new DatabaseSync(file);
    raw.exec(MIGRATIONS[0] as string);
    raw.exec(MIGRATIONS[1] as string);
    raw.exec('PRAGMA user_version = 2');
    const insert = raw.prepare(
      `INSERT INTO messages (provider, message_id, idempotency_key, recipient, status, final, client_ref, created_at_ms, updated_at_ms)
       VALUES ('sinch', ?, ?, ?, 'delivered', 1, 'promo-1', 1000, 1000)`,
    );
    const recipients = ['+33612345678', '14155550100', '', 'alpha', '+4915112345678'];
    raw.exec('BEGIN');
    for (let i = 0; i < rows; i++) insert.run(`M${i}`, i === 0 ? 'k0' : null, recipients[i % recipients.length] as string);
    raw.exec('COMMIT');
    raw.exec(`INSERT INTO sends (idempotency_key, provider, recipient, state, claimed_at_ms, lease_until_ms, sent_at_ms,
                                 message_id, result, created_at_ms, updated_at_ms)
              VALUES ('k0', 'sinch', '+33612345678', 'sent', 1000, 1000, 1000, 'M0', '{}', 1000, 1000)`);
    raw.exec(`INSERT INTO delivery_reports (provider, message_id, provider_status, error_code, part, status, occurred_at_ms,
                                            received_at_ms, report)
              VALUES ('sinch', 'M0', 'Delivered', '', 0, 'delivered', 1000, 1000, '{}')`);
    raw.exec(`INSERT INTO held_messages (queue, id, release_at_ms, held_at_ms, payload) VALUES ('q', 'h', 5, 1, '{"n":1}')`);
    raw.close();
    return file;
  }

  it('keeps every row and fills the country of existing messages, across several backfill batches', async () => {
    const file = versionTwoFile(2503);
    const store = await openSqliteStore(file);
    try {
      expect(await store.getMessage('k0')).toMatchObject({ messageId: 'M0', status: 'delivered', country: 'FR', clientRef: 'promo-1' });
      expect(await store.getMessage('M2501')).toMatchObject({ country: 'US' });
      expect(await store.getMessage('M2502')).toMatchObject({ to: '', status: 'delivered' });
      expect(await store.getMessage('M2503')).toBeNull();
      expect(await store.countHeld('q')).toBe(1);
      // The old report still de-duplicates its repeat.
      expect(await store.applyReport(report('M0'))).toEqual({ duplicate: true, status: 'delivered', previousStatus: 'delivered' });
      const counts = await store.deliveryCounts({ clientRefPrefix: 'promo-' });
      expect(counts).toEqual([
        { status: 'delivered', count: 1001 },
        { status: 'delivered', country: 'DE', count: 500 },
        { status: 'delivered', country: 'FR', count: 501 },
        { status: 'delivered', country: 'US', count: 501 },
      ]);
    } finally {
      await store.close();
    }
    const raw = new DatabaseSync(file);
    try {
      expect(raw.prepare('PRAGMA user_version').get()).toEqual({ user_version: SCHEMA_VERSION });
      expect(raw.prepare('SELECT COUNT(*) AS n FROM messages').get()).toEqual({ n: 2503 });
    } finally {
      raw.close();
    }
  });

  it('migrates once when two stores open the same old file', async () => {
    const file = versionTwoFile(10);
    const [a, b] = await Promise.all([openSqliteStore(file), openSqliteStore(file)]);
    try {
      expect(await a.getMessage('M0')).toMatchObject({ country: 'FR' });
      expect(await b.deliveryCounts({})).toHaveLength(4);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
