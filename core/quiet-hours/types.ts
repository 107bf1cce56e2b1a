/**
 * The contract of the Quiet-Hours Gate (DESIGN §3 `checkQuietHours`): a policy says when a
 * message may reach a recipient, judged in the recipient's own local time; the decision says
 * whether now is such a time and, if not, the first instant that is.
 */

/** Quiet hours apply to marketing; transactional messages and one-time passwords are exempt. */
export type MessageClass = 'marketing' | 'transactional' | 'otp';

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/**
 * Local wall-clock times `HH:mm`, `from` inclusive, `to` exclusive. `to` may be `24:00`. A window
 * whose `to` is not after its `from` (`22:00`–`02:00`) crosses midnight: it belongs to the day it
 * starts on and ends on the next day. `from` equal to `to` is refused (write `00:00`–`24:00`).
 *
 * Across a DST change a window is the shortest interval holding every instant whose wall clock
 * reads inside it: an edge in a skipped hour (02:30 on a spring-forward night) falls on the first
 * instant after the gap; in a repeated hour a window opens at the first occurrence of `from` and
 * closes at the later occurrence of `to`.
 */
export interface TimeWindow {
  from: string;
  to: string;
}

export interface HolidayRule {
  /** ISO 3166-1 alpha-2, as `date-holidays` knows it (`FR`, `US`, `BR`, ...). */
  country: string;
  /** `date-holidays` state and region codes, e.g. `{ country: 'DE', state: 'BY' }` for Bavaria. */
  state?: string;
  region?: string;
  /** Which `date-holidays` types count; default `['public']`. */
  types?: string[];
}

export type PresetId =
  | 'us-tcpa'
  | 'fr-legacy'
  | 'fr-af2m-2024'
  | 'fr-af2m-2026'
  | 'in-trai-promo'
  | 'br-marketing'
  | 'uk-practice'
  | 'de-practice';

/**
 * A custom policy, or a preset with some parts replaced (`{ preset: 'de-practice', holidays: {
 * country: 'DE', state: 'BY' } }`). A weekday missing from `windows` is a closed day.
 *
 * With a preset, the weekdays given in `windows` replace the preset's for those days (`{ sun: [] }`
 * closes Sundays) and the other days keep the preset's; `holidays` and `holidayWindows` replace
 * the preset's. `null` or `''` for a part means "not given". Holidays are judged on the recipient's
 * local date.
 */
export interface QuietHoursPolicy {
  preset?: PresetId;
  windows?: Partial<Record<Weekday, TimeWindow[]>>;
  /** Public holidays close the day (their windows are `holidayWindows`); `false`: none. */
  holidays?: HolidayRule | false;
  /** Windows on a holiday; default none (closed). */
  holidayWindows?: TimeWindow[];
}

/** A preset: a policy with where it comes from and when that was last checked. */
export interface QuietHoursPreset {
  id: PresetId;
  label: string;
  windows: Partial<Record<Weekday, TimeWindow[]>>;
  holidays: HolidayRule | false;
  holidayWindows?: TimeWindow[];
  /** What the rule is (statute, regulator, industry charter, carrier, common practice). */
  basis: string;
  /** URLs or citations. */
  sources: string[];
  /** ISO date the rule was last checked against its sources. */
  lastReviewed: string;
}

export interface QuietHoursInput {
  /** E.164 or anything `normalizePhone` accepts; its zones are used when no `timezone` is given. */
  phone?: string;
  /** IANA zone; wins over the number's zones. */
  timezone?: string;
  /** Used when neither `timezone` nor the number gives a zone. */
  fallbackTimezone?: string;
  /** For national-format numbers. */
  defaultCountry?: string;
  /**
   * The instant to judge: ISO-8601 string with an offset or `Z` (a local time without one is a
   * different instant in every zone, so it is refused), Date or epoch ms. Default now.
   */
  at?: string | Date | number;
  policy: PresetId | QuietHoursPolicy;
  /** Default `marketing`. */
  class?: MessageClass;
}

export type QuietHoursReason = 'outside-window' | 'closed-day' | 'holiday' | 'exempt';

export interface QuietHoursDecision {
  allowed: boolean;
  /**
   * The zone the decision is reported in: the (first) zone that forbids, else the first zone.
   * `UTC` for an exempt message whose zone is unknown (then `timezones` is empty).
   */
  timezone: string;
  /** Every zone considered: the instant must be allowed in all of them. */
  timezones: string[];
  /** Local time in `timezone`, ISO-8601 with offset, e.g. `2026-03-08T22:30:00.000-04:00`. */
  localTime: string;
  /**
   * Why not (or `exempt` when allowed for its class). Absent when allowed by the window. Judged on
   * the local date of `timezone`: `holiday` when a holiday leaves it no window, `closed-day` when its
   * weekday has none, else `outside-window` (holiday windows included).
   */
  reason?: QuietHoursReason;
  /** When not allowed: the first instant allowed in every zone, ISO-8601 UTC. */
  nextAllowedAt?: string;
  /** When not allowed: milliseconds from `at` to `nextAllowedAt`. */
  waitMs?: number;
  /** `waitMs` rounded up to whole seconds (n8n's Wait node, Node-RED delay). */
  waitSeconds?: number;
  /** The preset id when the policy is a preset unchanged, or `custom` (overrides included). */
  policy: string;
}
