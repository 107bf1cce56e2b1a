/**
 * Infobip SMS API v3: `POST {baseUrl}/sms/3/messages`, JSON, `Authorization: App <apiKey>`
 * (reference/sms-domain.md §1.4). The base URL is per account (`https://xxxxx.api.infobip.com`).
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
import { header, safeEqual } from '../webhook/safe-equal';
import { MAX_TEXT_LENGTH, bodyObject, dataCopy, invalidWebhook, member, objectMember, plusNumber, requiredStringMember, stringMember } from './webhook-params';
import {
  call,
  checkMessage,
  clip,
  codeFor,
  digits,
  endpoint,
  httpError,
  instant,
  isRecord,
  lookup,
  parseJson,
  positiveInt,
  price,
  requireCredentials,
  schemeAuth,
  sender,
  tryJson,
  unreadableAnswer,
  validitySeconds,
} from './http';

// Infobip's generic host; accounts are told to use their own, so the credential is required.
const DEFAULT_BASE_URL = 'https://api.infobip.com';
// Infobip does not keep a message longer than 48 hours.
const MAX_VALIDITY_SECONDS = 48 * 3600;
// "can only be scheduled for no later than 180 days in advance"
const MAX_SCHEDULE_MS = 180 * 24 * 3600_000;
// The send answer says PENDING when all is well; an unknown group with a messageId counts as accepted.
const FAILED_GROUPS = new Set(['REJECTED', 'UNDELIVERABLE', 'EXPIRED']);
// Status group ids, for answers that carry no groupName: 0 OK, 1 PENDING, 2 UNDELIVERABLE, 3 DELIVERED, 4 EXPIRED, 5 REJECTED.
const GROUP_NAMES = ['OK', 'PENDING', 'UNDELIVERABLE', 'DELIVERED', 'EXPIRED', 'REJECTED'];

// Error codes of either error body (current `errorCode`, legacy `messageId`) that say more than the status.
const ERROR_CODES: Record<string, SmsErrorCode> = {
  E401: 'AUTH_FAILED',
  UNAUTHORIZED: 'AUTH_FAILED',
  E429: 'RATE_LIMITED',
  TOO_MANY_REQUESTS: 'RATE_LIMITED',
};

// Status names of a refused message that tell the flow more than "rejected".
const REJECTIONS: Record<string, { code: SmsErrorCode; retryable?: boolean }> = {
  REJECTED_PREFIX_MISSING: { code: 'INVALID_PHONE' },
  REJECTED_DESTINATION: { code: 'INVALID_PHONE' },
  MISSING_TO: { code: 'INVALID_PHONE' },
  REJECTED_MESSAGE_TOO_LONG: { code: 'INVALID_INPUT' },
  REJECTED_SYSTEM_ERROR: { code: 'PROVIDER_ERROR', retryable: true },
};

interface InfobipStatus {
  groupId?: unknown;
  groupName?: unknown;
  name?: unknown;
  description?: unknown;
}

export const infobip: SmsProvider = {
  id: 'infobip',
  displayName: 'Infobip',
  defaultBaseUrl: DEFAULT_BASE_URL,
  credentialFields: [
    {
      name: 'baseUrl',
      displayName: 'Base URL',
      secret: false,
      required: true,
      description: 'Your account’s API base URL from the Infobip portal, e.g. https://xxxxx.api.infobip.com',
    },
    { name: 'apiKey', displayName: 'API Key', secret: true, required: true },
    {
      name: 'webhookToken',
      displayName: 'Webhook Token',
      secret: true,
      required: false,
      description: 'Infobip does not sign webhooks: this shared secret, put in the webhook URL, stands in',
    },
  ],

  async send(msg: OutboundSms, ctx: ProviderContext): Promise<SendResult> {
    checkMessage('infobip', msg);
    const { apiKey } = requireCredentials('infobip', ctx, ['baseUrl', 'apiKey']);
    const validity = validitySeconds('infobip', msg.validitySeconds, MAX_VALIDITY_SECONDS);
    const sendAt = msg.sendAt === undefined ? undefined : scheduledAt(msg.sendAt, ctx);
    const from = sender(msg);

    const webhooks = {
      delivery: msg.statusCallbackUrl === undefined ? undefined : { url: msg.statusCallbackUrl },
      // Echoed in the delivery report, so reports can be matched to the caller's reference.
      callbackData: msg.clientRef,
    };
    const body = {
      messages: [
        {
          sender: from === undefined ? undefined : digits(from),
          destinations: [{ to: digits(msg.to) }],
          content: { text: msg.text },
          options: validity === undefined ? undefined : { validityPeriod: { amount: validity, timeUnit: 'SECONDS' } },
          webhooks: webhooks.delivery === undefined && webhooks.callbackData === undefined ? undefined : webhooks,
        },
      ],
      options: sendAt === undefined ? undefined : { schedule: { sendAt } },
    };
    const res = await call('infobip', ctx, {
      method: 'POST',
      url: endpoint('infobip', ctx, DEFAULT_BASE_URL, '/sms/3/messages'),
      headers: {
        authorization: schemeAuth('infobip', 'apiKey', 'App', apiKey),
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify(body),
    });
    if (res.status < 200 || res.status >= 300) throw infobipError(res);

    const answer = parseJson('infobip', res);
    const first = isRecord(answer) && Array.isArray(answer.messages) ? answer.messages[0] : undefined;
    if (!isRecord(first) || typeof first.messageId !== 'string' || first.messageId === '') {
      throw unreadableAnswer('infobip', res, 'no messageId');
    }
    const status = isRecord(first.status) ? (first.status as InfobipStatus) : undefined;
    const group = status === undefined ? undefined : groupOf(status);
    if (status !== undefined && group !== undefined && FAILED_GROUPS.has(group)) throw rejection(res, first.messageId, status);

    const result: SendResult = {
      provider: 'infobip',
      messageId: first.messageId,
      status: sendAt === undefined ? 'queued' : 'scheduled',
      to: msg.to,
      segments: (isRecord(first.details) ? positiveInt(first.details.messageCount) : undefined) ?? msg.segments,
      encoding: msg.encoding,
      raw: answer,
    };
    if (from !== undefined) result.from = from;
    if (msg.clientRef !== undefined) result.clientRef = msg.clientRef;
    if (msg.idempotencyKey !== undefined) result.idempotencyKey = msg.idempotencyKey;
    return result;
  },

  /**
   * Infobip's notify URLs are unsigned (reference/sms-domain.md §3.7): a shared token stands in,
   * in the URL's `token` query or as the Basic-auth password of the webhook.
   */
  verifySignature(req: WebhookRequest, credentials: ProviderCredentials): boolean {
    const token = typeof credentials?.webhookToken === 'string' ? credentials.webhookToken.trim() : '';
    if (!token) {
      throw new SmsError('MISSING_CREDENTIALS', 'infobip: the credential webhookToken is needed to check webhooks (Infobip does not sign them)', {
        provider: 'infobip',
      });
    }
    try {
      const q = req.query?.token;
      const inQuery = typeof q === 'string' ? q : undefined;
      const auth = header(req.headers, 'authorization');
      const basic = auth !== undefined && /^basic /i.test(auth) ? Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8') : undefined;
      const password = basic === undefined || !basic.includes(':') ? undefined : basic.slice(basic.indexOf(':') + 1);
      // Both are compared, whichever is present, so the time taken does not say which was tried.
      const a = safeEqual(inQuery ?? '', token) && inQuery !== undefined;
      const b = safeEqual(password ?? '', token) && password !== undefined;
      return a || b;
    } catch {
      return false;
    }
  },

  parseInbound(req: WebhookRequest): InboundSms[] {
    return results(req).map((r, i): InboundSms => {
      const label = (f: string) => `results[${i}].${f}`;
      const text = stringMember('infobip', r, 'text', MAX_TEXT_LENGTH, label('text')) ?? '';
      const received = stringMember('infobip', r, 'receivedAt', 40, label('receivedAt'));
      return {
        provider: 'infobip',
        messageId: requiredStringMember('infobip', r, 'messageId', 100, label('messageId')),
        from: plusNumber(requiredStringMember('infobip', r, 'from', 64, label('from'))),
        to: plusNumber(requiredStringMember('infobip', r, 'to', 64, label('to'))),
        text,
        receivedAt: received === undefined ? new Date().toISOString() : infobipTime(received, label('receivedAt')),
        keyword: detectKeyword(text),
        raw: dataCopy('infobip', r),
      };
    });
  },

  parseStatus(req: WebhookRequest): DeliveryReport[] {
    return results(req).map((r, i): DeliveryReport => {
      const label = (f: string) => `results[${i}].${f}`;
      const status = objectMember('infobip', r, 'status', label('status'));
      if (status === undefined) throw invalidWebhook('infobip', `field "${label('status')}" is missing`);
      const providerStatus = requiredStringMember('infobip', status, 'name', 80, label('status.name'));
      const d = describeStatus('infobip', providerStatus, {
        groupId: member(status, 'groupId') as number | string | undefined,
        groupName: stringMember('infobip', status, 'groupName', 80, label('status.groupName')),
        statusId: member(status, 'id') as number | string | undefined,
      });
      // When the status came about; a report without doneAt is still in flight.
      const timeField = stringMember('infobip', r, 'doneAt', 40, label('doneAt')) === undefined ? 'sentAt' : 'doneAt';
      const done = stringMember('infobip', r, timeField, 40, label(timeField));
      const report: DeliveryReport = {
        provider: 'infobip',
        messageId: requiredStringMember('infobip', r, 'messageId', 100, label('messageId')),
        status: d.status,
        final: d.final,
        providerStatus,
        occurredAt: done === undefined ? new Date().toISOString() : infobipTime(done, label(timeField)),
      };
      if (d.permanent !== undefined) report.permanent = d.permanent;
      const to = stringMember('infobip', r, 'to', 64, label('to'));
      if (to !== undefined) report.to = plusNumber(to);
      const error = reportError(r, label);
      if (error !== undefined) {
        report.errorCode = error.code;
        if (error.message !== undefined) report.errorMessage = error.message;
        if (error.permanent !== undefined) report.permanent = error.permanent;
      }
      const mccmnc = stringMember('infobip', r, 'mccMnc', 10, label('mccMnc'));
      if (mccmnc !== undefined) {
        if (!/^\d{5,6}$/.test(mccmnc)) throw invalidWebhook('infobip', `field "${label('mccMnc')}" must be 5 or 6 digits`);
        report.mccmnc = mccmnc;
      }
      const cost = reportPrice(r, label);
      if (cost !== undefined) report.price = cost;
      const clientRef = stringMember('infobip', r, 'callbackData', 4000, label('callbackData'));
      if (clientRef !== undefined) report.clientRef = clientRef;
      return report;
    });
  },

  webhookResponse(): HttpReply {
    return { status: 200 };
  },
};

