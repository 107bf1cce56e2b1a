/**
 * Telnyx Messaging API v2: `POST /v2/messages` (reference/sms-domain.md §1.8).
 */
import { SmsError, type SmsErrorCode } from '../errors';
import type { HttpResponse, OutboundSms, ProviderContext, SendResult, SmsProvider } from '../types';
import {
  baseUrlField,
  bearer,
  call,
  checkMessage,
  clip,
  codeFor,
  endpoint,
  httpError,
  instant,
  isRecord,
  parseJson,
  positiveInt,
  price,
  requireCredentials,
  sender,
  tryJson,
  unreadableAnswer,
  unsupported,
} from './http';

const DEFAULT_BASE_URL = 'https://api.telnyx.com';

// Codes of `errors[].code` that say more than the HTTP status
// (developers.telnyx.com: API error codes, Messaging error code reference).
const ERROR_CODES: Record<string, SmsErrorCode> = {
  '40300': 'OPTED_OUT', // Blocked due to STOP message
  '10009': 'AUTH_FAILED', // Authentication failed
  '10010': 'AUTH_FAILED', // Authorization failed
  '10002': 'INVALID_PHONE', // Invalid phone number
  '10016': 'INVALID_PHONE', // Phone number must be in +E.164 format
  '40001': 'INVALID_PHONE', // Not routable (landline or non-routable number)
  '40012': 'INVALID_PHONE', // Invalid destination number
  '40310': 'INVALID_PHONE', // Invalid 'to' address
};

export const telnyx: SmsProvider = {
  id: 'telnyx',
  displayName: 'Telnyx',
  defaultBaseUrl: DEFAULT_BASE_URL,
  credentialFields: [
    { name: 'apiKey', displayName: 'API Key', secret: true, required: true },
    {
      name: 'publicKey',
      displayName: 'Public Key',
      secret: false,
      required: false,
      description: 'Ed25519 public key (base64) of the account, to verify webhooks',
    },
    baseUrlField(DEFAULT_BASE_URL),
  ],

  async send(msg: OutboundSms, ctx: ProviderContext): Promise<SendResult> {
    checkMessage('telnyx', msg);
    const { apiKey } = requireCredentials('telnyx', ctx, ['apiKey']);
    const from = sender(msg);
    // Without a sender Telnyx needs a messaging profile id, which these credentials do not carry.
    if (from === undefined) {
      throw new SmsError('INVALID_INPUT', 'telnyx: a sender (from) is required: a Telnyx number, short code or sender id', {
        provider: 'telnyx',
      });
    }
    if (msg.validitySeconds !== undefined) {
      throw unsupported('telnyx', 'validitySeconds', 'Telnyx has no per-message validity: leave it empty');
    }
    const sendAt = msg.sendAt === undefined ? undefined : instant('telnyx', msg.sendAt, 'sendAt');

    const res = await call('telnyx', ctx, {
      method: 'POST',
      url: endpoint('telnyx', ctx, DEFAULT_BASE_URL, '/v2/messages'),
      headers: {
        authorization: bearer('telnyx', 'apiKey', apiKey),
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify({
        from,
        to: msg.to,
        text: msg.text,
        webhook_url: msg.statusCallbackUrl,
        // Telnyx has no client reference field: clientRef lives only in our result.
        send_at: sendAt === undefined ? undefined : new Date(sendAt).toISOString(),
      }),
    });
    if (res.status < 200 || res.status >= 300) throw telnyxError(res);

    const answer = parseJson('telnyx', res);
    const data = isRecord(answer) && isRecord(answer.data) ? answer.data : undefined;
    if (!data || typeof data.id !== 'string' || data.id === '') throw unreadableAnswer('telnyx', res, 'no data.id');
    const result: SendResult = {
      provider: 'telnyx',
      messageId: data.id,
      status: sendAt === undefined ? 'queued' : 'scheduled',
      to: msg.to,
      from,
      // Telnyx counts the parts it will bill; prefer that over our own estimate.
      segments: positiveInt(data.parts) ?? msg.segments,
      encoding: msg.encoding,
      raw: answer,
    };
    // `cost` is null until Telnyx has rated the message.
    const cost = isRecord(data.cost) ? price(data.cost.amount, data.cost.currency) : undefined;
    if (cost) result.price = cost;
    if (msg.clientRef !== undefined) result.clientRef = msg.clientRef;
    if (msg.idempotencyKey !== undefined) result.idempotencyKey = msg.idempotencyKey;
    return result;
  },
};

function telnyxError(res: HttpResponse): SmsError {
  const b = tryJson(res.body);
  const first = isRecord(b) && Array.isArray(b.errors) && isRecord(b.errors[0]) ? b.errors[0] : undefined;
  const providerCode = first ? clip(first.code, 20) : undefined;
  const message = first ? clip(first.detail) ?? clip(first.title) : undefined;
  const code = codeFor(res, ERROR_CODES, providerCode);
  return httpError('telnyx', res, { providerCode, message, code });
}
