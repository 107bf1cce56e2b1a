/**
 * Wall-clock time in IANA zones: which local date an instant falls on, and which instant a local
 * date and time of day is. Quiet hours are rules about the recipient's wall clock, so every
 * window edge is computed in the zone with luxon, never by adding hours to a UTC midnight: across
 * a DST change that would be an hour off.
 */
import { DateTime, IANAZone } from 'luxon';
import { SmsError, kindOf } from '../errors';
import { invalid, quote } from './validate';

export const DAY_MS = 86_400_000;
export const MINUTES_PER_DAY = 1_440;

/** Longer than any IANA name (the longest, America/Argentina/ComodRivadavia, has 32 characters). */
const MAX_ZONE_LENGTH = 64;
/**
 * IANA names start with a letter. Intl (and so luxon) also takes offsets such as `+05:00` and
 * luxon takes `local`/`system`; neither is a place, and `local` would judge by the server's clock.
 */
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+\-/]*$/;
/** The longest DST gap on record (Samoa skipped 2011-12-30 whole); a transition lies within it. */
const LONGEST_GAP_MS = 25 * 3_600_000;

/**
 * Zone names already found valid. Checking one builds an Intl.DateTimeFormat, which costs more
 * than the rest of a quiet-hours decision; the set stays small (a few hundred IANA names exist).
 */
const knownZones = new Set<string>();
const MAX_KNOWN_ZONES = 1_024;

/** An IANA zone name luxon can use (legacy links such as Asia/Calcutta included), trimmed. */
export function readZone(value: unknown, what: string): string {
  if (typeof value !== 'string') throw invalid(`${what} must be an IANA time zone name, got ${kindOf(value)}`);
  const name = value.trim();
  if (knownZones.has(name)) return name;
  if (name.length > MAX_ZONE_LENGTH || !ZONE_NAME.test(name) || !IANAZone.isValidZone(name)) {
    throw new SmsError('INVALID_TIMEZONE', `${what} ${quote(name)} is not a known IANA time zone, such as Europe/Paris`);
  }
  // Case variants (europe/paris) are valid too, so the set is capped rather than trusted to stay small.
  if (knownZones.size >= MAX_KNOWN_ZONES) knownZones.clear();
  knownZones.add(name);
  return name;
}

/** Days since 1970-01-01 of a calendar date: the index local dates are iterated and cached by. */
export function epochDayOf(year: number, month: number, day: number): number {
  return Math.floor(Date.UTC(year, month - 1, day) / DAY_MS);
}

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
  /** ISO weekday: 1 Monday … 7 Sunday. */
  weekday: number;
}

export function calendarDateOf(epochDay: number): CalendarDate {
  const date = new Date(epochDay * DAY_MS);
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    weekday: ((date.getUTCDay() + 6) % 7) + 1,
  };
}

/** The recipient's local date at an instant, as an epoch day. */
export function localEpochDay(zone: string, instant: number): number {
  // The wall clock is UTC plus the zone's offset at that instant (luxon reads it from the tz data).
  return Math.floor((instant + IANAZone.create(zone).offset(instant) * 60_000) / DAY_MS);
}

/**
 * The instant a local date and time of day is in `zone`. `minuteOfDay` may pass 1440 (a window
 * ending after midnight): it then counts into the following days.
 *
 * Wall times a DST change makes odd resolve so that a window is the shortest interval holding
 * every instant whose wall clock reads inside it:
 * - skipped (spring forward, 02:30 on 2026-03-08 in New York): the first instant after the gap
 *   (03:00 EDT), for a start and for an end alike;
 * - repeated (fall back, 01:30 on 2026-11-01 in New York): `first` gives the earlier occurrence
 *   (window starts), `last` the later one (window ends).
 */
export function wallClockToInstant(
  zone: string,
  epochDay: number,
  minuteOfDay: number,
  occurrence: 'first' | 'last',
): number {
  const date = calendarDateOf(epochDay + Math.floor(minuteOfDay / MINUTES_PER_DAY));
  const minutes = minuteOfDay % MINUTES_PER_DAY;
  const wanted = { year: date.year, month: date.month, day: date.day, hour: Math.floor(minutes / 60), minute: minutes % 60 };
  const local = DateTime.fromObject(wanted, { zone });
  // luxon moves a skipped wall time forward by the size of the gap; it then reads differently.
  const skipped =
    local.year !== wanted.year ||
    local.month !== wanted.month ||
    local.day !== wanted.day ||
    local.hour !== wanted.hour ||
    local.minute !== wanted.minute;
  if (skipped) return endOfGap(zone, local.toMillis());
  const instants = local.getPossibleOffsets().map((candidate) => candidate.toMillis());
  return occurrence === 'first' ? Math.min(...instants) : Math.max(...instants);
}

/**
 * The transition instant that ends a DST gap, given luxon's reading of a skipped wall time: that
 * reading lies after the transition by less than the gap, so a binary search on the zone's offset
 * over the preceding 25 hours finds it to the millisecond.
 */
function endOfGap(zone: string, after: number): number {
  const tz = IANAZone.create(zone);
  const offsetAfter = tz.offset(after);
  let before = after - LONGEST_GAP_MS;
  let hi = after;
  if (tz.offset(before) === offsetAfter) return after;
  while (hi - before > 1) {
    const mid = Math.floor((before + hi) / 2);
    if (tz.offset(mid) === offsetAfter) hi = mid;
    else before = mid;
  }
  return hi;
}

/** The local time of an instant, ISO-8601 with the zone's offset (`2026-03-08T22:30:00.000-04:00`). */
export function localIso(zone: string, instant: number): string {
  // toISO() is null only for an invalid DateTime; the zone and instant were both checked.
  return DateTime.fromMillis(instant, { zone }).toISO() ?? new Date(instant).toISOString();
}
