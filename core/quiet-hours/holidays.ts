/**
 * Public holidays for quiet hours, from `date-holidays`: whether a recipient's local calendar date
 * is a holiday of the kinds a policy counts. The question is about a date, not an instant, so the
 * caller converts the instant to the recipient's date first: 14 July begins in Paris two hours
 * before it begins in UTC, and those two hours are a holiday.
 *
 * A holiday closes every local date it is listed on, whole: a half-day holiday (Christmas Eve
 * from 14:00 in Brazil or Germany) closes that date entirely, the conservative reading for
 * marketing. Multi-day holidays close each of their days, starting at the listed date (the
 * sunset eve of a lunar holiday is not counted).
 */
import type Holidays from 'date-holidays';
import { kindOf } from '../errors';
import { DAY_MS, calendarDateOf, epochDayOf } from './local-time';
import type { HolidayRule } from './types';
import { invalid, isUnset, own, quote, readObject, readString } from './validate';

/** The kinds date-holidays sorts holidays into; a policy counts `public` ones unless told. */
export const HOLIDAY_TYPES = ['public', 'bank', 'school', 'optional', 'observance'] as const;
export type HolidayType = (typeof HOLIDAY_TYPES)[number];

/** A holiday rule checked against date-holidays' data, with its codes in date-holidays' spelling. */
export interface ResolvedHolidayRule {
  readonly country: string;
  readonly state?: string;
  readonly region?: string;
  readonly types: readonly HolidayType[];
}

const RULE_KEYS: readonly (keyof HolidayRule)[] = ['country', 'state', 'region', 'types'];
/** Calendars kept (one per country/state/region in use) and years kept per calendar. */
const MAX_CALENDARS = 64;
const MAX_YEARS_PER_CALENDAR = 8;
/** Longest holiday accepted from the data, so a malformed rule cannot make a year's table explode. */
const MAX_HOLIDAY_DAYS = 31;

type HolidaysClass = typeof Holidays;
let holidaysClass: HolidaysClass | undefined;
let directory: Holidays | undefined;

/**
 * date-holidays, loaded on first use: requiring it parses the rules of every country (about a
 * tenth of a second), which every import of the core would otherwise pay.
 */
function load(): HolidaysClass {
  holidaysClass ??= require('date-holidays') as HolidaysClass;
  return holidaysClass;
}

/** An instance for the country/state/region lists only; never asked for holidays. */
function lookup(): Holidays {
  directory ??= new (load())();
  return directory;
}

/** The key of `codes` equal to `code` ignoring case (date-holidays spells states `BY`, `67`, `KATH`). */
function findCode(codes: Record<string, string> | undefined, code: string): string | undefined {
  if (!codes) return undefined;
  const wanted = code.toUpperCase();
  return Object.keys(codes).find((key) => key.toUpperCase() === wanted);
}

function listed(codes: Record<string, string> | undefined): string {
  const keys = Object.keys(codes ?? {});
  if (keys.length === 0) return 'it has none';
  return `known: ${keys.slice(0, 60).join(', ')}${keys.length > 60 ? ', …' : ''}`;
}

/**
 * Checks a holiday rule against date-holidays' data: `country` must be a code it knows (any
 * case), `state` one of that country's, `region` one of that state's, `types` a non-empty list of
 * HOLIDAY_TYPES (default `['public']`). INVALID_INPUT otherwise.
 */
export function resolveHolidayRule(value: unknown, what: string): ResolvedHolidayRule {
  const rule = readObject(value, what, RULE_KEYS);
  const countryValue = own(rule, 'country');
  if (isUnset(countryValue)) throw invalid(`${what}.country is required: an ISO 3166-1 alpha-2 code such as FR`);
  const countryText = readString(countryValue, `${what}.country`, 8).trim();
  const country = /^[A-Za-z]{2}$/.test(countryText) ? findCode(lookup().getCountries(), countryText) : undefined;
  if (country === undefined) {
    throw invalid(
      `${what}.country ${quote(countryText)} is not a country with known holidays; use an ISO 3166-1 alpha-2 code such as FR`,
    );
  }
  const resolved: { country: string; state?: string; region?: string; types: readonly HolidayType[] } = {
    country,
    types: readTypes(own(rule, 'types'), `${what}.types`),
  };

  const stateValue = own(rule, 'state');
  const regionValue = own(rule, 'region');
  if (!isUnset(stateValue)) {
    const stateText = readString(stateValue, `${what}.state`, 16).trim();
    const states = lookup().getStates(country);
    const state = findCode(states, stateText);
    if (state === undefined) {
      throw invalid(`${what}.state ${quote(stateText)} is not a state of ${country} (${listed(states)})`);
    }
    resolved.state = state;
  }
  if (!isUnset(regionValue)) {
    if (resolved.state === undefined) throw invalid(`${what}.region needs ${what}.state: regions belong to a state`);
    const regionText = readString(regionValue, `${what}.region`, 16).trim();
    const regions = lookup().getRegions(country, resolved.state);
    const region = findCode(regions, regionText);
    if (region === undefined) {
      throw invalid(
        `${what}.region ${quote(regionText)} is not a region of ${country}/${resolved.state} (${listed(regions)})`,
      );
    }
    resolved.region = region;
  }
  return Object.freeze(resolved);
}

