/**
 * Vonage SMS API: `POST https://rest.nexmo.com/sms/json`, form encoded, api_key/api_secret in the
 * body (reference/sms-domain.md §1.3). It answers HTTP 200 even when it refuses a message: the
 * verdict is each part's `status`.
 */
import { SmsError, type SmsErrorCode } from '../errors';
import type { HttpResponse, OutboundSms, ProviderContext, SendResult, SmsProvider } from '../types';
import {
  baseUrlField,
  call,
  checkMessage,
  clip,
  digits,
  endpoint,
  formBody,
  httpError,
  isRecord,
  lookup,
  parseJson,
  positiveInt,
  price,
  redact,
  requireCredentials,
  scrubbed,
  sender,
  tryJson,
  unreadableAnswer,
  unsupported,
  validitySeconds,
} from './http';

const DEFAULT_BASE_URL = 'https://rest.nexmo.com';
// ttl is in ms, 20000–604800000 (20 s to 7 days).
const MIN_VALIDITY_SECONDS = 20;
const MAX_VALIDITY_SECONDS = 604_800;
const MAX_CLIENT_REF = 40;
const SIGNATURE_METHODS = ['md5hash', 'md5hmac', 'sha1hmac', 'sha256hmac', 'sha512hmac', 'jwt'];

// Part `status` codes (nexmo-spec sms.yml x-errors) and what they mean to a flow.
// `inDoubt`: the status does not say the part was refused, so it may still go out.
const STATUS: Record<string, { code: SmsErrorCode; retryable?: boolean; inDoubt?: boolean; hint?: string }> = {
  '1': { code: 'RATE_LIMITED', retryable: true, hint: 'throttled: sending faster than the account limit' },
  '2': { code: 'INVALID_INPUT', hint: 'missing parameters' },
  '3': { code: 'INVALID_INPUT', hint: 'invalid parameters' },
  '4': { code: 'AUTH_FAILED', hint: 'invalid credentials' },
  // An error inside Vonage after it took the request: whether the part was queued is unknown.
  '5': { code: 'PROVIDER_ERROR', inDoubt: true, hint: 'internal error' },
  '6': { code: 'INVALID_PHONE', hint: 'invalid message, e.g. an unrecognised number prefix' },
  // Blocklisted, not proven opted out: Vonage reports STOP replies as DLR err-code 9 instead.
  '7': { code: 'PROVIDER_ERROR', hint: 'number barred (blocklisted)' },
  '8': { code: 'AUTH_FAILED', hint: 'account barred' },
  '9': { code: 'PROVIDER_ERROR', hint: 'not enough credit; top up the account' },
  '10': { code: 'RATE_LIMITED', retryable: true, hint: 'too many existing binds' },
  '12': { code: 'INVALID_INPUT', hint: 'message too long' },
  '14': { code: 'AUTH_FAILED', hint: 'invalid signature' },
  '15': { code: 'INVALID_INPUT', hint: 'invalid sender address for this destination' },
  '29': { code: 'PROVIDER_ERROR', hint: 'non-whitelisted destination: a demo account sends only to its test numbers' },
  '33': { code: 'INVALID_PHONE', hint: 'number de-activated' },
};

interface VonagePart {
  status?: unknown;
  'message-id'?: unknown;
  'message-price'?: unknown;
  'error-text'?: unknown;
}

export const vonage: SmsProvider = {
  id: 'vonage',
  displayName: 'Vonage',
  defaultBaseUrl: DEFAULT_BASE_URL,
  credentialFields: [
    { name: 'apiKey', displayName: 'API Key', secret: false, required: true },
    { name: 'apiSecret', displayName: 'API Secret', secret: true, required: true },
    {
      name: 'signatureSecret',
      displayName: 'Signature Secret',
      secret: true,
      required: false,
      description: 'To verify signed inbound messages and delivery receipts',
    },
    {
      name: 'signatureMethod',
      displayName: 'Signature Method',
      secret: false,
      required: false,
      options: SIGNATURE_METHODS,
      description: 'The method set for the signature secret in the Vonage dashboard',
    },
    baseUrlField(DEFAULT_BASE_URL),
  ],

  async send(msg: OutboundSms, ctx: ProviderContext): Promise<SendResult> {
    checkMessage('vonage', msg);
    const { apiKey, apiSecret } = requireCredentials('vonage', ctx, ['apiKey', 'apiSecret']);
    // The secret travels in the body: a proxy or mock that echoes the request must not leak it.
    return scrubbed('vonage', [apiSecret], () => sendSms(msg, ctx, apiKey, apiSecret));
  },
};

