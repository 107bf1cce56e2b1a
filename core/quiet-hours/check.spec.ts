import { runInNewContext } from 'node:vm';
import { checkQuietHours } from './check';
import type { QuietHoursDecision, QuietHoursInput, QuietHoursPolicy, TimeWindow, Weekday } from './types';
import { thrown } from '../../test/support/sms-error';

const HOUR = 3_600_000;
const MINUTE = 60_000;

function check(input: Partial<QuietHoursInput> & Record<string, unknown>): QuietHoursDecision {
  return checkQuietHours({ policy: 'us-tcpa', ...input } as QuietHoursInput);
}

const ALL_DAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
function everyDay(...windows: TimeWindow[]): Partial<Record<Weekday, TimeWindow[]>> {
  return Object.fromEntries(ALL_DAYS.map((day) => [day, windows]));
}
const ALL_DAY = everyDay({ from: '00:00', to: '24:00' });

/** Closed at `at`, next allowed at `next` (ISO), for `reason`. */
function expectClosed(decision: QuietHoursDecision, reason: string, next: string): void {
  expect(decision).toMatchObject({ allowed: false, reason, nextAllowedAt: next });
}

describe('checkQuietHours: the decision', () => {
  it('allows inside the window with no reason, wait or next time', () => {
    const decision = check({ timezone: 'America/New_York', at: '2026-06-03T16:00:00Z' });
    expect(decision).toEqual({
      allowed: true,
      timezone: 'America/New_York',
      timezones: ['America/New_York'],
      localTime: '2026-06-03T12:00:00.000-04:00',
      policy: 'us-tcpa',
    });
  });

  it('refuses outside the window with the first allowed instant and the wait until it', () => {
    const decision = check({ timezone: 'America/New_York', at: '2026-06-03T11:58:00.500Z' });
    expect(decision).toEqual({
      allowed: false,
      timezone: 'America/New_York',
      timezones: ['America/New_York'],
      localTime: '2026-06-03T07:58:00.500-04:00',
      reason: 'outside-window',
      nextAllowedAt: '2026-06-03T12:00:00.000Z',
      waitMs: 119_500,
      waitSeconds: 120,
      policy: 'us-tcpa',
    });
  });

  it('rounds the wait up to whole seconds', () => {
    const decision = check({ timezone: 'America/New_York', at: '2026-06-03T11:59:59.001Z' });
    expect(decision).toMatchObject({ waitMs: 999, waitSeconds: 1 });
  });

  it('takes the instant as ISO with an offset, a Date or epoch milliseconds alike', () => {
    const iso = check({ timezone: 'Europe/Paris', at: '2026-06-03T07:59:00+02:00' });
    expect(check({ timezone: 'Europe/Paris', at: new Date('2026-06-03T05:59:00Z') })).toEqual(iso);
    expect(check({ timezone: 'Europe/Paris', at: Date.parse('2026-06-03T05:59:00Z') })).toEqual(iso);
    expect(check({ timezone: 'Europe/Paris', at: ' 2026-06-03T05:59:00,000Z ' })).toEqual(iso);
    // A Date from another realm, as a Node-RED function node makes them.
    const foreign: unknown = runInNewContext('new Date("2026-06-03T05:59:00Z")');
    expect(foreign instanceof Date).toBe(false);
    expect(check({ timezone: 'Europe/Paris', at: foreign as Date })).toEqual(iso);
    expect(iso).toMatchObject({ allowed: false, nextAllowedAt: '2026-06-03T06:00:00.000Z', waitMs: MINUTE });
  });

  it('judges now when no instant is given (undefined, null or empty text)', () => {
    const now = jest.spyOn(Date, 'now').mockReturnValue(Date.parse('2026-06-03T16:00:00Z'));
    try {
      for (const at of [undefined, null, '']) {
        expect(check({ timezone: 'America/New_York', at: at as never }).localTime).toBe('2026-06-03T12:00:00.000-04:00');
      }
    } finally {
      now.mockRestore();
    }
  });

  it('gives plain JSON data', () => {
    const decision = check({ phone: '+19075551234', at: '2026-06-01T16:05:00Z' });
    expect(JSON.parse(JSON.stringify(decision))).toEqual(decision);
  });
});

