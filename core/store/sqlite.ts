/**
 * The embedded Store: one SQLite file (node:sqlite, no native build) holding the consent ledger,
 * the message log and the delivery reports (DESIGN §3), and what the webhooks need to recognise a
 * provider's retry: received inbound message ids and the parts of concatenated messages.
 *
 * Several processes may share the file (n8n main + workers on one machine, two Node-RED
 * instances): WAL lets readers run beside the one writer, and every read-then-write runs in one
 * `BEGIN IMMEDIATE` transaction, which takes the write lock before reading, so two processes can
 * never both see "no claim" for the same key. A writer waits up to `busyTimeoutMs` for the lock,
 * then the call fails with STORE_ERROR (retryable). Calls are synchronous underneath; within one
 * process they therefore never interleave.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { derivePartsStatus, isFinal, mergeStatus } from '../delivery/status';
import { SmsError, type SmsErrorJson } from '../errors';
import type {
  ClaimInfo,
  ClaimResult,
  ConsentAction,
  ConsentDecision,
  ConsentEvent,
  ConsentImportResult,
  ConsentRecord,
  DeliveryCount,
  DeliveryFilter,
  DeliveryReport,
  Encoding,
  HeldMessage,
  InboundPart,
  InboundSms,
  MessageRecord,
  NormalizedStatus,
  ReportOutcome,
  ProviderId,
  SendResult,
  SendState,
  Store,
} from '../types';
import { BACKFILLS, MIGRATIONS, SCHEMA_VERSION } from './sqlite-schema';
import * as valid from './validate';

export interface SqliteStoreOptions {
  /** Clock in epoch milliseconds; tests inject a fake one. Default `Date.now`. */
  now?: () => number;
  /** How long a write waits for another process's lock before STORE_ERROR. Default 5000 ms. */
  busyTimeoutMs?: number;
}

export const DEFAULT_BUSY_TIMEOUT_MS = 5000;
const MEMORY = ':memory:';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Providers retry an unanswered inbound webhook for up to 24 h (Vonage); a week leaves margin. */
const INBOUND_KEEP_MS = 7 * DAY_MS;
const PARTS_KEEP_MS = DAY_MS;
/**
 * Expired rows removed per call, plus two per row the call adds: purging outpaces growth, and no
 * single webhook request pays for a backlog.
 */
const PURGE_PER_CALL = 100;

/**
 * The absolute file a configured path names: `~/` is the user's home (how the engines' user
 * folders are usually written), a relative path is taken from the working directory.
 * `:memory:` stays as it is (a private, non-persistent database, for dry runs and tests).
 */
export function resolveSqlitePath(path: unknown): string {
  if (typeof path !== 'string' || path.trim() === '') {
    throw new SmsError('INVALID_INPUT', 'the sqlite store needs a file path (e.g. ~/.n8n/a2p-kit.sqlite)');
  }
  if (path.includes('\u0000')) throw new SmsError('INVALID_INPUT', 'the sqlite store path contains a NUL character');
  if (path === MEMORY) return MEMORY;
  const expanded = path === '~' || path.startsWith('~/') ? homedir() + path.slice(1) : path;
  return resolve(expanded);
}

export async function openSqliteStore(path: string, options: SqliteStoreOptions = {}): Promise<Store> {
  const file = resolveSqlitePath(path);
  const busy = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  if (typeof busy !== 'number' || !Number.isInteger(busy) || busy < 0 || busy > 600_000) {
    throw new SmsError('INVALID_INPUT', 'busyTimeoutMs must be an integer number of milliseconds from 0 to 600000');
  }
  if (options.now !== undefined && typeof options.now !== 'function') {
    throw new SmsError('INVALID_INPUT', 'now must be a function returning epoch milliseconds');
  }
  let db: DatabaseSync | undefined;
  try {
    if (file !== MEMORY) mkdirSync(dirname(file), { recursive: true });
    db = new DatabaseSync(file);
    prepareDatabase(db, file, busy);
    return new SqliteStore(db, options.now ?? Date.now, busy);
  } catch (e) {
    try {
      db?.close();
    } catch {
      // Already failed; the first error is the one worth reporting.
    }
    throw storeError(`could not open ${file}`, e, busy);
  }
}

function prepareDatabase(db: DatabaseSync, file: string, busyTimeoutMs: number): void {
  // The pragma rather than DatabaseSync's `timeout` option, which Node 22 before 22.16 ignores.
  db.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
  // WAL lets readers run beside the writer. Should another connection keep the file in its old
  // journal mode, SQLite stays in that mode: slower for concurrent readers, equally correct.
  if (file !== MEMORY) db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = NORMAL');
  migrate(db);
}

function userVersion(db: DatabaseSync): number {
  const row = db.prepare('PRAGMA user_version').get() as { user_version: number } | undefined;
  return row?.user_version ?? 0;
}

function migrate(db: DatabaseSync): void {
  if (checkedVersion(db) === SCHEMA_VERSION) return;
  transaction(db, () => {
    // Re-read under the write lock: another process may have migrated meanwhile.
    for (let v = checkedVersion(db); v < SCHEMA_VERSION; v++) {
      db.exec(MIGRATIONS[v] as string);
      BACKFILLS.get(v + 1)?.(db);
    }
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
  });
}

function checkedVersion(db: DatabaseSync): number {
  const v = userVersion(db);
  if (v > SCHEMA_VERSION) {
    throw new SmsError(
      'STORE_ERROR',
      `the store file has schema version ${v}, newer than this version of A2P Kit understands (${SCHEMA_VERSION}); upgrade the package`,
    );
  }
  return v;
}

