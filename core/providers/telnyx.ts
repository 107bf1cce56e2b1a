/**
 * Telnyx Messaging API v2: `POST /v2/messages` (reference/sms-domain.md §1.8).
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
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
import { header } from '../webhook/safe-equal';
import { MAX_TEXT_LENGTH, bodyObject, dataCopy, freshTimestamp, invalidWebhook, isoUtc, member, objectMember, requiredStringMember, stringMember } from './webhook-params';
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

  /**
   * Ed25519 over `timestamp|rawBody` with the account's public key (reference/sms-domain.md §3.4);
   * the timestamp must be within 300 s of now, as Telnyx's own libraries require.
   */
  verifySignature(req: WebhookRequest, credentials: ProviderCredentials, opts?: VerifyOptions): boolean {
    const key = publicKey(credentials?.publicKey);
    try {
      const signature = header(req.headers, 'telnyx-signature-ed25519');
      const timestamp = header(req.headers, 'telnyx-timestamp');
      if (signature === undefined || signature.length > 200 || !freshTimestamp(timestamp, opts?.now ?? Date.now(), SIGNATURE_WINDOW_S)) return false;
      const sig = Buffer.from(signature, 'base64');
      if (sig.length !== 64) return false;
      return verify(null, Buffer.concat([Buffer.from(`${timestamp}|`, 'utf8'), req.rawBody]), key, sig);
    } catch {
      return false;
    }
  },

  webhookKind(req: WebhookRequest): 'inbound' | 'status' | undefined {
    const { type } = event(req);
    if (type === 'message.received') return 'inbound';
    return type === 'message.sent' || type === 'message.finalized' ? 'status' : undefined;
  },

  parseInbound(req: WebhookRequest): InboundSms[] {
    const { type, payload, data } = event(req);
    if (type !== 'message.received') throw invalidWebhook('telnyx', `an inbound webhook must be a "message.received" event; got ${JSON.stringify(type)}`);
    const text = stringMember('telnyx', payload, 'text', MAX_TEXT_LENGTH) ?? '';
    const from = objectMember('telnyx', payload, 'from', 'data.payload.from');
    if (from === undefined) throw invalidWebhook('telnyx', 'field "data.payload.from" is missing');
    const to = recipients(payload)[0];
    if (to === undefined) throw invalidWebhook('telnyx', 'field "data.payload.to" names no recipient');
    const parts = member(payload, 'parts');
    const msg: InboundSms = {
      provider: 'telnyx',
      messageId: requiredStringMember('telnyx', payload, 'id', 100, 'data.payload.id'),
      from: requiredStringMember('telnyx', from, 'phone_number', 64, 'data.payload.from.phone_number'),
      to: requiredStringMember('telnyx', to, 'phone_number', 64, 'data.payload.to.phone_number'),
      text,
      receivedAt: eventTime([payload, 'received_at', 'data.payload.received_at'], [data, 'occurred_at', 'data.occurred_at']),
      keyword: detectKeyword(text),
      raw: dataCopy('telnyx', bodyObject('telnyx', req)),
    };
    if (typeof parts === 'number' && Number.isInteger(parts) && parts > 1 && parts <= 255) msg.parts = parts;
    return [msg];
  },

  parseStatus(req: WebhookRequest): DeliveryReport[] {
    const { type, payload, data } = event(req);
    if (type !== 'message.sent' && type !== 'message.finalized') {
      throw invalidWebhook('telnyx', `a delivery report must be a "message.sent" or "message.finalized" event; got ${JSON.stringify(type)}`);
    }
    const messageId = requiredStringMember('telnyx', payload, 'id', 100, 'data.payload.id');
    const occurredAt = eventTime(
      [payload, 'completed_at', 'data.payload.completed_at'],
      [payload, 'sent_at', 'data.payload.sent_at'],
      [data, 'occurred_at', 'data.occurred_at'],
    );
    const error = firstError(payload);
    const cost = messageCost(payload);
    const reports = recipients(payload).map((to): DeliveryReport => {
      const providerStatus = requiredStringMember('telnyx', to, 'status', 40, 'data.payload.to.status');
      const d = describeStatus('telnyx', providerStatus);
      const r: DeliveryReport = {
        provider: 'telnyx',
        messageId,
        status: d.status,
        final: d.final,
        providerStatus,
        to: requiredStringMember('telnyx', to, 'phone_number', 64, 'data.payload.to.phone_number'),
        occurredAt,
      };
      if (d.permanent !== undefined) r.permanent = d.permanent;
      if (error !== undefined && d.final && d.status !== 'delivered') {
        r.errorCode = error.code;
        if (error.message !== undefined) r.errorMessage = error.message;
      }
      if (cost !== undefined) r.price = cost;
      return r;
    });
    if (reports.length === 0) throw invalidWebhook('telnyx', 'field "data.payload.to" names no recipient');
    return reports;
  },

  webhookResponse(): HttpReply {
    return { status: 200 };
  },
};

const SIGNATURE_WINDOW_S = 300;
// DER prefix of an Ed25519 SubjectPublicKeyInfo; the 32 raw key bytes follow.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const keys = new Map<string, KeyObject>();