describe('checkQuietHours: US DST, 2026-03-08 (New York springs forward at 02:00)', () => {
  const ny = { timezone: 'America/New_York' };

  it('waits an hour less than the wall clock says across the change', () => {
    // 01:00 EST to 08:00 EDT: seven wall-clock hours, six real ones.
    const decision = check({ ...ny, at: '2026-03-08T06:00:00Z' });
    expect(decision.localTime).toBe('2026-03-08T01:00:00.000-05:00');
    expectClosed(decision, 'outside-window', '2026-03-08T12:00:00.000Z');
    expect(decision.waitMs).toBe(6 * HOUR);
    // 21:00 EST on Saturday to 08:00 EDT: eleven wall-clock hours, ten real ones.
    expect(check({ ...ny, at: '2026-03-08T02:00:00Z' })).toMatchObject({
      allowed: false,
      nextAllowedAt: '2026-03-08T12:00:00.000Z',
      waitMs: 10 * HOUR,
    });
    expect(check({ ...ny, at: '2026-03-08T01:59:59.999Z' }).allowed).toBe(true);
  });

  it('opens a window that starts inside the gap at the first instant after it (03:00 EDT)', () => {
    const policy = { windows: { sun: [{ from: '02:30', to: '04:00' }] } };
    expectClosed(check({ ...ny, policy, at: '2026-03-08T05:00:00Z' }), 'outside-window', '2026-03-08T07:00:00.000Z');
    const open = check({ ...ny, policy, at: '2026-03-08T07:00:00Z' });
    expect(open).toMatchObject({ allowed: true, localTime: '2026-03-08T03:00:00.000-04:00' });
    expectClosed(check({ ...ny, policy, at: '2026-03-08T08:00:00Z' }), 'outside-window', '2026-03-15T06:30:00.000Z');
  });

  it('skips a window that lies wholly inside the gap', () => {
    const policy = { windows: { sun: [{ from: '02:00', to: '02:30' }] } };
    expectClosed(check({ ...ny, policy, at: '2026-03-08T05:00:00Z' }), 'outside-window', '2026-03-15T06:00:00.000Z');
  });

  it('closes a window that ends inside the gap when the gap starts', () => {
    const policy = { windows: { sun: [{ from: '01:00', to: '02:30' }] } };
    expect(check({ ...ny, policy, at: '2026-03-08T06:59:59.999Z' }).allowed).toBe(true);
    expectClosed(check({ ...ny, policy, at: '2026-03-08T07:00:00Z' }), 'outside-window', '2026-03-15T05:00:00.000Z');
  });
});

describe('checkQuietHours: US DST, 2026-11-01 (New York falls back, 01:00–02:00 happens twice)', () => {
  const ny = { timezone: 'America/New_York' };

  it('waits an hour more than the wall clock says across the change', () => {
    // 21:00 EDT on Saturday to 08:00 EST: eleven wall-clock hours, twelve real ones.
    const decision = check({ ...ny, at: '2026-11-01T01:00:00Z' });
    expectClosed(decision, 'outside-window', '2026-11-01T13:00:00.000Z');
    expect(decision.waitMs).toBe(12 * HOUR);
  });

  it('opens a window starting in the repeated hour at its first occurrence and keeps it open', () => {
    const policy = { windows: { sun: [{ from: '01:30', to: '03:00' }] } };
    const before = check({ ...ny, policy, at: '2026-11-01T05:00:00Z' });
    expect(before.localTime).toBe('2026-11-01T01:00:00.000-04:00');
    expectClosed(before, 'outside-window', '2026-11-01T05:30:00.000Z');
    expect(before.waitMs).toBe(30 * MINUTE);
    expect(check({ ...ny, policy, at: '2026-11-01T05:30:00Z' }).allowed).toBe(true);
    // 01:15 EST, the second pass: the window opened at the first 01:30 and is still open.
    expect(check({ ...ny, policy, at: '2026-11-01T06:15:00Z' })).toMatchObject({
      allowed: true,
      localTime: '2026-11-01T01:15:00.000-05:00',
    });
  });

  it('closes a window ending in the repeated hour at its later occurrence', () => {
    const policy = { windows: { sun: [{ from: '00:00', to: '01:30' }] } };
    // 01:45 EDT (first pass) and 01:15 EST (second pass) are both before the later 01:30.
    expect(check({ ...ny, policy, at: '2026-11-01T05:45:00Z' }).allowed).toBe(true);
    expect(check({ ...ny, policy, at: '2026-11-01T06:29:59.999Z' }).allowed).toBe(true);
    const closed = check({ ...ny, policy, at: '2026-11-01T06:30:00Z' });
    expect(closed.localTime).toBe('2026-11-01T01:30:00.000-05:00');
    expectClosed(closed, 'outside-window', '2026-11-08T05:00:00.000Z');
  });
});

