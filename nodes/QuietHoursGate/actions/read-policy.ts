/**
 * The node's policy: a preset id, or a custom policy built from the Windows fields (or their JSON)
 * and the holiday country. It is the node's setting, the same for every item, so it is read once
 * and checked by the core before any item is judged.
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { SmsError, kindOf, toSmsError } from '../../../core/errors';
import { WEEKDAYS, resolvePolicy } from '../../../core/quiet-hours';
import { parseWindowsJson } from '../../../core/quiet-hours/windows-json';
import type { PresetId, QuietHoursPolicy, TimeWindow, Weekday } from '../../../core/quiet-hours';
import { itemParam, textValue } from '../../shared/item-params';
import { CUSTOM_POLICY, DEFAULT_POLICY, type WindowsMode } from './gate.description';

export function readPolicy(fns: IExecuteFunctions): PresetId | QuietHoursPolicy {
  const param = (name: string, fallback: unknown): unknown => itemParam(fns, name, 0, fallback);
  const id = textValue(param('policy', DEFAULT_POLICY), 'Policy') ?? DEFAULT_POLICY;
  try {
    const policy: PresetId | QuietHoursPolicy =
      id === CUSTOM_POLICY
        ? {
            windows:
              (param('windowsMode', 'fields') as WindowsMode) === 'json'
                ? windowsFromJson(param('windowsJson', ''))
                : windowsFromFields(param('windows', {})),
            holidays: holidayRule(param('holidayCountry', ''), param('holidayState', '')),
          }
        : (id as PresetId);
    resolvePolicy(policy);
    return policy;
  } catch (e) {
    const error = toSmsError(e, 'INVALID_INPUT');
    throw new SmsError(error.code, `${id === CUSTOM_POLICY ? 'The custom policy' : 'The policy'} is not valid: ${error.message}`);
  }
}

/** The Windows rows: each row's days get its window; a day in several rows gets several windows. */
function windowsFromFields(value: unknown): QuietHoursPolicy['windows'] {
  const rows = isObject(value) ? value.window : undefined;
  if (rows === undefined) return {};
  if (!Array.isArray(rows)) throw new SmsError('INVALID_INPUT', `"Windows" must be a list of windows, got ${kindOf(rows)}`);
  const windows: Partial<Record<Weekday, TimeWindow[]>> = {};
  rows.forEach((row: unknown, i) => {
    const where = `"Windows" row ${i + 1}`;
    if (!isObject(row)) throw new SmsError('INVALID_INPUT', `${where} must be an object, got ${kindOf(row)}`);
    const days = row.days;
    if (!Array.isArray(days) || days.length === 0) throw new SmsError('INVALID_INPUT', `${where} has no day: pick the days it opens on`);
    for (const day of days) {
      if (!WEEKDAYS.includes(day as Weekday)) throw new SmsError('INVALID_INPUT', `${where} names a day that is not a weekday (mon … sun)`);
      // The core checks the times and says which one is wrong.
      (windows[day as Weekday] ??= []).push({ from: row.from as string, to: row.to as string });
    }
  });
  return windows;
}

/** The Windows (JSON) field: JSON text, or the object an expression produced. The core checks its shape. */
function windowsFromJson(value: unknown): QuietHoursPolicy['windows'] {
  if (isObject(value)) return value as QuietHoursPolicy['windows'];
  if (typeof value !== 'string') throw new SmsError('INVALID_INPUT', `"Windows (JSON)" must be a JSON object, got ${kindOf(value)}`);
  return parseWindowsJson(value, '"Windows (JSON)"');
}

/** Holiday Country (and State): empty means no holidays; the core checks the codes against its calendar data. */
function holidayRule(countryValue: unknown, stateValue: unknown): QuietHoursPolicy['holidays'] {
  const country = textValue(countryValue, 'Holiday Country')?.trim();
  const state = textValue(stateValue, 'Holiday State or Region')?.trim();
  if (!country) {
    if (state) throw new SmsError('INVALID_INPUT', '"Holiday State or Region" needs "Holiday Country"');
    return false;
  }
  return state ? { country, state } : { country };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
