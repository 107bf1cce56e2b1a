/** The Quiet-Hours Gate's core: presets, policy checking and the decision itself. */
export { checkQuietHours, MESSAGE_CLASSES, SEARCH_HORIZON_DAYS } from './check';
export { PRESETS, PRESET_IDS, getPreset, listPresets } from './presets';
export { resolvePolicy, MAX_WINDOWS_PER_DAY, WEEKDAYS } from './policy';
export type { ResolvedQuietHoursPolicy, ResolvedWindow } from './policy';
export { HOLIDAY_TYPES } from './holidays';
export type { HolidayType, ResolvedHolidayRule } from './holidays';
export type * from './types';