describe('checkQuietHours: EU DST, 2026-03-29 and 2026-10-25', () => {
  it('spring: a 21:00 end and an 08:00 start across the change are 10 h apart, not 11', () => {
    const decision = check({ timezone: 'Europe/Paris', at: '2026-03-28T20:00:00Z' });
    expect(decision.localTime).toBe('2026-03-28T21:00:00.000+01:00');
    expectClosed(decision, 'outside-window', '2026-03-29T06:00:00.000Z');
    expect(decision.waitMs).toBe(10 * HOUR);
    expect(check({ timezone: 'Europe/Berlin', policy: 'de-practice', at: '2026-03-28T19:00:00Z' })).toMatchObject({
      nextAllowedAt: '2026-03-29T06:00:00.000Z',
      waitMs: 11 * HOUR,
    });
  });

  it('autumn: a 21:00 end and an 08:00 start across the change are 12 h apart, not 11', () => {
    const decision = check({ timezone: 'Europe/Paris', at: '2026-10-24T19:00:00Z' });
    expect(decision.localTime).toBe('2026-10-24T21:00:00.000+02:00');
    expectClosed(decision, 'outside-window', '2026-10-25T07:00:00.000Z');
    expect(decision.waitMs).toBe(12 * HOUR);
    expect(check({ timezone: 'Europe/London', policy: 'uk-practice', at: '2026-10-24T19:00:00Z' })).toMatchObject({
      nextAllowedAt: '2026-10-25T09:00:00.000Z',
      waitMs: 14 * HOUR,
    });
  });

  it('autumn: a window ending at the repeated 02:30 stays open until the later one', () => {
    const policy = { windows: { sun: [{ from: '00:00', to: '02:30' }] } };
    expect(check({ timezone: 'Europe/Paris', policy, at: '2026-10-25T01:15:00Z' }).allowed).toBe(true);
    expect(check({ timezone: 'Europe/Paris', policy, at: '2026-10-25T01:30:00Z' }).allowed).toBe(false);
  });
});

describe('checkQuietHours: windows crossing midnight', () => {
  const paris = { timezone: 'Europe/Paris' };
  const sundayNight = { windows: { sun: [{ from: '22:00', to: '02:00' }] } };

  it('keeps a Sunday 22:00–02:00 window open into Monday, which has no window of its own', () => {
    expect(check({ ...paris, policy: sundayNight, at: '2026-01-04T21:00:00Z' }).allowed).toBe(true);
    expect(check({ ...paris, policy: sundayNight, at: '2026-01-05T00:30:00Z' })).toMatchObject({
      allowed: true,
      localTime: '2026-01-05T01:30:00.000+01:00',
    });
  });

  it('calls Monday 02:00 a closed day: Monday itself has no window', () => {
    expectClosed(check({ ...paris, policy: sundayNight, at: '2026-01-05T01:00:00Z' }), 'closed-day', '2026-01-11T21:00:00.000Z');
    expectClosed(check({ ...paris, policy: sundayNight, at: '2026-01-03T12:00:00Z' }), 'closed-day', '2026-01-04T21:00:00.000Z');
    const early = check({ ...paris, policy: sundayNight, at: '2026-01-04T20:59:00Z' });
    expectClosed(early, 'outside-window', '2026-01-04T21:00:00.000Z');
    expect(early).toMatchObject({ waitMs: MINUTE, waitSeconds: 60 });
  });

  it('ends a window at 24:00 at the next midnight', () => {
    const policy = { windows: { sat: [{ from: '20:00', to: '24:00' }] } };
    expect(check({ ...paris, policy, at: '2026-01-03T22:59:59.999Z' }).allowed).toBe(true);
    expectClosed(check({ ...paris, policy, at: '2026-01-03T23:00:00Z' }), 'closed-day', '2026-01-10T19:00:00.000Z');
  });

  it('drops the whole window, after-midnight part included, when the day it starts on is a holiday', () => {
    // 2026-11-01, All Saints, is a Sunday.
    const policy = { ...sundayNight, holidays: { country: 'FR' } };
    expectClosed(check({ ...paris, policy, at: '2026-11-01T21:30:00Z' }), 'holiday', '2026-11-08T21:00:00.000Z');
    expectClosed(check({ ...paris, policy, at: '2026-11-02T00:30:00Z' }), 'closed-day', '2026-11-08T21:00:00.000Z');
  });

  it('keeps the window of the day before open on a holiday morning', () => {
    // 2026-05-25, Whit Monday.
    const policy = {
      windows: { sun: [{ from: '22:00', to: '02:00' }], mon: [{ from: '08:00', to: '20:00' }] },
      holidays: { country: 'FR' },
    };
    expect(check({ ...paris, policy, at: '2026-05-24T22:30:00Z' }).allowed).toBe(true);
    expectClosed(check({ ...paris, policy, at: '2026-05-25T07:00:00Z' }), 'holiday', '2026-05-31T20:00:00.000Z');
  });
});

