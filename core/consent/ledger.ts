/**
 * The consent ledger as the nodes use it: numbers as people write them, topics with defaults,
 * over any Store (DESIGN §3).
 *
 * Rules:
 * - A number is normalised to E.164 with `defaultCountry` for national formats, so "06 12 34 56 78"
 *   (FR) and "+33612345678" are one recipient. A number that is not valid is INVALID_PHONE.
 * - A topic is trimmed text of at most 100 characters without control characters. Left out, null or
 *   blank (an unset node field), it is `marketing` for a check and `*` for a record: an SMS STOP
 *   means every topic, and a check is most often about marketing.
 * - The latest event for the topic or for `*` decides (event time, then record order); without one
 *   a message is allowed unless `requireOptIn`.
 * - Checking `*` asks "may every topic be sent?": blocked while an opt-out of any topic stands (the
 *   latest `*` event is an opt-out, or a topic's opt-out came after it); opted in when the latest
 *   `*` event is an opt-in that no topic opt-out followed.
 * - History is oldest first. Filtered by a topic it keeps the events that decide that topic: its own
 *   and the `*` ones; filtered by `*` it keeps every event, as all of them decide a `*` check.
 */
import { isPlainObject } from '../plain-object';
import { normalizePhone } from '../phone';
import { SmsError } from '../errors';
import * as valid from '../store/validate';
import type { ConsentAction, ConsentDecision, ConsentRecord, Store } from '../types';

export const DEFAULT_CHECK_TOPIC = 'marketing';
export const DEFAULT_RECORD_TOPIC = '*';
export const DEFAULT_RECORD_SOURCE = 'api';

export interface CheckRecipientQuery {
  phone: string;
  /** Default `marketing`. */
  topic?: string;
  requireOptIn?: boolean;
  /** ISO 3166-1 alpha-2, to read numbers written without `+`. */
  defaultCountry?: string;
}

export interface RecordRecipientEvent {
  phone: string;
  /** Default `*` (every topic, what STOP means). */
  topic?: string;
  action: ConsentAction;
  /** Default `api`. */
  source?: string;
  evidence?: Record<string, unknown>;
  /** ISO-8601 with a zone; default now. */
  at?: string;
  defaultCountry?: string;
}

export interface RecipientHistoryOptions {
  defaultCountry?: string;
  topic?: string;
}

function object(value: unknown, what: string): Record<string, unknown> {
  if (!isPlainObject(value)) throw new SmsError('INVALID_INPUT', `${what} must be an object; got ${valid.show(value)}`);
  return value;
}

function options(value: unknown, what: string): Record<string, unknown> {
  return value === undefined || value === null ? {} : object(value, what);
}

function recipient(phone: unknown, defaultCountry: unknown): string {
  return normalizePhone(phone as string, { defaultCountry: defaultCountry as string }).e164;
}

function topicOr(value: unknown, fallback: string): string {
  return valid.unset(value) ? fallback : valid.topic(value);
}

export async function checkRecipient(
  store: Store,
  q: CheckRecipientQuery,
): Promise<ConsentDecision & { phone: string }> {
  const o = object(q, 'the consent query');
  const phone = recipient(o.phone, o.defaultCountry);
  const topic = topicOr(o.topic, DEFAULT_CHECK_TOPIC);
  if (o.requireOptIn !== undefined && o.requireOptIn !== null && typeof o.requireOptIn !== 'boolean') {
    throw new SmsError('INVALID_INPUT', `requireOptIn must be true or false; got ${valid.show(o.requireOptIn)}`);
  }
  const requireOptIn = o.requireOptIn === true;
  const decision =
    topic === '*'
      ? everyTopic(await store.consentHistory(phone), requireOptIn)
      : await store.checkConsent({ phone, topic, requireOptIn });
  return { ...decision, phone };
}

/** The `*` check over the history (oldest first): see the rules at the top of this file. */
export function everyTopic(history: readonly ConsentRecord[], requireOptIn: boolean): ConsentDecision {
  let all = -1;
  // Each topic's latest event since the last `*` one, by position in the history.
  const standing = new Map<string, number>();
  history.forEach((e, i) => {
    if (e.topic === '*') {
      all = i;
      standing.clear();
    } else {
      standing.set(e.topic, i);
    }
  });
  let optOut = all >= 0 && history[all]?.action === 'opt-out' ? all : -1;
  for (const i of standing.values()) if (history[i]?.action === 'opt-out' && i > optOut) optOut = i;
  const at = (i: number): string => (history[i] as ConsentRecord).at;
  if (optOut >= 0) return { allowed: false, reason: 'opted-out', since: at(optOut) };
  // The history's last event is the latest of its topic (or the `*` one): it stands, and is the newest.
  if (all >= 0) return { allowed: true, reason: 'opted-in', since: at(history.length - 1) };
  // Opt-ins to some topics say nothing about the others.
  return requireOptIn ? { allowed: false, reason: 'no-consent' } : { allowed: true, reason: 'not-required' };
}

export async function recordRecipient(store: Store, e: RecordRecipientEvent): Promise<ConsentRecord> {
  const o = object(e, 'the consent event');
  const phone = recipient(o.phone, o.defaultCountry);
  const event: Parameters<Store['recordConsent']>[0] = {
    phone,
    topic: topicOr(o.topic, DEFAULT_RECORD_TOPIC),
    action: o.action as ConsentAction,
    source: valid.unset(o.source) ? DEFAULT_RECORD_SOURCE : (o.source as string),
  };
  // The store checks action, source, evidence (a plain object, 16 KB at most) and `at`.
  if (o.evidence !== undefined && o.evidence !== null) event.evidence = o.evidence as Record<string, unknown>;
  if (!valid.unset(o.at)) event.at = o.at as string;
  return store.recordConsent(event);
}

export async function recipientHistory(
  store: Store,
  phone: string,
  opts?: RecipientHistoryOptions,
): Promise<ConsentRecord[]> {
  const o = options(opts, 'the history options');
  const e164 = recipient(phone, o.defaultCountry);
  const topic = topicOr(o.topic, '*');
  const history = await store.consentHistory(e164);
  return topic === '*' ? history : history.filter((r) => r.topic === topic || r.topic === '*');
}
