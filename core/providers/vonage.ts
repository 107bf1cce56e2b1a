/**
 * Vonage SMS API: `POST https://rest.nexmo.com/sms/json`, form encoded, api_key/api_secret in the
 * body (reference/sms-domain.md §1.3). It answers HTTP 200 even when it refuses a message: the
 * verdict is each part's `status`.
 *
 * Webhooks (§2.1, §3.1, §3.3) come from two APIs: the SMS API (inbound messages and delivery
 * receipts as GET query or POST form/JSON, optionally signed with a `sig` parameter) and the
 * Messages API (JSON with `message_uuid`, signed with a JWT in `Authorization`). The credential
 * signatureMethod says which signature to expect: `jwt` for the Messages API, otherwise the `sig`
 * method set in the dashboard.
 */
import { createHmac } from 'node:crypto';
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
import { digest, header, hmac, safeEqual, type HmacAlgorithm } from '../webhook/safe-equal';
import {
  MAX_TEXT_LENGTH,
  compactUtc,
  dataCopy,
  invalidWebhook,
  isoUtc,
  member,
  objectMember,
  param,
  plusNumber,
  requestParams,
  requiredParam,
  requiredStringMember,
  spacedUtc,
  stringMember,
  type Params,
} from './webhook-params';
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
const SIGNATURE_METHODS = ['md5hash', 'md5hmac', 'sha1hmac', 'sha256hmac', 'sha512hmac', 'jwt'] as const;

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
      options: [...SIGNATURE_METHODS],
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

  verifySignature(req: WebhookRequest, credentials: ProviderCredentials, opts?: VerifyOptions): boolean {
    const secret = credentials?.signatureSecret?.trim();
    if (!secret) {
      throw new SmsError(
        'MISSING_CREDENTIALS',
        'vonage: the credential signatureSecret is needed to verify webhook signatures (Vonage dashboard > API settings)',
        { provider: 'vonage' },
      );
    }
    const method = signatureMethod(credentials.signatureMethod);
    const now = typeof opts?.now === 'number' && Number.isFinite(opts.now) ? opts.now : Date.now();
    try {
      return method === 'jwt' ? jwtMatches(req, secret, now) : sigMatches(req, secret, method);
    } catch {
      // Whatever a hostile request makes the check trip over, it is not a valid signature.
      return false;
    }
  },

  parseInbound(req: WebhookRequest): InboundSms[] {
    const body = messagesApiBody(req);
    return [body ? messagesInbound(body) : smsInbound(requestParams('vonage', req))];
  },

  parseStatus(req: WebhookRequest): DeliveryReport[] {
    const body = messagesApiBody(req);
    return [body ? messagesStatus(body) : smsReceipt(requestParams('vonage', req))];
  },

  webhookResponse(kind: 'inbound' | 'status'): HttpReply {
    if (kind !== 'inbound' && kind !== 'status') {
      throw new SmsError('INVALID_INPUT', 'vonage: webhook kind must be "inbound" or "status"', { provider: 'vonage' });
    }
    // Any 2xx stops Vonage's retries; an empty 200 for both kinds. Replies go through the API.
    return { status: 200 };
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
  const ids = parts.map((p: VonagePart) => p['message-id']);
  // Each part is a message of its own with its own delivery receipt: the store folds them by these.
  if (parts.length > 1 && ids.every((id): id is string => typeof id === 'string' && id !== '')) result.partMessageIds = ids;
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

// ---------------------------------------------------------------------------------------------
// Webhooks

type SigMethod = Exclude<(typeof SIGNATURE_METHODS)[number], 'jwt'>;
const SIG_HMAC: Readonly<Record<Exclude<SigMethod, 'md5hash'>, HmacAlgorithm>> = {
  md5hmac: 'md5',
  sha1hmac: 'sha1',
  sha256hmac: 'sha256',
  sha512hmac: 'sha512',
};

/**
 * JWT freshness: a token issued more than 5 minutes ago is a replay (Vonage signs each delivery
 * attempt afresh), one issued more than 1 minute ahead a forgery or a clock far off; `exp` and
 * `nbf`, when present, are honoured with the same minute of skew.
 */
const JWT_MAX_AGE_S = 300;
const JWT_SKEW_S = 60;
// A Vonage JWT is a few hundred bytes; this bounds the work an attacker can ask for.
const MAX_AUTHORIZATION_LENGTH = 8192;
const MAX_ID_LENGTH = 100;
const MAX_ADDRESS_LENGTH = 64;
const MAX_CLIENT_REF_LENGTH = 256;
const MAX_CONCAT_PARTS = 255; // one octet in the concatenation header

// SMS API delivery receipt err-code meanings (§2.1): the errorMessage a flow can show.
const ERR_CODES: Readonly<Record<string, string>> = {
  '1': 'Unknown',
  '2': 'Absent subscriber (temporary)',
  '3': 'Absent subscriber (permanent)',
  '4': 'Call barred by user',
  '5': 'Portability error',
  '6': 'Anti-spam rejection',
  '7': 'Handset busy',
  '8': 'Network error',
  '9': 'Illegal number (the recipient may have opted out)',
  '10': 'Illegal message',
  '11': 'Unroutable',
  '12': 'Destination unreachable',
  '13': 'Subscriber age restriction',
  '14': 'Number blocked by carrier',
  '15': 'Prepaid insufficient funds',
  '50': 'Entity filter',
  '51': 'Header filter',
  '52': 'Content filter',
  '53': 'Consent filter',
  '54': 'Regulation error',
  '99': 'General error',
};

function signatureMethod(value: string | undefined): SigMethod | 'jwt' {
  const m = value?.trim().toLowerCase() || 'md5hash';
  const known = SIGNATURE_METHODS.find((x) => x === m);
  if (known === undefined) {
    // A configuration error like a missing field: answered 500 so Vonage retries once it is fixed.
    throw new SmsError('MISSING_CREDENTIALS', `vonage: the credential signatureMethod must be one of ${SIGNATURE_METHODS.join(', ')}`, {
      provider: 'vonage',
    });
  }
  return known;
}

/** §3.3(b): every parameter but `sig`, sorted, as `&key=value` with `&` and `=` in values made `_`. */
function sigMatches(req: WebhookRequest, secret: string, method: SigMethod): boolean {
  const params = requestParams('vonage', req);
  const sig = params.sig;
  if (typeof sig !== 'string' || !/^[0-9a-f]{32,128}$/i.test(sig)) return false;
  let signed = '';
  for (const key of Object.keys(params).sort()) {
    if (key === 'sig') continue;
    const v = params[key];
    // Vonage never repeats a parameter; a repeated one is not what it signed.
    if (typeof v !== 'string') return false;
    signed += `&${key}=${v.replace(/[&=]/g, '_')}`;
  }
  const expected = method === 'md5hash' ? digest('md5', signed + secret, 'hex') : hmac(SIG_HMAC[method], secret, signed, 'hex');
  // Vonage sends upper-case hex, the SDK compares case-insensitively.
  return safeEqual(sig.toLowerCase(), expected);
}

/** §3.3(a): `Authorization: Bearer <JWT>`, HS256 with the signature secret, fresh, over this body. */
function jwtMatches(req: WebhookRequest, secret: string, now: number): boolean {
  const auth = header(req.headers, 'authorization');
  if (auth === undefined || auth.length > MAX_AUTHORIZATION_LENGTH) return false;
  const m = /^bearer +([\w-]+)\.([\w-]+)\.([\w-]+)$/i.exec(auth.trim());
  if (!m) return false;
  const [, head, payload, signature] = m as unknown as [string, string, string, string];
  const h = jsonPart(head);
  // Only HS256: `none`, RS256 with the secret as a "public key" and the like are classic forgeries.
  if (h?.alg !== 'HS256' || h.crit !== undefined) return false;
  const expected = createHmac('sha256', secret).update(`${head}.${payload}`).digest('base64url');
  if (!safeEqual(signature, expected)) return false;

  const claims = jsonPart(payload);
  if (claims?.iss !== 'Vonage') return false;
  const nowS = now / 1000;
  const { iat, exp, nbf } = claims;
  if (typeof iat !== 'number' || !Number.isFinite(iat) || nowS - iat > JWT_MAX_AGE_S || iat - nowS > JWT_SKEW_S) return false;
  if (exp !== undefined && (typeof exp !== 'number' || nowS > exp + JWT_SKEW_S)) return false;
  if (nbf !== undefined && (typeof nbf !== 'number' || nowS < nbf - JWT_SKEW_S)) return false;
  const hash = claims.payload_hash;
  // Without payload_hash the token vouches for no body: only an empty one is acceptable.
  if (hash === undefined) return req.rawBody.length === 0;
  return typeof hash === 'string' && safeEqual(hash.toLowerCase(), digest('sha256', req.rawBody, 'hex'));
}

function jsonPart(part: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return isRecord(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** The Messages API posts JSON with `message_uuid`; everything else is the SMS API. */
function messagesApiBody(req: WebhookRequest): Record<string, unknown> | undefined {
  const body: unknown = req?.body;
  if (typeof req?.method !== 'string' || req.method.toUpperCase() === 'GET' || !isRecord(body)) return undefined;
  return Object.hasOwn(body, 'message_uuid') || Object.hasOwn(body, 'channel') ? body : undefined;
}

function smsInbound(p: Params): InboundSms {
  const type = param('vonage', p, 'type', 16) ?? 'text';
  if (type !== 'text' && type !== 'unicode' && type !== 'binary') {
    throw invalidWebhook('vonage', 'parameter "type" must be text, unicode or binary');
  }
  // A binary message (WAP push, SIM data) has `data` and `udh` instead of text: it is passed on
  // with empty text and everything in raw, rather than refused (Vonage would retry it for 24 h).
  const text = type === 'binary' ? '' : (param('vonage', p, 'text', MAX_TEXT_LENGTH) ?? '');
  const timestamp = param('vonage', p, 'message-timestamp', 40);
  const msg: InboundSms = {
    provider: 'vonage',
    messageId: requiredParam('vonage', p, 'messageId', MAX_ID_LENGTH),
    from: plusNumber(requiredParam('vonage', p, 'msisdn', MAX_ADDRESS_LENGTH)),
    to: plusNumber(requiredParam('vonage', p, 'to', MAX_ADDRESS_LENGTH)),
    text,
    receivedAt: timestamp === undefined ? new Date().toISOString() : spacedUtc('vonage', timestamp, 'message-timestamp'),
    keyword: null,
    raw: p,
  };
  const concat = concatOf(p);
  // A part's keyword means nothing ("…please STOP" may end a part): the handler detects it on
  // the reassembled text.
  if (concat !== undefined) msg.concat = concat;
  else if (type !== 'binary') msg.keyword = detectKeyword(text);
  return msg;
}

function concatOf(p: Params): InboundSms['concat'] {
  const flag = param('vonage', p, 'concat', 8);
  const ref = param('vonage', p, 'concat-ref', MAX_ID_LENGTH);
  if (flag === undefined && ref === undefined) return undefined;
  if (flag !== undefined && flag !== 'true' && flag !== 'false') throw invalidWebhook('vonage', 'parameter "concat" must be true or false');
  if (flag === 'false') return undefined;
  const part = partNumber(requiredParam('vonage', p, 'concat-part', 3), 'concat-part');
  const total = partNumber(requiredParam('vonage', p, 'concat-total', 3), 'concat-total');
  if (part > total) throw invalidWebhook('vonage', 'parameter "concat-part" is greater than "concat-total"');
  return { ref: requiredParam('vonage', p, 'concat-ref', MAX_ID_LENGTH), part, total };
}

function partNumber(v: string, field: string): number {
  const n = /^\d{1,3}$/.test(v) ? Number(v) : 0;
  if (n < 1 || n > MAX_CONCAT_PARTS) throw invalidWebhook('vonage', `parameter "${field}" must be a whole number from 1 to ${MAX_CONCAT_PARTS}`);
  return n;
}

/** One SMS API delivery receipt: one per part of a long message, each with the part's messageId. */
function smsReceipt(p: Params): DeliveryReport {
  const messageId = requiredParam('vonage', p, 'messageId', MAX_ID_LENGTH);
  const providerStatus = requiredParam('vonage', p, 'status', 64);
  const errCode = param('vonage', p, 'err-code', 8);
  const d = describeStatus('vonage', providerStatus, errCode === undefined ? { api: 'sms' } : { api: 'sms', errCode });
  const r: DeliveryReport = {
    provider: 'vonage',
    messageId,
    status: d.status,
    final: d.final,
    providerStatus,
    occurredAt: receiptTime(p),
  };
  if (d.permanent !== undefined) r.permanent = d.permanent;
  // err-code 0 is "Delivered": no error to report.
  if (errCode !== undefined && errCode !== '0') {
    r.errorCode = errCode;
    const meaning = lookup(ERR_CODES, String(Number(errCode)));
    if (meaning !== undefined) r.errorMessage = meaning;
  }
  const to = param('vonage', p, 'msisdn', MAX_ADDRESS_LENGTH);
  if (to !== undefined) r.to = plusNumber(to);
  const mccmnc = operator(param('vonage', p, 'network-code', 16));
  if (mccmnc !== undefined) r.mccmnc = mccmnc;
  const cost = price(param('vonage', p, 'price', 32));
  if (cost !== undefined) r.price = cost;
  const clientRef = param('vonage', p, 'client-ref', MAX_CLIENT_REF_LENGTH);
  if (clientRef !== undefined) r.clientRef = clientRef;
  return r;
}

/** `scts` is when the carrier reported (YYMMDDhhmm), `message-timestamp` when Vonage forwarded; both UTC. */
function receiptTime(p: Params): string {
  const scts = param('vonage', p, 'scts', 16);
  if (scts !== undefined) return compactUtc('vonage', scts, 'scts');
  const forwarded = param('vonage', p, 'message-timestamp', 40);
  return forwarded === undefined ? new Date().toISOString() : spacedUtc('vonage', forwarded, 'message-timestamp');
}

/** MCC+MNC as digits; anything else (some carriers send nothing useful) is left out, not refused. */
function operator(v: string | undefined): string | undefined {
  return v !== undefined && /^\d{5,6}$/.test(v) ? v : undefined;
}

function messagesChannel(b: Record<string, unknown>): void {
  const channel = stringMember('vonage', b, 'channel', 32);
  if (channel !== undefined && channel !== 'sms') {
    throw invalidWebhook('vonage', `field "channel" must be sms; this webhook takes SMS only, got ${JSON.stringify(clip(channel, 32))}`);
  }
}

/** Messages API v1 sends numbers as strings; v0.1 sent `{ type, number }`. Both are read. */
function messagesNumber(b: Record<string, unknown>, key: 'from' | 'to', required: true): string;
function messagesNumber(b: Record<string, unknown>, key: 'from' | 'to', required: false): string | undefined;
function messagesNumber(b: Record<string, unknown>, key: 'from' | 'to', required: boolean): string | undefined {
  const v = member(b, key);
  const number = isRecord(v)
    ? stringMember('vonage', v, 'number', MAX_ADDRESS_LENGTH, `${key}.number`)
    : stringMember('vonage', b, key, MAX_ADDRESS_LENGTH);
  if (number === undefined && required) throw invalidWebhook('vonage', `field "${key}" is missing`);
  return number === undefined ? undefined : plusNumber(number);
}

function messagesInbound(b: Record<string, unknown>): InboundSms {
  messagesChannel(b);
  const type = stringMember('vonage', b, 'message_type', 32);
  if (type !== undefined && type !== 'text') throw invalidWebhook('vonage', 'field "message_type" must be text for SMS');
  const text = member(b, 'text') === '' ? '' : requiredStringMember('vonage', b, 'text', MAX_TEXT_LENGTH);
  const timestamp = stringMember('vonage', b, 'timestamp', 40);
  return {
    provider: 'vonage',
    messageId: requiredStringMember('vonage', b, 'message_uuid', MAX_ID_LENGTH),
    from: messagesNumber(b, 'from', true),
    to: messagesNumber(b, 'to', true),
    text,
    receivedAt: timestamp === undefined ? new Date().toISOString() : isoUtc('vonage', timestamp, 'timestamp'),
    keyword: detectKeyword(text),
    raw: dataCopy('vonage', b),
  };
}

function messagesStatus(b: Record<string, unknown>): DeliveryReport {
  messagesChannel(b);
  const messageId = requiredStringMember('vonage', b, 'message_uuid', MAX_ID_LENGTH);
  const providerStatus = requiredStringMember('vonage', b, 'status', 64);
  const d = describeStatus('vonage', providerStatus, { api: 'messages' });
  const timestamp = stringMember('vonage', b, 'timestamp', 40);
  const r: DeliveryReport = {
    provider: 'vonage',
    messageId,
    status: d.status,
    final: d.final,
    providerStatus,
    occurredAt: timestamp === undefined ? new Date().toISOString() : isoUtc('vonage', timestamp, 'timestamp'),
  };
  if (d.permanent !== undefined) r.permanent = d.permanent;
  const to = messagesNumber(b, 'to', false);
  if (to !== undefined) r.to = to;
  const error = objectMember('vonage', b, 'error');
  if (error !== undefined) {
    // `title` carries the code (1320 or "1320"); `type` ends in the same code after `#`.
    const type = stringMember('vonage', error, 'type', 500, 'error.type');
    const code = clip(member(error, 'title'), 40) ?? /#(\w{1,20})$/.exec(type ?? '')?.[1];
    if (code !== undefined) r.errorCode = code;
    const detail = clip(stringMember('vonage', error, 'detail', 2000, 'error.detail'), 500);
    if (detail !== undefined) r.errorMessage = detail;
  }
  const usage = objectMember('vonage', b, 'usage');
  const cost = usage === undefined ? undefined : price(member(usage, 'price'), member(usage, 'currency'));
  if (cost !== undefined) r.price = cost;
  const destination = objectMember('vonage', b, 'destination');
  const networkCode = destination && stringMember('vonage', destination, 'network_code', 16, 'destination.network_code');
  const mccmnc = operator(networkCode);
  if (mccmnc !== undefined) r.mccmnc = mccmnc;
  const clientRef = stringMember('vonage', b, 'client_ref', MAX_CLIENT_REF_LENGTH);
  if (clientRef !== undefined) r.clientRef = clientRef;
  return r;
}
