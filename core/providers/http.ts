/**
 * What every provider adapter needs around one HTTP call: transport failures and HTTP statuses
 * turned into SmsErrors with the right `retryable` / `inDoubt` flags, and tolerant JSON parsing.
 * Adapters add only what is specific to their API (Vonage's 200-with-error, provider codes).
 */
import { SmsError, type SmsErrorCode } from '../errors';
import { HttpTransportError } from '../http-client';
import type { CredentialField, HttpRequest, HttpResponse, OutboundSms, ProviderContext, ProviderId } from '../types';

export async function call(provider: ProviderId, ctx: ProviderContext, req: HttpRequest): Promise<HttpResponse> {
  try {
    return await ctx.http({ ...req, timeoutMs: req.timeoutMs ?? ctx.timeoutMs ?? 30_000 });
  } catch (e) {
    const connect = e instanceof HttpTransportError ? e.phase === 'connect' : false;
    const detail = e instanceof Error ? e.message : String(e);
    // A request that never left is safe to repeat; one that may have arrived is not.
    return Promise.reject(
      new SmsError('NETWORK_ERROR', `${provider}: ${detail}`, {
        provider,
        retryable: connect,
        inDoubt: !connect,
        cause: e,
      }),
    );
  }
}

/** Parses a JSON body; a garbled answer to a send may still mean the message went out. */
export function parseJson<T = unknown>(provider: ProviderId, res: HttpResponse): T {
  try {
    return JSON.parse(res.body) as T;
  } catch {
    throw new SmsError('PROVIDER_ERROR', `${provider}: malformed JSON in HTTP ${res.status} answer`, {
      provider,
      httpStatus: res.status,
      inDoubt: res.status >= 200 && res.status < 300,
    });
  }
}

/** Like parseJson, but never throws: for error bodies, which are best-effort. */
export function tryJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** Retry-After as seconds or an HTTP date, in ms; undefined when absent or unparsable. */
export function retryAfterMs(res: HttpResponse, now: number = Date.now()): number | undefined {
  const v = res.headers['retry-after'];
  if (!v) return undefined;
  const secs = Number(v);
  if (Number.isFinite(secs) && secs >= 0) return Math.round(secs * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * The generic meaning of a non-2xx status. `override` lets an adapter map its own error codes
 * (Twilio 21610 → OPTED_OUT, 21211 → INVALID_PHONE) before falling back to the status.
 */
export function httpError(
  provider: ProviderId,
  res: HttpResponse,
  detail: { providerCode?: string; message?: string; code?: SmsErrorCode } = {},
): SmsError {
  const base = { provider, httpStatus: res.status, providerCode: detail.providerCode };
  const msg = `${provider}: HTTP ${res.status}${detail.providerCode ? ` (${detail.providerCode})` : ''}${detail.message ? ` ${detail.message}` : ''}`;
  if (detail.code === 'RATE_LIMITED') return new SmsError(detail.code, msg, { ...base, retryable: true, retryAfterMs: retryAfterMs(res) });
  if (detail.code) return new SmsError(detail.code, msg, { ...base, retryable: false });
  if (res.status === 401 || res.status === 403) return new SmsError('AUTH_FAILED', msg, base);
  if (res.status === 429) {
    return new SmsError('RATE_LIMITED', msg, { ...base, retryable: true, retryAfterMs: retryAfterMs(res) });
  }
  // 503 means the service refused the work (overloaded, in maintenance): nothing was processed.
  if (res.status === 503) {
    return new SmsError('PROVIDER_ERROR', msg, { ...base, retryable: true, retryAfterMs: retryAfterMs(res) });
  }
  // Any other 5xx may come after the message was queued: a 500 from the API itself, a 504 from a
  // gateway that forwarded the request and gave up waiting for the answer, a 502 from a gateway
  // whose upstream broke off mid-answer. Never repeat them blindly.
  if (res.status >= 500) return new SmsError('PROVIDER_ERROR', msg, { ...base, inDoubt: true });
  return new SmsError('PROVIDER_ERROR', msg, base);
}

export function requireCredentials(provider: ProviderId, ctx: ProviderContext, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const missing: string[] = [];
  for (const n of names) {
    const v = ctx.credentials[n];
    if (typeof v !== 'string' || v.trim() === '') missing.push(n);
    else out[n] = v.trim();
  }
  if (missing.length) {
    throw new SmsError('MISSING_CREDENTIALS', `${provider}: missing credential field(s) ${missing.join(', ')}`, { provider });
  }
  return out;
}

/**
 * The optional `baseUrl` credential field that `baseUrl` and `endpoint` read, for an API at a fixed
 * host. `replaces` is that host as users should read it (Sinch's `https://{region}.sms.api.sinch.com`).
 */
export function baseUrlField(replaces: string): CredentialField {
  return { name: 'baseUrl', displayName: 'Base URL', secret: false, required: false, description: `Replaces ${replaces} (proxy, mock server)` };
}

/** The credentials' baseUrl (regional endpoint, proxy, mock) or the provider's default, without a trailing slash. */
export function baseUrl(ctx: ProviderContext, fallback: string): string {
  const v = ctx.credentials.baseUrl?.trim();
  return (v || fallback).replace(/\/+$/, '');
}

export function formBody(params: Record<string, string | number | boolean | undefined>): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) sp.append(k, String(v));
  return sp.toString();
}

