/**
 * Checks what callers hand to a Store and brings it to the one shape every backend persists.
 * Anything malformed, hostile or oversized is answered with SmsError('INVALID_INPUT') here, so a
 * backend never sees it and never has to guess.
 */
import { isPlainObject } from '../plain-object';
import { SMS_ERROR_CODES, SmsError, type SmsErrorJson } from '../errors';
import { isNormalizedStatus } from '../delivery/status';
import { normalizePhone } from '../phone';
import type {
  ClaimInfo,
  ConsentAction,
  ConsentEvent,
  DeliveryFilter,
  DeliveryReport,
  Encoding,
  InboundPart,
  InboundSms,
  NormalizedStatus,
  SendResult,
} from '../types';

export const LIMITS = Object.freeze({
  idempotencyKey: 512,
  messageId: 256,
  topic: 100,
  source: 100,
  /** Serialised consent evidence, in UTF-16 code units (≈ bytes for the usual ASCII JSON). */
  evidence: 16 * 1024,
  /** A stored SendResult above this is kept without its `raw` provider answer. */
  result: 64 * 1024,
  shortText: 256,
  errorMessage: 2000,
  parts: 255,
  segments: 1000,
  /** Events in one `importConsent` call (a suppression list is rarely above a few hundred thousand). */
  importEvents: 1_000_000,
  queue: 200,
  heldId: 200,
  /** A held message's serialised payload, in UTF-16 code units. */
  heldPayload: 1024 * 1024,
  /** Held messages returned by one `heldMessages` call. */
  heldBatch: 100_000,
  /** Reports in one `applyReports` call (one webhook request of at most 1 MB holds far fewer). */
  reportBatch: 100_000,
  /** Messages in one `recordInbound` call. */
  inboundBatch: 100_000,
  /** A concatenated inbound part's serialised message, in UTF-16 code units. */
  inboundMessage: 1024 * 1024,
  clientRefPrefix: 200,
});

/** Ten minutes: long enough for a slow provider plus retries, short enough to surface a crash. */
export const DEFAULT_LEASE_MS = 10 * 60 * 1000;
const MAX_LEASE_MS = 7 * 24 * 60 * 60 * 1000;

const E164 = /^\+[1-9][0-9]{4,14}$/;
const PROVIDER_ID = /^[a-z][a-z0-9_-]{0,49}$/;
// Date, or date-time with an explicit zone: a zone-less time would be read in the server's zone.
const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|z|[+-]\d{2}:?\d{2}))?$/;
const CONTROL = /[\u0000-\u001f\u007f]/;

function invalid(message: string): SmsError {
  return new SmsError('INVALID_INPUT', message);
}

export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}


function object(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid(`${what} must be an object; got ${show(value)}`);
  }
  return value as Record<string, unknown>;
}

/** A non-empty string without control characters, at most `max` long. */
export function text(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalid(`${field} must be a non-empty string; got ${show(value)}`);
  }
  if (value.length > max) throw invalid(`${field} is longer than ${max} characters`);
  if (CONTROL.test(value)) throw invalid(`${field} contains control characters`);
  return value;
}

function optionalText(value: unknown, field: string, max: number): string | undefined {
  return value === undefined || value === null ? undefined : text(value, field, max);
}

export function phone(value: unknown, field = 'phone'): string {
  if (typeof value !== 'string' || !E164.test(value)) {
    throw invalid(`${field} must be an E.164 number such as +14155550100; got ${show(value)}`);
  }
  return value;
}

