/**
 * One item's parameters, brought to what the core's consent functions take. What n8n hands over
 * is whatever an expression produced (numbers from spreadsheets, objects by mistake), so each
 * field is text or the item fails with a coded error; the core checks the text itself.
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { SmsError } from '../../../core/errors';
import { itemOption as option, itemParam as param, textValue as text } from '../../shared/item-params';
import { CUSTOM_TOPIC } from './consent.description';

export const NODE_LABEL = 'Check Consent';

/** How every Check Consent operation names itself to the shared per-item loop. */
export const CONSENT_NODE = { label: NODE_LABEL, storeName: 'consent store' } as const;

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
