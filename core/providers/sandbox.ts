/**
 * The sandbox provider: sends nothing anywhere and needs no account, so a new user can build and
 * run a whole flow first (DESIGN.md §3). It accepts every well-formed message and, when the
 * message has a status callback URL, POSTs a simulated delivery report to it shortly after.
 *
 * Simulated outcomes, for demos of the failure paths: recipients +1 NPA 555-0190 … 0194 (the
 * 555-01xx range is reserved for fictional use) behave as listed in SANDBOX_SCENARIOS, for any
 * area code; every other recipient is delivered.
 */
import { randomUUID } from 'node:crypto';
import { SmsError } from '../errors';
import type { DeliveryReport, HttpResponse, NormalizedStatus, OutboundSms, ProviderContext, SendResult, SmsProvider } from '../types';
import { checkMessage, instant, lookup } from './http';

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
      later(wait, () => postReport(ctx, url, JSON.stringify(report(msg, messageId, scenario, ctx)), 0));
    }
    return result;
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
function postReport(ctx: ProviderContext, url: string, body: string, attempt: number): void {
  const retry = (): void => {
    const pause = CALLBACK_RETRY_DELAYS_MS[attempt];
    if (pause !== undefined) later(pause, () => postReport(ctx, url, body, attempt + 1));
  };
  let pending: Promise<HttpResponse>;
  try {
    pending = ctx.http({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', 'user-agent': 'a2p-kit-sandbox' },
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