/** An unset node field arrives as '' or null: like a left-out one, it means "the default". */
export function unset(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

export function topic(value: unknown): string {
  if (typeof value !== 'string') throw invalid(`topic must be a string; got ${show(value)}`);
  // Trimmed and lower-cased on write and on read alike, so "Marketing " typed into a node field
  // is the topic a STOP for "marketing" blocks.
  return text(value.trim().toLowerCase(), 'topic', LIMITS.topic);
}

export function idempotencyKey(value: unknown): string {
  return text(value, 'idempotency key', LIMITS.idempotencyKey);
}

export function lookupId(value: unknown): string {
  return text(value, 'message id or idempotency key', Math.max(LIMITS.idempotencyKey, LIMITS.messageId));
}

function providerId(value: unknown, field = 'provider'): string {
  if (typeof value !== 'string' || !PROVIDER_ID.test(value)) {
    throw invalid(`${field} must be a provider id such as "twilio"; got ${show(value)}`);
  }
  return value;
}

/** Milliseconds since the epoch of an ISO-8601 date or zoned date-time; INVALID_INPUT otherwise. */
export function isoInstant(value: unknown, field: string): number {
  if (typeof value !== 'string' || value.length > 40) {
    throw invalid(`${field} must be an ISO-8601 date-time with a zone; got ${show(value)}`);
  }
  const m = ISO_INSTANT.exec(value);
  const ms = m ? Date.parse(value.replace(' ', 'T')) : Number.NaN;
  if (!m || !Number.isFinite(ms)) {
    throw invalid(`${field} must be an ISO-8601 date-time with a zone (e.g. 2025-01-31T09:30:00Z); got ${show(value)}`);
  }
  const [, y, mo, d, h, mi, s] = m;
  if (Number(y) < 1970) throw invalid(`${field} is before 1970: ${show(value)}`);
  const days = new Date(Date.UTC(Number(y), Number(mo), 0)).getUTCDate();
  if (Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > days) {
    throw invalid(`${field} is not a calendar date: ${show(value)}`);
  }
  if ((h !== undefined && Number(h) > 23) || (mi !== undefined && Number(mi) > 59) || (s !== undefined && Number(s) > 59)) {
    throw invalid(`${field} is not a time of day: ${show(value)}`);
  }
  return ms;
}

function duration(value: unknown, field: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || Number.isNaN(value) || value < min || value > max) {
    throw invalid(`${field} must be a number of milliseconds from ${min} to ${max}; got ${show(value)}`);
  }
  return value;
}

function price(value: unknown, field: string): { amount: number; currency?: string } | undefined {
  if (value === undefined || value === null) return undefined;
  const p = object(value, field);
  if (typeof p.amount !== 'number' || !Number.isFinite(p.amount)) {
    throw invalid(`${field}.amount must be a finite number; got ${show(p.amount)}`);
  }
  const currency = optionalText(p.currency, `${field}.currency`, 10);
  return currency === undefined ? { amount: p.amount } : { amount: p.amount, currency };
}

// ---------------------------------------------------------------------------------------------
// Consent

export interface ValidConsentEvent {
  phone: string;
  topic: string;
  action: ConsentAction;
  source: string;
  atMs: number;
  evidenceJson: string;
}

/**
 * Evidence is read back by engines that copy objects by assignment, where an own `__proto__` key
 * would become the copy's prototype: such keys are refused at the door, at any depth.
 */
function refuseProtoKeys(key: string, value: unknown): unknown {
  if (key === '__proto__') throw invalid('evidence must not contain a "__proto__" key');
  return value;
}

/** Clocks of other machines drift; beyond this an event dated ahead is refused. */
const CONSENT_CLOCK_SKEW_MS = 5 * 60 * 1000;

/**
 * The ledger's latest event decides, so an event dated in the future would outrank every STOP
 * recorded until then: events happen now or in the past.
 */
function notFuture(atMs: number, nowMs: number): number {
  if (atMs > nowMs + CONSENT_CLOCK_SKEW_MS) throw invalid('at lies in the future: a consent event is dated when it happened');
  return atMs;
}