const MAX_RESULTS = 1000;

function results(req: WebhookRequest): Record<string, unknown>[] {
  const list = member(bodyObject('infobip', req), 'results');
  if (!Array.isArray(list) || list.length === 0) throw invalidWebhook('infobip', 'field "results" must be a non-empty array');
  if (list.length > MAX_RESULTS) throw invalidWebhook('infobip', `field "results" holds more than ${MAX_RESULTS} entries`);
  return list.map((r, i) => {
    if (r === null || typeof r !== 'object' || Array.isArray(r)) throw invalidWebhook('infobip', `results[${i}] must be an object`);
    return r as Record<string, unknown>;
  });
}

/** A report's `error`, unless it is Infobip's "no error" (`{id: 0, name: "NO_ERROR", groupName: "OK"}`). */
function reportError(
  r: Record<string, unknown>,
  label: (f: string) => string,
): { code: string; message?: string; permanent?: boolean } | undefined {
  const error = objectMember('infobip', r, 'error', label('error'));
  if (error === undefined) return undefined;
  const id = member(error, 'id');
  const code = typeof id === 'number' && Number.isInteger(id) && id >= 0 ? String(id) : typeof id === 'string' && /^\d{1,10}$/.test(id) ? id : undefined;
  if (id !== undefined && id !== null && code === undefined) throw invalidWebhook('infobip', `field "${label('error.id')}" must be a whole number`);
  const group = stringMember('infobip', error, 'groupName', 80, label('error.groupName'));
  if (code === undefined || Number(code) === 0 || group?.toUpperCase() === 'OK') return undefined;
  const out: { code: string; message?: string; permanent?: boolean } = { code };
  const message = stringMember('infobip', error, 'description', 1000, label('error.description')) ?? stringMember('infobip', error, 'name', 200, label('error.name'));
  if (message !== undefined) out.message = message;
  const permanent = member(error, 'permanent');
  if (permanent !== undefined && permanent !== null && typeof permanent !== 'boolean') {
    throw invalidWebhook('infobip', `field "${label('error.permanent')}" must be true or false`);
  }
  if (typeof permanent === 'boolean') out.permanent = permanent;
  return out;
}