describe('checkQuietHours: holidays on the recipient’s local date', () => {
  const allDayIn = (country: string): QuietHoursPolicy => ({ windows: ALL_DAY, holidays: { country } });

  it('closes 14 July from 00:00 Paris time, while it is still 13 July in UTC', () => {
    const decision = check({ timezone: 'Europe/Paris', policy: allDayIn('FR'), at: '2026-07-13T22:30:00Z' });
    expect(decision.localTime).toBe('2026-07-14T00:30:00.000+02:00');
    expectClosed(decision, 'holiday', '2026-07-14T22:00:00.000Z');
    expect(check({ timezone: 'Europe/Paris', policy: allDayIn('FR'), at: '2026-07-13T21:59:59.999Z' }).allowed).toBe(true);
    expect(check({ timezone: 'Europe/Paris', policy: 'fr-legacy', at: '2026-07-13T22:30:00Z' }).reason).toBe('holiday');
  });

  it('closes New Year’s Day from 00:00 in Tokyo, when UTC is still on 31 December', () => {
    const decision = check({ timezone: 'Asia/Tokyo', policy: allDayIn('JP'), at: '2025-12-31T15:30:00Z' });
    expect(decision.localTime).toBe('2026-01-01T00:30:00.000+09:00');
    // 2 and 3 January are bank holidays in Japan, not public ones.
    expectClosed(decision, 'holiday', '2026-01-01T15:00:00.000Z');
    expect(check({ timezone: 'Asia/Tokyo', policy: allDayIn('JP'), at: '2025-12-31T14:59:59Z' }).allowed).toBe(true);
  });

  it('uses the recipient’s date even fourteen hours ahead of UTC (Kiritimati)', () => {
    const decision = check({ timezone: 'Pacific/Kiritimati', policy: allDayIn('FR'), at: '2026-07-13T10:30:00Z' });
    expectClosed(decision, 'holiday', '2026-07-14T10:00:00.000Z');
    expect(check({ timezone: 'Europe/Paris', policy: allDayIn('FR'), at: '2026-07-13T10:30:00Z' }).allowed).toBe(true);
  });

  it('does not close a west-coast evening that is already the holiday in UTC', () => {
    expect(check({ timezone: 'America/Los_Angeles', policy: allDayIn('US'), at: '2026-12-25T05:00:00Z' }).allowed).toBe(true);
    expect(check({ timezone: 'America/Los_Angeles', policy: allDayIn('US'), at: '2026-12-25T08:00:00Z' }).reason).toBe(
      'holiday',
    );
  });

  it('opens holiday windows on holidays, and calls the rest of the holiday outside the window', () => {
    const policy = { preset: 'fr-legacy' as const, holidayWindows: [{ from: '10:00', to: '12:00' }] };
    expect(check({ timezone: 'Europe/Paris', policy, at: '2026-07-14T09:00:00Z' })).toMatchObject({
      allowed: true,
      policy: 'custom',
    });
    expectClosed(check({ timezone: 'Europe/Paris', policy, at: '2026-07-14T11:00:00Z' }), 'outside-window', '2026-07-15T06:00:00.000Z');
  });
});

describe('checkQuietHours: numbers with several zones', () => {
  it('+1 907: 08:05 in Anchorage is 07:05 in Adak, so it waits for 08:00 in Adak', () => {
    const decision = check({ phone: '+19075551234', at: '2026-06-01T16:05:00Z' });
    expect(decision).toEqual({
      allowed: false,
      timezone: 'America/Adak',
      timezones: ['America/Adak', 'America/Anchorage'],
      localTime: '2026-06-01T07:05:00.000-09:00',
      reason: 'outside-window',
      nextAllowedAt: '2026-06-01T17:00:00.000Z',
      waitMs: 55 * MINUTE,
      waitSeconds: 3_300,
      policy: 'us-tcpa',
    });
    expect(check({ phone: '+19075551234', at: '2026-06-01T17:00:00Z' })).toMatchObject({
      allowed: true,
      timezone: 'America/Adak',
      localTime: '2026-06-01T08:00:00.000-09:00',
    });
  });

  it('reports the zone that forbids, and moves the candidate until every zone agrees', () => {
    // 21:00 in Anchorage (closed), 20:00 in Adak (open); the next morning Anchorage opens first.
    const decision = check({ phone: '+1 907 555 1234', at: '2026-06-02T05:00:00Z' });
    expect(decision).toMatchObject({
      allowed: false,
      timezone: 'America/Anchorage',
      localTime: '2026-06-01T21:00:00.000-08:00',
      nextAllowedAt: '2026-06-02T17:00:00.000Z',
    });
  });

  it('lets an explicit timezone win over the number’s zones', () => {
    const decision = check({ phone: '+19075551234', timezone: 'America/Anchorage', at: '2026-06-01T16:05:00Z' });
    expect(decision).toMatchObject({ allowed: true, timezones: ['America/Anchorage'] });
  });

  it('finds the first instant allowed in all 42 zones of a toll-free number', () => {
    const decision = check({ phone: '+18005551234', at: '2026-06-01T12:00:00Z' });
    expect(decision.timezones).toHaveLength(42);
    expect(decision.allowed).toBe(false);
    const next = Date.parse(decision.nextAllowedAt as string);
    expect(check({ phone: '+18005551234', at: next }).allowed).toBe(true);
    expect(check({ phone: '+18005551234', at: next - 1 }).allowed).toBe(false);
  });

  it('refuses a policy whose windows never meet across the zones', () => {
    const e = thrown(() => check({ phone: '+19075551234', policy: { windows: everyDay({ from: '08:00', to: '08:30' }) }, at: '2026-06-01T12:00:00Z' }));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toBe(
      'The quiet-hours policy has no time open in all of America/Adak, America/Anchorage at once within the next 370 days',
    );
  });

  it('bounds the search when dozens of zones and many short windows never meet', () => {
    const minutes = Array.from({ length: 24 }, (_, h) => ({
      from: `${String(h).padStart(2, '0')}:00`,
      to: `${String(h).padStart(2, '0')}:01`,
    }));
    const e = thrown(() => check({ phone: '+18005551234', policy: { windows: everyDay(...minutes) }, at: '2026-06-01T12:00:30Z' }));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toMatch(/^The quiet-hours policy has no time open in all of America\/Adak, .* and 37 more at once that a search/);
  });
});

