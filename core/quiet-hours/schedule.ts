/**
 * When a resolved policy is open in one zone: the earliest open instant from a given one, and
 * why a closed instant is closed. The caller combines the zones of a number that has several.
 *
 * A window belongs to the local day it starts on: a Sunday 22:00–02:00 window is open on Monday
 * at 01:00 whatever Monday's own schedule (closed, or a holiday), and a holiday on Sunday replaces
 * Sunday's windows, the part after midnight included, by the holiday windows.
 */
import { isHoliday } from './holidays';
import { calendarDateOf, localEpochDay, wallClockToInstant } from './local-time';
import { WEEKDAYS, type ResolvedQuietHoursPolicy, type ResolvedWindow } from './policy';

export type ClosedReason = 'outside-window' | 'closed-day' | 'holiday';

interface DayPlan {
  holiday: boolean;
  windows: readonly ResolvedWindow[];
}

/** A local date's open intervals as instants, sorted by start, and the instant of its midnight. */
interface OpenDay {
  midnight: number;
  open: readonly (readonly [start: number, end: number])[];
}

/**
 * Days computed, per resolved policy (policies are cached, so a bulk run keeps hitting the same
 * object) and per zone and date: a batch sent in one zone on one day converts its window edges
 * to instants once, not once per item.
 */
const openDays = new WeakMap<ResolvedQuietHoursPolicy, Map<string, OpenDay>>();
const MAX_DAYS_PER_POLICY = 4_096;

/** The windows of a local date: the holiday windows on a holiday, else its weekday's. */
function planOf(policy: ResolvedQuietHoursPolicy, epochDay: number): DayPlan {
  if (policy.holidays && isHoliday(policy.holidays, epochDay)) return { holiday: true, windows: policy.holidayWindows };
  return { holiday: false, windows: policy.windows[WEEKDAYS[calendarDateOf(epochDay).weekday - 1]] };
}

function openDay(policy: ResolvedQuietHoursPolicy, zone: string, epochDay: number): OpenDay {
  let days = openDays.get(policy);
  if (!days) {
    days = new Map();
    openDays.set(policy, days);
  }
  const key = `${epochDay} ${zone}`;
  const cached = days.get(key);
  if (cached) return cached;
  const open: [number, number][] = [];
  for (const window of planOf(policy, epochDay).windows) {
    const start = wallClockToInstant(zone, epochDay, window.start, 'first');
    const end = wallClockToInstant(zone, epochDay, window.end, 'last');
    // A window inside a DST gap (02:00–02:30 on a spring-forward night) is empty.
    if (start < end) open.push([start, end]);
  }
  open.sort((a, b) => a[0] - b[0]);
  const day: OpenDay = { midnight: wallClockToInstant(zone, epochDay, 0, 'first'), open };
  // Dropping everything at the cap is simpler than LRU and costs one recomputation per day in use.
  if (days.size >= MAX_DAYS_PER_POLICY) days.clear();
  days.set(key, day);
  return day;
}

/**
 * The earliest instant at or after `from` at which the policy is open in `zone`, looking no
 * further than `horizonDays` local days ahead; `undefined` if there is none.
 */
export function nextOpenInstant(
  policy: ResolvedQuietHoursPolicy,
  zone: string,
  from: number,
  horizonDays: number,
): number | undefined {
  const today = localEpochDay(zone, from);
  let best: number | undefined;
  // Yesterday first: its windows that cross midnight may still be open.
  for (let epochDay = today - 1; epochDay <= today + horizonDays; epochDay++) {
    const day = openDay(policy, zone, epochDay);
    // Every window of a later day starts after that day's midnight, so none can beat `best`.
    if (best !== undefined && day.midnight >= best) break;
    for (const [start, end] of day.open) {
      if (end <= from) continue;
      const candidate = Math.max(from, start);
      if (best === undefined || candidate < best) best = candidate;
    }
  }
  return best;
}

/** Whether the policy is open at `instant` in `zone`. */
export function isOpen(policy: ResolvedQuietHoursPolicy, zone: string, instant: number): boolean {
  return nextOpenInstant(policy, zone, instant, 0) === instant;
}

/**
 * Why a closed instant is closed, from its local date: `holiday` when a holiday leaves the date
 * no window, `closed-day` when its weekday has none, else `outside-window` (the date has windows,
 * this time is in none of them — holiday windows included).
 */
export function closedReason(policy: ResolvedQuietHoursPolicy, zone: string, instant: number): ClosedReason {
  const plan = planOf(policy, localEpochDay(zone, instant));
  if (plan.windows.length > 0) return 'outside-window';
  return plan.holiday ? 'holiday' : 'closed-day';
}