export function consentEvent(value: unknown, nowMs: number): ValidConsentEvent {
  const e = object(value, 'consent event') as Partial<ConsentEvent>;
  if (e.action !== 'opt-in' && e.action !== 'opt-out') {
    throw invalid(`action must be "opt-in" or "opt-out"; got ${show(e.action)}`);
  }
  let evidenceJson = '{}';
  if (e.evidence !== undefined && e.evidence !== null) {
    if (!isPlainObject(e.evidence)) throw invalid(`evidence must be a plain object; got ${show(e.evidence)}`);
    try {
      evidenceJson = JSON.stringify(e.evidence, refuseProtoKeys);
    } catch (err) {
      if (err instanceof SmsError) throw err;
      throw invalid('evidence must be JSON-serialisable (no cycles, no BigInt)');
    }
    if (evidenceJson.length > LIMITS.evidence) {
      throw invalid(`evidence is larger than ${LIMITS.evidence} characters once serialised`);
    }
  }
  return {
    phone: phone(e.phone),
    topic: topic(e.topic),
    action: e.action,
    source: text(e.source, 'source', LIMITS.source),
    atMs: e.at === undefined ? nowMs : notFuture(isoInstant(e.at, 'at'), nowMs),
    evidenceJson,
  };
}

/** Every event of an import, checked before any is written; the first bad one names its index. */
export function consentEvents(value: unknown, nowMs: number): ValidConsentEvent[] {
  if (!Array.isArray(value)) throw invalid(`consent events must be an array; got ${show(value)}`);
  if (value.length > LIMITS.importEvents) {
    throw invalid(`one import takes at most ${LIMITS.importEvents} consent events; got ${value.length}`);
  }
  const out: ValidConsentEvent[] = new Array(value.length);
  for (let i = 0; i < value.length; i++) {
    try {
      out[i] = consentEvent(value[i], nowMs);
    } catch (e) {
      if (e instanceof SmsError) throw invalid(`consent event [${i}]: ${e.message}; nothing was recorded`);
      throw e;
    }
  }
  return out;
}

export function consentQuery(value: unknown): { phone: string; topic: string; requireOptIn: boolean } {
  const q = object(value, 'consent query');
  if (q.requireOptIn !== undefined && typeof q.requireOptIn !== 'boolean') {
    throw invalid(`requireOptIn must be a boolean; got ${show(q.requireOptIn)}`);
  }
  return { phone: phone(q.phone), topic: topic(q.topic), requireOptIn: q.requireOptIn === true };
}

// ---------------------------------------------------------------------------------------------
// Sending

export interface ValidClaimInfo {
  provider: string;
  to: string;
  leaseMs: number;
  windowMs?: number;
}

export function claimInfo(value: unknown): ValidClaimInfo {
  const info = object(value, 'claim info') as Partial<ClaimInfo>;
  const out: ValidClaimInfo = {
    provider: providerId(info.provider),
    to: text(info.to, 'to', 64),
    leaseMs: Math.ceil(duration(info.leaseMs, 'leaseMs', 1, MAX_LEASE_MS) ?? DEFAULT_LEASE_MS),
  };
  // Infinity is "forever", the same as no window.
  const windowMs = duration(info.windowMs, 'windowMs', 0, Number.POSITIVE_INFINITY);
  if (windowMs !== undefined && windowMs !== Number.POSITIVE_INFINITY) out.windowMs = windowMs;
  return out;
}

export interface ValidSendResult {
  result: SendResult;
  /** What is persisted: the result without `duplicate`, and without `raw` when that is too big. */
  json: string;
}

const ENCODINGS: readonly Encoding[] = ['GSM-7', 'UCS-2'];

