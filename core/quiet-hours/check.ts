/**
 * checkQuietHours (DESIGN §3): may a message reach this recipient at this instant, judged on the
 * recipient's own wall clock, and if not, when first? Synchronous and engine-free: the n8n and
 * Node-RED gates call it per item and turn `nextAllowedAt`/`waitMs` into a Wait node or a held
 * message, never into a sleep.
 */
import { types } from 'node:util';
import { DateTime } from 'luxon';
import { SmsError } from '../errors';
import { normalizePhone } from '../phone';
import { DAY_MS, localIso, readZone } from './local-time';
import { resolvePolicy, type ResolvedQuietHoursPolicy } from './policy';
import { closedReason, isOpen, nextOpenInstant } from './schedule';
import type { MessageClass, QuietHoursDecision, QuietHoursInput } from './types';
import { invalid, isUnset, own, readObject } from './validate';

/** How far ahead an allowed instant is looked for: a year, and a few days for holidays around it. */
export const SEARCH_HORIZON_DAYS = 370;

const INPUT_KEYS: readonly (keyof QuietHoursInput)[] = [
  'phone',
  'timezone',
  'fallbackTimezone',
  'defaultCountry',
  'at',
  'policy',
  'class',
];
export const MESSAGE_CLASSES: readonly MessageClass[] = ['marketing', 'transactional', 'otp'];
/** Every source exempts these (TCPA solicitation, TRAI transactional 24×7, af2m functional messages). */
const EXEMPT: ReadonlySet<MessageClass> = new Set<MessageClass>(['transactional', 'otp']);
/**
 * A date-time with an offset or Z. A local time without one names a different instant in every
 * zone, and the gate exists to tell those apart, so it is refused rather than guessed.
 */
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}([.,]\d{1,9})?)?(Z|[+-]([01]\d|2[0-3])(:?[0-5]\d)?)$/;
const MAX_ISO_LENGTH = 40;
/** Instants a message could be sent at; far dates are typos, and holiday data has no meaning there. */
const EARLIEST_AT = Date.UTC(1970, 0, 1);
const LATEST_AT = Date.UTC(2200, 0, 1);
const SHOWN_ZONES = 5;
/** Zone look-ups allowed in one search: thousands of times what any real policy and number need. */
const MAX_ZONE_STEPS = 5_000;

/**
 * Decides whether `input.class` of message may go to the recipient at `input.at` (default now)
 * under `input.policy`, in every zone of the recipient (`timezone`, else the number's zones, else
 * `fallbackTimezone`). Throws SmsError INVALID_INPUT (malformed input or policy, or a policy that
 * never opens in all the zones within SEARCH_HORIZON_DAYS), INVALID_TIMEZONE, NO_TIMEZONE or
 * INVALID_PHONE.
 *
 * Transactional and OTP messages are always allowed (`reason: 'exempt'`); their policy and zones
 * are still checked, so a misconfigured gate fails on the first item rather than on the first
 * marketing one. An exempt message never fails for want of a zone: with none known it is
 * reported in UTC with `timezones: []`.
 */
export function checkQuietHours(input: QuietHoursInput): QuietHoursDecision {
  const item = readObject(input, 'The quiet-hours input', INPUT_KEYS);
  const policy = resolvePolicy(own(item, 'policy'));
  const messageClass = readClass(own(item, 'class'));
  const at = readAt(own(item, 'at'));
  const exempt = EXEMPT.has(messageClass);
  const zones = recipientZones(item, exempt);

  if (exempt) {
    const zone = zones[0] ?? 'UTC';
    const localTime = localIso(zone, at);
    return { allowed: true, timezone: zone, timezones: zones, localTime, reason: 'exempt', policy: policy.id };
  }
  const closedIn = zones.find((zone) => !isOpen(policy, zone, at));
  if (closedIn === undefined) {
    return { allowed: true, timezone: zones[0], timezones: zones, localTime: localIso(zones[0], at), policy: policy.id };
  }
  const next = nextOpenInAll(policy, zones, at);
  const waitMs = next - at;
  return {
    allowed: false,
    timezone: closedIn,
    timezones: zones,
    localTime: localIso(closedIn, at),
    reason: closedReason(policy, closedIn, at),
    nextAllowedAt: new Date(next).toISOString(),
    waitMs,
    waitSeconds: Math.ceil(waitMs / 1000),
    policy: policy.id,
  };
}

/**
 * The first instant open in every zone: each zone in turn moves the candidate to its own next
 * open instant, until every zone has accepted the same candidate. Each move lands on a window
 * start, so the search ends; MAX_ZONE_STEPS bounds it for zone sets whose windows never meet
 * (dozens of zones of a toll-free number against a policy of short windows), which would
 * otherwise walk every window of the year.
 */
