/**
 * One input item's parameters → the SendRequest the dispatcher takes. What n8n hands over is
 * whatever an expression produced (numbers from spreadsheets, luxon dates, objects by mistake),
 * so each field is brought to the type the core expects or the item fails with a coded error.
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import type { SendRequest } from '../../../core/dispatch';
import { SmsError, toSmsError } from '../../../core/errors';
import { renderTemplate } from '../../../core/template';
import { instantValue, itemOption, itemParam, textValue as text } from '../../shared/item-params';

export type MessageMode = 'text' | 'template';

/** What reading an item needs from the batch settings. */
export interface ItemSettings {
  mode: MessageMode;
  /** The workflow's time zone: a Send At without a zone is meant there, and so are template dates. */
  workflowTimeZone: string;
  templateLocale?: string;
  templateTimeZone?: string;
}

export function readSendRequest(fns: IExecuteFunctions, itemIndex: number, settings: ItemSettings): SendRequest {
  const param = (name: string, fallback: unknown): unknown => itemParam(fns, name, itemIndex, fallback);
  // Only this item's options: a batch option's expression is not this item's business.
  const option = (name: string): unknown => itemOption(fns, name, itemIndex);
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
  const sendAt = instantValue(option('sendAt'), 'Send At', settings.workflowTimeZone);
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

/** 0 (the field's default) means the provider's own validity. */
function validitySeconds(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '' || value === 0) return undefined;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new SmsError('INVALID_INPUT', '"Validity (Seconds)" must be a number');
  return n;
}
