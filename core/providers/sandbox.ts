/**
 * The sandbox provider: sends nothing anywhere and needs no account, so a new user can build and
 * run a whole flow first (DESIGN.md §3). It accepts every well-formed message and, when the
 * message has a status callback URL, POSTs a simulated delivery report to it shortly after.
 *
 * Simulated outcomes, for demos of the failure paths: recipients +1 NPA 555-0190 … 0194 (the
 * 555-01xx range is reserved for fictional use) behave as listed in SANDBOX_SCENARIOS, for any
 * area code; every other recipient is delivered.
 *
 * Webhooks: the inbound endpoint takes `{ from, to, text, messageId?, receivedAt? }` (or an array
 * of them) so a flow can be tested with curl; the status endpoint takes the DeliveryReport JSON
 * this provider posts (or an array). With the credential webhookSecret set, both must carry
 * `x-sandbox-signature` = hex HMAC-SHA256(webhookSecret, raw body), and the simulated reports are
 * signed so; without it they are accepted unsigned, which is for demos and tests only.
 */
import { randomUUID } from 'node:crypto';
import { detectKeyword } from '../consent/keywords';
import { describeStatus } from '../delivery/normalize';
import { NORMALIZED_STATUSES, isFinal, isNormalizedStatus } from '../delivery/status';
import { SmsError, kindOf } from '../errors';
import type {
  DeliveryReport,
  HttpReply,
  HttpResponse,
  InboundSms,
  NormalizedStatus,
  OutboundSms,
  ProviderContext,
  ProviderCredentials,
  SendResult,
  SmsProvider,
  WebhookRequest,
} from '../types';
import { header, hmac, safeEqual } from '../webhook/safe-equal';
import { checkMessage, instant, isRecord, lookup } from './http';
import { MAX_TEXT_LENGTH, dataCopy, isoUtc } from './webhook-params';

/** What a reserved fictional number does: a report of a failure, or a refusal at send. */
export type SandboxScenario =
  | { kind: 'report'; status: Extract<NormalizedStatus, 'undelivered' | 'failed' | 'expired'>; errorCode: string; errorMessage: string }
  | { kind: 'reject'; code: 'INVALID_PHONE' | 'OPTED_OUT'; message: string };

/** Last four digits of +1 NPA 555-xxxx → simulated outcome. */
export const SANDBOX_SCENARIOS: Readonly<Record<string, SandboxScenario>> = {
  '0190': { kind: 'report', status: 'undelivered', errorCode: 'sandbox-undelivered', errorMessage: 'Simulated: handset unreachable' },
  '0191': { kind: 'report', status: 'failed', errorCode: 'sandbox-failed', errorMessage: 'Simulated: rejected by the carrier' },
  '0192': { kind: 'report', status: 'expired', errorCode: 'sandbox-expired', errorMessage: 'Simulated: validity period elapsed' },
  '0193': { kind: 'reject', code: 'INVALID_PHONE', message: 'sandbox: simulated invalid recipient' },
  '0194': { kind: 'reject', code: 'OPTED_OUT', message: 'sandbox: simulated opted-out recipient (STOP)' },
};

/** Carries hex HMAC-SHA256(webhookSecret, raw body) when the credential webhookSecret is set. */
export const SANDBOX_SIGNATURE_HEADER = 'x-sandbox-signature';

const SCENARIO_NUMBER = /^\+1\d{3}555(\d{4})$/;
const DEFAULT_REPORT_DELAY_MS = 300;
const MAX_REPORT_DELAY_MS = 60_000;
// Attempts after the first one, and the pause before each: a simulation need not try harder.
const CALLBACK_RETRY_DELAYS_MS = [1_000, 3_000];
// setTimeout fires at once beyond this; a report that far out waits the maximum instead.
const MAX_TIMER_MS = 2 ** 31 - 1;

