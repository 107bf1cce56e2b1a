/**
 * n8n's request helper as the core's HttpFunction, so provider calls go through n8n's outbound
 * HTTP layer (proxy settings, SSRF policy, execution cancellation) instead of a private client.
 */
import type { IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';
import { HttpTransportError } from '../../core/http-client';
import type { HttpFunction, HttpResponse } from '../../core/types';

// Failures that happen before a byte of the request is written: repeating the request is safe.
const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_INVALID_URL',
  'ERR_INVALID_PROTOCOL',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

interface FullResponse {
  statusCode: number;
  headers?: Record<string, unknown>;
  body?: unknown;
}

export function n8nHttp(fns: IExecuteFunctions): HttpFunction {
  const cancelled = fns.getExecutionCancelSignal();
  return async (req) => {
    // The batch keeps going after a cancel; the messages it has not sent yet must not leave.
    if (cancelled?.aborted) throw new HttpTransportError('the execution was cancelled', 'connect', 'ERR_CANCELED');
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
      abortSignal: cancelled,
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
 * Why no answer came. The message keeps the error's code and text but drops any URL query, where
 * a provider that takes credentials as parameters would have them.
 */
export function toTransportError(e: unknown): HttpTransportError {
  if (e instanceof HttpTransportError) return e;
  const err = (typeof e === 'object' && e !== null ? e : {}) as { code?: unknown; message?: unknown; request?: unknown };
  const code = typeof err.code === 'string' ? err.code : undefined;
  const text = typeof err.message === 'string' ? err.message : typeof e === 'string' ? e : 'the request failed';
  const message = text.replace(/\?\S*/g, '?…').slice(0, 300);
  // Without a request object the call never left the process (URL or SSRF policy refused it).
  const neverSent = (code !== undefined && CONNECT_CODES.has(code)) || err.request === undefined;
  return new HttpTransportError(message, neverSent ? 'connect' : 'in-flight', code);
}
