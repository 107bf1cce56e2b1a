/**
 * Reads one Node-RED message into the SMS it asks for (DESIGN §4): `msg.payload` as the text, an
 * object `{ to, text, from?, clientRef?, sendAt? }`, or an array of such objects. Every item either
 * becomes a SendRequest or carries the coded error that explains why not; nothing is dropped.
 */
import { MAX_BATCH_SIZE, type SendRequest } from '../core/dispatch';
import { SmsError, toSmsError } from '../core/errors';
import { renderTemplate } from '../core/template';
import type { NodeMessage } from './node-red-api';


/** The node's settings for one message, its typed inputs already evaluated against `msg`. */
export interface ItemDefaults {
  to?: unknown;
  from?: unknown;
  /** Text mode: the node's Message value. */
  text?: unknown;
  /** Template mode: Handlebars over `msg`, with `msg.payload` set to the item being sent. */
  template?: string;
  statusCallbackUrl?: string;
  validitySeconds?: number;
}

/** What the node read for one item: the request when it could, else the item as given. */
export type PreparedItem =
  | { ok: true; input: SmsInput; request: SendRequest }
  | { ok: false; input: unknown; error: SmsError };

/** The item as `msg.sms` shows it: what will be sent, before number normalisation. */
export interface SmsInput {
  to: string;
  text: string;
  from?: string;
  clientRef?: string;
  sendAt?: string;
}

export interface PreparedMessage {
  /** True when `msg.payload` was an array: results and failures are then arrays too. */
  bulk: boolean;
  items: PreparedItem[];
}

export function prepareItems(msg: NodeMessage, defaults: ItemDefaults): PreparedMessage {
  const payload = msg.payload;
  if (Array.isArray(payload)) {
    if (payload.length > MAX_BATCH_SIZE) {
      const error = new SmsError(
        'INVALID_INPUT',
        `a bulk send takes at most ${MAX_BATCH_SIZE} items, got ${payload.length}; split msg.payload into smaller arrays`,
      );
      return { bulk: true, items: Array.from(payload, (input) => ({ ok: false, input, error })) };
    }
    // Array.from, not map: a sparse array's holes are items too (undefined ones), not skipped.
    return { bulk: true, items: Array.from(payload, (item, index) => prepareObject(msg, item, defaults, `item ${index}`)) };
  }
  if (isPlainObject(payload)) return { bulk: false, items: [prepareObject(msg, payload, defaults, 'msg.payload')] };
  return { bulk: false, items: [prepareText(msg, defaults)] };
}

/** `msg.payload` is the text (or the node's Message / template gives it); the recipient comes from the node or `msg.to`. */
function prepareText(msg: NodeMessage, defaults: ItemDefaults): PreparedItem {
  const partial: Partial<SmsInput> = {};
  try {
    const to = recipient(undefined, defaults.to, msg.to, 'To');
    partial.to = to;
    const text = defaults.template !== undefined ? render(defaults.template, msg, msg.payload) : messageText(defaults.text);
    partial.text = text;
    const from = optionalText(defaults.from, 'From');
    return finish({ to, text, ...(from && { from }) }, defaults);
  } catch (e) {
    return { ok: false, input: partial, error: toSmsError(e, 'INVALID_INPUT') };
  }
}

function prepareObject(msg: NodeMessage, item: unknown, defaults: ItemDefaults, where: string): PreparedItem {
  if (!isPlainObject(item)) {
    const error = new SmsError('INVALID_INPUT', `${where} must be an object { to, text, from?, clientRef?, sendAt? }, got ${describe(item)}`);
    return { ok: false, input: item, error };
  }
  try {
    const to = recipient(item.to, defaults.to, msg.to, `${where}.to`);
    const own = optionalText(item.text, `${where}.text`);
    const text =
      own !== undefined && own !== ''
        ? own
        : defaults.template !== undefined
          ? render(defaults.template, msg, item)
          : fallbackText(defaults.text);
    const from = optionalText(item.from, `${where}.from`) || optionalText(defaults.from, 'From');
    const clientRef = optionalText(item.clientRef, `${where}.clientRef`);
    const sendAt = instant(item.sendAt, `${where}.sendAt`);
    const input: SmsInput = { to, text };
    if (from) input.from = from;
    if (clientRef !== undefined && clientRef !== '') input.clientRef = clientRef;
    if (sendAt !== undefined) input.sendAt = sendAt;
    return finish(input, defaults, item);
  } catch (e) {
    return { ok: false, input: item, error: toSmsError(e, 'INVALID_INPUT') };
  }
}

function finish(input: SmsInput, defaults: ItemDefaults, given?: unknown): PreparedItem {
  if (input.text === '') {
    const error = new SmsError('EMPTY_MESSAGE', 'the message text is empty');
    return { ok: false, input: given ?? input, error };
  }
  const request: SendRequest = { ...input };
  if (defaults.statusCallbackUrl) request.statusCallbackUrl = defaults.statusCallbackUrl;
  if (defaults.validitySeconds !== undefined) request.validitySeconds = defaults.validitySeconds;
  return { ok: true, input, request };
}

/** The item's own recipient, else the node's To, else `msg.to`. */
function recipient(own: unknown, nodeTo: unknown, msgTo: unknown, where: string): string {
  for (const [value, name] of [
    [own, where],
    [nodeTo, 'To'],
    [msgTo, 'msg.to'],
  ] as const) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) {
      throw new SmsError(
        'INVALID_INPUT',
        `${name} holds a list; to send to several numbers put an array of { to, text } objects in msg.payload`,
      );
    }
    const text = optionalText(value, name);
    if (text !== undefined && text.trim() !== '') return text.trim();
  }
  throw new SmsError('INVALID_PHONE', 'no recipient: set msg.to, the node\'s To, or "to" in the payload object');
}

function messageText(value: unknown): string {
  if (value === undefined || value === null) throw noText();
  return optionalText(value, 'the message') ?? '';
}

/**
 * For payload objects the node's Message is only a fallback, and by default it points at
 * `msg.payload` itself: an object there means "no text given", not a type error.
 */
function fallbackText(value: unknown): string {
  if (typeof value === 'object' || value === undefined) throw noText();
  return messageText(value);
}

function noText(): SmsError {
  return new SmsError('EMPTY_MESSAGE', 'no message text: give "text" in the payload object or set the node\'s Message');
}

function render(template: string, msg: NodeMessage, item: unknown): string {
  return renderTemplate(template, { ...msg, payload: item }, { strict: true });
}

/** Strings as they are; numbers and booleans as written; anything else is an input error. */
function optionalText(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean') return String(value);
  throw new SmsError('INVALID_INPUT', `${name} must be text, got ${describe(value)}`);
}

function instant(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') return value;
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
  throw new SmsError('INVALID_INPUT', `${name} must be an ISO-8601 date-time, got ${describe(value)}`);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return Object.prototype.toString.call(v) === '[object Object]';
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (Buffer.isBuffer(v)) return 'a Buffer';
  if (v instanceof Date) return 'an invalid Date';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}
