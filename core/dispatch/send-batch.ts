/**
 * sendBatch: every request of a batch prepared, claimed, rate-limited, sent and retried, at
 * bounded concurrency, with one outcome per request in input order.
 *
 * It rejects only when the batch as a whole cannot run (see resolve-options.ts: malformed options,
 * unknown provider, `requests` not an array or too long). Anything wrong with one item — shape,
 * number, text, segments, store, provider — becomes that item's `ok: false` outcome and the other
 * items go on.
 *
 * With `consent` set, each item passes the consent gate (consent.ts) once its number is normalised
 * and before its key is claimed: a refused item (OPTED_OUT, NO_CONSENT) claims nothing and sends
 * nothing. A dry run passes the gate too, so it shows who would be refused.
 *
 * Progress counts an item as `sent` when its outcome is ok: sent now, found already sent
 * (duplicate), or validated in a dry run; `failed` otherwise.
 *
 * Once `signal` aborts, no further item starts and every wait (rate slot, backoff, another run's
 * claim) ends: those items fail with CANCELED, holding no claim, so a later run sends exactly
 * them. Requests already on the wire finish and are recorded as usual.
 */
import { SmsError, toSmsError } from '../errors';
import { clip } from '../providers/http';
import type { ProviderContext, SendResult } from '../types';
import { cancelableSleep, canceledError } from './cancel';
import { consentRefusal } from './consent';
import { credentialIdentity, publicAccountId } from './credential-identity';
import { deliver, type DeliverySettings } from './deliver';
import { runPool } from './pool';
import { prepareMessage, type PrepareSettings, type PreparedMessage } from './prepare-message';
import { resolveOptions, type ResolvedOptions } from './resolve-options';
import { DEFAULT_MAX_RETRY_AFTER_MS, DEFAULT_RETRY_CAP_MS } from './retry';
import type { DispatchOptions, SendOutcome, SendRequest } from './types';

/** More than this is a runaway expression, not a batch: the outcomes alone would exhaust memory. */
export const MAX_BATCH_SIZE = 1_000_000;

// A pending claim older than the request timeout plus this counts as left by a crashed run. The
// claim is held through rate-slot waits of up to half the margin (a longer wait gives the claim
// back first): the other half absorbs a slow store and clocks that disagree.
const LEASE_MARGIN_MS = 10 * 60_000;
const MAX_CLAIMED_WAIT_MS = LEASE_MARGIN_MS / 2;

// Polling another run's live claim on the same key: quick at first (its send is usually one
// request away from done), then every few seconds until its lease ends.
const PENDING_POLL_MIN_MS = 50;
const PENDING_POLL_CAP_MS = 5000;

/**
 * The result a dry run reports: what would be sent (recipient, sender, segments, encoding, key),
 * with an empty `messageId` and status `unknown` because no message exists, and `raw.dryRun` so
 * that a node showing only the result still shows that nothing went out.
 */
function dryRunResult(prepared: PreparedMessage, opts: ResolvedOptions): SendResult {
  const { msg } = prepared;
  const result: SendResult = {
    provider: opts.provider.id,
    messageId: '',
    status: 'unknown',
    to: msg.to,
    segments: msg.segments,
    encoding: msg.encoding,
    idempotencyKey: msg.idempotencyKey,
    raw: { dryRun: true },
  };
  if (msg.from !== undefined) result.from = msg.from;
  if (msg.clientRef !== undefined) result.clientRef = msg.clientRef;
  return result;
}

function deliverySettings(opts: ResolvedOptions): DeliverySettings {
  const ctx: ProviderContext = { credentials: opts.credentials, http: opts.http, timeoutMs: opts.timeoutMs, now: opts.now };
  const sleep = cancelableSleep(opts.sleep, opts.signal, opts.provider.id);
  const settings: DeliverySettings = {
    provider: opts.provider,
    ctx,
    idempotencyWindowMs: opts.idempotencyWindowMs,
    leaseMs: opts.timeoutMs + LEASE_MARGIN_MS,
    maxClaimedWaitMs: MAX_CLAIMED_WAIT_MS,
    pendingPoll: { baseMs: Math.max(opts.retryBaseMs, PENDING_POLL_MIN_MS), capMs: PENDING_POLL_CAP_MS },
    clock: { now: opts.now, sleep },
    retry: {
      retries: opts.retries,
      baseMs: opts.retryBaseMs,
      capMs: DEFAULT_RETRY_CAP_MS,
      maxRetryAfterMs: DEFAULT_MAX_RETRY_AFTER_MS,
      random: opts.random,
      sleep,
    },
  };
  if (opts.store) settings.store = opts.store;
  if (opts.signal) settings.signal = opts.signal;
  if (opts.ratePerSecond !== undefined) {
    settings.rate = { identity: credentialIdentity(opts.provider.id, opts.credentials), perSecond: opts.ratePerSecond };
  }
  return settings;
}