describe('checkQuietHours: the first allowed instant is the earliest one', () => {
  // Brute force: every minute from `at` until one is allowed. Window edges and DST changes fall on
  // whole minutes, so the first allowed minute is the exact answer.
  const cases: [string, Partial<QuietHoursInput>, string][] = [
    ['New York, spring forward', { timezone: 'America/New_York' }, '2026-03-08T03:17:00Z'],
    ['New York, fall back, window in the repeated hour', { timezone: 'America/New_York', policy: { windows: { sun: [{ from: '01:30', to: '03:00' }], mon: [{ from: '09:00', to: '10:00' }] } } }, '2026-10-31T23:00:00Z'],
    ['+1 907, evening', { phone: '+19075551234' }, '2026-06-02T05:10:00Z'],
    ['Paris, fr-legacy, Saturday evening before Bastille Day week', { timezone: 'Europe/Paris', policy: 'fr-legacy' }, '2026-07-11T18:30:00Z'],
    ['São Paulo, br-marketing, Friday evening', { timezone: 'America/Sao_Paulo', policy: 'br-marketing' }, '2026-06-05T21:07:00Z'],
    ['Kolkata, in-trai-promo, late evening', { timezone: 'Asia/Kolkata', policy: 'in-trai-promo' }, '2026-06-03T16:01:00Z'],
    ['Lord Howe, half-hour DST', { timezone: 'Australia/Lord_Howe', policy: { windows: everyDay({ from: '02:15', to: '02:45' }) } }, '2026-10-03T14:00:00Z'],
  ];

  it.each(cases)('%s', (_label, input, at) => {
    const decision = check({ ...input, at });
    expect(decision.allowed).toBe(false);
    let minute = Date.parse(at);
    const giveUp = minute + 8 * 24 * 60 * MINUTE;
    while (minute < giveUp && !check({ ...input, at: minute }).allowed) minute += MINUTE;
    expect(decision.nextAllowedAt).toBe(new Date(minute).toISOString());
  });
});

