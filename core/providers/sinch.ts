/**
 * Sinch SMS REST API (xms): one batch per message, `POST /xms/v1/{servicePlanId}/batches`
 * (reference/sms-domain.md §1.7).
 */
import { detectKeyword } from '../consent/keywords';
import { describeStatus } from '../delivery/normalize';
import { SmsError, type SmsErrorCode } from '../errors';
import type {
  DeliveryReport,
  HttpReply,
  HttpResponse,
  InboundSms,
  OutboundSms,
  ProviderContext,
  ProviderCredentials,
  SendResult,
  SmsProvider,
  VerifyOptions,
  WebhookRequest,
} from '../types';
import { header, hmac, safeEqual } from '../webhook/safe-equal';
import { MAX_TEXT_LENGTH, bodyObject, dataCopy, freshTimestamp, invalidWebhook, isoUtc, member, plusNumber, requiredStringMember, stringMember } from './webhook-params';
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

  /**
   * Sinch webhook HMAC (reference/sms-domain.md §3.7): base64(HMAC-SHA256(secret,
   * rawBody.nonce.timestamp)). The timestamp must be within SIGNATURE_WINDOW_S of now: the
   * signature alone would let a captured request be replayed forever.
   */
  verifySignature(req: WebhookRequest, credentials: ProviderCredentials, opts?: VerifyOptions): boolean {
    const secret = typeof credentials?.webhookSecret === 'string' ? credentials.webhookSecret.trim() : '';
    if (!secret) {
      throw new SmsError('MISSING_CREDENTIALS', 'sinch: the credential webhookSecret is needed to verify webhook signatures (set the same secret on the service plan)', {
        provider: 'sinch',
      });
    }
    try {
      const h = req.headers;
      const signature = header(h, 'x-sinch-webhook-signature');
      const nonce = header(h, 'x-sinch-webhook-signature-nonce');
      const timestamp = header(h, 'x-sinch-webhook-signature-timestamp');
      const algorithm = header(h, 'x-sinch-webhook-signature-algorithm');
      if (signature === undefined || nonce === undefined || nonce.length > 200 || algorithm?.toLowerCase() !== 'hmacsha256') return false;
      if (!freshTimestamp(timestamp, opts?.now ?? Date.now(), SIGNATURE_WINDOW_S)) return false;
      const signed = Buffer.concat([req.rawBody, Buffer.from(`.${nonce}.${timestamp}`, 'utf8')]);
      return safeEqual(signature, hmac('sha256', secret, signed, 'base64'));
    } catch {
      return false;
    }
  },

  webhookKind(req: WebhookRequest): 'inbound' | 'status' | undefined {
    const type = stringMember('sinch', bodyObject('sinch', req), 'type', 64);
    if (type === 'mo_text') return 'inbound';
    return type === 'recipient_delivery_report_sms' ? 'status' : undefined;
  },

  parseInbound(req: WebhookRequest): InboundSms[] {
    const b = bodyObject('sinch', req);
    const type = stringMember('sinch', b, 'type', 64);
    if (type !== 'mo_text') {
      throw invalidWebhook('sinch', `an inbound callback must be of type "mo_text"; got ${type === undefined ? 'none' : JSON.stringify(type)}`);
    }
    const text = stringMember('sinch', b, 'body', MAX_TEXT_LENGTH) ?? '';
    const received = member(b, 'received_at');
    return [
      {
        provider: 'sinch',
        messageId: requiredStringMember('sinch', b, 'id', 100),
        from: plusNumber(requiredStringMember('sinch', b, 'from', 64)),
        to: plusNumber(requiredStringMember('sinch', b, 'to', 64)),
        text,
        receivedAt: received === undefined || received === null ? new Date().toISOString() : isoUtc('sinch', received, 'field "received_at"'),
        keyword: detectKeyword(text),
        raw: dataCopy('sinch', b),
      },
    ];
  },

  parseStatus(req: WebhookRequest): DeliveryReport[] {
    const b = bodyObject('sinch', req);
    const type = stringMember('sinch', b, 'type', 64);
    if (type === 'delivery_report_sms' || type === 'delivery_report_mms') {
      throw invalidWebhook('sinch', 'a batch summary report names no recipient; send with delivery_report "per_recipient" (what Send SMS asks for)');
    }
    if (type !== 'recipient_delivery_report_sms') {
      throw invalidWebhook('sinch', `a delivery report must be of type "recipient_delivery_report_sms"; got ${type === undefined ? 'none' : JSON.stringify(type)}`);
    }
    const providerStatus = requiredStringMember('sinch', b, 'status', 40);
    const d = describeStatus('sinch', providerStatus);
    // The operator's time of the status when Sinch has it, else when Sinch recorded it.
    const atField = (member(b, 'operator_status_at') ?? null) === null ? 'at' : 'operator_status_at';
    const at = member(b, atField);
    const r: DeliveryReport = {
      provider: 'sinch',
      messageId: requiredStringMember('sinch', b, 'batch_id', 100),
      status: d.status,
      final: d.final,
      providerStatus,
      to: plusNumber(requiredStringMember('sinch', b, 'recipient', 64)),
      occurredAt: at === undefined || at === null ? new Date().toISOString() : isoUtc('sinch', at, `field "${atField}"`),
    };
    if (d.permanent !== undefined) r.permanent = d.permanent;
    const code = member(b, 'code');
    if (code !== undefined && code !== null) {
      if (typeof code !== 'number' || !Number.isInteger(code) || code < 0 || code > 99_999) {
        throw invalidWebhook('sinch', 'field "code" must be a whole number');
      }
      // 0, 400 Queued and 401 Dispatched are progress, not errors.
      if (code !== 0 && code !== 400 && code !== 401) r.errorCode = String(code);
    }
    const clientRef = stringMember('sinch', b, 'client_reference', 2048);
    if (clientRef !== undefined) r.clientRef = clientRef;
    const operator = stringMember('sinch', b, 'operator', 64);
    if (operator !== undefined && /^\d{5,6}$/.test(operator)) r.mccmnc = operator;
    return [r];
  },

  webhookResponse(): HttpReply {
    return { status: 200 };
  },
};

// Sinch retries for hours, but each retry is signed anew: 5 minutes covers clock skew.
const SIGNATURE_WINDOW_S = 300;

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