/**
 * The first delivery of each idempotency key in this batch. A twin (the same message twice in one
 * batch) waits for it instead of meeting its live claim in the store, and shares its outcome.
 */
type FirstDeliveries = Map<string, { to: string; delivery: Promise<SendResult> }>;

async function deliverOnce(prepared: PreparedMessage, delivery: DeliverySettings, firsts: FirstDeliveries): Promise<SendResult> {
  const { msg } = prepared;
  const first = firsts.get(msg.idempotencyKey);
  if (first === undefined) {
    const promise = deliver(prepared, delivery);
    firsts.set(msg.idempotencyKey, { to: msg.to, delivery: promise });
    return promise;
  }
  if (first.to !== msg.to) {
    throw new SmsError(
      'IDEMPOTENCY_CONFLICT',
      `idempotency key "${clip(msg.idempotencyKey, 80)}" is used by an earlier item of this batch for another recipient; nothing was sent — use a key per message`,
      { provider: delivery.provider.id },
    );
  }
  const result = await first.delivery;
  return { ...result, duplicate: true };
}

async function processItem(
  index: number,
  item: unknown,
  opts: ResolvedOptions,
  prep: PrepareSettings,
  delivery: DeliverySettings,
  firsts: FirstDeliveries,
): Promise<SendOutcome> {
  const preparation = prepareMessage(item, prep);
  if (!preparation.ok) {
    return preparation.analysis === undefined
      ? { index, ok: false, error: preparation.error }
      : { index, ok: false, error: preparation.error, analysis: preparation.analysis };
  }
  const { prepared } = preparation;
  if (opts.consent) {
    const refusal = await consentRefusal(opts.store, prepared.msg.to, opts.consent);
    if (refusal) return { index, ok: false, error: refusal, analysis: prepared.analysis };
  }
  if (opts.dryRun) return { index, ok: true, result: dryRunResult(prepared, opts), analysis: prepared.analysis, dryRun: true };
  try {
    const result = await deliverOnce(prepared, delivery, firsts);
    return { index, ok: true, result, analysis: prepared.analysis };
  } catch (e) {
    return { index, ok: false, error: toSmsError(e), analysis: prepared.analysis };
  }
}

export async function sendBatch(requests: SendRequest[], opts: DispatchOptions): Promise<SendOutcome[]> {
  if (!Array.isArray(requests)) throw new SmsError('INVALID_INPUT', 'requests must be an array of send requests');
  if (requests.length > MAX_BATCH_SIZE) {
    throw new SmsError('INVALID_INPUT', `a batch holds at most ${MAX_BATCH_SIZE} requests, got ${requests.length}`);
  }
  const resolved = resolveOptions(opts);
  const prep: PrepareSettings = {
    provider: resolved.provider.id,
    smartEncoding: resolved.smartEncoding,
    maxSegments: resolved.maxSegments,
    idempotencyScope: resolved.idempotencyScope,
  };
  if (resolved.defaultCountry !== undefined) prep.defaultCountry = resolved.defaultCountry;
  const account = publicAccountId(resolved.provider, resolved.credentials);
  if (account !== undefined) prep.account = account;
  const delivery = deliverySettings(resolved);
  const firsts: FirstDeliveries = new Map();

  const total = requests.length;
  const outcomes = new Array<SendOutcome>(total);
  const progress = { done: 0, total, sent: 0, failed: 0 };

  await runPool(total, resolved.concurrency, async (index) => {
    let outcome: SendOutcome;
    try {
      // Once canceled, no item starts: each fails unclaimed, the ones under way finish.
      outcome = resolved.signal?.aborted
        ? { index, ok: false, error: canceledError(resolved.provider.id) }
        : await processItem(index, requests[index], resolved, prep, delivery, firsts);
    } catch (e) {
      // processItem turns every expected failure into an outcome; this catches the unexpected
      // (a hostile getter on an item, a bug) so one item still cannot sink the batch.
      outcome = { index, ok: false, error: toSmsError(e, 'INVALID_INPUT') };
    }
    outcomes[index] = outcome;
    progress.done++;
    if (outcome.ok) progress.sent++;
    else progress.failed++;
    if (resolved.onProgress) {
      try {
        resolved.onProgress({ ...progress });
      } catch {
        // A status display that throws must not turn sent messages into failed ones.
      }
    }
  });
  return outcomes;
}
