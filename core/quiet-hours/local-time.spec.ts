import { SmsError } from '../errors';
import { PHONE_ZONE_NAMES } from '../phone-timezones';
import {
  calendarDateOf,
  epochDayOf,
  localEpochDay,
  localIso,
  readZone,
  wallClockToInstant,
} from './local-time';

const iso = (ms: number): string => new Date(ms).toISOString();
const at = (text: string): number => Date.parse(text);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof SmsError ? e.code : `not an SmsError: ${String(e)}`;
  }
  return undefined;
}

describe('readZone', () => {
  it('accepts IANA names, legacy links luxon knows, and trims', () => {
    expect(readZone('Europe/Paris', 'timezone')).toBe('Europe/Paris');
    expect(readZone('  America/New_York ', 'timezone')).toBe('America/New_York');
    expect(readZone('Asia/Calcutta', 'timezone')).toBe('Asia/Calcutta');
    expect(readZone('US/Eastern', 'timezone')).toBe('US/Eastern');
    expect(readZone('UTC', 'timezone')).toBe('UTC');
    expect(readZone('Etc/GMT+5', 'timezone')).toBe('Etc/GMT+5');
  });

  it('knows every zone the phone-number map can give', () => {
    for (const zone of PHONE_ZONE_NAMES) expect(readZone(zone, 'zone')).toBe(zone);
  });

  it.each([
    ['an unknown name', 'Bogus/Zone'],
    ['"local" (the server\'s zone)', 'local'],
    ['"system"', 'system'],
    ['a bare offset', '+05:00'],
    ['a control character', 'Europe/Paris\u0000'],
    ['a name longer than any zone', 'Europe/'.repeat(20)],
    ['a megabyte of text', 'x'.repeat(1_000_000)],
    ['blanks', '   '],
  ])('refuses %s with INVALID_TIMEZONE', (_label, zone) => {
    expect(codeOf(() => readZone(zone, 'timezone'))).toBe('INVALID_TIMEZONE');
  });

  it('names the field and clips the value in the message', () => {
    try {
      readZone(`Mars/${'x'.repeat(5_000)}`, 'fallbackTimezone');
      throw new Error('expected a refusal');
    } catch (e) {
      expect((e as SmsError).message).toMatch(/^fallbackTimezone "Mars\/x+…" is not a known IANA time zone/);
      expect((e as SmsError).message.length).toBeLessThan(200);
    }
  });

  it.each([[42], [null], [{}], [['Europe/Paris']], [undefined]])('refuses %j (not text) with INVALID_INPUT', (value) => {
    expect(codeOf(() => readZone(value, 'timezone'))).toBe('INVALID_INPUT');
  });
});

describe('calendar dates', () => {
  it('counts days from 1970-01-01 and gives ISO weekdays', () => {
    expect(epochDayOf(1970, 1, 1)).toBe(0);
    expect(calendarDateOf(epochDayOf(2026, 3, 8))).toEqual({ year: 2026, month: 3, day: 8, weekday: 7 });
    expect(calendarDateOf(epochDayOf(2026, 3, 9)).weekday).toBe(1);
    expect(calendarDateOf(epochDayOf(2028, 2, 29))).toEqual({ year: 2028, month: 2, day: 29, weekday: 2 });
  });

  it('reads the local date of an instant, which may differ from the UTC date either way', () => {
    const instant = at('2026-07-13T10:30:00Z');
    expect(localEpochDay('Pacific/Kiritimati', instant)).toBe(epochDayOf(2026, 7, 14));
    expect(localEpochDay('UTC', instant)).toBe(epochDayOf(2026, 7, 13));
    expect(localEpochDay('Pacific/Pago_Pago', at('2026-07-14T05:00:00Z'))).toBe(epochDayOf(2026, 7, 13));
  });
});

