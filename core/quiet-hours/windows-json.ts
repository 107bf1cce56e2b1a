/**
 * Custom windows typed as JSON in a node's editor (n8n's "Windows (JSON)", Node-RED's custom
 * windows) → the `windows` of a policy. Only the text is checked here; `resolvePolicy` checks the
 * weekdays and times, so both engines refuse the same policies with the same words.
 */
import { SmsError, kindOf } from '../errors';
import { isPlainObject } from '../plain-object';
import type { QuietHoursPolicy } from './types';

/** Far beyond any real week of windows (7 days × 24 windows), short of a parse worth worrying about. */
export const MAX_WINDOWS_JSON = 64 * 1024;

/** `label` names the field in errors, e.g. `"Windows (JSON)"`. */
export function parseWindowsJson(text: string, label: string): NonNullable<QuietHoursPolicy['windows']> {
  if (text.trim() === '') {
    throw new SmsError('INVALID_INPUT', `${label} is empty: write the windows, e.g. {"mon": [{"from": "09:00", "to": "20:00"}]}`);
  }
  if (text.length > MAX_WINDOWS_JSON) throw new SmsError('INVALID_INPUT', `${label} is longer than ${MAX_WINDOWS_JSON} characters`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new SmsError('INVALID_INPUT', `${label} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!isPlainObject(parsed)) throw new SmsError('INVALID_INPUT', `${label} must be a JSON object of weekdays, got ${kindOf(parsed)}`);
  return parsed as NonNullable<QuietHoursPolicy['windows']>;
}