export const sandbox: SmsProvider = {
  id: 'sandbox',
  displayName: 'Sandbox (no account needed)',
  // Nothing is ever called; the field exists for the shape every provider shares.
  defaultBaseUrl: '',
  credentialFields: [
    {
      name: 'reportDelayMs',
      displayName: 'Report Delay (ms)',
      secret: false,
      required: false,
      default: String(DEFAULT_REPORT_DELAY_MS),
      description: `How long after sending the simulated delivery report is POSTed to the status callback URL (0–${MAX_REPORT_DELAY_MS})`,
    },
    {
      name: 'webhookSecret',
      displayName: 'Webhook Secret',
      secret: true,
      required: false,
      description:
        `Signs simulated delivery reports and is required of requests to the sandbox webhooks (header ${SANDBOX_SIGNATURE_HEADER}: ` +
        'hex HMAC-SHA256 of the body). Empty: the webhooks accept unsigned requests — for demos and tests only',
    },
  ],

  async send(msg: OutboundSms, ctx: ProviderContext): Promise<SendResult> {
    checkMessage('sandbox', msg);
    const delayMs = reportDelay(ctx.credentials.reportDelayMs);
    const now = ctx.now?.() ?? Date.now();
    const sendAt = msg.sendAt === undefined ? undefined : instant('sandbox', msg.sendAt, 'sendAt');
    const scenario = scenarioOf(msg.to);
    if (scenario?.kind === 'reject') throw new SmsError(scenario.code, scenario.message, { provider: 'sandbox' });

    const messageId = `sandbox-${randomUUID()}`;
    const scheduled = sendAt !== undefined && sendAt > now;
    const result: SendResult = {
      provider: 'sandbox',
      messageId,
      status: scheduled ? 'scheduled' : 'queued',
      to: msg.to,
      segments: msg.segments,
      encoding: msg.encoding,
    };
    if (msg.from?.trim()) result.from = msg.from.trim();
    if (msg.clientRef !== undefined) result.clientRef = msg.clientRef;
    if (msg.idempotencyKey !== undefined) result.idempotencyKey = msg.idempotencyKey;

    if (msg.statusCallbackUrl !== undefined) {
      const wait = Math.min((scheduled ? sendAt - now : 0) + delayMs, MAX_TIMER_MS);
      const url = msg.statusCallbackUrl;
      const secret = webhookSecret(ctx.credentials);
      later(wait, () => {
        const body = JSON.stringify(report(msg, messageId, scenario, ctx));
        const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'a2p-kit-sandbox' };
        if (secret !== undefined) headers[SANDBOX_SIGNATURE_HEADER] = hmac('sha256', secret, body, 'hex');
        postReport(ctx, url, body, headers, 0);
      });
    }
    return result;
  },

  verifySignature(req: WebhookRequest, credentials: ProviderCredentials): boolean {
    const secret = webhookSecret(credentials);
    // Documented: without a secret the sandbox webhooks are open (demos, tests), never a real account.
    if (secret === undefined) return true;
    try {
      const signature = header(req.headers, SANDBOX_SIGNATURE_HEADER);
      if (signature === undefined || signature.length > 128) return false;
      return safeEqual(signature.toLowerCase(), hmac('sha256', secret, req.rawBody, 'hex'));
    } catch {
      return false;
    }
  },

  parseInbound(req: WebhookRequest): InboundSms[] {
    return items(req, 'message').map(([item, where]) => inboundItem(item, where));
  },

  parseStatus(req: WebhookRequest): DeliveryReport[] {
    return items(req, 'report').map(([item, where]) => reportItem(item, where));
  },

  webhookResponse(kind: 'inbound' | 'status'): HttpReply {
    if (kind !== 'inbound' && kind !== 'status') {
      throw new SmsError('INVALID_INPUT', 'sandbox: webhook kind must be "inbound" or "status"', { provider: 'sandbox' });
    }
    return { status: 200 };
  },
};


function reportDelay(v: string | undefined): number {
  if (v === undefined || v.trim() === '') return DEFAULT_REPORT_DELAY_MS;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > MAX_REPORT_DELAY_MS) {
    throw new SmsError('INVALID_INPUT', `sandbox: reportDelayMs must be a whole number from 0 to ${MAX_REPORT_DELAY_MS}`, {
      provider: 'sandbox',
    });
  }
  return n;
}

function scenarioOf(to: string): SandboxScenario | undefined {
  return lookup(SANDBOX_SCENARIOS, SCENARIO_NUMBER.exec(to)?.[1]);
}

/** Built when the timer fires, so occurredAt is the simulated delivery time. */
function report(msg: OutboundSms, messageId: string, scenario: SandboxScenario | undefined, ctx: ProviderContext): DeliveryReport {
  const r: DeliveryReport = {
    provider: 'sandbox',
    messageId,
    status: 'delivered',
    final: true,
    providerStatus: 'delivered',
    to: msg.to,
    occurredAt: new Date(ctx.now?.() ?? Date.now()).toISOString(),
  };
  if (scenario?.kind === 'report') {
    r.status = scenario.status;
    r.providerStatus = scenario.status;
    r.errorCode = scenario.errorCode;
    r.errorMessage = scenario.errorMessage;
    r.permanent = true;
  }
  if (msg.clientRef !== undefined) r.clientRef = msg.clientRef;
  return r;
}