describe('checkQuietHours: every preset', () => {
  const cases: [string, Partial<QuietHoursInput>, string, string | true, string?][] = [
    ['us-tcpa', { timezone: 'America/New_York' }, '2026-06-03T16:00:00Z', true],
    ['us-tcpa', { timezone: 'America/New_York' }, '2026-06-03T11:59:00Z', 'outside-window', '2026-06-03T12:00:00.000Z'],
    ['us-tcpa', { timezone: 'America/New_York' }, '2026-06-04T01:00:00Z', 'outside-window', '2026-06-04T12:00:00.000Z'],
    ['us-tcpa', { timezone: 'America/New_York' }, '2026-06-07T16:00:00Z', true],
    ['us-tcpa', { timezone: 'America/New_York' }, '2026-12-25T17:00:00Z', true],
    ['fr-legacy', { timezone: 'Europe/Paris' }, '2026-06-06T17:59:00Z', true],
    ['fr-legacy', { timezone: 'Europe/Paris' }, '2026-06-06T18:00:00Z', 'outside-window', '2026-06-08T06:00:00.000Z'],
    ['fr-legacy', { timezone: 'Europe/Paris' }, '2026-06-07T10:00:00Z', 'closed-day', '2026-06-08T06:00:00.000Z'],
    ['fr-legacy', { timezone: 'Europe/Paris' }, '2026-05-14T08:00:00Z', 'holiday', '2026-05-15T06:00:00.000Z'],
    ['fr-af2m-2024', { timezone: 'Europe/Paris' }, '2026-06-06T19:59:00Z', true],
    ['fr-af2m-2024', { timezone: 'Europe/Paris' }, '2026-06-06T20:00:00Z', 'outside-window', '2026-06-08T06:00:00.000Z'],
    ['fr-af2m-2024', { timezone: 'Europe/Paris' }, '2026-06-07T10:00:00Z', 'closed-day', '2026-06-08T06:00:00.000Z'],
    ['fr-af2m-2024', { timezone: 'Europe/Paris' }, '2026-05-25T08:00:00Z', 'holiday', '2026-05-26T06:00:00.000Z'],
    ['fr-af2m-2026', { timezone: 'Europe/Paris' }, '2026-06-07T19:29:00Z', true],
    ['fr-af2m-2026', { timezone: 'Europe/Paris' }, '2026-06-07T19:30:00Z', 'outside-window', '2026-06-08T06:00:00.000Z'],
    ['fr-af2m-2026', { timezone: 'Europe/Paris' }, '2026-07-14T08:00:00Z', true],
    ['fr-af2m-2026', { phone: '+33612345678' }, '2026-07-14T05:59:00Z', 'outside-window', '2026-07-14T06:00:00.000Z'],
    ['in-trai-promo', { timezone: 'Asia/Kolkata' }, '2026-06-03T04:29:00Z', 'outside-window', '2026-06-03T04:30:00.000Z'],
    ['in-trai-promo', { phone: '+919812345678' }, '2026-06-03T15:29:00Z', true],
    ['in-trai-promo', { phone: '+919812345678' }, '2026-06-03T15:30:00Z', 'outside-window', '2026-06-04T04:30:00.000Z'],
    ['br-marketing', { timezone: 'America/Sao_Paulo' }, '2026-06-05T20:59:00Z', true],
    ['br-marketing', { timezone: 'America/Sao_Paulo' }, '2026-06-05T21:00:00Z', 'outside-window', '2026-06-06T12:00:00.000Z'],
    ['br-marketing', { timezone: 'America/Sao_Paulo' }, '2026-06-06T16:00:00Z', 'outside-window', '2026-06-08T11:00:00.000Z'],
    ['br-marketing', { timezone: 'America/Sao_Paulo' }, '2026-06-07T15:00:00Z', 'closed-day', '2026-06-08T11:00:00.000Z'],
    ['br-marketing', { timezone: 'America/Sao_Paulo' }, '2026-04-21T13:00:00Z', 'holiday', '2026-04-22T11:00:00.000Z'],
    ['br-marketing', { phone: '+5592991234567' }, '2026-06-08T11:30:00Z', 'outside-window', '2026-06-08T12:00:00.000Z'],
    ['uk-practice', { timezone: 'Europe/London' }, '2026-06-03T07:59:00Z', 'outside-window', '2026-06-03T08:00:00.000Z'],
    ['uk-practice', { timezone: 'Europe/London' }, '2026-06-03T18:59:00Z', true],
    ['uk-practice', { timezone: 'Europe/London' }, '2026-06-07T12:00:00Z', true],
    ['uk-practice', { timezone: 'Europe/London' }, '2026-12-25T12:00:00Z', true],
    ['de-practice', { timezone: 'Europe/Berlin' }, '2026-06-03T05:59:00Z', 'outside-window', '2026-06-03T06:00:00.000Z'],
    ['de-practice', { timezone: 'Europe/Berlin' }, '2026-06-03T17:59:00Z', true],
    ['de-practice', { timezone: 'Europe/Berlin' }, '2026-01-06T11:00:00Z', true],
  ];

  // A rest parameter: jest would take a fifth declared parameter of a four-item row for `done`.
  it.each(cases)('%s %j at %s', (...[preset, where, at, expected, next]) => {
    const decision = check({ ...where, policy: preset as QuietHoursInput['policy'], at });
    expect(decision.policy).toBe(preset);
    if (expected === true) {
      expect(decision.allowed).toBe(true);
      expect(decision.reason).toBeUndefined();
    } else {
      expectClosed(decision, expected, next as string);
    }
  });

  it('judges a preset’s holidays by a region given as an override', () => {
    // Epiphany is a public holiday in Bavaria, not in Germany as a whole.
    const bavaria = { preset: 'de-practice' as const, holidays: { country: 'DE', state: 'BY' } };
    const decision = check({ timezone: 'Europe/Berlin', policy: bavaria, at: '2026-01-06T11:00:00Z' });
    expectClosed(decision, 'holiday', '2026-01-07T07:00:00.000Z');
    expect(decision.policy).toBe('custom');
    // 26 December is a holiday in Alsace-Moselle only.
    const alsace = { preset: 'fr-legacy' as const, holidays: { country: 'FR', state: '67' } };
    expect(check({ timezone: 'Europe/Paris', policy: 'fr-legacy', at: '2026-12-26T09:00:00Z' }).allowed).toBe(true);
    expect(check({ timezone: 'Europe/Paris', policy: alsace, at: '2026-12-26T09:00:00Z' }).reason).toBe('holiday');
  });
});

