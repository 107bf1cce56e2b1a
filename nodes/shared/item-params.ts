/**
 * Reading one item's node parameters into the types the core takes. What n8n hands over is
 * whatever an expression produced (numbers from spreadsheets, luxon dates, objects by mistake), so
 * each value is brought to the expected type or the item fails with a coded error that names the
 * field without echoing the value (it may be a phone number or message text).
 */
import { DateTime } from 'luxon';
import type { IExecuteFunctions } from 'n8n-workflow';
import { SmsError, kindOf } from '../../core/errors';

/** A parameter of one item; an expression that fails on that item's data is that item's INVALID_INPUT. */
export function itemParam(fns: IExecuteFunctions, name: string, itemIndex: number, fallback: unknown): unknown {
  try {
    return fns.getNodeParameter(name, itemIndex, fallback);
  } catch (e) {
    throw new SmsError('INVALID_INPUT', `"${name}": ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** An entry of the node's Options collection; null when unset (n8n throws for an undefined fallback). */
export function itemOption(fns: IExecuteFunctions, name: string, itemIndex: number): unknown {
  return itemParam(fns, `options.${name}`, itemIndex, null);
}

/**
 * A text field: absent stays absent ('' included), numbers (a phone column read as a number)
 * become text, anything else is INVALID_INPUT.
 */
export function textValue(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return value.toString();
  throw new SmsError('INVALID_INPUT', `"${field}" must be text, got ${kindOf(value)}`);
}

const HAS_ZONE = /(?:Z|[+-]\d{2}:?\d{2})$/i;
/** Longer than any ISO-8601 date and time; a longer string is refused before a parser sees it. */
const MAX_INSTANT_LENGTH = 64;

/**
 * A date-and-time field → an ISO-8601 instant in UTC. n8n's date picker gives a wall time without
 * a zone, meant in the workflow's time zone (`zone`); expressions may give an ISO string with an
 * offset, a luxon DateTime ($now) or a Date.
 */
export function instantValue(value: unknown, field: string, zone: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  let at: DateTime;
  if (DateTime.isDateTime(value)) at = value;
  else if (value instanceof Date) at = DateTime.fromJSDate(value);
  else if (typeof value === 'string' && value.trim().length <= MAX_INSTANT_LENGTH) {
    const s = value.trim();
    at = HAS_ZONE.test(s) ? DateTime.fromISO(s, { setZone: true }) : DateTime.fromISO(s, { zone });
  } else if (typeof value === 'string') {
    throw new SmsError('INVALID_INPUT', `"${field}" is not a valid ISO-8601 date and time, e.g. 2030-01-31T09:00:00`);
  } else {
    throw new SmsError('INVALID_INPUT', `"${field}" must be a date and time, got ${kindOf(value)}`);
  }
  if (!at.isValid) throw new SmsError('INVALID_INPUT', `"${field}" is not a valid ISO-8601 date and time, e.g. 2030-01-31T09:00:00`);
  const iso = at.toUTC().toISO();
  if (iso === null) throw new SmsError('INVALID_INPUT', `"${field}" is out of range`);
  return iso;
}