export function sendResult(value: unknown): ValidSendResult {
  const r = object(value, 'send result') as Partial<SendResult>;
  if (!isNormalizedStatus(r.status)) throw invalid(`result.status is not a normalised status; got ${show(r.status)}`);
  if (typeof r.encoding !== 'string' || !ENCODINGS.includes(r.encoding as Encoding)) {
    throw invalid(`result.encoding must be GSM-7 or UCS-2; got ${show(r.encoding)}`);
  }
  if (typeof r.segments !== 'number' || !Number.isInteger(r.segments) || r.segments < 0 || r.segments > LIMITS.segments) {
    throw invalid(`result.segments must be an integer from 0 to ${LIMITS.segments}; got ${show(r.segments)}`);
  }
  const result: SendResult = {
    provider: providerId(r.provider, 'result.provider') as SendResult['provider'],
    messageId: text(r.messageId, 'result.messageId', LIMITS.messageId),
    status: r.status,
    to: text(r.to, 'result.to', 64),
    segments: r.segments,
    encoding: r.encoding as Encoding,
  };
  const from = optionalText(r.from, 'result.from', 64);
  if (from !== undefined) result.from = from;
  const clientRef = optionalText(r.clientRef, 'result.clientRef', LIMITS.shortText);
  if (clientRef !== undefined) result.clientRef = clientRef;
  const key = optionalText(r.idempotencyKey, 'result.idempotencyKey', LIMITS.idempotencyKey);
  if (key !== undefined) result.idempotencyKey = key;
  const p = price(r.price, 'result.price');
  if (p !== undefined) result.price = p;
  if (r.partMessageIds !== undefined && r.partMessageIds !== null) result.partMessageIds = partMessageIds(r.partMessageIds);

  const lean = JSON.stringify(result);
  let json = lean;
  if (r.raw !== undefined) {
    // The send happened: refusing to record it because the provider's answer is odd would
    // let the key be sent again. An unserialisable or huge `raw` is dropped instead.
    try {
      const full = JSON.stringify({ ...result, raw: r.raw });
      if (full.length <= LIMITS.result) {
        json = full;
        result.raw = r.raw;
      }
    } catch {
      json = lean;
    }
  }
  return { result, json };
}

/** One id per part, part 1 first: at least two (a one-part message needs none), all distinct. */
function partMessageIds(value: unknown): string[] {
  if (!Array.isArray(value) || value.length < 2 || value.length > LIMITS.parts) {
    throw invalid(`result.partMessageIds must be a list of 2 to ${LIMITS.parts} message ids; got ${show(value)}`);
  }
  // Array.from, not map: map skips the holes of a sparse array.
  const ids = Array.from(value, (id, i) => text(id, `result.partMessageIds[${i}]`, LIMITS.messageId));
  if (new Set(ids).size !== ids.length) throw invalid('result.partMessageIds names one id for two parts');
  return ids;
}

/**
 * The ISO country of a recipient as stored (E.164, or the digits alone as several providers
 * write it), or null when it is not a number that belongs to one country.
 */
export function recipientCountry(recipient: string): string | null {
  const digitsOnly = /^[1-9][0-9]{4,14}$/.test(recipient);
  if (!digitsOnly && !E164.test(recipient)) return null;
  try {
    return normalizePhone(digitsOnly ? `+${recipient}` : recipient).country ?? null;
  } catch {
    return null;
  }
}

const ERROR_FIELDS = ['inDoubt', 'provider', 'httpStatus', 'providerCode', 'retryAfterMs'] as const;

/**
 * Keeps only the documented SmsErrorJson fields, so an error object carrying a `cause` (which
 * may hold a request with credentials) is never persisted.
 */
export function releaseOutcome(value: unknown): { inDoubt: boolean; errorJson: string; error: SmsErrorJson } {
  const o = object(value, 'release outcome');
  if (typeof o.inDoubt !== 'boolean') throw invalid(`inDoubt must be a boolean; got ${show(o.inDoubt)}`);
  const e = object(o.error, 'error');
  if (typeof e.code !== 'string' || !Object.prototype.hasOwnProperty.call(SMS_ERROR_CODES, e.code)) {
    throw invalid(`error.code must be one of the SmsError codes (e.g. NETWORK_ERROR); got ${show(e.code)}`);
  }
  if (typeof e.message !== 'string') throw invalid(`error.message must be a string; got ${show(e.message)}`);
  const error: Record<string, unknown> = {
    code: e.code,
    message: e.message.slice(0, LIMITS.errorMessage),
    retryable: e.retryable === true,
  };
  for (const f of ERROR_FIELDS) {
    const v = e[f];
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
      error[f] = typeof v === 'string' ? v.slice(0, LIMITS.shortText) : v;
    }
  }
  return { inDoubt: o.inDoubt, errorJson: JSON.stringify(error), error: error as unknown as SmsErrorJson };
}