function nextOpenInAll(policy: ResolvedQuietHoursPolicy, zones: readonly string[], at: number): number {
  const limit = at + SEARCH_HORIZON_DAYS * DAY_MS;
  const never = (why: string): SmsError => {
    const more = zones.length > SHOWN_ZONES ? ` and ${zones.length - SHOWN_ZONES} more` : '';
    const where = zones.length === 1 ? zones[0] : `all of ${zones.slice(0, SHOWN_ZONES).join(', ')}${more} at once`;
    return invalid(`The quiet-hours policy has no time open in ${where} ${why}`);
  };
  let candidate = at;
  let accepted = 0;
  for (let step = 0; accepted < zones.length; step++) {
    if (step >= MAX_ZONE_STEPS) {
      throw never(`that a search of ${MAX_ZONE_STEPS} steps finds: its windows do not meet across these zones`);
    }
    const zone = zones[step % zones.length];
    const next = nextOpenInstant(policy, zone, candidate, Math.ceil((limit - candidate) / DAY_MS) + 1);
    if (next === undefined || next > limit) throw never(`within the next ${SEARCH_HORIZON_DAYS} days`);
    if (next > candidate) {
      candidate = next;
      accepted = 1;
    } else {
      accepted++;
    }
  }
  return candidate;
}

function readClass(value: unknown): MessageClass {
  if (isUnset(value)) return 'marketing';
  const text = typeof value === 'string' && value.length <= 20 ? value.trim().toLowerCase() : undefined;
  const found = MESSAGE_CLASSES.find((c) => c === text);
  if (found === undefined) throw invalid(`class must be one of ${MESSAGE_CLASSES.join(', ')}`);
  return found;
}

function readAt(value: unknown): number {
  let instant: number;
  if (isUnset(value)) instant = Date.now();
  else if (typeof value === 'number') instant = new Date(value).getTime();
  // isDate, not instanceof: a Date made in a Node-RED function node comes from another realm.
  else if (types.isDate(value)) instant = value.getTime();
  else if (typeof value === 'string') instant = readIso(value);
  else throw invalid('at must be an ISO-8601 date-time, a Date or epoch milliseconds');
  if (Number.isNaN(instant)) throw invalid('at is not a valid instant');
  if (instant < EARLIEST_AT || instant >= LATEST_AT) throw invalid('at must lie between 1970 and 2200');
  return instant;
}

function readIso(text: string): number {
  const trimmed = text.length <= MAX_ISO_LENGTH ? text.trim() : '';
  if (!ISO_WITH_OFFSET.test(trimmed)) {
    throw invalid(
      'at must be an ISO-8601 date-time with an offset or Z, such as 2026-03-08T10:00:00Z or 2026-03-08T10:00:00-05:00: ' +
        'a local time without an offset is a different instant in every zone',
    );
  }
  // luxon, unlike Date.parse, refuses dates that do not exist (2026-02-30) rather than rolling them over.
  const parsed = DateTime.fromISO(trimmed);
  if (!parsed.isValid) throw invalid('at is not a valid date-time (a day or time that does not exist)');
  return parsed.toMillis();
}

/**
 * The zones the instant is judged in: `timezone`; else every zone of the number (all must allow
 * it: +1 907 is both Anchorage and Adak); else `fallbackTimezone`. `fallbackTimezone` is checked
 * even when unused, so a typo in it shows on the first item.
 */
function recipientZones(item: Record<string, unknown>, exempt: boolean): string[] {
  const fallbackValue = own(item, 'fallbackTimezone');
  const fallback = isUnset(fallbackValue) ? undefined : readZone(fallbackValue, 'fallbackTimezone');
  const timezone = own(item, 'timezone');
  if (!isUnset(timezone)) return [readZone(timezone, 'timezone')];

  const phone = own(item, 'phone');
  if (!isUnset(phone)) {
    const defaultCountry = own(item, 'defaultCountry') as string | undefined;
    const numberZones = normalizePhone(phone as string, { defaultCountry }).timezones;
    const zones = [...new Set(numberZones)].map((zone) => readZone(zone, 'The zone of the number'));
    if (zones.length > 0) return zones;
  }
  if (fallback !== undefined) return [fallback];
  if (exempt) return [];
  throw new SmsError(
    'NO_TIMEZONE',
    isUnset(phone)
      ? 'No time zone to judge quiet hours in: give timezone, a phone number or fallbackTimezone'
      : 'No time zone is known for this number: give timezone or set fallbackTimezone',
  );
}
