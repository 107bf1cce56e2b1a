/**
 * Afilnet HTTP API: `POST /api/http/` with `class=sms&method=sendsms` (reference/sms-domain.md §1.9).
 *
 * The account user and password travel in the form body, so every error leaving this adapter is
 * rebuilt without them (and without its cause, which may hold the request), and `raw` is scrubbed.
 * Afilnet answers HTTP 200 for refusals too: `{ status: "ERROR", error: "<CODE>" }`.
 *
 * `scheduledatetime` (`yyyy-mm-dd hh:mm:ss`) has no documented zone; we send UTC. Should the
 * account read it as local time (Europe/Madrid), scheduled messages go out that offset early.
 */
import { SmsError, type SmsErrorCode } from '../errors';
import type { HttpReply, HttpResponse, OutboundSms, ProviderContext, SendResult, SmsProvider } from '../types';
import {
  baseUrlField,
  call,
  checkMessage,
  clip,
  digits,
  endpoint,
  formBody,
  httpError,
  instant,
  isRecord,
  lookup,
  parseJson,
  redact,
  requireCredentials,
  scrubbed,
  sender,
  tryJson,
  unsupported,
  unreadableAnswer,
} from './http';

const DEFAULT_BASE_URL = 'https://www.afilnet.com';

const ERRORS: Record<string, { code: SmsErrorCode; text: string }> = {
  INCORRECT_USER_PASSWORD: { code: 'AUTH_FAILED', text: 'user or password refused' },
  MISSING_USER: { code: 'AUTH_FAILED', text: 'user missing' },
  MISSING_PASSWORD: { code: 'AUTH_FAILED', text: 'password missing' },
  NO_CREDITS: { code: 'PROVIDER_ERROR', text: 'no credits left on the account' },
  NO_ROUTE_AVAILABLE: { code: 'PROVIDER_ERROR', text: 'no route available to this destination' },
};

export const afilnet: SmsProvider = {
  id: 'afilnet',
  displayName: 'Afilnet',
  defaultBaseUrl: DEFAULT_BASE_URL,
  credentialFields: [
    { name: 'user', displayName: 'User', secret: false, required: true, description: 'Account e-mail or API user' },
    { name: 'password', displayName: 'Password', secret: true, required: true },
    baseUrlField(DEFAULT_BASE_URL),
  ],

  async send(msg: OutboundSms, ctx: ProviderContext): Promise<SendResult> {
    checkMessage('afilnet', msg);
    const { user, password } = requireCredentials('afilnet', ctx, ['user', 'password']);
    return scrubbed('afilnet', [user, password], () => sendWith(msg, ctx, user, password));
  },

  // Afilnet calls no webhook: delivery status is polled (getdeliverystatus), inbound SMS is not offered.
  verifySignature: () => noWebhooks(),
  parseInbound: () => noWebhooks(),
  parseStatus: () => noWebhooks(),
  webhookResponse(): HttpReply {
    return { status: 200 };
  },
};

function noWebhooks(): never {
  throw new SmsError('INVALID_INPUT', 'afilnet has no webhooks (delivery status is polled)', { provider: 'afilnet' });
}

async function sendWith(msg: OutboundSms, ctx: ProviderContext, user: string, password: string): Promise<SendResult> {
  const from = sender(msg);
  if (from === undefined) {
    throw new SmsError('INVALID_INPUT', 'afilnet: a sender (from) is required', { provider: 'afilnet' });
  }
  if (msg.statusCallbackUrl !== undefined) {
    throw unsupported('afilnet', 'statusCallbackUrl', 'Afilnet posts no delivery reports: leave the status callback URL empty');
  }
  if (msg.validitySeconds !== undefined) {
    throw unsupported('afilnet', 'validitySeconds', 'Afilnet has no validity period: leave it empty');
  }
  const sendAt = msg.sendAt === undefined ? undefined : instant('afilnet', msg.sendAt, 'sendAt');

  const res = await call('afilnet', ctx, {
    method: 'POST',
    url: endpoint('afilnet', ctx, DEFAULT_BASE_URL, '/api/http/'),
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: formBody({
      class: 'sms',
      method: 'sendsms',
      user,
      password,
      from,
      to: digits(msg.to),
      sms: msg.text,
      // Afilnet documents the format but no zone: the time is sent in UTC (see the header).
      scheduledatetime: sendAt === undefined ? undefined : new Date(sendAt).toISOString().slice(0, 19).replace('T', ' '),
    }),
  });
  if (res.status < 200 || res.status >= 300) throw afilnetHttpError(res);

  const answer = parseJson('afilnet', res);
  if (isRecord(answer) && answer.status === 'ERROR') throw refusal(res, answer.error);
  const id = isRecord(answer) && answer.status === 'SUCCESS' && isRecord(answer.result) ? answer.result.messageid : undefined;
  if ((typeof id !== 'string' && typeof id !== 'number') || String(id) === '') {
    throw unreadableAnswer('afilnet', res, 'no status SUCCESS with a message id');
  }
  const result: SendResult = {
    provider: 'afilnet',
    messageId: String(id),
    status: sendAt === undefined ? 'queued' : 'scheduled',
    to: msg.to,
    from,
    segments: msg.segments,
    encoding: msg.encoding,
    // `result.credits` stays in raw: it counts account credits, not money in a currency.
    raw: redact(answer, [user, password]),
  };
  if (msg.clientRef !== undefined) result.clientRef = msg.clientRef;
  if (msg.idempotencyKey !== undefined) result.idempotencyKey = msg.idempotencyKey;
  return result;
}

function refusal(res: HttpResponse, error: unknown): SmsError {
  const providerCode = clip(error, 60);
  const known = lookup(ERRORS, providerCode);
  const code: SmsErrorCode = known?.code ?? (providerCode?.startsWith('MISSING_') ? 'INVALID_INPUT' : 'PROVIDER_ERROR');
  const text = known?.text ?? 'request refused';
  return new SmsError(code, `afilnet: ${providerCode ?? 'ERROR'} (${text})`, {
    provider: 'afilnet',
    httpStatus: res.status,
    providerCode,
  });
}

function afilnetHttpError(res: HttpResponse): SmsError {
  const b = tryJson(res.body);
  return httpError('afilnet', res, { providerCode: isRecord(b) ? clip(b.error, 60) : undefined });
}
