/**
 * Plivo Messages API: `POST /v1/Account/{auth_id}/Message/`, JSON, HTTP Basic auth_id:auth_token
 * (reference/sms-domain.md §1.6). Answers 202 with a `message_uuid` array.
 */
import { SmsError, type SmsErrorCode } from '../errors';
import type { HttpResponse, OutboundSms, ProviderContext, SendResult, SmsProvider } from '../types';
import {
  baseUrlField,
  basicAuth,
  call,
  checkMessage,
  clip,
  codeFor,
  digits,
  endpoint,
  httpError,
  isRecord,
  parseJson,
  requireCredentials,
  sender,
  tryJson,
  unreadableAnswer,
  unsupported,
  validitySeconds,
} from './http';

const DEFAULT_BASE_URL = 'https://api.plivo.com';
// message_expiry: 5 to 10799 s (Plivo expires queued messages after 3 hours by default).
const MIN_VALIDITY_SECONDS = 5;
const MAX_VALIDITY_SECONDS = 10_799;
// The Auth ID becomes a path segment: anything else could walk the path or break it.
const AUTH_ID = /^[A-Za-z0-9]{1,64}$/;

// Error identifiers of the `{ api_id, error }` body.
const ERROR_CODES: Record<string, SmsErrorCode> = {
  authentication_failed: 'AUTH_FAILED',
  rate_limit_exceeded: 'RATE_LIMITED',
};

export const plivo: SmsProvider = {
  id: 'plivo',
  displayName: 'Plivo',
  defaultBaseUrl: DEFAULT_BASE_URL,
  credentialFields: [
    { name: 'authId', displayName: 'Auth ID', secret: false, required: true },
    { name: 'authToken', displayName: 'Auth Token', secret: true, required: true },
    baseUrlField(DEFAULT_BASE_URL),
  ],

  async send(msg: OutboundSms, ctx: ProviderContext): Promise<SendResult> {
    checkMessage('plivo', msg);
    const { authId, authToken } = requireCredentials('plivo', ctx, ['authId', 'authToken']);
    if (!AUTH_ID.test(authId)) {
      throw new SmsError('INVALID_INPUT', 'plivo: authId may hold only letters and digits', { provider: 'plivo' });
    }
    if (msg.sendAt !== undefined) {
      throw unsupported('plivo', 'sendAt (scheduling)', 'Plivo sends at once: leave sendAt empty and hold the message with the Quiet-Hours Gate');
    }
    const from = sender(msg);
    if (from === undefined) {
      throw new SmsError('INVALID_INPUT', 'plivo: from is required (a Plivo number or an alphanumeric sender id)', { provider: 'plivo' });
    }
    const validity = validitySeconds('plivo', msg.validitySeconds, MAX_VALIDITY_SECONDS, MIN_VALIDITY_SECONDS);

    const body = {
      src: digits(from),
      dst: digits(msg.to),
      text: msg.text,
      type: 'sms',
      url: msg.statusCallbackUrl,
      method: msg.statusCallbackUrl === undefined ? undefined : 'POST',
      message_expiry: validity,
      // Plivo has no client reference field: clientRef lives only in our result.
    };
    const res = await call('plivo', ctx, {
      method: 'POST',
      url: endpoint('plivo', ctx, DEFAULT_BASE_URL, `/v1/Account/${authId}/Message/`),
      headers: {
        authorization: basicAuth(authId, authToken),
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify(body),
    });
    if (res.status < 200 || res.status >= 300) throw plivoError(res);

    const answer = parseJson('plivo', res);
    const ids = isRecord(answer) && Array.isArray(answer.message_uuid) ? answer.message_uuid : [];
    const messageId = ids[0];
    if (typeof messageId !== 'string' || messageId === '') throw unreadableAnswer('plivo', res, 'no message_uuid');

    const result: SendResult = {
      provider: 'plivo',
      messageId,
      status: 'queued',
      to: msg.to,
      from,
      segments: msg.segments,
      encoding: msg.encoding,
      raw: answer,
    };
    if (msg.clientRef !== undefined) result.clientRef = msg.clientRef;
    if (msg.idempotencyKey !== undefined) result.idempotencyKey = msg.idempotencyKey;
    return result;
  },
};

function plivoError(res: HttpResponse): SmsError {
  // `{ api_id, error }`: error is an identifier (authentication_failed) or a sentence.
  const b = tryJson(res.body);
  const error = isRecord(b) ? clip(b.error) : undefined;
  const providerCode = error !== undefined && /^[a-z_]{1,40}$/.test(error) ? error : undefined;
  // A 400 about `dst` is about the recipient ("invalid 'dst' parameter").
  const aboutRecipient = res.status === 400 && error !== undefined && /\bdst\b/i.test(error);
  const code = codeFor(res, ERROR_CODES, providerCode) ?? (aboutRecipient ? 'INVALID_PHONE' : undefined);
  return httpError('plivo', res, { providerCode, message: providerCode === undefined ? error : undefined, code });
}