function later(ms: number, fn: () => void): void {
  // unref: a pending simulated report must never keep a process (a test run, a CLI) alive.
  setTimeout(fn, ms).unref();
}

/** Swallows every failure: the report is a simulation and the send has long returned. */
function postReport(ctx: ProviderContext, url: string, body: string, headers: Record<string, string>, attempt: number): void {
  const retry = (): void => {
    const pause = CALLBACK_RETRY_DELAYS_MS[attempt];
    if (pause !== undefined) later(pause, () => postReport(ctx, url, body, headers, attempt + 1));
  };
  let pending: Promise<HttpResponse>;
  try {
    pending = ctx.http({
      method: 'POST',
      url,
      headers,
      body,
      timeoutMs: ctx.timeoutMs ?? 10_000,
    });
  } catch {
    retry();
    return;
  }
  Promise.resolve(pending)
    .then(
      (res) => {
        // Like real providers: retry what may pass later (5xx, 429), give up on other refusals.
        const status = res?.status ?? 0;
        if (status >= 500 || status === 429 || status === 0) retry();
      },
      () => retry(),
    )
    .catch(() => undefined);
}

// ---------------------------------------------------------------------------------------------
// Webhooks: strict, since nobody but this provider and its users' tests send these bodies.

const MAX_ITEMS = 1000;
const MAX_ID_LENGTH = 200;
const E164 = /^\+[1-9]\d{6,14}$/;
const INBOUND_FIELDS = new Set(['from', 'to', 'text', 'messageId', 'receivedAt']);
const REPORT_FIELDS = new Set([
  'provider',
  'messageId',
  'status',
  'final',
  'providerStatus',
  'errorCode',
  'errorMessage',
  'permanent',
  'to',
  'occurredAt',
  'part',
  'price',
  'clientRef',
  'mccmnc',
  'sequence',
]);

