/**
 * Plivo Messages API: `POST /v1/Account/{auth_id}/Message/`, JSON, HTTP Basic auth_id:auth_token
 * (reference/sms-domain.md §1.6). Answers 202 with a `message_uuid` array.
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
  WebhookRequest,
} from '../types';
import { header, hmac, safeEqual } from '../webhook/safe-equal';
import { MAX_TEXT_LENGTH, flatParams, invalidWebhook, param, plusNumber, requestParams, requiredParam, spacedUtc, type Params } from './webhook-params';
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
  lookup,
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

  verifySignature(req: WebhookRequest, credentials: ProviderCredentials): boolean {
    const token = typeof credentials?.authToken === 'string' ? credentials.authToken.trim() : '';
    if (!token) {
      throw new SmsError('MISSING_CREDENTIALS', 'plivo: the credential authToken is needed to verify webhook signatures', { provider: 'plivo' });
    }
    try {
      return v3SignatureMatches(req, token);
    } catch {
      return false;
    }
  },

  parseInbound(req: WebhookRequest): InboundSms[] {
    const p = requestParams('plivo', req);
    const text = param('plivo', p, 'Text', MAX_TEXT_LENGTH) ?? param('plivo', p, 'Body', MAX_TEXT_LENGTH) ?? '';
    const msg: InboundSms = {
      provider: 'plivo',
      messageId: requiredParam('plivo', p, 'MessageUUID', 64),
      from: plusNumber(requiredParam('plivo', p, 'From', 64)),
      to: plusNumber(requiredParam('plivo', p, 'To', 64)),
      text,
      // Plivo sends no time of receipt: the request is the moment.
      receivedAt: new Date().toISOString(),
      keyword: detectKeyword(text) ?? intentOf(param('plivo', p, 'MessageIntent', 10), text),
      raw: p,
    };
    return [msg];
  },

  parseStatus(req: WebhookRequest): DeliveryReport[] {
    const p = requestParams('plivo', req);
    const providerStatus = requiredParam('plivo', p, 'Status', 40);
    const d = describeStatus('plivo', providerStatus);
    const r: DeliveryReport = {
      provider: 'plivo',
      messageId: requiredParam('plivo', p, 'MessageUUID', 64),
      status: d.status,
      final: d.final,
      providerStatus,
      occurredAt: reportTime(p),
    };
    if (d.permanent !== undefined) r.permanent = d.permanent;
    const errorCode = param('plivo', p, 'ErrorCode', 20);
    // Plivo sends ErrorCode "000" or empty on success; only a failure's code is an error.
    if (errorCode !== undefined && !/^0+$/.test(errorCode)) r.errorCode = errorCode;
    const to = param('plivo', p, 'To', 64);
    if (to !== undefined) r.to = plusNumber(to);
    const mccmnc = operator(p);
    if (mccmnc !== undefined) r.mccmnc = mccmnc;
    const cost = totalPrice(p);
    if (cost !== undefined) r.price = cost;
    const sequence = param('plivo', p, 'Sequence', 10);
    if (sequence !== undefined) {
      if (!/^\d{1,9}$/.test(sequence)) throw invalidWebhook('plivo', 'parameter "Sequence" must be a whole number');
      r.sequence = Number(sequence);
    }
    return [r];
  },

  webhookResponse(): HttpReply {
    return { status: 200 };
  },
};

const INTENTS: Readonly<Record<string, 'opt-out' | 'opt-in' | 'help'>> = { optout: 'opt-out', optin: 'opt-in', help: 'help' };

/** Plivo's own verdict (MessageIntent) when our keyword list does not match: Plivo acts on it. */
function intentOf(value: string | undefined, text: string): InboundSms['keyword'] {
  if (value === undefined) return null;
  const intent = lookup(INTENTS, value.toLowerCase());
  return intent === undefined ? null : { intent, keyword: text.trim().slice(0, 40).toUpperCase() || value };
}

/** MCC and MNC as one operator code (`310` + `260`); both or neither. */
function operator(p: Params): string | undefined {
  const mcc = param('plivo', p, 'MCC', 3);
  const mnc = param('plivo', p, 'MNC', 3);
  if (mcc === undefined && mnc === undefined) return undefined;
  if (mcc === undefined || mnc === undefined || !/^\d{3}$/.test(mcc) || !/^\d{2,3}$/.test(mnc)) {
    throw invalidWebhook('plivo', 'parameters "MCC" and "MNC" must be 3 and 2–3 digits');
  }
  return mcc + mnc;
}

