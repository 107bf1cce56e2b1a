/**
 * The embedded Store: one SQLite file (node:sqlite, no native build) holding the consent ledger,
 * the message log and the delivery reports (DESIGN §3).
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
import { DatabaseSync, type StatementSync } from 'node:sqlite';
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
  DeliveryReport,
  Encoding,
  HeldMessage,
  MessageRecord,
  NormalizedStatus,
  ProviderId,
  SendResult,
  SendState,
  Store,
} from '../types';
import { MIGRATIONS, SCHEMA_VERSION } from './sqlite-schema';
import * as valid from './validate';

export interface SqliteStoreOptions {
  /** Clock in epoch milliseconds; tests inject a fake one. Default `Date.now`. */
  now?: () => number;
  /** How long a write waits for another process's lock before STORE_ERROR. Default 5000 ms. */
  busyTimeoutMs?: number;
}

export const DEFAULT_BUSY_TIMEOUT_MS = 5000;
const MEMORY = ':memory:';

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
    for (let v = checkedVersion(db); v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v] as string);
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
  created_at_ms: number;
  updated_at_ms: number;
}

interface PartRow {
  part: number;
  status: NormalizedStatus;
  price_amount: number | null;
  price_currency: string | null;
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
        this.recordSentMessage(key, r, now);
      });
    });
  }

  private recordSentMessage(key: string, r: SendResult, now: number): void {
    const existing = this.messageRow(r.provider, r.messageId);
    // Reports may have arrived before the send was recorded (a fast provider, a slow disk): the
    // send's status merges into theirs like any report, and per-part reports waiting for the
    // segment count to become known are judged now.
    let status = mergeStatus(existing?.status, r.status);
    const fromParts = this.partsStatus(r.provider, r.messageId, r.segments);
    if (fromParts !== undefined) status = mergeStatus(status, fromParts);
    this.sql(
      `INSERT INTO messages (provider, message_id, idempotency_key, recipient, sender, status, final, segments,
                             encoding, client_ref, price_amount, price_currency, created_at_ms, updated_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (provider, message_id) DO UPDATE SET
         idempotency_key = excluded.idempotency_key, recipient = excluded.recipient,
         sender = COALESCE(excluded.sender, sender), status = excluded.status, final = excluded.final,
         segments = excluded.segments, encoding = excluded.encoding,
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
      now,
      now,
    );
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
   * they mean for the message, using the segment count of the recorded send.
   */
  async applyReport(report: DeliveryReport): Promise<{ duplicate: boolean; status: NormalizedStatus }> {
    return this.use('could not apply the delivery report', (db) => {
      const r = valid.deliveryReport(report);
      return transaction(db, () => {
        const now = this.clock();
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
          now,
          JSON.stringify(r),
        );
        const msg = this.messageRow(r.provider, r.messageId);
        if (Number(inserted.changes) === 0) return { duplicate: true, status: msg?.status ?? r.status };

        let incoming = r.status;
        let price = r.price;
        if (r.part > 0) {
          this.recordPart(r);
          incoming = this.partsStatus(r.provider, r.messageId, msg?.segments ?? undefined) ?? r.status;
          price = this.partsPrice(r.provider, r.messageId);
        }
        const status = mergeStatus(msg?.status, incoming);
        // The provider's own status and error describe the report that set the status.
        const changed = status !== msg?.status;
        const row = {
          provider: r.provider,
          messageId: r.messageId,
          to: r.to ?? '',
          status,
          final: isFinal(status) ? 1 : 0,
          changed: changed ? 1 : 0,
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
            `INSERT INTO messages (provider, message_id, recipient, status, final, provider_status, error_code,
                                   error_message, price_amount, price_currency, client_ref, mccmnc,
                                   created_at_ms, updated_at_ms)
             VALUES (:provider, :messageId, :to, :status, :final, :providerStatus, :errorCode,
                     :errorMessage, :priceAmount, :priceCurrency, :clientRef, :mccmnc, :now, :now)`,
          ).run(omit(row, 'changed'));
        } else {
          this.sql(
            `UPDATE messages
             SET status = :status, final = :final,
                 provider_status = CASE WHEN :changed OR provider_status IS NULL THEN :providerStatus
                                        ELSE provider_status END,
                 error_code = CASE WHEN :changed THEN :errorCode ELSE error_code END,
                 error_message = CASE WHEN :changed THEN :errorMessage ELSE error_message END,
                 price_amount = COALESCE(:priceAmount, price_amount),
                 price_currency = COALESCE(:priceCurrency, price_currency),
                 recipient = CASE WHEN recipient = '' THEN :to ELSE recipient END,
                 client_ref = COALESCE(client_ref, :clientRef), mccmnc = COALESCE(:mccmnc, mccmnc),
                 updated_at_ms = :now
             WHERE provider = :provider AND message_id = :messageId`,
          ).run(row);
        }
        return { duplicate: false, status };
      });
    });
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
  if (s.error !== null) {
    const error = JSON.parse(s.error) as Partial<SmsErrorJson>;
    if (typeof error.code === 'string') out.errorCode = error.code;
    if (typeof error.message === 'string') out.errorMessage = error.message;
  }
  return out;
}
