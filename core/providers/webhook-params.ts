/**
 * Small readers every provider's webhook parser needs (reference/sms-domain.md §2–3). Webhook
 * bodies are hostile input: each reader either returns a clean value or throws INVALID_INPUT
 * naming the provider and the field — never the value, which may be message text or a number.
 *
 * Records built here have a null prototype, so a `__proto__` or `constructor` key (JSON.parse
 * makes own `__proto__` keys) is an ordinary key and never reaches a prototype.
 */
import { SmsError, kindOf } from '../errors';
import type { ProviderId, WebhookRequest } from '../types';

/** A request's parameters: form fields or query values, a repeated key as an array. */
export type Params = Record<string, string | string[]>;

/** Longest value a reader accepts unless told otherwise (ids, numbers, statuses, timestamps). */
export const MAX_PARAM_LENGTH = 256;
/** Longest message text a reader accepts (no provider delivers more than ~1,600 characters per SMS). */
export const MAX_TEXT_LENGTH = 10_000;
/** Most parameters in one request; a form is not a place for thousands of fields. */
export const MAX_PARAMS = 1_000;

export function invalidWebhook(provider: ProviderId, message: string): SmsError {
  return new SmsError('INVALID_INPUT', `${provider}: ${message}`, { provider });
}

/**
 * `value` as a flat null-prototype record: each value a string or an array of strings. JSON
 * numbers and booleans become their string form (Vonage and others send some fields either way);
 * anything nested is INVALID_INPUT. `where` names the value in errors ("status callback body").
 */
export function flatParams(provider: ProviderId, value: unknown, where: string): Params {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalidWebhook(provider, `the ${where} must be an object of parameters; got ${kindOf(value)}`);
  }
  const keys = Object.keys(value);
  if (keys.length > MAX_PARAMS) throw invalidWebhook(provider, `the ${where} has more than ${MAX_PARAMS} parameters`);
  const out = Object.create(null) as Params;
  for (const key of keys) {
    const v: unknown = (value as Record<string, unknown>)[key];
    if (v === undefined) continue;
    if (Array.isArray(v)) {
      if (!v.every((x) => typeof x === 'string')) throw invalidWebhook(provider, `the ${where} parameter ${name(key)} is a nested value`);
      out[key] = [...(v as string[])];
    } else if (typeof v === 'string') out[key] = v;
    else if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean') out[key] = String(v);
    else if (v === null) out[key] = '';
    else throw invalidWebhook(provider, `the ${where} parameter ${name(key)} is a nested value`);
  }
  return out;
}

/**
 * The parameters a provider sent: the query for GET (and HEAD), the body for anything else
 * (form fields, or the members of a JSON object). Throws INVALID_INPUT for any other body.
 */
export function requestParams(provider: ProviderId, req: WebhookRequest): Params {
  const method = typeof req?.method === 'string' ? req.method.toUpperCase() : '';
  return method === 'GET' || method === 'HEAD' ? flatParams(provider, req.query, 'query') : flatParams(provider, req.body, 'body');
}

/**
 * One parameter as a single string: undefined when absent or empty; INVALID_INPUT when repeated
 * with different values, or longer than `max`.
 */
export function param(provider: ProviderId, params: Params, key: string, max = MAX_PARAM_LENGTH): string | undefined {
  if (!Object.hasOwn(params, key)) return undefined;
  let v = params[key];
  if (Array.isArray(v)) {
    // A proxy or a retry may repeat a field verbatim; two different values are ambiguous.
    if (v.some((x) => x !== v?.[0])) throw invalidWebhook(provider, `parameter ${name(key)} is repeated with different values`);
    v = v[0];
  }
  if (typeof v !== 'string') throw invalidWebhook(provider, `parameter ${name(key)} must be a string`);
  if (v.length > max) throw invalidWebhook(provider, `parameter ${name(key)} is longer than ${max} characters`);
  return v === '' ? undefined : v;
}

/** `param`, but absence is INVALID_INPUT too. */
export function requiredParam(provider: ProviderId, params: Params, key: string, max = MAX_PARAM_LENGTH): string {
  const v = param(provider, params, key, max);
  if (v === undefined) throw invalidWebhook(provider, `parameter ${name(key)} is missing`);
  return v;
}

