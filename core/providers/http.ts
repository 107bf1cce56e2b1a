/**
 * What every provider adapter needs around one HTTP call: transport failures and HTTP statuses
 * turned into SmsErrors with the right `retryable` / `inDoubt` flags, and tolerant JSON parsing.
 * Adapters add only what is specific to their API (Vonage's 200-with-error, provider codes).
 */
import { SmsError, type SmsErrorCode } from '../errors';
import { HttpTransportError } from '../http-client';
import type { HttpRequest, HttpResponse, ProviderContext, ProviderId } from '../types';

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
  if (detail.code) return new SmsError(detail.code, msg, { ...base, retryable: detail.code === 'RATE_LIMITED' });
  if (res.status === 401 || res.status === 403) return new SmsError('AUTH_FAILED', msg, base);
  if (res.status === 429) {
    return new SmsError('RATE_LIMITED', msg, { ...base, retryable: true, retryAfterMs: retryAfterMs(res) });
  }
  // 502/503/504 come from gateways in front of the API: the request was not processed.
  if (res.status === 502 || res.status === 503 || res.status === 504) {
    return new SmsError('PROVIDER_ERROR', msg, { ...base, retryable: true, retryAfterMs: retryAfterMs(res) });
  }
  // A 500 may come after the message was queued: never repeat it blindly.
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