describe('wallClockToInstant', () => {
  const day = epochDayOf;

  it('converts ordinary wall times with the offset of that date', () => {
    expect(iso(wallClockToInstant('Europe/Paris', day(2026, 1, 15), 8 * 60, 'first'))).toBe('2026-01-15T07:00:00.000Z');
    expect(iso(wallClockToInstant('Europe/Paris', day(2026, 7, 15), 8 * 60, 'last'))).toBe('2026-07-15T06:00:00.000Z');
    expect(iso(wallClockToInstant('Asia/Kolkata', day(2026, 6, 3), 10 * 60, 'first'))).toBe('2026-06-03T04:30:00.000Z');
  });

  it('counts minutes past 1440 into the next days (24:00 and windows crossing midnight)', () => {
    expect(iso(wallClockToInstant('Europe/Paris', day(2026, 3, 28), 1440, 'first'))).toBe('2026-03-28T23:00:00.000Z');
    // The next day is the DST change: 08:00 that day is CEST, not CET.
    expect(iso(wallClockToInstant('Europe/Paris', day(2026, 3, 28), 1440 + 8 * 60, 'first'))).toBe(
      '2026-03-29T06:00:00.000Z',
    );
  });

  it('resolves a skipped wall time to the end of the gap, for starts and ends alike', () => {
    // 2026-03-08 02:00 EST jumps to 03:00 EDT (07:00Z): 02:30 does not exist.
    for (const occurrence of ['first', 'last'] as const) {
      expect(iso(wallClockToInstant('America/New_York', day(2026, 3, 8), 150, occurrence))).toBe('2026-03-08T07:00:00.000Z');
    }
    expect(iso(wallClockToInstant('America/New_York', day(2026, 3, 8), 120, 'first'))).toBe('2026-03-08T07:00:00.000Z');
    expect(iso(wallClockToInstant('America/New_York', day(2026, 3, 8), 180, 'first'))).toBe('2026-03-08T07:00:00.000Z');
    expect(iso(wallClockToInstant('America/New_York', day(2026, 3, 8), 119, 'first'))).toBe('2026-03-08T06:59:00.000Z');
    // Europe: 2026-03-29 02:00 CET jumps to 03:00 CEST (01:00Z).
    expect(iso(wallClockToInstant('Europe/Paris', day(2026, 3, 29), 150, 'first'))).toBe('2026-03-29T01:00:00.000Z');
  });

  it('finds the gap end of half-hour and whole-day gaps', () => {
    // Lord Howe moves 30 minutes: 02:00 → 02:30 (+11:00) on 2026-10-04.
    expect(iso(wallClockToInstant('Australia/Lord_Howe', day(2026, 10, 4), 135, 'first'))).toBe('2026-10-03T15:30:00.000Z');
    // Samoa skipped 2011-12-30 whole, moving from -10:00 to +14:00 at 10:00Z.
    expect(iso(wallClockToInstant('Pacific/Apia', day(2011, 12, 30), 8 * 60, 'first'))).toBe('2011-12-30T10:00:00.000Z');
    expect(iso(wallClockToInstant('Pacific/Apia', day(2011, 12, 29), 23 * 60 + 59, 'first'))).toBe(
      '2011-12-30T09:59:00.000Z',
    );
  });

  it('gives the earlier occurrence of a repeated wall time as `first` and the later as `last`', () => {
    // 2026-11-01 01:30 happens at -04:00 (05:30Z) and again at -05:00 (06:30Z) in New York.
    expect(iso(wallClockToInstant('America/New_York', day(2026, 11, 1), 90, 'first'))).toBe('2026-11-01T05:30:00.000Z');
    expect(iso(wallClockToInstant('America/New_York', day(2026, 11, 1), 90, 'last'))).toBe('2026-11-01T06:30:00.000Z');
    // Europe: 2026-10-25 02:30 happens at +02:00 (00:30Z) and +01:00 (01:30Z) in Paris.
    expect(iso(wallClockToInstant('Europe/Paris', day(2026, 10, 25), 150, 'first'))).toBe('2026-10-25T00:30:00.000Z');
    expect(iso(wallClockToInstant('Europe/Paris', day(2026, 10, 25), 150, 'last'))).toBe('2026-10-25T01:30:00.000Z');
    // Lord Howe repeats half an hour: 01:45 at +11:00 and at +10:30.
    expect(iso(wallClockToInstant('Australia/Lord_Howe', day(2026, 4, 5), 105, 'first'))).toBe('2026-04-04T14:45:00.000Z');
    expect(iso(wallClockToInstant('Australia/Lord_Howe', day(2026, 4, 5), 105, 'last'))).toBe('2026-04-04T15:15:00.000Z');
  });
});

describe('localIso', () => {
  it('prints the local time with the offset in force then', () => {
    expect(localIso('America/New_York', at('2026-03-08T06:00:00Z'))).toBe('2026-03-08T01:00:00.000-05:00');
    expect(localIso('America/New_York', at('2026-03-08T07:00:00Z'))).toBe('2026-03-08T03:00:00.000-04:00');
    expect(localIso('Asia/Kolkata', at('2026-06-03T04:29:00Z'))).toBe('2026-06-03T09:59:00.000+05:30');
    expect(localIso('UTC', 0)).toBe('1970-01-01T00:00:00.000Z');
  });
});