/** An own member of a parsed JSON object: never an inherited one such as `constructor`. */
export function member(obj: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/**
 * A JSON member as a string: undefined when absent, null or empty; INVALID_INPUT when it is another
 * type or longer than `max`. `label` names it in errors (`error.title`); default the key.
 */
export function stringMember(
  provider: ProviderId,
  obj: Record<string, unknown>,
  key: string,
  max = MAX_PARAM_LENGTH,
  label = key,
): string | undefined {
  const v = member(obj, key);
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw invalidWebhook(provider, `field ${name(label)} must be a string; got ${kindOf(v)}`);
  if (v.length > max) throw invalidWebhook(provider, `field ${name(label)} is longer than ${max} characters`);
  return v;
}

/** `stringMember`, but absence is INVALID_INPUT too. */
export function requiredStringMember(provider: ProviderId, obj: Record<string, unknown>, key: string, max = MAX_PARAM_LENGTH, label = key): string {
  const v = stringMember(provider, obj, key, max, label);
  if (v === undefined) throw invalidWebhook(provider, `field ${name(label)} is missing`);
  return v;
}

/** A JSON member that must be an object when present (`error`, `usage`); undefined when absent or null. */
export function objectMember(provider: ProviderId, obj: Record<string, unknown>, key: string, label = key): Record<string, unknown> | undefined {
  const v = member(obj, key);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw invalidWebhook(provider, `field ${name(label)} must be an object; got ${kindOf(v)}`);
  return v as Record<string, unknown>;
}

// Deeper than any provider's payload; bounds the recursion of dataCopy.
const MAX_JSON_DEPTH = 32;

/**
 * A deep copy of parsed JSON with null-prototype objects, for `raw`: a `__proto__` key stays a
 * plain key in whatever a flow later merges the copy into. INVALID_INPUT when nested too deeply.
 */
export function dataCopy(provider: ProviderId, value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_JSON_DEPTH) throw invalidWebhook(provider, `the body is nested deeper than ${MAX_JSON_DEPTH} levels`);
  if (Array.isArray(value)) return value.map((v) => dataCopy(provider, v, depth + 1));
  const out = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(value)) out[key] = dataCopy(provider, (value as Record<string, unknown>)[key], depth + 1);
  return out;
}

/**
 * A number as E.164 where it clearly is one: `+` and 7–15 digits kept, 7–15 bare digits get a `+`
 * (Vonage, Plivo and Sinch send international numbers without it). Short codes and alphanumeric
 * sender ids are returned as they are: no country is ever guessed.
 */
export function plusNumber(value: string): string {
  return /^[1-9]\d{6,14}$/.test(value) ? `+${value}` : value;
}

const COMPACT = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?$/;
const SPACED = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/;
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/**
 * `YYMMDDhhmm[ss]` (Vonage `scts`, Twilio `RawDlrDoneDate`) as an ISO instant. The format has no
 * zone: it is read as UTC, which is what Vonage documents and the best a carrier pass-through
 * allows. Years are 2000–2099.
 */
export function compactUtc(provider: ProviderId, value: string, field: string): string {
  const m = COMPACT.exec(value);
  const iso = m ? utc(2000 + Number(m[1]), m[2], m[3], m[4], m[5], m[6] ?? '0', undefined) : undefined;
  if (iso === undefined) throw invalidWebhook(provider, `${field} must be a time as YYMMDDhhmm`);
  return iso;
}

/**
 * `YYYY-MM-DD hh:mm:ss[.ffffff]` (Vonage `message-timestamp`, Plivo times) as an ISO instant,
 * read as UTC (both providers send UTC without saying so).
 */
export function spacedUtc(provider: ProviderId, value: string, field: string): string {
  const m = SPACED.exec(value);
  const iso = m ? utc(Number(m[1]), m[2], m[3], m[4], m[5], m[6], m[7]) : undefined;
  if (iso === undefined) throw invalidWebhook(provider, `${field} must be a time as YYYY-MM-DD hh:mm:ss`);
  return iso;
}

/** An ISO-8601 instant with a zone (`Z` or an offset), normalised to `toISOString()` form. */
export function isoUtc(provider: ProviderId, value: unknown, field: string): string {
  const ms = typeof value === 'string' && value.length <= 40 && ISO_WITH_ZONE.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw invalidWebhook(provider, `${field} must be an ISO-8601 time with a zone`);
  return new Date(ms).toISOString();
}

function utc(y: number, mo: string, d: string, h: string, mi: string, s: string, frac: string | undefined): string | undefined {
  const ms = frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, '0'));
  const t = Date.UTC(y, Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  const back = new Date(t);
  // Date.UTC rolls 31 February over into March: a field out of range is not a time.
  if (
    back.getUTCFullYear() !== y ||
    back.getUTCMonth() !== Number(mo) - 1 ||
    back.getUTCDate() !== Number(d) ||
    back.getUTCHours() !== Number(h) ||
    back.getUTCMinutes() !== Number(mi) ||
    back.getUTCSeconds() !== Number(s)
  ) {
    return undefined;
  }
  return back.toISOString();
}

/** A parameter name for an error message: our own constants, or a hostile key clipped. */
function name(key: string): string {
  const k = key.replace(/[^\x20-\x7e]/g, '?');
  return JSON.stringify(k.length > 40 ? `${k.slice(0, 40)}…` : k);
}

/** A JSON body that must be one object (Sinch, Telnyx, Infobip): INVALID_INPUT for anything else. */
export function bodyObject(provider: ProviderId, req: WebhookRequest): Record<string, unknown> {
  const body: unknown = req?.body;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalidWebhook(provider, `the body must be a JSON object; got ${kindOf(body)}`);
  }
  return body as Record<string, unknown>;
}

/**
 * A unix timestamp header (seconds) within `windowS` of now: a captured request replayed later is
 * refused. False for a missing or malformed value.
 */
export function freshTimestamp(value: string | undefined, nowMs: number, windowS: number): boolean {
  if (value === undefined || !/^\d{1,12}$/.test(value)) return false;
  return Math.abs(nowMs / 1000 - Number(value)) <= windowS;
}
