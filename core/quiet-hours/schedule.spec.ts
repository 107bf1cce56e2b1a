import { resolvePolicy } from './policy';
import { closedReason, isOpen, nextOpenInstant } from './schedule';

const at = (text: string): number => Date.parse(text);
const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

describe('nextOpenInstant', () => {
  const sundays = resolvePolicy({ windows: { sun: [{ from: '10:00', to: '11:00' }] } });

  it('returns the instant itself when open, else the next window start', () => {
    expect(iso(nextOpenInstant(sundays, 'UTC', at('2026-06-07T10:30:00Z'), 10))).toBe('2026-06-07T10:30:00.000Z');
    expect(iso(nextOpenInstant(sundays, 'UTC', at('2026-06-07T11:00:00Z'), 10))).toBe('2026-06-14T10:00:00.000Z');
  });

  it('looks no further than the horizon', () => {
    // Monday: the next window is six days ahead.
    expect(nextOpenInstant(sundays, 'UTC', at('2026-06-08T00:00:00Z'), 5)).toBeUndefined();
    expect(iso(nextOpenInstant(sundays, 'UTC', at('2026-06-08T00:00:00Z'), 6))).toBe('2026-06-14T10:00:00.000Z');
  });

  it('finds the earliest of overlapping windows and of the previous day’s window crossing midnight', () => {
    const policy = resolvePolicy({
      windows: {
        sun: [{ from: '23:00', to: '06:00' }],
        mon: [
          { from: '09:00', to: '12:00' },
          { from: '05:00', to: '10:00' },
        ],
      },
    });
    expect(iso(nextOpenInstant(policy, 'UTC', at('2026-06-08T03:00:00Z'), 7))).toBe('2026-06-08T03:00:00.000Z');
    expect(iso(nextOpenInstant(policy, 'UTC', at('2026-06-08T11:00:00Z'), 7))).toBe('2026-06-08T11:00:00.000Z');
    expect(iso(nextOpenInstant(policy, 'UTC', at('2026-06-08T12:00:00Z'), 7))).toBe('2026-06-14T23:00:00.000Z');
  });

  it('treats a window wholly inside a DST gap as empty', () => {
    const policy = resolvePolicy({ windows: { sun: [{ from: '02:10', to: '02:50' }] } });
    expect(iso(nextOpenInstant(policy, 'Europe/Paris', at('2026-03-28T12:00:00Z'), 14))).toBe('2026-04-05T00:10:00.000Z');
  });

  it('keeps the days of different policies apart', () => {
    const early = resolvePolicy({ windows: { mon: [{ from: '06:00', to: '07:00' }] } });
    const late = resolvePolicy({ windows: { mon: [{ from: '18:00', to: '19:00' }] } });
    const monday = at('2026-06-08T00:00:00Z');
    expect(iso(nextOpenInstant(early, 'UTC', monday, 7))).toBe('2026-06-08T06:00:00.000Z');
    expect(iso(nextOpenInstant(late, 'UTC', monday, 7))).toBe('2026-06-08T18:00:00.000Z');
    // Already 09:00 on Monday in Tokyo: the 06:00 window is a week away there.
    expect(iso(nextOpenInstant(early, 'Asia/Tokyo', monday, 7))).toBe('2026-06-14T21:00:00.000Z');
  });
});

describe('isOpen / closedReason', () => {
  const policy = resolvePolicy({
    windows: { mon: [{ from: '08:00', to: '20:00' }], tue: [{ from: '08:00', to: '20:00' }] },
    holidays: { country: 'FR' },
    holidayWindows: [{ from: '10:00', to: '11:00' }],
  });

  it('tells a window, a time outside it, a closed weekday and a holiday apart', () => {
    expect(isOpen(policy, 'UTC', at('2026-06-08T08:00:00Z'))).toBe(true);
    expect(isOpen(policy, 'UTC', at('2026-06-08T20:00:00Z'))).toBe(false);
    expect(closedReason(policy, 'UTC', at('2026-06-08T20:00:00Z'))).toBe('outside-window');
    expect(closedReason(policy, 'UTC', at('2026-06-10T12:00:00Z'))).toBe('closed-day');
    // 2026-07-14 is a Tuesday and a holiday: its holiday window is 10:00–11:00.
    expect(isOpen(policy, 'UTC', at('2026-07-14T10:30:00Z'))).toBe(true);
    expect(closedReason(policy, 'UTC', at('2026-07-14T12:00:00Z'))).toBe('outside-window');
    const noHolidayWindows = resolvePolicy({ preset: 'fr-legacy', holidays: { country: 'FR' } });
    expect(closedReason(noHolidayWindows, 'UTC', at('2026-07-14T12:00:00Z'))).toBe('holiday');
  });
});