export function basicAuth(user: string, password: string): string {
  return 'Basic ' + Buffer.from(`${user}:${password}`, 'utf8').toString('base64');
}

/** E.164 without the `+`, for APIs that want digits only. */
export function digits(e164: string): string {
  return e164.startsWith('+') ? e164.slice(1) : e164;
}

// ---------------------------------------------------------------------------------------------
// Helpers added with the sinch/telnyx/afilnet/sandbox adapters; shared by every adapter.

/** An option the provider's API has no field for: the error names what to do instead. */
export function unsupported(provider: ProviderId, option: string, alternative: string): SmsError {
  return new SmsError('INVALID_INPUT', `${provider}: ${option} is not supported; ${alternative}`, { provider });
}

// A time without a zone would be read in the machine's zone: only full instants are accepted.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/** An ISO-8601 instant of an OutboundSms field (`sendAt`), as epoch ms. */
export function instant(provider: ProviderId, value: unknown, field: string): number {
  const ms = typeof value === 'string' && ISO_INSTANT.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new SmsError('INVALID_INPUT', `${provider}: ${field} must be an ISO-8601 instant with a zone, e.g. 2030-01-31T09:00:00Z`, {
      provider,
    });
  }
  return ms;
}

/** A validity in whole seconds within [min, max] (min 1 unless the API has a floor); undefined when not asked. */
export function validitySeconds(provider: ProviderId, value: unknown, max: number, min = 1): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new SmsError('INVALID_INPUT', `${provider}: validitySeconds must be a whole number from ${min} to ${max}`, { provider });
  }
  return value;
}

/** Provider-supplied text for an error message: a string, one line, bounded (answers can be hostile). */
export function clip(value: unknown, max = 200): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const s = String(value).replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  if (!s) return undefined;
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** A price from an answer, where amounts often come as strings ("0.0051"); undefined unless a finite number. */
export function price(amount: unknown, currency?: unknown): { amount: number; currency?: string } | undefined {
  const n = typeof amount === 'number' ? amount : typeof amount === 'string' && amount.trim() !== '' ? Number(amount) : Number.NaN;
  if (!Number.isFinite(n)) return undefined;
  const c = clip(currency, 8);
  return c ? { amount: n, currency: c } : { amount: n };
}

// Shorter secrets would match inside ordinary values (ids, numbers) and are not worth hiding there.
const MIN_REDACTED_LENGTH = 4;

/**
 * Replaces every occurrence of the secrets — as given, URI-encoded or form-encoded, the ways a
 * request quoted in an error carries them — in a string, or in the strings of a parsed answer.
 */
export function redact<T>(value: T, secrets: string[]): T {
  const forms = new Set<string>();
  for (const s of secrets) {
    if (s.length < MIN_REDACTED_LENGTH) continue;
    forms.add(s).add(encodeURIComponent(s)).add(new URLSearchParams({ s }).toString().slice(2));
  }
  // Longest first, so a secret is not half-replaced through a shorter form inside it.
  return forms.size ? redactIn(value, [...forms].sort((a, b) => b.length - a.length), 0) : value;
}