function readTypes(value: unknown, what: string): readonly HolidayType[] {
  if (isUnset(value)) return Object.freeze(['public'] as HolidayType[]);
  if (!Array.isArray(value)) throw invalid(`${what} must be a list such as ["public"], got ${kindOf(value)}`);
  if (value.length === 0) throw invalid(`${what} is empty; to count no holidays set holidays to false`);
  if (value.length > HOLIDAY_TYPES.length) throw invalid(`${what} has more than ${HOLIDAY_TYPES.length} entries`);
  const types = new Set<HolidayType>();
  for (const type of value) {
    if (typeof type !== 'string' || !(HOLIDAY_TYPES as readonly string[]).includes(type)) {
      throw invalid(`${what} may only hold ${HOLIDAY_TYPES.join(', ')}`);
    }
    types.add(type as HolidayType);
  }
  return Object.freeze([...types]);
}

/** One date-holidays instance and the holiday table of each year asked, by epoch day. */
interface Calendar {
  holidays: Holidays;
  years: Map<number, ReadonlyMap<number, readonly HolidayType[]>>;
}

const calendars = new Map<string, Calendar>();

/** Least recently used goes first: Map keeps insertion order, a hit is moved to the end. */
function touch<K, V>(map: Map<K, V>, key: K, value: V, max: number): V {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value as K);
  return value;
}

function calendarOf(rule: ResolvedHolidayRule): Calendar {
  const key = `${rule.country}/${rule.state ?? ''}/${rule.region ?? ''}`;
  const cached = calendars.get(key);
  if (cached) return touch(calendars, key, cached, MAX_CALENDARS);
  const Ctor = load();
  // Times in UTC make `end` a wall-clock time like `date`: the span of a holiday in local days
  // is then read without the country's DST changes in the way.
  const holidays = new Ctor({ country: rule.country, state: rule.state, region: rule.region }, { timezone: 'UTC' });
  return touch(calendars, key, { holidays, years: new Map() }, MAX_CALENDARS);
}

/** The epoch day of a holiday's `date`, "YYYY-MM-DD hh:mm:ss": the local date it is listed on. */
function listedDay(date: string): number {
  return epochDayOf(Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10)));
}

/**
 * The holidays touching `year`, by epoch day. The previous year's list is read too: a holiday
 * listed on 31 December may run into January.
 */
function yearTable(calendar: Calendar, year: number): ReadonlyMap<number, readonly HolidayType[]> {
  const cached = calendar.years.get(year);
  if (cached) return touch(calendar.years, year, cached, MAX_YEARS_PER_CALENDAR);
  const table = new Map<number, HolidayType[]>();
  for (const holiday of [...calendar.holidays.getHolidays(year - 1), ...calendar.holidays.getHolidays(year)]) {
    const first = listedDay(holiday.date);
    const ends = Math.floor((holiday.end.getTime() - 1) / DAY_MS);
    const last = Math.min(Math.max(first, ends), first + MAX_HOLIDAY_DAYS - 1);
    for (let day = first; day <= last; day++) {
      if (calendarDateOf(day).year !== year) continue;
      const types = table.get(day) ?? [];
      if (!types.includes(holiday.type)) types.push(holiday.type);
      table.set(day, types);
    }
  }
  return touch(calendar.years, year, table, MAX_YEARS_PER_CALENDAR);
}

/** Whether the local date (an epoch day) is a holiday of one of the rule's types. */
export function isHoliday(rule: ResolvedHolidayRule, epochDay: number): boolean {
  const types = yearTable(calendarOf(rule), calendarDateOf(epochDay).year).get(epochDay);
  return types !== undefined && types.some((type) => rule.types.includes(type));
}