describe('checkQuietHours: message classes', () => {
  it.each([['otp'], ['transactional'], [' OTP ']])('lets %j through at any hour, still saying where and when', (messageClass) => {
    const decision = check({ timezone: 'America/New_York', at: '2026-06-03T07:00:00Z', class: messageClass as never });
    expect(decision).toEqual({
      allowed: true,
      timezone: 'America/New_York',
      timezones: ['America/New_York'],
      localTime: '2026-06-03T03:00:00.000-04:00',
      reason: 'exempt',
      policy: 'us-tcpa',
    });
  });

  it('treats marketing as the default class and a missing class as marketing', () => {
    expect(check({ timezone: 'America/New_York', at: '2026-06-03T07:00:00Z', class: 'marketing' }).allowed).toBe(false);
    expect(check({ timezone: 'America/New_York', at: '2026-06-03T07:00:00Z', class: null as never }).allowed).toBe(false);
  });

  it('reports an exempt message in UTC with no zones when none is known, instead of failing', () => {
    const decision = check({ phone: '+80012345678', at: '2026-06-03T07:00:00Z', class: 'otp' });
    expect(decision).toEqual({
      allowed: true,
      timezone: 'UTC',
      timezones: [],
      localTime: '2026-06-03T07:00:00.000Z',
      reason: 'exempt',
      policy: 'us-tcpa',
    });
  });

  it('still checks the policy, the zones and the number of an exempt message', () => {
    expect(thrown(() => check({ timezone: 'UTC', class: 'otp', policy: 'nope' as never })).code).toBe('INVALID_INPUT');
    expect(thrown(() => check({ timezone: 'Bogus/Zone', class: 'otp' })).code).toBe('INVALID_TIMEZONE');
    expect(thrown(() => check({ phone: '+1 555', class: 'transactional' })).code).toBe('INVALID_PHONE');
  });

  it.each([['promo'], ['Marketing!'], [1], [{}], ['x'.repeat(100_000)]])('refuses the class %j', (messageClass) => {
    const e = thrown(() => check({ timezone: 'UTC', class: messageClass as never }));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toBe('class must be one of marketing, transactional, otp');
  });
});

describe('checkQuietHours: where the zone comes from', () => {
  it('reads national numbers with defaultCountry', () => {
    expect(check({ phone: '06 12 34 56 78', defaultCountry: 'FR', at: '2026-06-03T10:00:00Z' }).timezones).toEqual([
      'Europe/Paris',
    ]);
  });

  it('falls back to fallbackTimezone for a number without a zone', () => {
    const decision = check({ phone: '+80012345678', fallbackTimezone: 'Europe/Paris', at: '2026-06-03T10:00:00Z' });
    expect(decision.timezones).toEqual(['Europe/Paris']);
    expect(check({ fallbackTimezone: 'Asia/Tokyo', at: '2026-06-03T10:00:00Z' }).timezones).toEqual(['Asia/Tokyo']);
  });

  it('prefers the number’s zones to fallbackTimezone', () => {
    expect(check({ phone: '+33612345678', fallbackTimezone: 'Asia/Tokyo', at: '2026-06-03T10:00:00Z' }).timezones).toEqual([
      'Europe/Paris',
    ]);
  });

  it('accepts legacy zone names', () => {
    expect(check({ timezone: 'Asia/Calcutta', policy: 'in-trai-promo', at: '2026-06-03T04:29:00Z' })).toMatchObject({
      timezone: 'Asia/Calcutta',
      localTime: '2026-06-03T09:59:00.000+05:30',
      nextAllowedAt: '2026-06-03T04:30:00.000Z',
    });
    expect(check({ timezone: 'US/Eastern', at: '2026-06-03T16:00:00Z' }).allowed).toBe(true);
  });

  it('says NO_TIMEZONE when nothing gives a zone', () => {
    const withNumber = thrown(() => check({ phone: '+80012345678' }));
    expect(withNumber.code).toBe('NO_TIMEZONE');
    expect(withNumber.message).toBe('No time zone is known for this number: give timezone or set fallbackTimezone');
    const without = thrown(() => check({ phone: '', timezone: null as never }));
    expect(without.code).toBe('NO_TIMEZONE');
    expect(without.message).toBe('No time zone to judge quiet hours in: give timezone, a phone number or fallbackTimezone');
  });

  it.each([
    ['an unknown timezone', { timezone: 'Bogus/Zone' }],
    ['the server zone', { timezone: 'local' }],
    ['an offset', { timezone: '-05:00' }],
    ['a megabyte timezone', { timezone: 'x'.repeat(1_000_000) }],
    ['an unknown fallback, even when unused', { timezone: 'Europe/Paris', fallbackTimezone: 'Europe/Pariss' }],
  ])('says INVALID_TIMEZONE for %s', (_label, input) => {
    expect(thrown(() => check(input)).code).toBe('INVALID_TIMEZONE');
  });

  it.each([
    ['a number that does not exist', { phone: '+1 555 0100' }],
    ['letters', { phone: '1-800-FLOWERS' }],
    ['a megabyte of digits', { phone: '1'.repeat(1_000_000) }],
    ['a number type', { phone: 33612345678 as never }],
    ['a national number without defaultCountry', { phone: '06 12 34 56 78' }],
  ])('says INVALID_PHONE for %s', (_label, input) => {
    expect(thrown(() => check(input)).code).toBe('INVALID_PHONE');
  });

  it('says INVALID_INPUT for a malformed defaultCountry or zone type', () => {
    expect(thrown(() => check({ phone: '0612345678', defaultCountry: 'France' })).code).toBe('INVALID_INPUT');
    expect(thrown(() => check({ timezone: 42 as never })).code).toBe('INVALID_INPUT');
  });
});