/** TotalAmount is what the message cost; older callbacks carry only TotalRate per unit and Units. */
function totalPrice(p: Params): { amount: number } | undefined {
  const total = amountParam(p, 'TotalAmount');
  if (total !== undefined) return { amount: total };
  const rate = amountParam(p, 'TotalRate');
  const units = param('plivo', p, 'Units', 4);
  if (rate === undefined || units === undefined) return undefined;
  if (!/^\d{1,4}$/.test(units)) throw invalidWebhook('plivo', 'parameter "Units" must be a whole number');
  // Rounded to Plivo's own precision, so 0.0065 × 3 is not 0.019499999999999997.
  return { amount: Math.round(rate * Number(units) * 1e8) / 1e8 };
}

function amountParam(p: Params, field: string): number | undefined {
  const v = param('plivo', p, field, 20);
  if (v === undefined) return undefined;
  if (!/^\d{1,10}(?:\.\d{1,9})?$/.test(v)) throw invalidWebhook('plivo', `parameter "${field}" must be an amount like 0.0065`);
  return Number(v);
}

function reportTime(p: Params): string {
  for (const field of ['DeliveryReportTime', 'SentTime', 'MessageTime', 'QueuedTime']) {
    const v = param('plivo', p, field, 40);
    if (v !== undefined) return spacedUtc('plivo', v, `parameter "${field}"`);
  }
  return new Date().toISOString();
}

/**
 * X-Plivo-Signature-V3 (reference/sms-domain.md §3.5, plivo-node v3Security.js). V2 signs the URL
 * and nonce only — a captured request could be replayed with any body — so it is not accepted.
 */
function v3SignatureMatches(req: WebhookRequest, token: string): boolean {
  const signatures = header(req.headers, 'x-plivo-signature-v3');
  const nonce = header(req.headers, 'x-plivo-signature-v3-nonce');
  if (signatures === undefined || nonce === undefined || signatures.length > 2048) return false;
  const method = req.method.toUpperCase();
  if (method !== 'GET' && method !== 'POST') return false;
  const url = new URL(req.url);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
  const base = signedBase(req.url, url);
  const query = multimap([...url.searchParams]);
  const body = method === 'GET' ? multimap([]) : bodyParams(req);
  let s: string;
  if (method === 'GET') {
    for (const [k, vs] of body) query.set(k, [...(query.get(k) ?? []), ...vs]);
    const q = sortedQuery(query);
    s = q === '' ? base : `${base}?${q}`;
  } else {
    s = base;
    if (query.size > 0 || body.size > 0) s += `?${sortedQuery(query)}`;
    if (query.size > 0 && body.size > 0) s += '.';
    for (const k of [...body.keys()].sort()) for (const v of [...(body.get(k) ?? [])].sort()) s += k + v;
  }
  const expected = hmac('sha256', token, `${s}.${nonce}`, 'base64');
  // One signature per active auth token (during a token rotation): any may match.
  let ok = false;
  for (const candidate of signatures.split(',').slice(0, 8)) ok = safeEqual(candidate.trim(), expected) || ok;
  return ok;
}

/**
 * `scheme://host[:port]/path` as the URL was written, the way plivo-node builds it: an explicit
 * `:443`, the host's letter case and an empty path are kept — a WHATWG URL would drop or add them
 * and no longer match what Plivo signed. Only a user:password part is left out, as Plivo does.
 */
function signedBase(written: string, url: URL): string {
  const beforeQuery = written.split(/[?#]/, 1)[0] as string;
  const scheme = `${url.protocol}//`;
  const rest = beforeQuery.slice(beforeQuery.indexOf('//') + 2);
  const slash = rest.indexOf('/');
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  return scheme + host + (slash < 0 ? '' : rest.slice(slash));
}

function bodyParams(req: WebhookRequest): Map<string, string[]> {
  if (req.rawBody.length === 0) return new Map();
  const p = flatParams('plivo', req.body, 'body');
  return multimap(Object.keys(p).flatMap((k) => {
    const v = p[k] as string | string[];
    return (Array.isArray(v) ? v : [v]).map((x) => [k, x] as [string, string]);
  }));
}

function multimap(pairs: [string, string][]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const [k, v] of pairs) m.set(k, [...(m.get(k) ?? []), v]);
  return m;
}

function sortedQuery(q: Map<string, string[]>): string {
  const pairs: string[] = [];
  for (const k of [...q.keys()].sort()) for (const v of [...(q.get(k) ?? [])].sort()) pairs.push(`${k}=${v}`);
  return pairs.join('&');
}

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