function transaction<T>(db: DatabaseSync, fn: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const out = fn();
    db.exec('COMMIT');
    return out;
  } catch (e) {
    try {
      db.exec('ROLLBACK');
    } catch {
      // SQLite may have rolled back already (e.g. after SQLITE_FULL); the cause is `e`.
    }
    throw e;
  }
}

const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;

function primaryCode(e: unknown): number | undefined {
  const code = (e as { errcode?: unknown } | null)?.errcode;
  return typeof code === 'number' ? code & 0xff : undefined;
}

/** Every failure leaves as an SmsError: validation errors as they are, SQLite's as STORE_ERROR. */
function storeError(action: string, e: unknown, busyTimeoutMs: number): SmsError {
  if (e instanceof SmsError) return e;
  const code = primaryCode(e);
  const detail = e instanceof Error ? e.message : String(e);
  if (code === SQLITE_BUSY || code === SQLITE_LOCKED) {
    return new SmsError(
      'STORE_ERROR',
      `the store ${action}: the database is locked by another process (waited up to ${busyTimeoutMs} ms)`,
      { retryable: true, cause: e },
    );
  }
  const hint: Record<number, string> = {
    8: 'the file is read-only',
    10: 'disk I/O error',
    11: 'the file is corrupt',
    13: 'the disk is full',
    14: 'the file cannot be opened (check the folder exists and is writable)',
    26: 'the file is not a SQLite database',
  };
  const why = (code !== undefined && hint[code]) || detail;
  return new SmsError('STORE_ERROR', `the store ${action}: ${why}`, { cause: e });
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

interface ConsentRow {
  id: number;
  phone: string;
  topic: string;
  action: ConsentAction;
  source: string;
  at_ms: number;
  evidence: string;
}

interface HeldRow {
  queue: string;
  id: string;
  release_at_ms: number;
  held_at_ms: number;
  payload: string;
}

interface SendRow {
  idempotency_key: string;
  provider: string;
  recipient: string;
  state: SendState;
  claimed_at_ms: number;
  lease_until_ms: number;
  sent_at_ms: number | null;
  message_id: string | null;
  result: string | null;
  error: string | null;
  updated_at_ms: number;
}

interface MessageRow {
  provider: string;
  message_id: string;
  idempotency_key: string | null;
  recipient: string;
  sender: string | null;
  status: NormalizedStatus;
  final: number;
  provider_status: string | null;
  error_code: string | null;
  error_message: string | null;
  price_amount: number | null;
  price_currency: string | null;
  segments: number | null;
  encoding: string | null;
  client_ref: string | null;
  mccmnc: string | null;
  country: string | null;
  /** The `sequence` of the report that set `status`, when it had one. */
  status_sequence: number | null;
  part_count: number | null;
  created_at_ms: number;
  updated_at_ms: number;
}

interface PartRow {
  part: number;
  status: NormalizedStatus;
  price_amount: number | null;
  price_currency: string | null;
}


/** A report kept before the ids of its message's parts were known, to be applied again. */
interface OrphanReport {
  report: valid.ValidReport;
  receivedAtMs: number;
}

class SqliteStore implements Store {
  private db: DatabaseSync | undefined;
  /** Compiled once per store: a bulk send claims and completes thousands of keys. */
  private readonly statements = new Map<string, StatementSync>();

  constructor(
    db: DatabaseSync,
    private readonly now: () => number,
    private readonly busyTimeoutMs: number,
  ) {
    this.db = db;
  }

  /** Runs `fn` on the open database, turning anything SQLite throws into STORE_ERROR. */
  private use<T>(action: string, fn: (db: DatabaseSync) => T): T {
    const db = this.db;
    if (db === undefined) throw new SmsError('STORE_ERROR', `the store ${action}: the store is closed`);
    try {
      return fn(db);
    } catch (e) {
      throw storeError(action, e, this.busyTimeoutMs);
    }
  }

  private sql(text: string): StatementSync {
    let statement = this.statements.get(text);
    if (statement === undefined) {
      statement = (this.db as DatabaseSync).prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  private clock(): number {
    const t = this.now();
    if (!Number.isFinite(t)) throw new SmsError('STORE_ERROR', 'the store clock returned a non-finite time');
    return Math.floor(t);
  }

  // -------------------------------------------------------------------------------------------
  // Consent ledger

  async recordConsent(e: ConsentEvent): Promise<ConsentRecord> {
    return this.use('could not record consent', () => {
      const now = this.clock();
      const v = valid.consentEvent(e, now);
      const info = this.sql(
        `INSERT INTO consent_events (phone, topic, action, source, at_ms, evidence, recorded_at_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ).run(v.phone, v.topic, v.action, v.source, v.atMs, v.evidenceJson, now);
      return consentRecord({
        id: Number(info.lastInsertRowid),
        phone: v.phone,
        topic: v.topic,
        action: v.action,
        source: v.source,
        at_ms: v.atMs,
        evidence: v.evidenceJson,
      });
    });
  }

  async checkConsent(q: { phone: string; topic: string; requireOptIn?: boolean }): Promise<ConsentDecision> {
    return this.use('could not check consent', () => {
      const v = valid.consentQuery(q);
      // `*` is every topic (what an SMS STOP means): the latest event for this topic or for all
      // topics decides; events at the same instant are ordered as they were recorded.
      const row = this.sql(
        `SELECT action, at_ms FROM consent_events
         WHERE phone = ? AND topic IN (?, '*')
         ORDER BY at_ms DESC, id DESC LIMIT 1`,
      ).get(v.phone, v.topic) as Pick<ConsentRow, 'action' | 'at_ms'> | undefined;
      if (row === undefined) {
        return v.requireOptIn ? { allowed: false, reason: 'no-consent' } : { allowed: true, reason: 'not-required' };
      }
      return row.action === 'opt-in'
        ? { allowed: true, reason: 'opted-in', since: iso(row.at_ms) }
        : { allowed: false, reason: 'opted-out', since: iso(row.at_ms) };
    });
  }

  async consentHistory(phone: string): Promise<ConsentRecord[]> {
    return this.use('could not read the consent history', () => {
      const p = valid.phone(phone);
      const rows = this.sql('SELECT * FROM consent_events WHERE phone = ? ORDER BY at_ms, id').all(p);
      return (rows as unknown as ConsentRow[]).map(consentRecord);
    });
  }

  /**
   * An event is unchanged, and skipped, when the ledger's current answer already says the same:
   * - for a topic: the latest event of that topic or of `*` has the same action (what checkConsent
   *   answers for that topic);
   * - for `*`: the latest `*` event has the same action and no event of any topic since then says
   *   otherwise, i.e. every topic already answers the same. An opt-in to `marketing` after a STOP
   *   therefore makes a re-imported `*` opt-out count again.
   * "Current" is the ledger's order (time, then record order), whatever the new event's `at`.
   */
  async importConsent(events: ConsentEvent[]): Promise<ConsentImportResult> {
    return this.use('could not import consent events', (db) => {
      const now = this.clock();
      const checked = valid.consentEvents(events, now);
      return transaction(db, () => {
        const insert = this.sql(
          `INSERT INTO consent_events (phone, topic, action, source, at_ms, evidence, recorded_at_ms)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        );
        let recorded = 0;
        let unchanged = 0;
        for (const v of checked) {
          if (this.alreadySays(v.phone, v.topic, v.action)) {
            unchanged++;
            continue;
          }
          insert.run(v.phone, v.topic, v.action, v.source, v.atMs, v.evidenceJson, now);
          recorded++;
        }
        return { recorded, unchanged };
      });
    });
  }

  private alreadySays(phone: string, topic: string, action: ConsentAction): boolean {
    if (topic !== '*') {
      const row = this.sql(
        `SELECT action FROM consent_events WHERE phone = ? AND topic IN (?, '*') ORDER BY at_ms DESC, id DESC LIMIT 1`,
      ).get(phone, topic) as Pick<ConsentRow, 'action'> | undefined;
      return row?.action === action;
    }
    const all = this.sql(
      `SELECT id, action, at_ms FROM consent_events WHERE phone = ? AND topic = '*' ORDER BY at_ms DESC, id DESC LIMIT 1`,
    ).get(phone) as Pick<ConsentRow, 'id' | 'action' | 'at_ms'> | undefined;
    if (all?.action !== action) return false;
    const since = this.sql(
      `SELECT 1 AS found FROM consent_events
       WHERE phone = ? AND action <> ? AND (at_ms > ? OR (at_ms = ? AND id > ?)) LIMIT 1`,
    ).get(phone, action, all.at_ms, all.at_ms, all.id);
    return since === undefined;
  }

  // -------------------------------------------------------------------------------------------
  // Held messages

  async holdMessage(h: { queue: string; releaseAt: string; payload: unknown; id?: string }): Promise<HeldMessage> {
    return this.use('could not hold the message', () => {
      const v = valid.hold(h);
      const now = this.clock();
      const id = v.id ?? randomUUID();
      this.sql(
        `INSERT INTO held_messages (queue, id, release_at_ms, held_at_ms, payload) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (queue, id) DO UPDATE SET
           release_at_ms = excluded.release_at_ms, held_at_ms = excluded.held_at_ms, payload = excluded.payload`,
      ).run(v.queue, id, v.releaseAtMs, now, v.payloadJson);
      return heldMessage({ queue: v.queue, id, release_at_ms: v.releaseAtMs, held_at_ms: now, payload: v.payloadJson });
    });
  }

  async heldMessages(queue: string, opts?: { dueBy?: string; limit?: number }): Promise<HeldMessage[]> {
    return this.use('could not read the held messages', () => {
      const q = valid.queue(queue);
      const o = valid.heldQuery(opts);
      // Ties on release time keep the order they were held in (rowid survives a replace).
      const rows = this.sql(
        `SELECT * FROM held_messages WHERE queue = ? AND release_at_ms <= ?
         ORDER BY release_at_ms, held_at_ms, rowid LIMIT ?`,
      ).all(q, o.dueByMs ?? Number.MAX_SAFE_INTEGER, o.limit ?? -1);
      return (rows as unknown as HeldRow[]).map(heldMessage);
    });
  }

  async releaseHeld(queue: string, id: string): Promise<boolean> {
    return this.use('could not release the held message', () => {
      const info = this.sql('DELETE FROM held_messages WHERE queue = ? AND id = ?').run(valid.queue(queue), valid.heldId(id));
      return Number(info.changes) > 0;
    });
  }

  async countHeld(queue: string): Promise<number> {
    return this.use('could not count the held messages', () => {
      const row = this.sql('SELECT COUNT(*) AS n FROM held_messages WHERE queue = ?').get(valid.queue(queue)) as { n: number };
      return Number(row.n);
    });
  }

  // -------------------------------------------------------------------------------------------
  // Message log

  async claimSend(idempotencyKey: string, info: ClaimInfo): Promise<ClaimResult> {
    return this.use('could not claim the send', (db) => {
      const key = valid.idempotencyKey(idempotencyKey);
      const claim = valid.claimInfo(info);
      return transaction(db, (): ClaimResult => {
        const now = this.clock();
        const row = this.sql('SELECT * FROM sends WHERE idempotency_key = ?').get(key) as SendRow | undefined;
        if (row === undefined) {
          this.sql(
            `INSERT INTO sends (idempotency_key, provider, recipient, state, claimed_at_ms, lease_until_ms,
                                created_at_ms, updated_at_ms)
             VALUES (?, ?, ?, 'pending', ?, ?, ?, ?)`,
          ).run(key, claim.provider, claim.to, now, now + claim.leaseMs, now, now);
          return { claimed: true };
        }
        const claimedAt = iso(row.claimed_at_ms);
        const blocking = this.blockingState(row, claim.windowMs, now);
        if (blocking !== undefined) {
          if (blocking === 'in-doubt' && row.state === 'pending') {
            // The claimer neither completed nor released within its lease: it crashed or hung,
            // possibly after the provider accepted the message. Say so rather than send again.
            this.sql(`UPDATE sends SET state = 'in-doubt', updated_at_ms = ? WHERE idempotency_key = ?`).run(now, key);
          }
          // Only an explicit key can meet this (a derived key hashes provider and recipient): the
          // stored answer belongs to another message, and nobody received this one.
          if (row.provider !== claim.provider || row.recipient !== claim.to) {
            return { claimed: false, state: 'conflict', provider: row.provider as ProviderId, to: row.recipient, claimedAt };
          }
          if (blocking === 'sent') {
            return { claimed: false, state: 'sent', result: JSON.parse(row.result ?? 'null') as SendResult };
          }
          return { claimed: false, state: blocking, claimedAt };
        }
        this.sql(
          `UPDATE sends
           SET provider = ?, recipient = ?, state = 'pending', claimed_at_ms = ?, lease_until_ms = ?,
               sent_at_ms = NULL, message_id = NULL, result = NULL, error = NULL, updated_at_ms = ?
           WHERE idempotency_key = ?`,
        ).run(claim.provider, claim.to, now, now + claim.leaseMs, now, key);
        return { claimed: true };
      });
    });
  }

  /**
   * What an existing row answers a new claim, or undefined when it no longer blocks the key: a
   * failed send, or a sent or in-doubt one (a pending claim past its lease counts as in doubt)
   * whose window has passed. Sent rows age from when they were sent, in-doubt ones from their
   * claim: the attempt that may have reached the provider started then.
   */
  private blockingState(row: SendRow, windowMs: number | undefined, now: number): 'sent' | 'pending' | 'in-doubt' | undefined {
    const within = (since: number) => windowMs === undefined || now - since < windowMs;
    switch (row.state) {
      case 'sent':
        return within(row.sent_at_ms ?? row.updated_at_ms) ? 'sent' : undefined;
      case 'pending':
        if (now < row.lease_until_ms) return 'pending';
        return within(row.claimed_at_ms) ? 'in-doubt' : undefined;
      case 'in-doubt':
        return within(row.claimed_at_ms) ? 'in-doubt' : undefined;
      case 'failed':
        return undefined;
    }
  }

  /**
   * Records a send the provider accepted. Recorded even when the claim is gone or was released
   * meanwhile: the message exists, and forgetting it would let the key be sent again.
   */
  async completeSend(idempotencyKey: string, result: SendResult): Promise<void> {
    return this.use('could not record the send', (db) => {
      const key = valid.idempotencyKey(idempotencyKey);
      const { result: r, json } = valid.sendResult(result);
      transaction(db, () => {
        const now = this.clock();
        this.sql(
          `INSERT INTO sends (idempotency_key, provider, recipient, state, claimed_at_ms, lease_until_ms,
                              sent_at_ms, message_id, result, created_at_ms, updated_at_ms)
           VALUES (?, ?, ?, 'sent', ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (idempotency_key) DO UPDATE SET
             provider = excluded.provider, recipient = excluded.recipient, state = 'sent',
             sent_at_ms = excluded.sent_at_ms, message_id = excluded.message_id, result = excluded.result,
             error = NULL, updated_at_ms = excluded.updated_at_ms`,
        ).run(key, r.provider, r.to, now, now, now, r.messageId, json, now, now);
        const orphans = r.partMessageIds === undefined ? [] : this.adoptPartIds(r.provider, r.messageId, r.partMessageIds);
        this.recordSentMessage(key, r, now);
        for (const o of orphans) this.applyValidReport(o.report, now, o.receivedAtMs);
      });
    });
  }

  private recordSentMessage(key: string, r: SendResult, now: number): void {
    const existing = this.messageRow(r.provider, r.messageId);
    const partCount = r.partMessageIds?.length ?? existing?.part_count ?? null;
    // Reports may have arrived before the send was recorded (a fast provider, a slow disk): the
    // send's status merges into theirs like any report, and per-part reports waiting for the
    // segment count to become known are judged now.
    let status = mergeStatus(existing?.status, r.status);
    const fromParts = this.partsStatus(r.provider, r.messageId, partCount ?? r.segments);
    if (fromParts !== undefined) status = mergeStatus(status, fromParts);
    this.sql(
      `INSERT INTO messages (provider, message_id, idempotency_key, recipient, sender, status, final, segments,
                             encoding, client_ref, price_amount, price_currency, country, part_count,
                             created_at_ms, updated_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (provider, message_id) DO UPDATE SET
         idempotency_key = excluded.idempotency_key, recipient = excluded.recipient, country = excluded.country,
         sender = COALESCE(excluded.sender, sender),
         status_sequence = CASE WHEN excluded.status = status THEN status_sequence END,
         status = excluded.status, final = excluded.final,
         segments = excluded.segments, encoding = excluded.encoding, part_count = excluded.part_count,
         client_ref = COALESCE(client_ref, excluded.client_ref),
         price_currency = CASE WHEN price_amount IS NULL THEN excluded.price_currency ELSE price_currency END,
         price_amount = COALESCE(price_amount, excluded.price_amount),
         updated_at_ms = excluded.updated_at_ms`,
    ).run(
      r.provider,
      r.messageId,
      key,
      r.to,
      r.from ?? null,
      status,
      isFinal(status) ? 1 : 0,
      r.segments,
      r.encoding,
      r.clientRef ?? null,
      r.price?.amount ?? null,
      r.price?.currency ?? null,
      valid.recipientCountry(r.to),
      partCount,
      now,
      now,
    );
  }

  /**
   * Records the provider's id of each part (Vonage: one id, and one report, per part), so later
   * reports fold into the message. Reports that came earlier were kept under the part's id as a
   * message of their own (or, for the id the message itself carries, as whole-message reports):
   * they are taken out here, with the rows they created, and returned to be applied again as
   * parts once the message is recorded.
   */
  private adoptPartIds(provider: string, messageId: string, partIds: readonly string[]): OrphanReport[] {
    const orphans: { id: number; report: string; received_at_ms: number }[] = [];
    partIds.forEach((alias, i) => {
      this.sql(
        `INSERT INTO message_aliases (provider, alias_id, message_id, part) VALUES (?, ?, ?, ?)
         ON CONFLICT (provider, alias_id) DO UPDATE SET message_id = excluded.message_id, part = excluded.part`,
      ).run(provider, alias, messageId, i + 1);
      if (alias === messageId) {
        const early = this.sql(
          'SELECT id, report, received_at_ms FROM delivery_reports WHERE provider = ? AND message_id = ? AND part = 0',
        ).all(provider, alias) as unknown as typeof orphans;
        // The message's status so far came from these very reports, read as whole-message
        // ones: it is rebuilt from the send and the reports applied again.
        if (early.length > 0) this.sql('DELETE FROM messages WHERE provider = ? AND message_id = ?').run(provider, alias);
        orphans.push(...early);
        return;
      }
      const row = this.messageRow(provider, alias);
      // A message recorded under that id by a send of its own is a message, not an orphan.
      if (row === undefined || row.idempotency_key !== null) return;
      orphans.push(
        ...(this.sql('SELECT id, report, received_at_ms FROM delivery_reports WHERE provider = ? AND message_id = ?').all(
          provider,
          alias,
        ) as unknown as typeof orphans),
      );
      this.sql('DELETE FROM messages WHERE provider = ? AND message_id = ?').run(provider, alias);
      this.sql('DELETE FROM message_parts WHERE provider = ? AND message_id = ?').run(provider, alias);
    });
    const deleteReport = this.sql('DELETE FROM delivery_reports WHERE id = ?');
    for (const o of orphans) deleteReport.run(o.id);
    // In arrival order, so the first-final rule judges them as it did.
    return orphans
      .sort((a, b) => a.id - b.id)
      .map((o) => ({ report: JSON.parse(o.report) as valid.ValidReport, receivedAtMs: o.received_at_ms }));
  }

  async releaseSend(idempotencyKey: string, outcome: { inDoubt: boolean; error: SmsErrorJson }): Promise<void> {
    return this.use('could not release the claim', (db) => {
      const key = valid.idempotencyKey(idempotencyKey);
      const o = valid.releaseOutcome(outcome);
      transaction(db, () => {
        const row = this.sql('SELECT state FROM sends WHERE idempotency_key = ?').get(key) as
          | Pick<SendRow, 'state'>
          | undefined;
        if (row === undefined) throw new SmsError('INVALID_INPUT', 'there is no claim on this idempotency key to release');
        // A recorded send is never downgraded: that would let the key be sent a second time.
        if (row.state === 'sent') return;
        this.sql('UPDATE sends SET state = ?, error = ?, updated_at_ms = ? WHERE idempotency_key = ?').run(
          o.inDoubt ? 'in-doubt' : 'failed',
          o.errorJson,
          this.clock(),
          key,
        );
      });
    });
  }

  // -------------------------------------------------------------------------------------------
  // Delivery reports

  /**
   * De-duplicates on (provider, messageId, providerStatus, errorCode, part) and merges with
   * `mergeStatus`, so late, reordered and repeated reports settle on one answer. Finality follows
   * the normalised status; the report's own `final` flag is only type-checked. Per-part reports
   * are merged per part first, then `derivePartsStatus` (core/delivery/status.ts) decides what
   * they mean for the message, using the part count of the recorded send. A report whose id is
   * one part's id (SendResult.partMessageIds) is that part of its message. Between two final
   * statuses the first stays, unless both reports carry a provider `sequence` and the later one's
   * is higher: the provider's own order beats the order of arrival.
   */
  async applyReport(report: DeliveryReport): Promise<ReportOutcome> {
    return this.use('could not apply the delivery report', (db) => {
      const r = valid.deliveryReport(report);
      return transaction(db, () => this.applyValidReport(r, this.clock()));
    });
  }

  async applyReports(reports: DeliveryReport[]): Promise<ReportOutcome[]> {
    return this.use('could not apply the delivery reports', (db) => {
      const rs = valid.deliveryReports(reports);
      if (rs.length === 0) return [];
      return transaction(db, () => {
        const now = this.clock();
        return rs.map((r) => this.applyValidReport(r, now));
      });
    });
  }

  /** One report, inside the caller's transaction. */
  private applyValidReport(report: valid.ValidReport, now: number, receivedAtMs = now): ReportOutcome {
    const r = this.asPart(report);
    const inserted = this.sql(
      `INSERT INTO delivery_reports (provider, message_id, provider_status, error_code, part, status,
                                     occurred_at_ms, received_at_ms, report)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (provider, message_id, provider_status, error_code, part) DO NOTHING`,
    ).run(
      r.provider,
      r.messageId,
      r.providerStatus,
      r.errorCode,
      r.part,
      r.status,
      r.occurredAtMs,
      receivedAtMs,
      // As received, under the part's own id: what adoptPartIds reads back.
      JSON.stringify(report),
    );
    const msg = this.messageRow(r.provider, r.messageId);
    const previous = msg === undefined ? {} : { previousStatus: msg.status };
    if (Number(inserted.changes) === 0) return { duplicate: true, status: msg?.status ?? r.status, ...previous };

    let incoming = r.status;
    let price = r.price;
    if (r.part > 0) {
      this.recordPart(r);
      incoming = this.partsStatus(r.provider, r.messageId, msg?.part_count ?? msg?.segments ?? undefined) ?? r.status;
      price = this.partsPrice(r.provider, r.messageId);
    }
    const reordered =
      msg !== undefined &&
      r.part === 0 &&
      r.sequence !== undefined &&
      msg.status_sequence !== null &&
      r.sequence > msg.status_sequence &&
      isFinal(msg.status) &&
      isFinal(incoming);
    const status = reordered ? incoming : mergeStatus(msg?.status, incoming);
    // The provider's own status and error describe the report that set the status.
    const changed = reordered || status !== msg?.status;
    const to = r.to ?? '';
    const row = {
      provider: r.provider,
      messageId: r.messageId,
      to,
      country: msg === undefined || msg.recipient === '' ? valid.recipientCountry(to) : null,
      status,
      final: isFinal(status) ? 1 : 0,
      changed: changed ? 1 : 0,
      statusSequence: r.part === 0 ? (r.sequence ?? null) : null,
      providerStatus: r.providerStatus,
      errorCode: r.errorCode === '' ? null : r.errorCode,
      errorMessage: r.errorMessage ?? null,
      priceAmount: price?.amount ?? null,
      priceCurrency: price?.currency ?? null,
      clientRef: r.clientRef ?? null,
      mccmnc: r.mccmnc ?? null,
      now,
    };
    if (msg === undefined) {
      // A message sent by another tool, or whose send is not recorded yet.
      this.sql(
        `INSERT INTO messages (provider, message_id, recipient, country, status, final, status_sequence, provider_status,
                               error_code, error_message, price_amount, price_currency, client_ref, mccmnc,
                               created_at_ms, updated_at_ms)
         VALUES (:provider, :messageId, :to, :country, :status, :final, :statusSequence, :providerStatus,
                 :errorCode, :errorMessage, :priceAmount, :priceCurrency, :clientRef, :mccmnc, :now, :now)`,
      ).run(omit(row, 'changed'));
    } else {
      this.sql(
        `UPDATE messages
         SET status = :status, final = :final,
             status_sequence = CASE WHEN :changed THEN :statusSequence ELSE status_sequence END,
             provider_status = CASE WHEN :changed OR provider_status IS NULL THEN :providerStatus
                                    ELSE provider_status END,
             error_code = CASE WHEN :changed THEN :errorCode ELSE error_code END,
             error_message = CASE WHEN :changed THEN :errorMessage ELSE error_message END,
             price_amount = COALESCE(:priceAmount, price_amount),
             price_currency = COALESCE(:priceCurrency, price_currency),
             country = CASE WHEN recipient = '' THEN :country ELSE country END,
             recipient = CASE WHEN recipient = '' THEN :to ELSE recipient END,
             client_ref = COALESCE(client_ref, :clientRef), mccmnc = COALESCE(:mccmnc, mccmnc),
             updated_at_ms = :now
         WHERE provider = :provider AND message_id = :messageId`,
      ).run(row);
    }
    return { duplicate: false, status, ...previous };
  }

  /** The report as its message's part when its id is one part's id (see adoptPartIds). */
  private asPart(r: valid.ValidReport): valid.ValidReport {
    const alias = this.sql('SELECT message_id, part FROM message_aliases WHERE provider = ? AND alias_id = ?').get(
      r.provider,
      r.messageId,
    ) as { message_id: string; part: number } | undefined;
    return alias === undefined ? r : { ...r, messageId: alias.message_id, part: alias.part };
  }

  private recordPart(r: valid.ValidReport): void {
    const known = this.sql('SELECT status FROM message_parts WHERE provider = ? AND message_id = ? AND part = ?').get(
      r.provider,
      r.messageId,
      r.part,
    ) as Pick<PartRow, 'status'> | undefined;
    this.sql(
      `INSERT INTO message_parts (provider, message_id, part, status, price_amount, price_currency)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (provider, message_id, part) DO UPDATE SET
         status = excluded.status,
         price_amount = COALESCE(excluded.price_amount, price_amount),
         price_currency = COALESCE(excluded.price_currency, price_currency)`,
    ).run(
      r.provider,
      r.messageId,
      r.part,
      mergeStatus(known?.status, r.status),
      r.price?.amount ?? null,
      r.price?.currency ?? null,
    );
  }

  private partRows(provider: string, messageId: string): PartRow[] {
    const rows = this.sql(
      'SELECT part, status, price_amount, price_currency FROM message_parts WHERE provider = ? AND message_id = ?',
    ).all(provider, messageId);
    return rows as unknown as PartRow[];
  }

  private partsStatus(provider: string, messageId: string, segments: number | undefined): NormalizedStatus | undefined {
    const parts = new Map(this.partRows(provider, messageId).map((p) => [p.part, p.status] as const));
    return derivePartsStatus(parts, segments);
  }

  /** Each part is billed on its own: the message costs the sum of its parts' latest prices. */
  private partsPrice(provider: string, messageId: string): { amount: number; currency?: string } | undefined {
    const priced = this.partRows(provider, messageId).filter((p) => p.price_amount !== null);
    if (priced.length === 0) return undefined;
    const amount = priced.reduce((sum, p) => sum + (p.price_amount as number), 0);
    const currency = priced.find((p) => p.price_currency !== null)?.price_currency ?? undefined;
    return currency === undefined ? { amount } : { amount, currency };
  }

  private messageRow(provider: string, messageId: string): MessageRow | undefined {
    return this.sql('SELECT * FROM messages WHERE provider = ? AND message_id = ?').get(provider, messageId) as
      | MessageRow
      | undefined;
  }

  /** Removes up to `limit` rows of `table` received before `beforeMs`, oldest first. */
  private purge(table: 'inbound_messages' | 'inbound_parts', beforeMs: number, limit: number): void {
    this.sql(
      `DELETE FROM ${table} WHERE rowid IN
         (SELECT rowid FROM ${table} WHERE received_at_ms < ? ORDER BY received_at_ms LIMIT ?)`,
    ).run(beforeMs, limit);
  }

  // -------------------------------------------------------------------------------------------
  // Inbound messages

  /** A provider's retry repeats the message id; the first receipt is kept, and dated, for 7 days. */
  async recordInbound(messages: InboundSms[]): Promise<boolean[]> {
    return this.use('could not record the inbound messages', (db) => {
      const ms = valid.inboundMessages(messages);
      if (ms.length === 0) return [];
      return transaction(db, () => {
        const now = this.clock();
        this.purge('inbound_messages', now - INBOUND_KEEP_MS, PURGE_PER_CALL + 2 * ms.length);
        const insert = this.sql(
          `INSERT INTO inbound_messages (provider, message_id, received_at_ms) VALUES (?, ?, ?)
           ON CONFLICT (provider, message_id) DO NOTHING`,
        );
        return ms.map((m) => Number(insert.run(m.provider, m.messageId, now).changes) === 0);
      });
    });
  }

  /**
   * Senders number their concatenated messages with a small counter (an 8-bit `ref` on most
   * phones), so a ref comes back. A complete set is therefore replaced by a part that does not
   * belong to it (another message id for a part number it has, or another total); an incomplete
   * set answers another total with INVALID_INPUT and keeps the first copy of a repeated part.
   */
  async collectInboundPart(p: InboundPart): Promise<InboundSms[] | null> {
    return this.use('could not keep the message part', (db) => {
      const v = valid.inboundPart(p);
      return transaction(db, () => {
        const now = this.clock();
        this.purge('inbound_parts', now - PARTS_KEEP_MS, PURGE_PER_CALL);
        const key = [v.provider, v.from, v.ref] as const;
        const stored = this.sql(
          'SELECT part, total, message_id FROM inbound_parts WHERE provider = ? AND sender = ? AND ref = ?',
        ).all(...key) as unknown as { part: number; total: number; message_id: string }[];
        const total = stored[0]?.total;
        const same = stored.find((s) => s.part === v.part);
        const complete = total !== undefined && stored.length === total;
        let store = same === undefined;
        if (complete && (total !== v.total || same?.message_id !== v.messageId)) {
          this.sql('DELETE FROM inbound_parts WHERE provider = ? AND sender = ? AND ref = ?').run(...key);
          store = true;
        } else if (total !== undefined && total !== v.total) {
          throw new SmsError(
            'INVALID_INPUT',
            `part ${v.part} of message ref ${JSON.stringify(v.ref)} says ${v.total} parts; the parts kept say ${total}`,
          );
        }
        if (store) {
          this.sql(
            `INSERT INTO inbound_parts (provider, sender, ref, part, total, message_id, message, received_at_ms)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          ).run(...key, v.part, v.total, v.messageId, v.messageJson, now);
        }
        const parts = this.sql(
          'SELECT message FROM inbound_parts WHERE provider = ? AND sender = ? AND ref = ? ORDER BY part',
        ).all(...key) as unknown as { message: string }[];
        return parts.length === v.total ? parts.map((row) => JSON.parse(row.message) as InboundSms) : null;
      });
    });
  }

  // -------------------------------------------------------------------------------------------
  // Delivery summaries

  async deliveryCounts(filter: DeliveryFilter): Promise<DeliveryCount[]> {
    return this.use('could not count the deliveries', () => {
      const f = valid.deliveryFilter(filter);
      const where: string[] = [];
      const params: SQLInputValue[] = [];
      const when = (condition: string, value: SQLInputValue) => {
        where.push(condition);
        params.push(value);
      };
      if (f.clientRef !== undefined) when('client_ref = ?', f.clientRef);
      if (f.clientRefPrefix !== undefined) {
        // A range on the index rather than LIKE: exact and case-sensitive, with no wildcard
        // (`%`, `_`) to escape; LIKE ignores ASCII case and uses an index only under NOCASE.
        when('client_ref >= ?', f.clientRefPrefix);
        const upper = prefixUpperBound(f.clientRefPrefix);
        if (upper !== undefined) when('client_ref < ?', upper);
      }
      if (f.provider !== undefined) when('provider = ?', f.provider);
      if (f.sinceMs !== undefined) when('created_at_ms >= ?', f.sinceMs);
      if (f.untilMs !== undefined) when('created_at_ms < ?', f.untilMs);
      const rows = this.sql(
        `SELECT status, country, mccmnc, COUNT(*) AS count FROM messages
         ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`}
         GROUP BY status, country, mccmnc ORDER BY status, country, mccmnc`,
      ).all(...params) as unknown as { status: NormalizedStatus; country: string | null; mccmnc: string | null; count: number }[];
      return rows.map((row) => {
        const out: DeliveryCount = { status: row.status, count: row.count };
        if (row.country !== null) out.country = row.country;
        if (row.mccmnc !== null) out.mccmnc = row.mccmnc;
        return out;
      });
    });
  }

  // -------------------------------------------------------------------------------------------
  // Reading and closing

  async getMessage(idOrKey: string): Promise<MessageRecord | null> {
    return this.use('could not read the message', () => {
      const id = valid.lookupId(idOrKey);
      // A provider message id first (any provider; the most recently updated if two share it),
      // then an idempotency key.
      const byId = this.sql('SELECT * FROM messages WHERE message_id = ? ORDER BY updated_at_ms DESC LIMIT 1').get(
        id,
      ) as MessageRow | undefined;
      if (byId !== undefined) return messageRecord(byId);
      const send = this.sql('SELECT * FROM sends WHERE idempotency_key = ?').get(id) as SendRow | undefined;
      if (send === undefined) return null;
      if (send.message_id !== null) {
        const msg = this.messageRow(send.provider, send.message_id);
        if (msg !== undefined) return messageRecord(msg, send);
      }
      return sendRecord(send);
    });
  }

  /** Idempotent; every other call after it fails with STORE_ERROR. */
  async close(): Promise<void> {
    const db = this.db;
    if (db === undefined) return;
    this.db = undefined;
    this.statements.clear();
    try {
      db.close();
    } catch (e) {
      throw storeError('could not close', e, this.busyTimeoutMs);
    }
  }
}

/**
 * The least string above every string that starts with `prefix`, or undefined when there is none.
 * SQLite's BINARY order on UTF-8 text is code point order, so the last code point is raised by one
 * (skipping the surrogates, which UTF-8 text never holds); at U+10FFFF it is dropped and the one
 * before is raised instead.
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const points = Array.from(prefix, (c) => c.codePointAt(0) as number);
  while (points.length > 0) {
    const last = points.pop() as number;
    if (last < 0x10ffff) return String.fromCodePoint(...points, last === 0xd7ff ? 0xe000 : last + 1);
  }
  return undefined;
}

function omit<T extends object, K extends keyof T>(o: T, key: K): Omit<T, K> {
  const { [key]: _dropped, ...rest } = o;
  return rest;
}

function consentRecord(r: ConsentRow): ConsentRecord {
  return {
    id: r.id,
    phone: r.phone,
    topic: r.topic,
    action: r.action,
    source: r.source,
    at: iso(r.at_ms),
    evidence: JSON.parse(r.evidence) as Record<string, unknown>,
  };
}

function heldMessage(r: HeldRow): HeldMessage {
  return {
    id: r.id,
    queue: r.queue,
    releaseAt: iso(r.release_at_ms),
    heldAt: iso(r.held_at_ms),
    payload: JSON.parse(r.payload) as unknown,
  };
}

function messageRecord(m: MessageRow, send?: SendRow): MessageRecord {
  const out: MessageRecord = {
    provider: m.provider as ProviderId,
    messageId: m.message_id,
    to: m.recipient,
    // A message row exists only once a provider accepted the message (its send, or a report).
    state: 'sent',
    status: m.status,
    final: m.final === 1,
    createdAt: iso(m.created_at_ms),
    updatedAt: iso(Math.max(m.updated_at_ms, send?.updated_at_ms ?? 0)),
  };
  if (m.idempotency_key !== null) out.idempotencyKey = m.idempotency_key;
  if (m.sender !== null) out.from = m.sender;
  if (m.provider_status !== null) out.providerStatus = m.provider_status;
  if (m.error_code !== null) out.errorCode = m.error_code;
  if (m.error_message !== null) out.errorMessage = m.error_message;
  if (m.segments !== null) out.segments = m.segments;
  if (m.encoding !== null) out.encoding = m.encoding as Encoding;
  if (m.client_ref !== null) out.clientRef = m.client_ref;
  if (m.price_amount !== null) {
    out.price = m.price_currency === null ? { amount: m.price_amount } : { amount: m.price_amount, currency: m.price_currency };
  }
  if (m.mccmnc !== null) out.mccmnc = m.mccmnc;
  if (m.country !== null) out.country = m.country;
  return out;
}

/** A send with no accepted message yet: pending, failed or in doubt. */
function sendRecord(s: SendRow): MessageRecord {
  const out: MessageRecord = {
    idempotencyKey: s.idempotency_key,
    provider: s.provider as ProviderId,
    to: s.recipient,
    state: s.state,
    final: false,
    createdAt: iso(s.claimed_at_ms),
    updatedAt: iso(s.updated_at_ms),
  };
  const country = valid.recipientCountry(s.recipient);
  if (country !== null) out.country = country;
  if (s.error !== null) {
    const error = JSON.parse(s.error) as Partial<SmsErrorJson>;
    if (typeof error.code === 'string') out.errorCode = error.code;
    if (typeof error.message === 'string') out.errorMessage = error.message;
  }
  return out;
}
