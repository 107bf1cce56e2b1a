/**
 * From the bytes an engine received to the WebhookRequest providers verify and parse (the shape
 * core/types.ts documents), and the URLs signatures are computed over. Limits come first: a hostile
 * request costs at most one bounded pass over 1 MB.
 */
import { SmsError } from '../errors';
import type { ProviderCredentials, ProviderId, WebhookRequest } from '../types';
import { WEBHOOK_MAX_BODY_BYTES, type RawWebhookRequest } from './types';

type Multimap = Record<string, string | string[] | undefined>;

// More fields than any provider sends; a form of a million fields is an attack, not a report.
const MAX_PARAMS = 1000;
const MAX_HEADERS = 200;
const MAX_JSON_DEPTH = 64;
const MAX_URL_LENGTH = 8192;

function invalid(message: string): SmsError {
  return new SmsError('INVALID_INPUT', `webhook: ${message}`);
}

export function readWebhookRequest(raw: RawWebhookRequest, maxBytes: number = WEBHOOK_MAX_BODY_BYTES): WebhookRequest {
  if (raw === null || typeof raw !== 'object') throw invalid('the request is missing');
  if (!Buffer.isBuffer(raw.rawBody)) throw invalid('the raw body was not captured (a body parser ran before the webhook)');
  // A limit that is not a number would be no limit at all.
  const limit = Number.isSafeInteger(maxBytes) && maxBytes >= 0 ? maxBytes : WEBHOOK_MAX_BODY_BYTES;
  if (raw.rawBody.length > limit) {
    throw new SmsError('PAYLOAD_TOO_LARGE', `webhook: the body is larger than ${limit} bytes`);
  }
  const method = typeof raw.method === 'string' && /^[A-Za-z]{1,10}$/.test(raw.method) ? raw.method.toUpperCase() : undefined;
  if (method === undefined) throw invalid('the method is not an HTTP method');
  const url = absoluteUrl(raw.url);
  const headers = readHeaders(raw.headers);
  // The URL stays as given: signatures are over its exact bytes, not URL's re-serialisation.
  return { method, url: raw.url, headers, rawBody: raw.rawBody, body: readBody(raw.rawBody, headers['content-type']), query: readQuery(url) };
}

function absoluteUrl(value: unknown): URL {
  if (typeof value !== 'string' || value.length > MAX_URL_LENGTH) throw invalid('the URL is missing or too long');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid('the URL is not absolute');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid('the URL is not http(s)');
  return url;
}

function readHeaders(value: unknown): Record<string, string | undefined> {
  const out = Object.create(null) as Record<string, string | undefined>;
  if (value === null || typeof value !== 'object') return out;
  const names = Object.keys(value);
  if (names.length > MAX_HEADERS) throw invalid(`more than ${MAX_HEADERS} headers`);
  for (const name of names) {
    const v: unknown = (value as Record<string, unknown>)[name];
    // What is not text (a number, an object a careless engine put there) is not a header value.
    const text = typeof v === 'string' ? v : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string').join(', ') : undefined;
    if (text !== undefined) out[name.toLowerCase()] = text;
  }
  return out;
}

function readQuery(url: URL): Multimap {
  const raw = url.search.startsWith('?') ? url.search.slice(1) : url.search;
  return readForm(raw, 'query');
}

/**
 * `a=1&b=2&a=3` into a null-prototype record (a repeat becomes an array). Strict percent-decoding:
 * `%zz` is malformed input, not something to guess at.
 */
function readForm(text: string, what: string): Multimap {
  const out = Object.create(null) as Multimap;
  if (text === '') return out;
  const pairs = text.split('&');
  if (pairs.length > MAX_PARAMS) throw invalid(`the ${what} has more than ${MAX_PARAMS} parameters`);
  for (const pair of pairs) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decode(eq < 0 ? pair : pair.slice(0, eq), what);
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1), what);
    const prev = out[key];
    out[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

function decode(s: string, what: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    throw invalid(`the ${what} has malformed percent-encoding`);
  }
}

/**
 * By content type: JSON, form, nothing. A body without a content type is JSON when it parses as
 * JSON, else form fields (some gateways drop the header); any other type is refused.
 */
function readBody(raw: Buffer, contentType: string | undefined): unknown {
  if (raw.length === 0) return Object.create(null);
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const text = utf8(raw);
  if (type === 'application/json' || type.endsWith('+json')) return json(text);
  if (type === 'application/x-www-form-urlencoded') return readForm(text, 'body');
  if (type === '' || type === 'text/plain') {
    const trimmed = text.trimStart();
    return trimmed.startsWith('{') || trimmed.startsWith('[') ? json(text) : readForm(text.trim(), 'body');
  }
  throw invalid(`content type ${JSON.stringify(type.slice(0, 60))} is not JSON or form fields`);
}

function utf8(raw: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw invalid('the body is not UTF-8 text');
  }
}

function json(text: string): unknown {
  // Depth is checked on the text first: JSON.parse itself would recurse without a bound.
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_JSON_DEPTH) throw invalid(`the JSON body is nested deeper than ${MAX_JSON_DEPTH} levels`);
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalid('the body is not valid JSON');
  }
}

/**
 * The URL the provider called: the node's Public URL (what is configured at the provider, behind
 * a reverse proxy) with the query string of this request, byte for byte (Twilio's bodySHA256 and
 * every signed query live there). Without a Public URL, the engine's own URL.
 */
export function publicRequestUrl(publicUrl: string | undefined, requestUrl: string): string {
  absoluteUrl(requestUrl);
  const configured = typeof publicUrl === 'string' ? publicUrl.trim() : '';
  if (configured === '') return requestUrl;
  const base = checkedPublicUrl(configured);
  const q = requestUrl.indexOf('?');
  return q < 0 ? base : base + requestUrl.slice(q);
}

/** A node's Public URL option: absolute http(s), no query, no fragment. Throws INVALID_INPUT. */
export function checkedPublicUrl(value: string): string {
  const url = absoluteUrl(value);
  if (url.search !== '' || url.hash !== '' || value.includes('?') || value.includes('#')) {
    throw invalid('the Public URL must not have a query or a fragment (the provider adds its own)');
  }
  if (url.username !== '' || url.password !== '') throw invalid('the Public URL must not hold a user or password');
  return value;
}

/**
 * The status-callback URL Send SMS passes for reports to reach a DLR node: its public URL, and for
 * Infobip (unsigned webhooks) the shared token as the `token` query.
 */
export function statusCallbackUrlFor(provider: ProviderId, publicUrl: string, credentials: ProviderCredentials): string {
  const base = checkedPublicUrl(typeof publicUrl === 'string' ? publicUrl.trim() : '');
  if (provider !== 'infobip') return base;
  const token = credentials?.webhookToken?.trim();
  if (!token) {
    throw new SmsError('MISSING_CREDENTIALS', 'infobip: set the credential webhookToken; it goes into the status URL because Infobip does not sign webhooks', {
      provider: 'infobip',
    });
  }
  return `${base}?token=${encodeURIComponent(token)}`;
}
