/**
 * Twilio Programmable Messaging: `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`, form
 * encoded, HTTP Basic AccountSid:AuthToken (reference/sms-domain.md §1.2). Webhooks: inbound
 * messages and status callbacks, form encoded, signed with `X-Twilio-Signature` (§2.1, §3.1–3.2).
 */
import { parse as parseQuery, stringify as stringifyQuery } from 'node:querystring';
import { detectKeyword, normalizeKeywordText } from '../consent/keywords';
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
import { digest, header, hmac, safeEqual } from '../webhook/safe-equal';
import { MAX_TEXT_LENGTH, invalidWebhook, param, requestParams, requiredParam, type Params } from './webhook-params';
import {
  baseUrlField,
  basicAuth,
  call,
  checkMessage,
  clip,
  codeFor,
  endpoint,
  formBody,
  httpError,
  instant,
  isRecord,
  lookup,
  parseJson,
  positiveInt,
  price,
  requireCredentials,
  sender,
  tryJson,
  unreadableAnswer,
  unsupported,
  validitySeconds,
} from './http';

const DEFAULT_BASE_URL = 'https://api.twilio.com';
// "integers from 1 to 36000. Default value is 36000" (Twilio API, ValidityPeriod).
const MAX_VALIDITY_SECONDS = 36_000;
// Twilio errors 35114/35117: SendAt must be 300 s to 35 days ahead, inclusive.
const MIN_SCHEDULE_MS = 300_000;
const MAX_SCHEDULE_MS = 35 * 24 * 3600_000;
// The SID becomes a path segment: anything else could walk the path or break it.
const ACCOUNT_SID = /^[A-Za-z0-9]{1,64}$/;

// Codes from the `{ code, message, more_info, status }` error body that say more than the status.
const ERROR_CODES: Record<string, SmsErrorCode> = {
  '20003': 'AUTH_FAILED',
  '20429': 'RATE_LIMITED',
  '21211': 'INVALID_PHONE', // invalid To
  '21614': 'INVALID_PHONE', // To is not a mobile number
  '21610': 'OPTED_OUT', // recipient replied STOP
  '35114': 'INVALID_INPUT', // SendAt outside the scheduling window
  '35118': 'INVALID_INPUT', // scheduling without a Messaging Service
};

