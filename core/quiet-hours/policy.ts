/**
 * Quiet-hours policies: a preset id, a custom policy, or a preset with parts replaced, checked and
 * turned into the form the schedule reads (windows in minutes, sorted, a checked holiday rule).
 * A gate calls this once per item of a bulk run, so resolved policies are cached.
 */
import { isPlainObject } from '../plain-object';
import { kindOf } from '../errors';
import { resolveHolidayRule, type ResolvedHolidayRule } from './holidays';
import { MINUTES_PER_DAY } from './local-time';
import { PRESET_IDS, findPreset } from './presets';
import type { PresetId, QuietHoursPolicy, QuietHoursPreset, TimeWindow, Weekday } from './types';
import { invalid, isUnset, own, quote, readObject } from './validate';

/** In ISO order: index + 1 is luxon's and ISO's weekday number. */
export const WEEKDAYS: readonly Weekday[] = Object.freeze(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
/** One window an hour is already more than any real schedule; the cap keeps hostile lists cheap. */
export const MAX_WINDOWS_PER_DAY = 24;

const POLICY_KEYS: readonly (keyof QuietHoursPolicy)[] = ['preset', 'windows', 'holidays', 'holidayWindows'];
const WINDOW_KEYS: readonly (keyof TimeWindow)[] = ['from', 'to'];
const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const MAX_CACHED_POLICIES = 100;
/** A valid policy has fewer than 600 values (7 days × 24 windows × 3, and the rest). */
const MAX_KEY_VALUES = 1_000;
const MAX_KEY_DEPTH = 6;
/** No valid policy holds a longer string (preset ids, times, country and state codes). */
const MAX_KEY_STRING = 64;

export interface ResolvedWindow {
  readonly from: string;
  readonly to: string;
  /** Minutes after the local midnight of the day the window belongs to (the day it starts on). */
  readonly start: number;
  /** Minutes after that same midnight, always after `start`: past 1440 when it ends the next day. */
  readonly end: number;
}

/** A policy after checking: every weekday present (`[]` when closed), every part filled in. */
export interface ResolvedQuietHoursPolicy {
  /** The preset id when the policy is a preset unchanged, else `custom`. */
  readonly id: PresetId | 'custom';
  readonly windows: Readonly<Record<Weekday, readonly ResolvedWindow[]>>;
  readonly holidays: ResolvedHolidayRule | false;
  readonly holidayWindows: readonly ResolvedWindow[];
}

const presetCache = new Map<PresetId, ResolvedQuietHoursPolicy>();
const policyCache = new Map<string, ResolvedQuietHoursPolicy>();

/**
 * Checks a policy and returns its resolved form. `policy` is a preset id (`us-tcpa`), a custom
 * policy (`{ windows, holidays?, holidayWindows? }`) or a preset with parts replaced
 * (`{ preset, ... }`: the weekdays given in `windows` replace the preset's for those days, the
 * other days keep the preset's; `holidays` and `holidayWindows` replace the preset's).
 * Throws SmsError('INVALID_INPUT') naming the part that is wrong.
 */
export function resolvePolicy(policy: unknown): ResolvedQuietHoursPolicy {
  if (isUnset(policy)) {
    throw invalid(`A quiet-hours policy is required: a preset id (${PRESET_IDS.join(', ')}) or a policy object`);
  }
  if (typeof policy === 'string') return resolvePreset(presetOf(policy, 'policy'));
  if (typeof policy !== 'object' || Array.isArray(policy)) {
    throw invalid(`policy must be a preset id or a policy object, got ${kindOf(policy)}`);
  }
  const key = cacheKey(policy);
  // Not plain JSON (a function, NaN, a class instance, a cycle, far too big): never cached, and
  // read as given so the refusal names what is wrong.
  if (key === undefined) return build(policy);
  const cached = policyCache.get(key);
  if (cached) {
    policyCache.delete(key);
    policyCache.set(key, cached);
    return cached;
  }
  // Built from the key itself, so what is cached under a key is exactly what the key says.
  const resolved = build(JSON.parse(key) as unknown);
  policyCache.set(key, resolved);
  if (policyCache.size > MAX_CACHED_POLICIES) policyCache.delete(policyCache.keys().next().value as string);
  return resolved;
}

function presetOf(value: unknown, what: string): QuietHoursPreset {
  if (typeof value !== 'string') throw invalid(`${what} must be a preset id, got ${kindOf(value)}`);
  const preset = findPreset(value);
  if (!preset) throw invalid(`${what}: unknown preset ${quote(value)}; valid presets: ${PRESET_IDS.join(', ')}`);
  return preset;
}

function resolvePreset(preset: QuietHoursPreset): ResolvedQuietHoursPolicy {
  let resolved = presetCache.get(preset.id);
  if (!resolved) {
    resolved = compose(preset, {});
    presetCache.set(preset.id, resolved);
  }
  return resolved;
}

/** The parts a policy object may give, as given (unchecked). */
interface PolicyParts {
  windows?: unknown;
  holidays?: unknown;
  holidayWindows?: unknown;
}

function build(raw: unknown): ResolvedQuietHoursPolicy {
  const policy = readObject(raw, 'policy', POLICY_KEYS);
  const presetValue = own(policy, 'preset');
  const parts: PolicyParts = {};
  for (const key of ['windows', 'holidays', 'holidayWindows'] as const) {
    const value = own(policy, key);
    if (!isUnset(value)) parts[key] = value;
  }
  const base = isUnset(presetValue) ? undefined : presetOf(presetValue, 'policy.preset');
  if (base === undefined && parts.windows === undefined) {
    throw invalid(
      'A custom quiet-hours policy needs windows, e.g. { "mon": [{ "from": "08:00", "to": "20:00" }] }, or a preset',
    );
  }
  // A preset named with nothing replaced is the preset: same id, same cached object.
  if (base !== undefined && Object.keys(parts).length === 0) return resolvePreset(base);
  return compose(base, parts);
}

/** The preset's parts (if any) with the given ones in their place, checked. */
function compose(base: QuietHoursPreset | undefined, parts: PolicyParts): ResolvedQuietHoursPolicy {
  const given = parts.windows === undefined ? undefined : readObject(parts.windows, 'policy.windows', WEEKDAYS);
  const windows = {} as Record<Weekday, readonly ResolvedWindow[]>;
  for (const day of WEEKDAYS) {
    const override = given === undefined ? undefined : own(given, day);
    const value = override !== undefined ? override : base?.windows[day];
    windows[day] = value === undefined ? Object.freeze([]) : readWindows(value, `policy.windows.${day}`);
  }
  if (WEEKDAYS.every((day) => windows[day].length === 0)) {
    throw invalid('The quiet-hours policy has no window on any weekday: it would never allow a message');
  }

  let holidays: ResolvedHolidayRule | false;
  if (parts.holidays !== undefined) holidays = readHolidays(parts.holidays);
  else holidays = base?.holidays ? resolveHolidayRule(base.holidays, `preset ${base.id} holidays`) : false;

  const holidayWindowsRaw = parts.holidayWindows ?? base?.holidayWindows;
  const holidayWindows =
    holidayWindowsRaw === undefined ? Object.freeze([]) : readWindows(holidayWindowsRaw, 'policy.holidayWindows');
  if (holidays === false && holidayWindows.length > 0) {
    throw invalid('policy.holidayWindows needs policy.holidays: with holidays false no day is a holiday');
  }

  const unchanged = base !== undefined && Object.keys(parts).length === 0;
  return Object.freeze({
    id: unchanged ? base.id : 'custom',
    windows: Object.freeze(windows),
    holidays,
    holidayWindows,
  });
}

function readHolidays(value: unknown): ResolvedHolidayRule | false {
  if (value === false) return false;
  if (typeof value !== 'object') {
    throw invalid(`policy.holidays must be false or a rule such as { "country": "FR" }, got ${kindOf(value)}`);
  }
  return resolveHolidayRule(value, 'policy.holidays');
}

function readWindows(value: unknown, what: string): readonly ResolvedWindow[] {
  if (!Array.isArray(value)) {
    throw invalid(`${what} must be a list of windows such as [{ "from": "08:00", "to": "20:00" }], got ${kindOf(value)}`);
  }
  if (value.length > MAX_WINDOWS_PER_DAY) {
    throw invalid(`${what} has ${value.length} windows; at most ${MAX_WINDOWS_PER_DAY} are allowed per day`);
  }
  const windows: ResolvedWindow[] = [];
  for (let i = 0; i < value.length; i++) windows.push(readWindow(value[i], `${what}[${i}]`));
  windows.sort((a, b) => a.start - b.start || a.end - b.end);
  return Object.freeze(windows);
}

function readWindow(value: unknown, what: string): ResolvedWindow {
  const window = readObject(value, what, WINDOW_KEYS);
  const from = readTime(own(window, 'from'), `${what}.from`, false);
  const to = readTime(own(window, 'to'), `${what}.to`, true);
  if (from.minutes === to.minutes) {
    throw invalid(
      `${what} opens and closes at the same time (${from.text}); write "00:00" to "24:00" for a whole day`,
    );
  }
  // A `to` not after `from` is on the next day: the window crosses midnight.
  const end = to.minutes > from.minutes ? to.minutes : to.minutes + MINUTES_PER_DAY;
  return Object.freeze({ from: from.text, to: to.text, start: from.minutes, end });
}

function readTime(value: unknown, what: string, endOfDay: boolean): { text: string; minutes: number } {
  if (value === undefined) throw invalid(`${what} is missing: a time "HH:mm"`);
  if (typeof value !== 'string') throw invalid(`${what} must be a time "HH:mm", got ${kindOf(value)}`);
  if (endOfDay && value === '24:00') return { text: value, minutes: MINUTES_PER_DAY };
  const match = value.length === 5 ? HH_MM.exec(value) : null;
  if (!match) {
    const range = endOfDay ? '00:00 to 23:59 or 24:00' : '00:00 to 23:59';
    throw invalid(`${what} must be a time "HH:mm" from ${range}, got ${quote(value, 12)}`);
  }
  return { text: value, minutes: Number(match[1]) * 60 + Number(match[2]) };
}

/**
 * A canonical JSON text of a plain-data policy, to cache by content rather than by identity (a
 * flow builds a new object per item). `undefined` when the value is not plain JSON data or is
 * larger than any valid policy: such a value is checked directly and refused.
 */
function cacheKey(policy: object): string | undefined {
  let budget = MAX_KEY_VALUES;
  const write = (value: unknown, depth: number): string | undefined => {
    if (--budget < 0 || depth > MAX_KEY_DEPTH) return undefined;
    if (value === null) return 'null';
    switch (typeof value) {
      case 'string':
        return value.length <= MAX_KEY_STRING ? JSON.stringify(value) : undefined;
      case 'boolean':
        return String(value);
      case 'number':
        return Number.isFinite(value) ? JSON.stringify(value) : undefined;
      case 'object': {
        const parts: string[] = [];
        if (Array.isArray(value)) {
          for (let i = 0; i < value.length; i++) {
            const part = write(value[i], depth + 1);
            if (part === undefined) return undefined;
            parts.push(part);
          }
          return `[${parts.join(',')}]`;
        }
        if (!isPlainObject(value)) return undefined;
        for (const key of Object.keys(value)) {
          const item = (value as Record<string, unknown>)[key];
          // An own property set to undefined is the same as an absent one, as in JSON.
          if (item === undefined) continue;
          const part = write(item, depth + 1);
          if (part === undefined) return undefined;
          parts.push(`${JSON.stringify(key)}:${part}`);
        }
        return `{${parts.join(',')}}`;
      }
      default:
        return undefined;
    }
  };
  return write(policy, 0);
}
