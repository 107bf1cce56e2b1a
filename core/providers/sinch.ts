/**
 * Sinch SMS REST API (xms): one batch per message, `POST /xms/v1/{servicePlanId}/batches`
 * (reference/sms-domain.md §1.7).
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
  requireCredentials,
  sender,
  tryJson,
  unreadableAnswer,
  validitySeconds,
} from './http';

const REGIONS = ['us', 'eu', 'br', 'ca', 'au'];
// Sinch: expire_at defaults to, and may not exceed, 3 days after send_at.
const MAX_VALIDITY_SECONDS = 3 * 24 * 3600;
// The plan id becomes a path segment: anything else could walk the path ("..") or break it.
const SERVICE_PLAN_ID = /^[A-Za-z0-9_-]{1,64}$/;

// 400 and 403 answers carry `{ code, text }`; the 403 codes are not all about credentials.
const ERROR_CODES: Record<string, SmsErrorCode> = {
  illegal_number_type: 'INVALID_PHONE',
  unprovisioned_region: 'PROVIDER_ERROR',
  missing_callback_url: 'PROVIDER_ERROR',
  blocked_account: 'AUTH_FAILED',
};

export const sinch: SmsProvider = {
  id: 'sinch',
  displayName: 'Sinch',
  defaultBaseUrl: regionUrl('us'),
  credentialFields: [
    { name: 'servicePlanId', displayName: 'Service Plan ID', secret: false, required: true },
    { name: 'apiToken', displayName: 'API Token', secret: true, required: true },
    {
      name: 'region',
      displayName: 'Region',
      secret: false,
      required: false,
      default: 'us',
      options: REGIONS,
      description: 'The region of the service plan (its API host is {region}.sms.api.sinch.com)',
    },
    {
      name: 'webhookSecret',
      displayName: 'Webhook Secret',
      secret: true,
      required: false,
      description: 'HMAC secret of the service plan, to verify delivery reports and inbound messages',
    },
    baseUrlField('https://{region}.sms.api.sinch.com'),
  ],

  async send(msg: OutboundSms, ctx: ProviderContext): Promise<SendResult> {
    checkMessage('sinch', msg);
    const { servicePlanId, apiToken } = requireCredentials('sinch', ctx, ['servicePlanId', 'apiToken']);
    if (!SERVICE_PLAN_ID.test(servicePlanId)) {
      throw new SmsError('INVALID_INPUT', 'sinch: servicePlanId may hold only letters, digits, - and _', { provider: 'sinch' });
    }
    const region = (ctx.credentials.region ?? '').trim().toLowerCase() || 'us';
    if (!REGIONS.includes(region)) {
      throw new SmsError('INVALID_INPUT', `sinch: region must be one of ${REGIONS.join(', ')}`, { provider: 'sinch' });
    }
    const sendAt = msg.sendAt === undefined ? undefined : instant('sinch', msg.sendAt, 'sendAt');
    const validity = validitySeconds('sinch', msg.validitySeconds, MAX_VALIDITY_SECONDS);
    const now = ctx.now?.() ?? Date.now();

    const body = {
      from: sender(msg),
      to: [msg.to],
      body: msg.text,
      callback_url: msg.statusCallbackUrl,
      delivery_report: msg.statusCallbackUrl ? 'per_recipient' : undefined,
      client_reference: msg.clientRef,
      send_at: sendAt === undefined ? undefined : new Date(sendAt).toISOString(),
      expire_at: validity === undefined ? undefined : new Date((sendAt ?? now) + validity * 1000).toISOString(),
    };
    const url = endpoint('sinch', ctx, regionUrl(region), `/xms/v1/${servicePlanId}/batches`);
    const res = await call('sinch', ctx, {
      method: 'POST',
      url,
      headers: {
        authorization: bearer('sinch', 'apiToken', apiToken),
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify(body),
    });
    if (res.status < 200 || res.status >= 300) throw sinchError(res);

    const batch = parseJson('sinch', res);
    if (!isRecord(batch) || typeof batch.id !== 'string' || batch.id === '') throw unreadableAnswer('sinch', res, 'no batch id');
    const result: SendResult = {
      provider: 'sinch',
      messageId: batch.id,
      status: sendAt === undefined ? 'queued' : 'scheduled',
      to: msg.to,
      segments: msg.segments,
      encoding: msg.encoding,
      raw: batch,
    };
    if (body.from !== undefined) result.from = body.from;
    if (msg.clientRef !== undefined) result.clientRef = msg.clientRef;
    if (msg.idempotencyKey !== undefined) result.idempotencyKey = msg.idempotencyKey;
    return result;
  },
};

function regionUrl(region: string): string {
  return `https://${region}.sms.api.sinch.com`;
}

function sinchError(res: HttpResponse): SmsError {
  // `{ code, text }` for 400/403; `{ type, title, detail }` (problem+json) for 429 and newer errors.
  const b = tryJson(res.body);
  const providerCode = isRecord(b) ? clip(b.code, 80) : undefined;
  const message = isRecord(b) ? clip(b.text) ?? clip(b.detail) ?? clip(b.title) : undefined;
  const code = codeFor(res, ERROR_CODES, providerCode);
  const hint = providerCode === 'unprovisioned_region' ? '(check the region credential)' : undefined;
  const text = [message, hint].filter((s) => s !== undefined).join(' ') || undefined;
  return httpError('sinch', res, { providerCode, message: text, code });
}