// ---------------------------------------------------------------------------------------------
// Delivery reports

export interface ValidReport {
  provider: string;
  messageId: string;
  status: NormalizedStatus;
  providerStatus: string;
  /** '' when the report has none: part of the de-duplication key, which must not hold NULLs. */
  errorCode: string;
  errorMessage?: string;
  /** 0 when the report is for the whole message. */
  part: number;
  occurredAtMs: number;
  to?: string;
  price?: { amount: number; currency?: string };
  clientRef?: string;
  mccmnc?: string;
  permanent?: boolean;
  sequence?: number;
}

export function deliveryReport(value: unknown): ValidReport {
  const r = object(value, 'delivery report') as Partial<DeliveryReport>;
  if (!isNormalizedStatus(r.status)) throw invalid(`report status is not a normalised status; got ${show(r.status)}`);
  if (typeof r.final !== 'boolean') throw invalid(`report final must be a boolean; got ${show(r.final)}`);
  if (typeof r.providerStatus !== 'string' || r.providerStatus.length > LIMITS.shortText || CONTROL.test(r.providerStatus)) {
    throw invalid(`report providerStatus must be a string of at most ${LIMITS.shortText} characters`);
  }
  let part = 0;
  if (r.part !== undefined && r.part !== null) {
    if (typeof r.part !== 'number' || !Number.isInteger(r.part) || r.part < 1 || r.part > LIMITS.parts) {
      throw invalid(`report part must be an integer from 1 to ${LIMITS.parts}; got ${show(r.part)}`);
    }
    part = r.part;
  }
  if (r.permanent !== undefined && typeof r.permanent !== 'boolean') {
    throw invalid(`report permanent must be a boolean; got ${show(r.permanent)}`);
  }
  let errorMessage: string | undefined;
  if (r.errorMessage !== undefined && r.errorMessage !== null) {
    if (typeof r.errorMessage !== 'string' || r.errorMessage.length > LIMITS.errorMessage) {
      throw invalid(`report errorMessage must be a string of at most ${LIMITS.errorMessage} characters`);
    }
    errorMessage = r.errorMessage;
  }
  const out: ValidReport = {
    provider: providerId(r.provider),
    messageId: text(r.messageId, 'report messageId', LIMITS.messageId),
    status: r.status,
    providerStatus: r.providerStatus,
    errorCode: optionalText(r.errorCode, 'report errorCode', 100) ?? '',
    part,
    occurredAtMs: isoInstant(r.occurredAt, 'report occurredAt'),
  };
  if (errorMessage !== undefined) out.errorMessage = errorMessage;
  const to = optionalText(r.to, 'report to', 64);
  if (to !== undefined) out.to = to;
  const p = price(r.price, 'report price');
  if (p !== undefined) out.price = p;
  const clientRef = optionalText(r.clientRef, 'report clientRef', LIMITS.shortText);
  if (clientRef !== undefined) out.clientRef = clientRef;
  const mccmnc = optionalText(r.mccmnc, 'report mccmnc', 16);
  if (mccmnc !== undefined) out.mccmnc = mccmnc;
  if (r.permanent !== undefined) out.permanent = r.permanent;
  if (r.sequence !== undefined && r.sequence !== null) {
    if (typeof r.sequence !== 'number' || !Number.isSafeInteger(r.sequence) || r.sequence < 0) {
      throw invalid(`report sequence must be a non-negative integer; got ${show(r.sequence)}`);
    }
    out.sequence = r.sequence;
  }
  return out;
}

