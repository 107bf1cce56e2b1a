/**
 * The SQLite store's schema as forward migrations. `MIGRATIONS[i]` takes a file from
 * `PRAGMA user_version = i` to `i + 1`; a released migration is never edited, only followed by a
 * new one. Times are epoch milliseconds (INTEGER) so ordering and window arithmetic stay exact.
 */
import type { DatabaseSync } from 'node:sqlite';
import { recipientCountry } from './validate';

export const MIGRATIONS: readonly string[] = [
  // 0 → 1
  `
  CREATE TABLE consent_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    phone TEXT NOT NULL,
    topic TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('opt-in', 'opt-out')),
    source TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    evidence TEXT NOT NULL,
    recorded_at_ms INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX consent_events_by_phone_topic ON consent_events (phone, topic, at_ms, id);
  CREATE INDEX consent_events_by_phone_time ON consent_events (phone, at_ms, id);
  -- The ledger is the proof regulators ask for: rows are added, never changed or removed.
  CREATE TRIGGER consent_events_no_update BEFORE UPDATE ON consent_events
    BEGIN SELECT RAISE(ABORT, 'the consent ledger is append-only'); END;
  CREATE TRIGGER consent_events_no_delete BEFORE DELETE ON consent_events
    BEGIN SELECT RAISE(ABORT, 'the consent ledger is append-only'); END;

  CREATE TABLE sends (
    idempotency_key TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    recipient TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed', 'in-doubt')),
    claimed_at_ms INTEGER NOT NULL,
    lease_until_ms INTEGER NOT NULL,
    sent_at_ms INTEGER,
    message_id TEXT,
    result TEXT,
    error TEXT,
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE messages (
    provider TEXT NOT NULL,
    message_id TEXT NOT NULL,
    idempotency_key TEXT,
    recipient TEXT NOT NULL,
    sender TEXT,
    status TEXT NOT NULL,
    final INTEGER NOT NULL,
    provider_status TEXT,
    error_code TEXT,
    error_message TEXT,
    price_amount REAL,
    price_currency TEXT,
    segments INTEGER,
    encoding TEXT,
    client_ref TEXT,
    mccmnc TEXT,
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL,
    PRIMARY KEY (provider, message_id)
  ) STRICT;
  CREATE INDEX messages_by_message_id ON messages (message_id, updated_at_ms);

  CREATE TABLE message_parts (
    provider TEXT NOT NULL,
    message_id TEXT NOT NULL,
    part INTEGER NOT NULL,
    status TEXT NOT NULL,
    price_amount REAL,
    price_currency TEXT,
    PRIMARY KEY (provider, message_id, part)
  ) STRICT, WITHOUT ROWID;

  -- error_code and part are '' / 0 rather than NULL: NULLs never collide in a UNIQUE index,
  -- so a repeated report without an error code would not be recognised as a repeat.
  CREATE TABLE delivery_reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    provider TEXT NOT NULL,
    message_id TEXT NOT NULL,
    provider_status TEXT NOT NULL,
    error_code TEXT NOT NULL,
    part INTEGER NOT NULL,
    status TEXT NOT NULL,
    occurred_at_ms INTEGER NOT NULL,
    received_at_ms INTEGER NOT NULL,
    report TEXT NOT NULL,
    UNIQUE (provider, message_id, provider_status, error_code, part)
  ) STRICT;
  `,
  // 1 → 2: messages a Quiet-Hours Gate holds until its window opens.
  `
  CREATE TABLE held_messages (
    queue TEXT NOT NULL,
    id TEXT NOT NULL,
    release_at_ms INTEGER NOT NULL,
    held_at_ms INTEGER NOT NULL,
    payload TEXT NOT NULL,
    PRIMARY KEY (queue, id)
  ) STRICT;
  CREATE INDEX held_messages_by_release ON held_messages (queue, release_at_ms);
  `,
  // 2 → 3: webhooks (issue 4). The recipient's country for delivery summaries (existing rows are
  // filled by BACKFILLS[3]); the sequence of the report that set a message's status (Plivo);
  // per-part provider ids (Vonage); received inbound messages and concatenated parts.
  `
  ALTER TABLE messages ADD COLUMN country TEXT;
  ALTER TABLE messages ADD COLUMN status_sequence INTEGER;
  -- How many parts the provider split the message into, when it gave each part an id.
  ALTER TABLE messages ADD COLUMN part_count INTEGER;
  CREATE INDEX messages_by_client_ref ON messages (client_ref, created_at_ms);
  CREATE INDEX messages_by_created ON messages (created_at_ms);

  CREATE TABLE message_aliases (
    provider TEXT NOT NULL,
    alias_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    part INTEGER NOT NULL CHECK (part >= 1),
    PRIMARY KEY (provider, alias_id)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE inbound_messages (
    provider TEXT NOT NULL,
    message_id TEXT NOT NULL,
    received_at_ms INTEGER NOT NULL,
    UNIQUE (provider, message_id)
  ) STRICT;
  CREATE INDEX inbound_messages_by_time ON inbound_messages (received_at_ms);

  CREATE TABLE inbound_parts (
    provider TEXT NOT NULL,
    sender TEXT NOT NULL,
    ref TEXT NOT NULL,
    part INTEGER NOT NULL CHECK (part >= 1),
    total INTEGER NOT NULL CHECK (total >= part),
    message_id TEXT NOT NULL,
    message TEXT NOT NULL,
    received_at_ms INTEGER NOT NULL,
    UNIQUE (provider, sender, ref, part)
  ) STRICT;
  CREATE INDEX inbound_parts_by_time ON inbound_parts (received_at_ms);
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * What SQL alone cannot compute, keyed by the version whose migration it completes; it runs right
 * after that migration, in the same transaction.
 */
export const BACKFILLS: ReadonlyMap<number, (db: DatabaseSync) => void> = new Map([[3, backfillCountries]]);

const BACKFILL_BATCH = 1000;

/**
 * Filled once here rather than on read: delivery summaries group by country in SQL, and a log
 * that is half filled would split every country into "known" and "unknown". One pass, in rowid
 * batches (the scan never runs over rows it is updating), each distinct recipient parsed once.
 */
function backfillCountries(db: DatabaseSync): void {
  const batch = db.prepare(
    `SELECT rowid AS id, recipient FROM messages WHERE rowid > ? AND recipient <> '' ORDER BY rowid LIMIT ${BACKFILL_BATCH}`,
  );
  const update = db.prepare('UPDATE messages SET country = ? WHERE rowid = ?');
  const known = new Map<string, string | null>();
  let after = 0;
  for (;;) {
    const rows = batch.all(after) as { id: number; recipient: string }[];
    for (const row of rows) {
      let country = known.get(row.recipient);
      if (country === undefined) {
        country = recipientCountry(row.recipient);
        // Bounded: a log of a million distinct recipients must not hold them all in memory.
        if (known.size >= 10_000) known.clear();
        known.set(row.recipient, country);
      }
      if (country !== null) update.run(country, row.id);
      after = row.id;
    }
    if (rows.length < BACKFILL_BATCH) return;
  }
}