describe('checkQuietHours: malformed and hostile input', () => {
  it.each([
    ['null', null],
    ['a preset id', 'us-tcpa'],
    ['an array', [{ policy: 'us-tcpa' }]],
    ['a number', 42],
  ])('refuses %s as the input', (_label, input) => {
    expect(thrown(() => checkQuietHours(input as never)).code).toBe('INVALID_INPUT');
  });

  it('refuses unknown keys, such as timeZone for timezone', () => {
    const e = thrown(() => check({ timeZone: 'Europe/Paris' }));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toBe(
      'The quiet-hours input has an unknown key "timeZone"; allowed keys: phone, timezone, fallbackTimezone, ' +
        'defaultCountry, at, policy, class',
    );
  });

  it('refuses prototype keys', () => {
    const input = JSON.parse('{"policy":"us-tcpa","timezone":"UTC","__proto__":{"class":"otp"}}');
    expect(thrown(() => checkQuietHours(input)).message).toMatch(/must not contain the key "__proto__"/);
  });

  it('never reads options set on Object.prototype', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.class = 'otp';
    try {
      expect(check({ timezone: 'America/New_York', at: '2026-06-03T07:00:00Z' }).allowed).toBe(false);
    } finally {
      delete proto.class;
    }
  });

  it.each([
    ['NaN', Number.NaN, 'at is not a valid instant'],
    ['Infinity', Number.POSITIVE_INFINITY, 'at is not a valid instant'],
    ['beyond the Date range', 9e15, 'at is not a valid instant'],
    ['an invalid Date', new Date('nope'), 'at is not a valid instant'],
    ['a year far ahead', 1e15, 'at must lie between 1970 and 2200'],
    ['before 1970', -1, 'at must lie between 1970 and 2200'],
    ['2200', '2200-01-01T00:00:00Z', 'at must lie between 1970 and 2200'],
    ['a day that does not exist', '2026-02-30T10:00:00Z', 'at is not a valid date-time (a day or time that does not exist)'],
    ['minute 60', '2026-03-08T10:60:00Z', 'at is not a valid date-time (a day or time that does not exist)'],
    ['a boolean', true, 'at must be an ISO-8601 date-time, a Date or epoch milliseconds'],
    ['an object', { at: 1 }, 'at must be an ISO-8601 date-time, a Date or epoch milliseconds'],
  ])('refuses %s as the instant', (_label, at, message) => {
    const e = thrown(() => check({ timezone: 'UTC', at: at as never }));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toBe(message);
  });

  it.each([
    ['a local time without offset', '2026-03-08T10:00:00'],
    ['a date alone', '2026-03-08'],
    ['a space for T', '2026-03-08 10:00:00Z'],
    ['an impossible offset', '2026-03-08T10:00:00+99:00'],
    ['RFC 2822', 'Sun, 08 Mar 2026 10:00:00 GMT'],
    ['epoch milliseconds as text', '1772964000000'],
    ['text', 'tomorrow'],
    ['a megabyte of text', `2026-03-08T10:00:00Z${' '.repeat(1_000_000)}`],
  ])('refuses %s as the instant, asking for an offset', (_label, at) => {
    const e = thrown(() => check({ timezone: 'UTC', at }));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toMatch(/^at must be an ISO-8601 date-time with an offset or Z/);
  });

  it('refuses a policy with 10,000 windows a day', () => {
    const windows = Array(10_000).fill({ from: '08:00', to: '09:00' });
    const e = thrown(() => check({ timezone: 'UTC', policy: { windows: { mon: windows } } }));
    expect(e.message).toBe('policy.windows.mon has 10000 windows; at most 24 are allowed per day');
  });

  it('refuses a missing policy', () => {
    expect(thrown(() => checkQuietHours({ timezone: 'UTC' } as never)).message).toMatch(/^A quiet-hours policy is required/);
  });
});
