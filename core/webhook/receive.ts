/**
 * The steps every webhook request goes through before its content matters — size, parse,
 * signature — and the one mapping from a coded failure to the HTTP answer a provider needs:
 * 4xx for what a retry cannot fix, 5xx for what it can (so nothing is lost while a store is down
 * or a credential is being fixed).
 */
import { SmsError, toSmsError, type SmsErrorCode } from '../errors';
import { getProvider } from '../providers/registry';
import type { HttpReply, SmsProvider, WebhookRequest } from '../types';
import { readWebhookRequest } from './request';
import type { RawWebhookRequest, WebhookContext, WebhookResult } from './types';

const HTTP_STATUS: Partial<Record<SmsErrorCode, number>> = {
  INVALID_SIGNATURE: 401,
  INVALID_INPUT: 400,
  PAYLOAD_TOO_LARGE: 413,
  STORE_ERROR: 503,
};

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  413: 'Payload Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** The HTTP status for a failure: unknown failures are 500, which providers retry. */
export function httpStatusOf(e: SmsError): number {
  return HTTP_STATUS[e.code] ?? 500;
}

/**
 * The answer to a refused request: a short text, never the request body, a signature or a secret.
 * `status` overrides the code's status for a node setting that is wrong (500, so the provider
 * retries once it is fixed, instead of dropping what a 400 would make it drop).
 */
export function refusal<E>(error: unknown, ctx: WebhookContext | undefined, kind: 'inbound' | 'status', status?: number): WebhookResult<E> {
  const e = toSmsError(error);
  const code = status ?? httpStatusOf(e);
  const reply: HttpReply = { status: code, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: `${STATUS_TEXT[code] ?? 'Error'} (${e.code})` };
  ctx?.log?.(code >= 500 ? 'error' : 'warn', `${String(ctx?.provider)} ${kind} webhook answered ${code} ${e.code}: ${e.message}`);
  return { reply, events: [], error: e };
}

/** Size, parse and signature; throws the coded error the request is refused with. */
export function receive(raw: RawWebhookRequest, ctx: WebhookContext): { req: WebhookRequest; provider: SmsProvider } {
  const provider = getProvider(ctx.provider);
  const req = readWebhookRequest(raw, ctx.maxBodyBytes);
  if (ctx.verifySignature !== false) {
    const now = ctx.now?.() ?? Date.now();
    if (!provider.verifySignature(req, ctx.credentials ?? {}, { now })) {
      throw new SmsError('INVALID_SIGNATURE', `${provider.id}: the request's signature is missing, wrong or stale`, { provider: provider.id });
    }
  }
  return { req, provider };
}
