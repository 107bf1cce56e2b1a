/**
 * The shape of one SendRequest, checked before anything reads it: items come from user data
 * (n8n items, Node-RED payloads) and may be anything. Provider-specific limits (Vonage's 40-char
 * client-ref, Twilio's 10 h validity) stay with the adapters; this catches what no provider takes.
 *
 * Optional fields that are null, undefined or blank text count as absent: an editor field left
 * empty arrives as '' or null, and means "not set".
 */
import { SmsError } from '../errors';
import type { SendRequest } from './types';

/**
 * A request whose fields have the right types and sizes, blank optional fields dropped and
 * `sendAt` in UTC; `to` and `text` are not yet interpreted.
 */
export type CheckedRequest = SendRequest;

// No SMS can be longer: 255 parts (the UDH limit) × 153 GSM-7 septets. Longer text is refused
// before segment counting has to walk a megabyte.
export const MAX_TEXT_LENGTH = 255 * 153;
const MAX_FROM_LENGTH = 64;
const MAX_CLIENT_REF_LENGTH = 256;
const MAX_URL_LENGTH = 2048;
const MAX_IDEMPOTENCY_KEY_LENGTH = 256;
const MAX_VALIDITY_SECONDS = 365 * 24 * 60 * 60;
// A time without a zone would be read in this machine's zone: only full instants are accepted.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;
const CONTROL = /[\u0000-\u001f\u007f]/;

function bad(message: string): SmsError {
  return new SmsError('INVALID_INPUT', message);
}

// Date.parse rolls 2030-02-31 over to 3 March instead of refusing it.
function calendarDateExists(iso: string): boolean {
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

function absent(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
}

function optionalText(v: unknown, name: string, max: number): string | undefined {
  if (absent(v)) return undefined;
  if (typeof v !== 'string') throw bad(`${name} must be text`);
  const s = v.trim();
  if (s.length > max) throw bad(`${name} is longer than ${max} characters`);
  return s;
}

export function checkRequest(item: unknown): CheckedRequest {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    const got = Array.isArray(item) ? 'an array' : item === null ? 'null' : typeof item;
    throw bad(`a send request must be an object with "to" and "text", got ${got}`);
  }
  const r = item as Record<string, unknown>;

  if (r.to === undefined || r.to === null) throw bad('"to" (the recipient) is required');
  if (typeof r.to !== 'string') throw bad('"to" must be text, e.g. "+14155550100"');
  if (r.text === undefined || r.text === null) throw bad('"text" is required');
  if (typeof r.text !== 'string') throw bad('"text" must be text');
  if (r.text.length > MAX_TEXT_LENGTH) throw bad(`"text" is longer than ${MAX_TEXT_LENGTH} characters, more than any SMS can carry`);

  const out: CheckedRequest = { to: r.to, text: r.text };

  const from = optionalText(r.from, '"from"', MAX_FROM_LENGTH);
  if (from !== undefined) out.from = from;
  const clientRef = optionalText(r.clientRef, '"clientRef"', MAX_CLIENT_REF_LENGTH);
  if (clientRef !== undefined) out.clientRef = clientRef;

  const sendAt = optionalText(r.sendAt, '"sendAt"', 64);
  if (sendAt !== undefined) {
    const ms = ISO_INSTANT.test(sendAt) && calendarDateExists(sendAt) ? Date.parse(sendAt) : Number.NaN;
    if (Number.isNaN(ms)) throw bad('"sendAt" must be an ISO-8601 instant with a zone, e.g. 2030-01-31T09:00:00Z');
    out.sendAt = new Date(ms).toISOString();
  }

  if (!absent(r.validitySeconds)) {
    const v = r.validitySeconds;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_VALIDITY_SECONDS) {
      throw bad(`"validitySeconds" must be a whole number from 1 to ${MAX_VALIDITY_SECONDS}`);
    }
    out.validitySeconds = v;
  }

  const callback = optionalText(r.statusCallbackUrl, '"statusCallbackUrl"', MAX_URL_LENGTH);
  if (callback !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(callback);
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
      throw bad('"statusCallbackUrl" must be an absolute http(s) URL');
    }
    out.statusCallbackUrl = callback;
  }

  if (!absent(r.idempotencyKey)) {
    const k = r.idempotencyKey;
    if (typeof k !== 'string' || k.length > MAX_IDEMPOTENCY_KEY_LENGTH || CONTROL.test(k)) {
      throw bad(`"idempotencyKey" must be text of at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters without control characters`);
    }
    out.idempotencyKey = k;
  }
  return out;
}