/**
 * What the message cost: `pricePerMessage` is per SMS part, and the report says how many parts
 * were sent (`messageCount`, `smsCount` in the older API).
 */
function reportPrice(r: Record<string, unknown>, label: (f: string) => string): { amount: number; currency?: string } | undefined {
  const p = objectMember('infobip', r, 'price', label('price'));
  const each = p === undefined ? undefined : member(p, 'pricePerMessage');
  if (p === undefined || each === undefined || each === null) return undefined;
  const currency = stringMember('infobip', p, 'currency', 8, label('price.currency'));
  const unit = (typeof each === 'number' || typeof each === 'string') && AMOUNT.test(String(each)) ? price(each, currency) : undefined;
  if (unit === undefined) throw invalidWebhook('infobip', `field "${label('price.pricePerMessage')}" must be an amount like 0.01`);
  const countField = member(r, 'messageCount') === undefined ? 'smsCount' : 'messageCount';
  const count = member(r, countField) ?? 1;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 255) {
    throw invalidWebhook('infobip', `field "${label(countField)}" must be a whole number of parts (1–255)`);
  }
  // Rounded to a hundred-millionth, so 0.0065 × 3 parts is not 0.019499999999999997.
  return { ...unit, amount: Math.round(unit.amount * count * 1e8) / 1e8 };
}