/** Every report of a batch, checked before any is applied; the first bad one names its index. */
export function deliveryReports(value: unknown): ValidReport[] {
  if (!Array.isArray(value)) throw invalid(`delivery reports must be an array; got ${show(value)}`);
  if (value.length > LIMITS.reportBatch) {
    throw invalid(`one call takes at most ${LIMITS.reportBatch} delivery reports; got ${value.length}`);
  }
  return Array.from(value, (r, i) => {
    try {
      return deliveryReport(r);
    } catch (e) {
      if (e instanceof SmsError) throw invalid(`delivery report [${i}]: ${e.message}; nothing was applied`);
      throw e;
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Held messages

export function queue(value: unknown): string {
  return text(value, 'queue', LIMITS.queue);
}

export function heldId(value: unknown): string {
  return text(value, 'held message id', LIMITS.heldId);
}

/**
 * The payload as stored JSON. Stricter than JSON.stringify, which would silently drop a function
 * or a symbol and turn NaN into null: what is released must be what was held.
 */
export function heldPayload(value: unknown): string {
  return strictJson(value, 'payload', LIMITS.heldPayload);
}

/** `value` as JSON that reads back as the same data, at most `max` UTF-16 code units long. */
function strictJson(value: unknown, what: string, max: number): string {
  if (value === undefined) throw invalid(`${what} is missing`);
  const reject = (v: unknown): string | undefined => {
    switch (typeof v) {
      case 'function':
        return 'a function';
      case 'symbol':
        return 'a symbol';
      case 'bigint':
        return 'a BigInt';
      case 'number':
        return Number.isFinite(v) ? undefined : 'a non-finite number';
      default:
        return undefined;
    }
  };
  let json: string | undefined;
  try {
    json = JSON.stringify(value, (key, v: unknown) => {
      const bad = reject(v);
      if (bad !== undefined) throw invalid(`${what} holds ${bad}${key === '' ? '' : ` at "${key.slice(0, 40)}"`}; it must be JSON`);
      return v;
    });
  } catch (e) {
    if (e instanceof SmsError) throw e;
    // A cycle (TypeError), nesting too deep for the stack or a string too long (RangeError).
    throw invalid(`${what} must be JSON-serialisable (no cycles, not nested thousands deep)`);
  }
  if (json === undefined) throw invalid(`${what} must be JSON-serialisable; got ${show(value)}`);
  if (json.length > max) throw invalid(`${what} is larger than ${max} characters once serialised`);
  return json;
}

export interface ValidHold {
  queue: string;
  id?: string;
  releaseAtMs: number;
  payloadJson: string;
}

export function hold(value: unknown): ValidHold {
  const h = object(value, 'held message');
  const out: ValidHold = {
    queue: queue(h.queue),
    releaseAtMs: isoInstant(h.releaseAt, 'releaseAt'),
    payloadJson: heldPayload(h.payload),
  };
  if (h.id !== undefined && h.id !== null) out.id = heldId(h.id);
  return out;
}

export function heldQuery(value: unknown): { dueByMs?: number; limit?: number } {
  if (value === undefined || value === null) return {};
  const o = object(value, 'held messages options');
  const out: { dueByMs?: number; limit?: number } = {};
  if (o.dueBy !== undefined && o.dueBy !== null) out.dueByMs = isoInstant(o.dueBy, 'dueBy');
  if (o.limit !== undefined && o.limit !== null) {
    if (typeof o.limit !== 'number' || !Number.isInteger(o.limit) || o.limit < 1 || o.limit > LIMITS.heldBatch) {
      throw invalid(`limit must be an integer from 1 to ${LIMITS.heldBatch}; got ${show(o.limit)}`);
    }
    out.limit = o.limit;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Inbound messages

/** What the store keys a received message on. */
export function inboundMessages(value: unknown): { provider: string; messageId: string }[] {
  if (!Array.isArray(value)) throw invalid(`inbound messages must be an array; got ${show(value)}`);
  if (value.length > LIMITS.inboundBatch) {
    throw invalid(`one call takes at most ${LIMITS.inboundBatch} inbound messages; got ${value.length}`);
  }
  return Array.from(value, (m, i) => {
    try {
      const o = object(m, 'inbound message') as Partial<InboundSms>;
      return { provider: providerId(o.provider), messageId: text(o.messageId, 'messageId', LIMITS.messageId) };
    } catch (e) {
      if (e instanceof SmsError) throw invalid(`inbound message [${i}]: ${e.message}; nothing was recorded`);
      throw e;
    }
  });
}

export interface ValidInboundPart {
  provider: string;
  from: string;
  ref: string;
  part: number;
  total: number;
  /** The part's own provider id: a retry repeats it, a new message reusing the ref does not. */
  messageId: string;
  messageJson: string;
}

export function inboundPart(value: unknown): ValidInboundPart {
  const p = object(value, 'inbound part') as Partial<InboundPart>;
  const count = (v: unknown, field: string): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > LIMITS.parts) {
      throw invalid(`${field} must be an integer from 1 to ${LIMITS.parts}; got ${show(v)}`);
    }
    return v;
  };
  const part = count(p.part, 'part');
  const total = count(p.total, 'total');
  if (part > total) throw invalid(`part ${part} is beyond the total of ${total} parts`);
  if (!isPlainObject(p.message)) throw invalid(`the part's message must be an inbound message object; got ${show(p.message)}`);
  return {
    provider: providerId(p.provider),
    from: text(p.from, 'from', 64),
    ref: text(p.ref, 'ref', LIMITS.shortText),
    part,
    total,
    messageId: text(p.message.messageId, 'message.messageId', LIMITS.messageId),
    messageJson: strictJson(p.message, 'message', LIMITS.inboundMessage),
  };
}

// ---------------------------------------------------------------------------------------------
// Delivery summaries

export interface ValidDeliveryFilter {
  clientRef?: string;
  clientRefPrefix?: string;
  provider?: string;
  sinceMs?: number;
  untilMs?: number;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const FILTER_KEYS: readonly (keyof DeliveryFilter)[] = ['clientRef', 'clientRefPrefix', 'provider', 'since', 'until'];

/** Strict: a misspelt or mistyped condition would silently count every message. */
export function deliveryFilter(value: unknown): ValidDeliveryFilter {
  if (!isPlainObject(value)) throw invalid(`the delivery filter must be an object; got ${show(value)}`);
  const unknown = Object.keys(value).filter((k) => !(FILTER_KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw invalid(`the delivery filter has unknown conditions: ${unknown.slice(0, 5).map((k) => show(k)).join(', ')} (known: ${FILTER_KEYS.join(', ')})`);
  }
  const f = value as Partial<Record<keyof DeliveryFilter, unknown>>;
  const out: ValidDeliveryFilter = {};
  if (f.clientRef !== undefined) out.clientRef = text(f.clientRef, 'clientRef', LIMITS.shortText);
  if (f.clientRefPrefix !== undefined) {
    const prefix = text(f.clientRefPrefix, 'clientRefPrefix', LIMITS.clientRefPrefix);
    // SQLite would store it as U+FFFD, so no stored reference could start with it.
    if (LONE_SURROGATE.test(prefix)) throw invalid('clientRefPrefix contains a lone UTF-16 surrogate');
    out.clientRefPrefix = prefix;
  }
  if (f.provider !== undefined) out.provider = providerId(f.provider);
  if (f.since !== undefined) out.sinceMs = isoInstant(f.since, 'since');
  if (f.until !== undefined) out.untilMs = isoInstant(f.until, 'until');
  if (out.sinceMs !== undefined && out.untilMs !== undefined && out.sinceMs > out.untilMs) {
    throw invalid('since lies after until: no message can match');
  }
  return out;
}