export const twilio: SmsProvider = {
  id: 'twilio',
  displayName: 'Twilio',
  defaultBaseUrl: DEFAULT_BASE_URL,
  credentialFields: [
    { name: 'accountSid', displayName: 'Account SID', secret: false, required: true, description: 'Starts with AC' },
    { name: 'authToken', displayName: 'Auth Token', secret: true, required: true },
    {
      name: 'messagingServiceSid',
      displayName: 'Messaging Service SID',
      secret: false,
      required: false,
      description: 'Starts with MG. Picks the sender when none is given; required to schedule messages (sendAt)',
    },
    baseUrlField(DEFAULT_BASE_URL),
  ],

  async send(msg: OutboundSms, ctx: ProviderContext): Promise<SendResult> {
    checkMessage('twilio', msg);
    const { accountSid, authToken } = requireCredentials('twilio', ctx, ['accountSid', 'authToken']);
    if (!ACCOUNT_SID.test(accountSid)) {
      throw new SmsError('INVALID_INPUT', 'twilio: accountSid may hold only letters and digits (AC…)', { provider: 'twilio' });
    }
    const messagingServiceSid = ctx.credentials.messagingServiceSid?.trim() || undefined;
    const from = sender(msg);
    if (from === undefined && messagingServiceSid === undefined) {
      throw new SmsError('INVALID_INPUT', 'twilio: no sender; give from (a Twilio number or sender id) or set the credential messagingServiceSid', {
        provider: 'twilio',
      });
    }
    const validity = validitySeconds('twilio', msg.validitySeconds, MAX_VALIDITY_SECONDS);
    const sendAt = msg.sendAt === undefined ? undefined : scheduledAt(msg.sendAt, messagingServiceSid, ctx);

    const url = endpoint('twilio', ctx, DEFAULT_BASE_URL, `/2010-04-01/Accounts/${accountSid}/Messages.json`);
    const res = await call('twilio', ctx, {
      method: 'POST',
      url,
      headers: {
        authorization: basicAuth(accountSid, authToken),
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: formBody({
        To: msg.to,
        From: from,
        MessagingServiceSid: messagingServiceSid,
        Body: msg.text,
        StatusCallback: msg.statusCallbackUrl,
        ValidityPeriod: validity,
        // Twilio has no client reference field: clientRef lives only in our result.
        ScheduleType: sendAt === undefined ? undefined : 'fixed',
        SendAt: sendAt,
      }),
    });
    if (res.status < 200 || res.status >= 300) throw twilioError(res);

    const answer = parseJson('twilio', res);
    if (!isRecord(answer) || typeof answer.sid !== 'string' || answer.sid === '') {
      throw unreadableAnswer('twilio', res, 'no message sid');
    }
    const result: SendResult = {
      provider: 'twilio',
      messageId: answer.sid,
      status: sendAt === undefined ? 'queued' : 'scheduled',
      to: msg.to,
      // With a Messaging Service, num_segments is "0" until the message is sent.
      segments: positiveInt(answer.num_segments) ?? msg.segments,
      encoding: msg.encoding,
      raw: answer,
    };
    const usedFrom = from ?? (typeof answer.from === 'string' && answer.from !== '' ? answer.from : undefined);
    if (usedFrom !== undefined) result.from = usedFrom;
    if (msg.clientRef !== undefined) result.clientRef = msg.clientRef;
    if (msg.idempotencyKey !== undefined) result.idempotencyKey = msg.idempotencyKey;
    const cost = price(answer.price, answer.price_unit);
    // Twilio reports charges as negative amounts ("-0.00750").
    if (cost) result.price = { ...cost, amount: Math.abs(cost.amount) };
    return result;
  },

  verifySignature(req: WebhookRequest, credentials: ProviderCredentials): boolean {
    const token = credentials?.authToken?.trim();
    if (!token) {
      throw new SmsError('MISSING_CREDENTIALS', 'twilio: the credential authToken is needed to verify webhook signatures', {
        provider: 'twilio',
      });
    }
    try {
      return signatureMatches(req, token);
    } catch {
      // Whatever a hostile request makes the check trip over, it is not a valid signature.
      return false;
    }
  },

  parseInbound(req: WebhookRequest): InboundSms[] {
    const p = requestParams('twilio', req);
    const messageId = sid(p, ['MessageSid', 'SmsMessageSid', 'SmsSid']);
    const text = param('twilio', p, 'Body', MAX_TEXT_LENGTH) ?? '';
    const msg: InboundSms = {
      provider: 'twilio',
      messageId,
      from: requiredParam('twilio', p, 'From', MAX_ADDRESS_LENGTH),
      to: requiredParam('twilio', p, 'To', MAX_ADDRESS_LENGTH),
      text,
      // Twilio sends no time of receipt: the request is the moment.
      receivedAt: new Date().toISOString(),
      keyword: detectKeyword(text) ?? optOutType(p, text),
      raw: p,
    };
    const segments = param('twilio', p, 'NumSegments', 4);
    if (segments !== undefined) {
      if (!/^[1-9]\d{0,3}$/.test(segments)) throw invalidWebhook('twilio', 'parameter "NumSegments" must be a positive whole number');
      // Twilio reassembles long messages itself; this says how many parts it arrived in.
      msg.parts = Number(segments);
    }
    return [msg];
  },

  parseStatus(req: WebhookRequest): DeliveryReport[] {
    const p = requestParams('twilio', req);
    const messageId = sid(p, ['MessageSid', 'SmsSid']);
    const providerStatus = param('twilio', p, 'MessageStatus') ?? param('twilio', p, 'SmsStatus');
    if (providerStatus === undefined) throw invalidWebhook('twilio', 'parameter "MessageStatus" is missing');
    const d = describeStatus('twilio', providerStatus);
    const r: DeliveryReport = {
      provider: 'twilio',
      messageId,
      status: d.status,
      final: d.final,
      providerStatus,
      // RawDlrDoneDate (YYMMDDhhmm) is the carrier's pass-through without a zone: read in the
      // wrong zone it would be hours off, so the time the callback arrives is used instead.
      occurredAt: new Date().toISOString(),
    };
    if (d.permanent !== undefined) r.permanent = d.permanent;
    const errorCode = param('twilio', p, 'ErrorCode', 20);
    if (errorCode !== undefined) r.errorCode = errorCode;
    const errorMessage = clip(param('twilio', p, 'ErrorMessage', 1000));
    if (errorMessage !== undefined) r.errorMessage = errorMessage;
    const to = param('twilio', p, 'To', MAX_ADDRESS_LENGTH);
    if (to !== undefined) r.to = to;
    return [r];
  },

  webhookResponse(kind: 'inbound' | 'status', reply?: string): HttpReply {
    if (kind === 'status') return { status: 200 };
    if (kind !== 'inbound') {
      throw new SmsError('INVALID_INPUT', 'twilio: webhook kind must be "inbound" or "status"', { provider: 'twilio' });
    }
    if (reply !== undefined && typeof reply !== 'string') {
      throw new SmsError('INVALID_INPUT', 'twilio: the auto-reply must be a string', { provider: 'twilio' });
    }
    const text = reply === undefined ? '' : xmlText(reply);
    return {
      status: 200,
      headers: { 'content-type': 'text/xml' },
      body: `<?xml version="1.0" encoding="UTF-8"?>${text === '' ? '<Response/>' : `<Response><Message>${text}</Message></Response>`}`,
    };
  },

  repliesInResponse: true,
};

// Numbers, short codes and channel addresses (`whatsapp:+1…`) all fit.
const MAX_ADDRESS_LENGTH = 64;
const SID = /^[A-Za-z0-9]{1,64}$/;
const OPT_OUT_TYPES: Readonly<Record<string, 'opt-out' | 'opt-in' | 'help'>> = { STOP: 'opt-out', START: 'opt-in', HELP: 'help' };

/** The first of `names` present, as a Twilio SID (letters and digits). */
function sid(p: Params, names: string[]): string {
  for (const name of names) {
    const v = param('twilio', p, name, 64);
    if (v === undefined) continue;
    if (!SID.test(v)) throw invalidWebhook('twilio', `parameter "${name}" must be a Twilio SID (letters and digits)`);
    return v;
  }
  throw invalidWebhook('twilio', `parameter "${names[0]}" is missing`);
}

/**
 * Twilio's own verdict (Advanced Opt-Out: the whole body matched a keyword of the Messaging
 * Service, possibly one we do not know). Twilio already blocks the sender on it, so the ledger
 * must follow even when our keyword list does not match.
 */
function optOutType(p: Params, text: string): InboundSms['keyword'] {
  const type = param('twilio', p, 'OptOutType', 10)?.toUpperCase();
  const intent = lookup(OPT_OUT_TYPES, type);
  if (type === undefined || intent === undefined) return null;
  return { intent, keyword: normalizeKeywordText(text.slice(0, 200)) || type };
}

/**
 * §3.2. Form POST: URL + each parameter's name and value, names sorted. JSON body: Twilio adds
 * `bodySHA256` to the URL and signs the URL alone; the body must hash to it. GET: the URL alone.
 */
function signatureMatches(req: WebhookRequest, token: string): boolean {
  const signature = header(req.headers, 'x-twilio-signature');
  // An HMAC-SHA1 in base64 is 28 characters; anything far longer is not worth hashing for.
  if (signature === undefined || signature.length > 100) return false;
  const url = new URL(req.url);
  const bodyHash = url.searchParams.getAll('bodySHA256');
  let params: Params;
  if (bodyHash.length > 0) {
    if (bodyHash.length !== 1 || !safeEqual(bodyHash[0] as string, digest('sha256', req.rawBody, 'hex'))) return false;
    params = {};
  } else if (req.method.toUpperCase() === 'GET') {
    params = {};
  } else {
    // A JSON body without bodySHA256 would be unsigned: nothing vouches for it.
    if (/[/+]json\b/i.test(header(req.headers, 'content-type') ?? '')) return false;
    params = requestParams('twilio', req);
  }
  const signed = signedParams(params);
  let ok = false;
  // Every variant is computed, so the time taken does not tell which one matched.
  for (const variant of urlVariants(req.url, url)) ok = safeEqual(signature, hmac('sha1', token, variant + signed, 'base64')) || ok;
  return ok;
}

function signedParams(params: Params): string {
  let out = '';
  for (const key of Object.keys(params).sort()) {
    const v = params[key] as string | string[];
    if (Array.isArray(v)) for (const one of [...new Set(v)].sort()) out += key + one;
    else out += key + v;
  }
  return out;
}

/**
 * "Signature generation on the back end is inconsistent" (twilio-node): the URL exactly as
 * called (Twilio signs the configured URL literally: `It's` stays unescaped), without a port,
 * with the scheme's standard port, and those two with the query re-encoded the way Node's legacy
 * `querystring` does.
 */
function urlVariants(raw: string, url: URL): string[] {
  const withoutPort = new URL(url);
  withoutPort.port = '';
  const plain = withoutPort.toString();
  const withPort = url.port ? url.toString() : withStandardPort(url);
  return [...new Set([raw, plain, withPort, legacyQuery(plain), legacyQuery(withPort)])];
}

function withStandardPort(url: URL): string {
  const port = url.protocol === 'https:' ? ':443' : ':80';
  const auth = url.username || url.password ? `${url.username}${url.password ? `:${url.password}` : ''}@` : '';
  return `${url.protocol}//${auth}${url.host}${port}${url.pathname}${url.search}${url.hash}`;
}

function legacyQuery(href: string): string {
  const url = new URL(href);
  if (!url.search) return href;
  // Cut by hand: URL would drop a standard port the variant spelled out.
  return `${href.slice(0, href.indexOf('?'))}?${stringifyQuery(parseQuery(url.search.slice(1)))}${url.hash}`;
}

// XML 1.0 allows only these characters; anything else makes Twilio reject the whole TwiML.
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const XML_ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

function xmlText(text: string): string {
  return text.replace(NOT_XML, '').replace(/[&<>"']/g, (c) => XML_ENTITIES[c] as string);
}

/** SendAt as Twilio wants it, after the checks Twilio would otherwise fail with 35114/35118. */
function scheduledAt(value: string, messagingServiceSid: string | undefined, ctx: ProviderContext): string {
  const at = instant('twilio', value, 'sendAt');
  if (messagingServiceSid === undefined) {
    throw unsupported(
      'twilio',
      'sendAt without a Messaging Service',
      'set the credential messagingServiceSid (Twilio schedules only through one), or leave sendAt empty and hold the message with the Quiet-Hours Gate',
    );
  }
  const ahead = at - (ctx.now?.() ?? Date.now());
  if (ahead < MIN_SCHEDULE_MS || ahead > MAX_SCHEDULE_MS) {
    throw new SmsError('INVALID_INPUT', 'twilio: sendAt must be 5 minutes to 35 days ahead; leave it empty to send now', {
      provider: 'twilio',
    });
  }
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function twilioError(res: HttpResponse): SmsError {
  const b = tryJson(res.body);
  const providerCode = isRecord(b) ? clip(b.code, 20) : undefined;
  const message = isRecord(b) ? clip(b.message) : undefined;
  const code = codeFor(res, ERROR_CODES, providerCode);
  return httpError('twilio', res, { providerCode, message, code });
}