// A non-negative decimal, as a JSON number (Infobip's) or a string.
const AMOUNT = /^\d{1,10}(?:\.\d{1,12})?$/;

// "2019-11-09T16:00:00.000+0000": ISO with an offset without a colon.
const INFOBIP_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})$/;

function infobipTime(value: string, field: string): string {
  const ms = INFOBIP_TIME.test(value) ? Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) : Number.NaN;
  if (Number.isNaN(ms)) throw invalidWebhook('infobip', `field "${field}" must be a time like 2019-11-09T16:00:00.000+0000`);
  return new Date(ms).toISOString();
}

/** options.schedule.sendAt in Infobip's `yyyy-MM-dd'T'HH:mm:ss.SSSZ`. */
function scheduledAt(value: string, ctx: ProviderContext): string {
  const at = instant('infobip', value, 'sendAt');
  const ahead = at - (ctx.now?.() ?? Date.now());
  if (ahead <= 0 || ahead > MAX_SCHEDULE_MS) {
    throw new SmsError('INVALID_INPUT', 'infobip: sendAt must be in the future and at most 180 days ahead; leave it empty to send now', {
      provider: 'infobip',
    });
  }
  return new Date(at).toISOString().replace(/Z$/, '+0000');
}

function groupOf(status: InfobipStatus): string | undefined {
  if (typeof status.groupName === 'string') return status.groupName.toUpperCase();
  return typeof status.groupId === 'number' ? GROUP_NAMES[status.groupId] : undefined;
}

function rejection(res: HttpResponse, messageId: string, status: InfobipStatus): SmsError {
  const name = clip(status.name, 80);
  const known = lookup(REJECTIONS, name);
  const description = clip(status.description);
  return new SmsError(known?.code ?? 'PROVIDER_ERROR', `infobip: message ${clip(messageId, 80)} ${name ?? 'rejected'}${description ? ` ${description}` : ''}`, {
    provider: 'infobip',
    httpStatus: res.status,
    providerCode: name,
    retryable: known?.retryable ?? false,
  });
}

function infobipError(res: HttpResponse): SmsError {
  const b = tryJson(res.body);
  // Current body: { errorCode, description, violations: [{ property, violation }] }.
  // Legacy body, still sent by some endpoints: { requestError: { serviceException: { messageId, text, validationErrors } } }.
  const legacy = isRecord(b) && isRecord(b.requestError) && isRecord(b.requestError.serviceException) ? b.requestError.serviceException : undefined;
  const providerCode = isRecord(b) ? clip(b.errorCode, 40) ?? clip(legacy?.messageId, 40) : undefined;
  const violated = violatedFields(b, legacy);
  const detail = violated.length ? `(${violated.slice(0, 3).map((v) => clip(v, 80)).join(', ')})` : undefined;
  const message = [isRecord(b) ? clip(b.description) ?? clip(legacy?.text) : undefined, detail].filter(Boolean).join(' ') || undefined;

  const aboutRecipient = res.status < 500 && violated.some((f) => /destinations\[\d+\]\.to$/.test(f));
  const code = codeFor(res, ERROR_CODES, providerCode) ?? (aboutRecipient ? 'INVALID_PHONE' : undefined);
  return httpError('infobip', res, { providerCode, message, code });
}

/** The request fields the error names, from either body format. */
function violatedFields(b: unknown, legacy: Record<string, unknown> | undefined): string[] {
  const fields: string[] = [];
  if (isRecord(b) && Array.isArray(b.violations)) {
    for (const v of b.violations) if (isRecord(v) && typeof v.property === 'string') fields.push(v.property);
  }
  if (legacy && isRecord(legacy.validationErrors)) fields.push(...Object.keys(legacy.validationErrors));
  return fields;
}