function redactIn<T>(value: T, forms: string[], depth: number): T {
  if (typeof value === 'string') return forms.reduce((s, f) => s.split(f).join('[redacted]'), value as string) as T;
  if (value === null || typeof value !== 'object') return value;
  // Deeper than any real answer: cut rather than walk on, so nothing passes unchecked.
  if (depth > 20) return '[truncated]' as T;
  if (Array.isArray(value)) return value.map((v) => redactIn(v, forms, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactIn(v, forms, depth + 1);
  return out as T;
}

/**
 * For APIs that take credentials in the request body (Afilnet, Vonage): the same error without
 * the secrets in its message and without its cause, which may hold the request.
 */
export function withoutSecrets(e: unknown, provider: ProviderId, secrets: string[]): SmsError {
  const err = e instanceof SmsError ? e : new SmsError('PROVIDER_ERROR', `${provider}: ${e instanceof Error ? e.message : String(e)}`, { provider });
  return new SmsError(err.code, redact(err.message, secrets), {
    retryable: err.retryable,
    inDoubt: err.inDoubt,
    provider: err.provider,
    httpStatus: err.httpStatus,
    providerCode: err.providerCode === undefined ? undefined : redact(err.providerCode, secrets),
    retryAfterMs: err.retryAfterMs,
  });
}

/** Runs a send whose request carries the secrets: whatever it throws leaves through `withoutSecrets`. */
export async function scrubbed<T>(provider: ProviderId, secrets: string[], send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (e) {
    throw withoutSecrets(e, provider, secrets);
  }
}

/** `Bearer <token>`, refusing tokens that would break or inject into the header line. */
export function bearer(provider: ProviderId, field: string, token: string): string {
  if (!/^[\x21-\x7e]+$/.test(token)) {
    throw new SmsError('INVALID_INPUT', `${provider}: credential ${field} has characters an HTTP header cannot carry`, { provider });
  }
  return `Bearer ${token}`;
}

const E164 = /^\+[1-9]\d{6,14}$/;
const ENCODINGS = new Set(['GSM-7', 'UCS-2']);

/**
 * The OutboundSms invariants adapters build on. The dispatcher already guarantees them; adapters
 * are public API too, so a malformed message gets a coded error here instead of a TypeError later.
 */
export function checkMessage(provider: ProviderId, msg: OutboundSms): void {
  const fail = (code: SmsErrorCode, what: string): never => {
    throw new SmsError(code, `${provider}: ${what}`, { provider });
  };
  if (msg === null || typeof msg !== 'object') fail('INVALID_INPUT', 'the message must be an object');
  if (typeof msg.to !== 'string' || !E164.test(msg.to)) fail('INVALID_PHONE', 'the recipient must be an E.164 number such as +14155550100');
  if (typeof msg.text !== 'string' || msg.text === '') fail('EMPTY_MESSAGE', 'the message text is empty');
  if (msg.from !== undefined && (typeof msg.from !== 'string' || msg.from.length > 64)) fail('INVALID_INPUT', 'from must be a sender id of at most 64 characters');
  if (!Number.isInteger(msg.segments) || msg.segments < 1) fail('INVALID_INPUT', 'segments must be a positive whole number');
  if (!ENCODINGS.has(msg.encoding)) fail('INVALID_INPUT', 'encoding must be GSM-7 or UCS-2');
  if (msg.statusCallbackUrl !== undefined && !isHttpUrl(msg.statusCallbackUrl)) {
    fail('INVALID_INPUT', 'statusCallbackUrl must be an absolute http(s) URL');
  }
  for (const field of ['clientRef', 'idempotencyKey'] as const) {
    const v = msg[field];
    if (v !== undefined && (typeof v !== 'string' || v.length > 256)) fail('INVALID_INPUT', `${field} must be a string of at most 256 characters`);
  }
}

function isHttpUrl(v: unknown): boolean {
  if (typeof v !== 'string' || v.length > 2000) return false;
  try {
    const u = new URL(v);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

/** The sender to put in a request: absent when blank, so the account default applies. */
export function sender(msg: OutboundSms): string | undefined {
  const f = msg.from?.trim();
  return f ? f : undefined;
}

// ---------------------------------------------------------------------------------------------
// Helpers added with the twilio/vonage/infobip/plivo adapters; shared by every adapter.

/** A parsed JSON object (not null, not an array): what every answer parser checks first. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A count from an answer ("2" or 2); undefined unless a whole number ≥ 1. */
export function positiveInt(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d{1,9}$/.test(value.trim()) ? Number(value) : Number.NaN;
  return Number.isInteger(n) && n >= 1 ? n : undefined;
}

/**
 * `baseUrl(ctx, fallback) + path`, refusing a baseUrl that is not an http(s) URL: that is a
 * configuration error, which `call` would otherwise report as a retryable network failure. A
 * bare host (as Infobip's portal shows it) gets `https://`.
 */
export function endpoint(provider: ProviderId, ctx: ProviderContext, fallback: string, path: string): string {
  let base = baseUrl(ctx, fallback);
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(base)) base = `https://${base}`;
  let url: URL | undefined;
  try {
    url = new URL(base);
  } catch {
    url = undefined;
  }
  // The value itself stays out of the message: a proxy URL may carry a password.
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.search || url.hash) {
    throw new SmsError('INVALID_INPUT', `${provider}: credential baseUrl must be an http(s) URL without query, e.g. ${fallback}`, {
      provider,
    });
  }
  return base + path;
}

/** `<scheme> <token>` for APIs with a scheme of their own (Infobip's `App <apiKey>`). */
export function schemeAuth(provider: ProviderId, field: string, scheme: string, token: string): string {
  bearer(provider, field, token); // the same refusal of tokens that would break the header line
  return `${scheme} ${token}`;
}

/** A 2xx answer without what a send answer must hold: the provider may have accepted the message. */
export function unreadableAnswer(provider: ProviderId, res: HttpResponse, what: string): SmsError {
  return new SmsError('PROVIDER_ERROR', `${provider}: ${what} in HTTP ${res.status} answer`, {
    provider,
    httpStatus: res.status,
    inDoubt: true,
  });
}

/** An own entry of a lookup table, so that ids like `__proto__` or `constructor` find nothing. */
export function lookup<T>(table: Readonly<Record<string, T>>, key: string | undefined): T | undefined {
  return key !== undefined && Object.hasOwn(table, key) ? table[key] : undefined;
}

/**
 * The meaning of a provider's own error code from an adapter's table. Codes refine client errors
 * only: a 5xx keeps its in-doubt / retryable meaning whatever its body claims.
 */
export function codeFor(res: HttpResponse, table: Readonly<Record<string, SmsErrorCode>>, providerCode: string | undefined): SmsErrorCode | undefined {
  return res.status < 500 ? lookup(table, providerCode) : undefined;
}