function publicKey(value: unknown): KeyObject {
  const text = typeof value === 'string' ? value.trim() : '';
  if (!text) {
    throw new SmsError('MISSING_CREDENTIALS', 'telnyx: the credential publicKey (Mission Control ▸ Keys & Credentials ▸ Public Key) is needed to verify webhook signatures', {
      provider: 'telnyx',
    });
  }
  const cached = keys.get(text);
  if (cached !== undefined) return cached;
  const raw = Buffer.from(text, 'base64');
  if (raw.length !== 32 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) {
    throw new SmsError('MISSING_CREDENTIALS', 'telnyx: the credential publicKey must be the base64 public key from Mission Control (32 bytes)', { provider: 'telnyx' });
  }
  const key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
  if (keys.size > 16) keys.clear();
  keys.set(text, key);
  return key;
}

function event(req: WebhookRequest): { type: string; payload: Record<string, unknown>; data: Record<string, unknown> } {
  const data = objectMember('telnyx', bodyObject('telnyx', req), 'data');
  if (data === undefined) throw invalidWebhook('telnyx', 'field "data" is missing');
  const payload = objectMember('telnyx', data, 'payload', 'data.payload');
  if (payload === undefined) throw invalidWebhook('telnyx', 'field "data.payload" is missing');
  return { type: requiredStringMember('telnyx', data, 'event_type', 64, 'data.event_type'), payload, data };
}

function recipients(payload: Record<string, unknown>): Record<string, unknown>[] {
  const to = member(payload, 'to');
  if (to !== undefined && to !== null && !Array.isArray(to)) throw invalidWebhook('telnyx', 'field "data.payload.to" must be an array of recipients');
  const list: unknown[] = Array.isArray(to) ? to : [];
  if (list.length > 1000) throw invalidWebhook('telnyx', 'field "data.payload.to" has more than 1000 recipients');
  return list.map((r, i) => {
    if (r === null || typeof r !== 'object' || Array.isArray(r)) throw invalidWebhook('telnyx', `recipient ${i + 1} of "data.payload.to" must be an object`);
    return r as Record<string, unknown>;
  });
}

/** The first time present of `fields` (most specific first); the time of the request when none is. */
function eventTime(...fields: [obj: Record<string, unknown>, key: string, label: string][]): string {
  for (const [obj, key, label] of fields) {
    const v = member(obj, key);
    if (v !== undefined && v !== null) return isoUtc('telnyx', v, `field "${label}"`);
  }
  return new Date().toISOString();
}

/** `cost: {amount: "0.0040", currency: "USD"}`, what the whole message cost. */
function messageCost(payload: Record<string, unknown>): { amount: number; currency?: string } | undefined {
  const cost = objectMember('telnyx', payload, 'cost', 'data.payload.cost');
  const amount = cost === undefined ? undefined : member(cost, 'amount');
  if (cost === undefined || amount === undefined || amount === null) return undefined;
  const currency = stringMember('telnyx', cost, 'currency', 8, 'data.payload.cost.currency');
  const p = (typeof amount === 'string' || typeof amount === 'number') && AMOUNT.test(String(amount)) ? price(amount, currency) : undefined;
  if (p === undefined) throw invalidWebhook('telnyx', 'field "data.payload.cost.amount" must be an amount like "0.0040"');
  return p;
}

// A non-negative decimal as Telnyx writes costs ("0.0040"), or the same as a JSON number.
const AMOUNT = /^\d{1,10}(?:\.\d{1,12})?$/;

/** The first of `payload.errors`: its code (40300 = the recipient opted out) and text. */
function firstError(payload: Record<string, unknown>): { code: string; message?: string } | undefined {
  const errors = member(payload, 'errors');
  if (errors === undefined || errors === null) return undefined;
  if (!Array.isArray(errors)) throw invalidWebhook('telnyx', 'field "data.payload.errors" must be an array');
  if (errors.length === 0) return undefined;
  const e: unknown = errors[0];
  if (e === null || typeof e !== 'object' || Array.isArray(e)) throw invalidWebhook('telnyx', 'field "data.payload.errors" must hold objects');
  const rec = e as Record<string, unknown>;
  const code = member(rec, 'code');
  if (typeof code !== 'string' && typeof code !== 'number') throw invalidWebhook('telnyx', 'field "data.payload.errors.code" is missing');
  const text = String(code);
  if (text.length > 20) throw invalidWebhook('telnyx', 'field "data.payload.errors.code" is too long');
  const message = stringMember('telnyx', rec, 'detail', 1000, 'data.payload.errors.detail') ?? stringMember('telnyx', rec, 'title', 1000, 'data.payload.errors.title');
  return message === undefined ? { code: text } : { code: text, message };
}

function telnyxError(res: HttpResponse): SmsError {
  const b = tryJson(res.body);
  const first = isRecord(b) && Array.isArray(b.errors) && isRecord(b.errors[0]) ? b.errors[0] : undefined;
  const providerCode = first ? clip(first.code, 20) : undefined;
  const message = first ? clip(first.detail) ?? clip(first.title) : undefined;
  const code = codeFor(res, ERROR_CODES, providerCode);
  return httpError('telnyx', res, { providerCode, message, code });
}
