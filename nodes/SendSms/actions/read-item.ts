/**
 * One input item's parameters → the SendRequest the dispatcher takes. What n8n hands over is
 * whatever an expression produced (numbers from spreadsheets, luxon dates, objects by mistake),
 * so each field is brought to the type the core expects or the item fails with a coded error.
 */
import { DateTime } from 'luxon';
import type { IExecuteFunctions } from 'n8n-workflow';
import type { SendRequest } from '../../../core/dispatch';
import { SmsError, toSmsError } from '../../../core/errors';
import { renderTemplate } from '../../../core/template';

export type MessageMode = 'text' | 'template';

/** What reading an item needs from the batch settings. */
export interface ItemSettings {
  mode: MessageMode;
  /** The workflow's time zone: a Send At without a zone is meant there, and so are template dates. */
  workflowTimeZone: string;
  templateLocale?: string;
  templateTimeZone?: string;
}

const HAS_ZONE = /(?:Z|[+-]\d{2}:?\d{2})$/i;

export function readSendRequest(fns: IExecuteFunctions, itemIndex: number, settings: ItemSettings): SendRequest {
  const param = (name: string, fallback: unknown): unknown => {
    try {
      return fns.getNodeParameter(name, itemIndex, fallback);
    } catch (e) {
      // An expression that fails on this item's data is this item's problem, not the batch's.
      throw new SmsError('INVALID_INPUT', `"${name}": ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  // Only this item's options: a batch option's expression is not this item's business. (null:
  // n8n throws for an unset parameter unless a fallback other than undefined is given.)
  const option = (name: string): unknown => param(`options.${name}`, null);
  const request: SendRequest = {
    to: text(param('to', ''), 'To') ?? '',
    text: messageText(fns, itemIndex, settings, param),
  };
  const from = text(param('from', ''), 'From');
  if (from !== undefined) request.from = from;
  const clientRef = text(option('clientRef'), 'Client Reference');
  if (clientRef !== undefined) request.clientRef = clientRef;
  const idempotencyKey = text(option('idempotencyKey'), 'Idempotency Key');
  if (idempotencyKey !== undefined) request.idempotencyKey = idempotencyKey;
  const statusCallbackUrl = text(option('statusCallbackUrl'), 'Status Callback URL');
  if (statusCallbackUrl !== undefined) request.statusCallbackUrl = statusCallbackUrl;
  const sendAt = instant(option('sendAt'), settings.workflowTimeZone);
  if (sendAt !== undefined) request.sendAt = sendAt;
  const validity = validitySeconds(option('validitySeconds'));
  if (validity !== undefined) request.validitySeconds = validity;
  return request;
}

function messageText(
  fns: IExecuteFunctions,
  itemIndex: number,
  settings: ItemSettings,
  param: (name: string, fallback: unknown) => unknown,
): string {
  if (settings.mode === 'text') return text(param('text', ''), 'Message') ?? '';
  const template = param('template', '');
  if (typeof template !== 'string') throw new SmsError('INVALID_INPUT', '"Template" must be text');
  const data = fns.getInputData()[itemIndex]?.json ?? {};
  try {
    return renderTemplate(template, data, {
      strict: true,
      ...(settings.templateLocale ? { locale: settings.templateLocale } : {}),
      timeZone: settings.templateTimeZone || settings.workflowTimeZone,
    });
  } catch (e) {
    throw toSmsError(e, 'TEMPLATE_ERROR');
  }
}

/** Text fields: absent stays absent, numbers (a phone column read as a number) become text. */
function text(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return value.toString();
  throw new SmsError('INVALID_INPUT', `"${field}" must be text, got ${Array.isArray(value) ? 'a list' : typeof value}`);
}

/** Send At → an ISO instant in UTC. n8n's date picker gives local wall time; expressions may give luxon or Date. */
function instant(value: unknown, zone: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  let at: DateTime;
  if (DateTime.isDateTime(value)) at = value;
  else if (value instanceof Date) at = DateTime.fromJSDate(value);
  else if (typeof value === 'string') {
    const s = value.trim();
    at = HAS_ZONE.test(s) ? DateTime.fromISO(s, { setZone: true }) : DateTime.fromISO(s, { zone });
  } else {
    throw new SmsError('INVALID_INPUT', '"Send At" must be a date and time');
  }
  if (!at.isValid) throw new SmsError('INVALID_INPUT', '"Send At" is not a valid ISO-8601 date and time, e.g. 2030-01-31T09:00:00');
  const iso = at.toUTC().toISO();
  if (iso === null) throw new SmsError('INVALID_INPUT', '"Send At" is out of range');
  return iso;
}

/** 0 (the field's default) means the provider's own validity. */
function validitySeconds(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '' || value === 0) return undefined;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new SmsError('INVALID_INPUT', '"Validity (Seconds)" must be a number');
  return n;
}