async function sendSms(msg: OutboundSms, ctx: ProviderContext, apiKey: string, apiSecret: string): Promise<SendResult> {
  if (msg.sendAt !== undefined) {
    throw unsupported('vonage', 'sendAt (scheduling)', 'the Vonage SMS API sends at once: leave sendAt empty and hold the message with the Quiet-Hours Gate');
  }
  const from = sender(msg);
  if (from === undefined) {
    throw new SmsError('INVALID_INPUT', 'vonage: from is required (a Vonage number or an alphanumeric sender id)', { provider: 'vonage' });
  }
  if (msg.clientRef !== undefined && msg.clientRef.length > MAX_CLIENT_REF) {
    throw new SmsError('INVALID_INPUT', `vonage: clientRef must be at most ${MAX_CLIENT_REF} characters (Vonage client-ref)`, {
      provider: 'vonage',
    });
  }
  const validity = validitySeconds('vonage', msg.validitySeconds, MAX_VALIDITY_SECONDS, MIN_VALIDITY_SECONDS);

  const res = await call('vonage', ctx, {
    method: 'POST',
    url: endpoint('vonage', ctx, DEFAULT_BASE_URL, '/sms/json'),
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: formBody({
      api_key: apiKey,
      api_secret: apiSecret,
      // Numbers without `+` (the API's `to` pattern is \d{7,15}); alphanumeric senders as they are.
      from: digits(from),
      to: digits(msg.to),
      text: msg.text,
      // The default type `text` would mangle anything outside GSM-7.
      type: msg.encoding === 'UCS-2' ? 'unicode' : 'text',
      ttl: validity === undefined ? undefined : validity * 1000,
      callback: msg.statusCallbackUrl,
      'status-report-req': msg.statusCallbackUrl === undefined ? undefined : 'true',
      'client-ref': msg.clientRef,
    }),
  });
  if (res.status < 200 || res.status >= 300) throw vonageHttpError(res);

  const answer = redact(parseJson('vonage', res), [apiSecret]);
  const parts = isRecord(answer) && Array.isArray(answer.messages) ? answer.messages.filter(isRecord) : [];
  if (!isRecord(answer) || parts.length === 0) throw unreadableAnswer('vonage', res, 'no messages');

  const statuses = parts.map((p) => clip(p.status, 10));
  // A part without a status cannot say whether it went out.
  if (statuses.includes(undefined)) throw unreadableAnswer('vonage', res, 'a part without status');
  const failed = statuses.findIndex((st) => st !== '0');
  if (failed >= 0) {
    const accepted = statuses.filter((st) => st === '0').length;
    throw partError(res, statuses[failed] as string, parts[failed] as VonagePart, accepted, parts.length);
  }

  // A long text is split by Vonage: one entry (with its own id and price) per part.
  const first = parts[0] as VonagePart;
  const messageId = first['message-id'];
  if (typeof messageId !== 'string' || messageId === '') throw unreadableAnswer('vonage', res, 'no message-id');
  const result: SendResult = {
    provider: 'vonage',
    messageId,
    status: 'queued',
    to: msg.to,
    from,
    segments: positiveInt(answer['message-count']) ?? parts.length,
    encoding: msg.encoding,
    raw: answer,
  };
  if (msg.clientRef !== undefined) result.clientRef = msg.clientRef;
  if (msg.idempotencyKey !== undefined) result.idempotencyKey = msg.idempotencyKey;
  const prices = parts.map((p: VonagePart) => price(p['message-price']));
  if (prices.every((p): p is { amount: number } => p !== undefined)) {
    // Summing "0.03330000"s in binary floating point leaves noise below Vonage's 8 decimals.
    result.price = { amount: Math.round(prices.reduce((sum, p) => sum + p.amount, 0) * 1e8) / 1e8 };
  }
  return result;
}

function partError(res: HttpResponse, status: string, part: VonagePart, accepted: number, total: number): SmsError {
  const known = lookup(STATUS, status);
  const text = clip(part['error-text']) ?? known?.hint;
  // Some parts already went out: repeating would send them twice, so the message stays in doubt.
  const partial = accepted > 0 ? ` (${accepted} of ${total} parts were accepted)` : '';
  return new SmsError(known?.code ?? 'PROVIDER_ERROR', `vonage: status ${status}${text ? ` ${text}` : ''}${partial}`, {
    provider: 'vonage',
    httpStatus: res.status,
    providerCode: status,
    retryable: accepted === 0 && (known?.retryable ?? false),
    inDoubt: accepted > 0 || (known?.inDoubt ?? false),
  });
}

function vonageHttpError(res: HttpResponse): SmsError {
  // Gateways in front of the API answer problem+json ({ type, title, detail }) or plain text.
  const b = tryJson(res.body);
  const message = isRecord(b) ? clip(b['error-text']) ?? clip(b.detail) ?? clip(b.title) : undefined;
  return httpError('vonage', res, { message });
}