function webhookSecret(credentials: ProviderCredentials | undefined): string | undefined {
  const v = credentials?.webhookSecret;
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

function fail(where: string, message: string): SmsError {
  return new SmsError('INVALID_INPUT', `sandbox: ${where}${message}`, { provider: 'sandbox' });
}

/** The body's objects, each with the prefix its errors carry (`report 3: ` in an array). */
function items(req: WebhookRequest, what: string): [Record<string, unknown>, string][] {
  const body: unknown = req?.body;
  if (Array.isArray(body)) {
    if (body.length === 0 || body.length > MAX_ITEMS) throw fail('', `the body must hold 1 to ${MAX_ITEMS} ${what}s; got ${body.length}`);
    return body.map((item: unknown, i) => {
      if (!isRecord(item)) throw fail(`${what} ${i + 1}: `, `must be an object; got ${kindOf(item)}`);
      return [item, `${what} ${i + 1}: `];
    });
  }
  if (!isRecord(body)) throw fail('', `the body must be a JSON ${what} or an array of them; got ${kindOf(body)}`);
  return [[body, '']];
}

function onlyFields(o: Record<string, unknown>, allowed: ReadonlySet<string>, where: string): void {
  for (const key of Object.keys(o)) {
    if (!allowed.has(key)) throw fail(where, `field ${JSON.stringify(key.slice(0, 40))} is not one of ${[...allowed].join(', ')}`);
  }
}

function field(o: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

function str(o: Record<string, unknown>, key: string, where: string, max: number, required: boolean): string | undefined {
  const v = field(o, key);
  if (v === undefined) {
    if (required) throw fail(where, `field "${key}" is missing`);
    return undefined;
  }
  if (typeof v !== 'string') throw fail(where, `field "${key}" must be a string; got ${kindOf(v)}`);
  if (v.length > max) throw fail(where, `field "${key}" is longer than ${max} characters`);
  return v;
}

function id(o: Record<string, unknown>, key: string, where: string, required: boolean): string | undefined {
  const v = str(o, key, where, MAX_ID_LENGTH, required);
  if (v !== undefined && v.trim() === '') throw fail(where, `field "${key}" must not be empty`);
  return v;
}

function phone(o: Record<string, unknown>, key: string, where: string, required: boolean): string | undefined {
  const v = str(o, key, where, 16, required);
  if (v !== undefined && !E164.test(v)) throw fail(where, `field "${key}" must be an E.164 number such as +14155550100`);
  return v;
}

function time(o: Record<string, unknown>, key: string, where: string): string | undefined {
  const v = field(o, key);
  return v === undefined ? undefined : isoUtc('sandbox', v, `${where}field "${key}"`);
}

function inboundItem(o: Record<string, unknown>, where: string): InboundSms {
  onlyFields(o, INBOUND_FIELDS, where);
  const text = str(o, 'text', where, MAX_TEXT_LENGTH, true) as string;
  return {
    provider: 'sandbox',
    messageId: id(o, 'messageId', where, false) ?? `sandbox-in-${randomUUID()}`,
    from: phone(o, 'from', where, true) as string,
    to: phone(o, 'to', where, true) as string,
    text,
    receivedAt: time(o, 'receivedAt', where) ?? new Date().toISOString(),
    keyword: detectKeyword(text),
    raw: dataCopy('sandbox', o),
  };
}

function reportItem(o: Record<string, unknown>, where: string): DeliveryReport {
  onlyFields(o, REPORT_FIELDS, where);
  if (field(o, 'provider') !== 'sandbox') throw fail(where, 'field "provider" must be "sandbox"');
  const messageId = id(o, 'messageId', where, true) as string;
  const status = field(o, 'status');
  if (!isNormalizedStatus(status)) throw fail(where, `field "status" must be one of ${NORMALIZED_STATUSES.join(', ')}`);
  const final = field(o, 'final');
  if (final !== isFinal(status)) throw fail(where, `field "final" must be ${isFinal(status)} for status ${status}`);
  const providerStatus = str(o, 'providerStatus', where, 64, true) as string;
  if (describeStatus('sandbox', providerStatus).status !== status) {
    throw fail(where, `field "providerStatus" must be the status word itself (${status})`);
  }
  const occurredAt = time(o, 'occurredAt', where);
  if (occurredAt === undefined) throw fail(where, 'field "occurredAt" is missing');

  const r: DeliveryReport = { provider: 'sandbox', messageId, status: status as NormalizedStatus, final, providerStatus, occurredAt };
  const errorCode = str(o, 'errorCode', where, 100, false);
  if (errorCode !== undefined) r.errorCode = errorCode;
  const errorMessage = str(o, 'errorMessage', where, 1000, false);
  if (errorMessage !== undefined) r.errorMessage = errorMessage;
  const permanent = field(o, 'permanent');
  if (permanent !== undefined) {
    if (typeof permanent !== 'boolean') throw fail(where, 'field "permanent" must be true or false');
    r.permanent = permanent;
  }
  const to = phone(o, 'to', where, false);
  if (to !== undefined) r.to = to;
  const part = whole(o, 'part', where, 1, 255);
  if (part !== undefined) r.part = part;
  const sequence = whole(o, 'sequence', where, 0, Number.MAX_SAFE_INTEGER);
  if (sequence !== undefined) r.sequence = sequence;
  const clientRef = str(o, 'clientRef', where, 256, false);
  if (clientRef !== undefined) r.clientRef = clientRef;
  const mccmnc = str(o, 'mccmnc', where, 6, false);
  if (mccmnc !== undefined) {
    if (!/^\d{5,6}$/.test(mccmnc)) throw fail(where, 'field "mccmnc" must be 5 or 6 digits');
    r.mccmnc = mccmnc;
  }
  const cost = field(o, 'price');
  if (cost !== undefined) r.price = priceOf(cost, where);
  return r;
}

function whole(o: Record<string, unknown>, key: string, where: string, min: number, max: number): number | undefined {
  const v = field(o, key);
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw fail(where, `field "${key}" must be a whole number from ${min} to ${max}`);
  }
  return v;
}

function priceOf(v: unknown, where: string): { amount: number; currency?: string } {
  if (!isRecord(v)) throw fail(where, `field "price" must be an object; got ${kindOf(v)}`);
  onlyFields(v, new Set(['amount', 'currency']), `${where}price: `);
  const amount = field(v, 'amount');
  if (typeof amount !== 'number' || !Number.isFinite(amount)) throw fail(where, 'field "price.amount" must be a finite number');
  const currency = field(v, 'currency');
  if (currency === undefined) return { amount };
  if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) throw fail(where, 'field "price.currency" must be a three-letter code');
  return { amount, currency };
}
