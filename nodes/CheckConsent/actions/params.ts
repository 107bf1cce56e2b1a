/**
 * One item's parameters, brought to what the core's consent functions take. What n8n hands over
 * is whatever an expression produced (numbers from spreadsheets, objects by mistake), so each
 * field is text or the item fails with a coded error; the core checks the text itself.
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { SmsError, kindOf } from '../../../core/errors';
import { CUSTOM_TOPIC } from './consent.description';

/** A parameter of one item; an expression that fails there is that item's INVALID_INPUT. */
export function param(fns: IExecuteFunctions, name: string, itemIndex: number, fallback: unknown): unknown {
  try {
    return fns.getNodeParameter(name, itemIndex, fallback);
  } catch (e) {
    throw new SmsError('INVALID_INPUT', `"${name}": ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** An entry of the Options collection; null when unset (n8n throws for undefined fallbacks). */
export function option(fns: IExecuteFunctions, name: string, itemIndex: number): unknown {
  return param(fns, `options.${name}`, itemIndex, null);
}

/**
 * A text field: absent stays absent ('' included), numbers (a phone column read as a number)
 * become text, anything else is INVALID_INPUT naming the field without echoing the value.
 */
export function text(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return value.toString();
  throw new SmsError('INVALID_INPUT', `"${field}" must be text, got ${kindOf(value)}`);
}

/** The recipient as written; the core normalises it (INVALID_PHONE when it cannot). */
export function readPhone(fns: IExecuteFunctions, itemIndex: number): string {
  return text(param(fns, 'phone', itemIndex, ''), 'Phone') ?? '';
}

/**
 * The Topic field, or the Custom Topic one. Unset gives undefined, so the core's default for the
 * operation applies; a Custom topic left blank is an error rather than a silent default.
 */
export function readTopic(fns: IExecuteFunctions, itemIndex: number): string | undefined {
  const topic = text(param(fns, 'topic', itemIndex, ''), 'Topic');
  if (topic !== CUSTOM_TOPIC) return topic;
  const custom = text(param(fns, 'customTopic', itemIndex, ''), 'Custom Topic');
  if (custom === undefined || custom.trim() === '') {
    throw new SmsError('INVALID_INPUT', '"Custom Topic" is empty: name the topic, or pick one from the list');
  }
  return custom;
}

export function readDefaultCountry(fns: IExecuteFunctions, itemIndex: number): string | undefined {
  return text(option(fns, 'defaultCountry', itemIndex), 'Default Country');
}
