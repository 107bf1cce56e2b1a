/**
 * n8n's request helper as the core's HttpFunction, so provider calls go through n8n's outbound
 * HTTP layer (proxy settings, SSRF policy) instead of a private client.
 *
 * The execution's cancel signal is not passed on to requests: a cancel stops the batch from
 * starting further sends (DispatchOptions.signal), while a request already on the wire is let
 * finish, so that its outcome is recorded instead of being left in doubt.
 */
import type { IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';
import { CONNECT_FAILURES, HttpTransportError } from '../../core/http-client';
import type { HttpFunction, HttpResponse } from '../../core/types';

/**
 * Error codes that prove the request never reached the provider, so repeating it is safe: the
 * core client's (name not resolved, connection refused or unroutable, URL unusable, certificate
 * rejected in the handshake), plus the one axios raises for a URL whose protocol it cannot serve —
 * the core client meets that case before connecting, where every error counts as unsent.
 */
const CONNECT_CODES: ReadonlySet<string> = new Set([...CONNECT_FAILURES, 'ERR_INVALID_PROTOCOL']);

/**
 * Errors n8n raises when its egress policy refuses a destination: before the request is built
 * (URL check) or when the socket would open (connection guard; axios then wraps the error, keeping
 * its name and setting it as the cause). @n8n/backend-network 2.x.
 */
const REFUSED_BEFORE_SENDING = new Set(['SsrfBlockedIpError', 'SsrfBlockedHostnameError', 'UnknownConnectionHostError']);

/** How deep a chain of `cause`s is followed: wrappers nest a few levels, a cycle must not loop. */
const MAX_CAUSE_DEPTH = 5;

interface FullResponse {
  statusCode: number;
  headers?: Record<string, unknown>;
  body?: unknown;
}

/** Any n8n context with the request helper: executions and webhooks alike. */
export type HttpHelperContext = { helpers: Pick<IExecuteFunctions['helpers'], 'httpRequest'> };

export function n8nHttp(fns: HttpHelperContext): HttpFunction {
  return async (req) => {
    const options: IHttpRequestOptions = {
      method: req.method,
      url: req.url,
      headers: { ...req.headers },
      returnFullResponse: true,
      // A provider's 4xx/5xx carries the error code the adapter maps; it is an answer, not a failure.
      ignoreHttpStatusErrors: true,
      // The adapter parses the body itself: garbled JSON must reach it as text, not as an exception.
      encoding: 'text',
      json: false,
      // A redirected send would replay the request (and its credentials) to another address.
      disableFollowRedirect: true,
    };
    if (req.body !== undefined) options.body = req.body;
    if (req.timeoutMs !== undefined) options.timeout = req.timeoutMs;
    let res: FullResponse;
    try {
      res = (await fns.helpers.httpRequest(options)) as FullResponse;
    } catch (e) {
      throw toTransportError(e);
    }
    return toHttpResponse(res);
  };
}

function toHttpResponse(res: FullResponse): HttpResponse {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(res.headers ?? {})) {
    if (value === undefined || value === null) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.map(String).join(', ') : String(value);
  }
  return { status: res.statusCode, headers, body: bodyText(res.body) };
}

function bodyText(body: unknown): string {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  return JSON.stringify(body);
}

/**
 * Why no answer came. Only an error known to come before the request was written counts as
 * `connect` (safe to repeat); anything else — a timeout, a reset, a cancel, or an error of a shape
 * not seen before — is `in-flight`, because repeating a request the provider may have acted on
 * sends the SMS twice. The message keeps the error's code and text but drops any URL query, where
 * a provider that takes credentials as parameters would have them.
 */
export function toTransportError(e: unknown): HttpTransportError {
  if (e instanceof HttpTransportError) return e;
  const code = stringField(e, 'code');
  const text = stringField(e, 'message') ?? (typeof e === 'string' ? e : 'the request failed');
  const message = text.replace(/\?\S*/g, '?…').slice(0, 300);
  const neverSent = (code !== undefined && CONNECT_CODES.has(code)) || refusedBeforeSending(e);
  return new HttpTransportError(message, neverSent ? 'connect' : 'in-flight', code);
}

/** A string property of whatever was thrown; a throwing getter reads as absent. */
function stringField(value: unknown, key: 'code' | 'message' | 'name'): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  try {
    const field: unknown = (value as Record<string, unknown>)[key];
    return typeof field === 'string' ? field : undefined;
  } catch {
    return undefined;
  }
}

function refusedBeforeSending(e: unknown): boolean {
  let level = e;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && typeof level === 'object' && level !== null; depth++) {
    const name = stringField(level, 'name');
    if (name !== undefined && REFUSED_BEFORE_SENDING.has(name)) return true;
    try {
      level = (level as { cause?: unknown }).cause;
    } catch {
      return false;
    }
  }
  return false;
}
