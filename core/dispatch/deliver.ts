/**
 * One prepared message to the provider, at most once per idempotency key: claim the key in the
 * store, wait for a rate slot, send, record the result — retrying what is safe to retry.
 *
 * Every attempt claims anew and gives the claim back when it fails, rather than holding it across
 * backoff sleeps: a claim held through several Retry-After waits could outlive its lease, and a
 * second run would then take it over and send the same message again. For the same reason a
 * long wait for a rate slot is not spent holding the claim (see claimAndSlot).
 */
import { SmsError, toSmsError } from '../errors';
import { clip, redact } from '../providers/http';
import type { ProviderContext, SendResult, SmsProvider, Store } from '../types';
import { throwIfCanceled } from './cancel';
import { reserveSlot, type RateClock } from './rate-limiter';
import { isRetryable, withRetries, type RetryPolicy } from './retry';
import type { PreparedMessage } from './prepare-message';

export interface DeliverySettings {
  provider: SmsProvider;
  ctx: ProviderContext;
  store?: Store;
  idempotencyWindowMs: number;
  /** How long a pending claim is honoured: the request timeout plus a margin. */
  leaseMs: number;
  /**
   * The longest rate-slot wait spent holding the claim; a longer one gives the claim back first
   * and claims again after, so the claim never outlives its lease.
   */
  maxClaimedWaitMs: number;
  /** Polling another run's live claim on the same key: first and longest pause. */
  pendingPoll: { baseMs: number; capMs: number };
  /** Set when sends are rate-limited: the account's bucket identity and its rate. */
  rate?: { identity: string; perSecond: number };
  /** `sleep` here and in `retry` rejects with CANCELED once `signal` aborts. */
  clock: RateClock;
  retry: RetryPolicy;
  signal?: AbortSignal;
}

// A coded error from the store (STORE_ERROR, or INVALID_INPUT for a key it refuses) keeps its code.
function storeError(e: unknown): SmsError {
  if (e instanceof SmsError) return e;
  const detail = e instanceof Error ? e.message : String(e);
  return new SmsError('STORE_ERROR', `store: ${detail}`, { cause: e });
}

// An adapter that throws something other than an SmsError may have done so after its request
// left: treat it as possibly sent, so the key is not released for a blind re-send. Its message
// was written by nobody who knew it would reach an output: credential values are cut out.
function providerError(e: unknown, provider: SmsProvider, ctx: ProviderContext): SmsError {
  if (e instanceof SmsError) return e;
  const secrets = Object.values(ctx.credentials).filter((v): v is string => typeof v === 'string');
  const detail = redact(e instanceof Error ? e.message : String(e), secrets);
  return new SmsError('PROVIDER_ERROR', `${provider.id}: ${detail}`, { provider: provider.id, inDoubt: true });
}

/** What one claimSend call means here: ours, already sent (the stored result), or another run's live claim. */
type ClaimAnswer = { kind: 'claimed' } | { kind: 'sent'; result: SendResult } | { kind: 'pending'; claimedAtMs: number };

async function claimOnce(store: Store, msg: PreparedMessage['msg'], s: DeliverySettings): Promise<ClaimAnswer> {
  let answer;
  try {
    answer = await store.claimSend(msg.idempotencyKey, {
      provider: s.provider.id,
      to: msg.to,
      leaseMs: s.leaseMs,
      windowMs: s.idempotencyWindowMs,
    });
  } catch (e) {
    throw storeError(e);
  }
  if (typeof answer !== 'object' || answer === null) throw storeError(new Error('claimSend gave no answer'));
  if (answer.claimed) return { kind: 'claimed' };
  switch (answer.state) {
    case 'sent':
      if (typeof answer.result !== 'object' || answer.result === null) throw storeError(new Error('claimSend: sent without a result'));
      return { kind: 'sent', result: { ...answer.result, duplicate: true } };
    case 'pending': {
      const claimedAtMs = Date.parse(answer.claimedAt);
      return { kind: 'pending', claimedAtMs: Number.isNaN(claimedAtMs) ? s.clock.now() : claimedAtMs };
    }
    case 'in-doubt':
      throw new SmsError(
        'SEND_IN_DOUBT',
        `an earlier attempt (claimed ${answer.claimedAt}) may have reached ${s.provider.id}; check its log before sending again with a new idempotency key`,
        { provider: s.provider.id },
      );
    case 'conflict': {
      // The other recipient is not named: it belongs to another message, maybe another flow's.
      const other = answer.provider !== s.provider.id ? `provider ${answer.provider}` : 'another recipient';
      throw new SmsError(
        'IDEMPOTENCY_CONFLICT',
        `idempotency key "${clip(msg.idempotencyKey, 80)}" was already used (claimed ${answer.claimedAt}) for ${other}; nothing was sent — use a key per message`,
        { provider: s.provider.id },
      );
    }
    default:
      throw storeError(new Error('claimSend answered an unknown state'));
  }
}

/**
 * Claims the key, or answers the stored result. While another run holds a live claim on it (the
 * same message in an overlapping run), waits with backoff for that run to finish — up to the end
 * of its lease, which is when the store stops honouring it — rather than giving up after the few
 * retries meant for provider errors. Returns null once claimed.
 */
async function claimOrWait(store: Store, msg: PreparedMessage['msg'], s: DeliverySettings): Promise<SendResult | null> {
  // Counts the pauses asked for, besides the clock: an injected sleep that does not advance the
  // clock must still end the wait.
  let paused = 0;
  for (let n = 0; ; n++) {
    const answer = await claimOnce(store, msg, s);
    if (answer.kind === 'claimed') return null;
    if (answer.kind === 'sent') return answer.result;
    // The other run's lease is assumed to be ours: runs of one package version agree on it.
    const left = Math.min(answer.claimedAtMs + s.leaseMs - s.clock.now(), s.leaseMs - paused);
    if (left <= 0) {
      throw new SmsError(
        'SEND_IN_PROGRESS',
        `another run has been sending this message since ${new Date(answer.claimedAtMs).toISOString()}; gave up waiting for it`,
        { provider: s.provider.id, retryable: true },
      );
    }
    const pause = Math.min(s.pendingPoll.capMs, s.pendingPoll.baseMs * 2 ** Math.min(n, 30), left);
    await s.clock.sleep(pause);
    paused += pause;
  }
}

async function release(store: Store, key: string, inDoubt: boolean, error: SmsError): Promise<boolean> {
  try {
    await store.releaseSend(key, { inDoubt, error: error.toJSON() });
    return true;
  } catch {
    return false;
  }
}

/** Resolves with the provider's result (or the stored one, marked duplicate); rejects with an SmsError. */
export async function deliver(prepared: PreparedMessage, s: DeliverySettings): Promise<SendResult> {
  const { msg } = prepared;
  const key = msg.idempotencyKey;
  const providerId = s.provider.id;
  // Set when a failed attempt could not give its claim back: claiming again would only meet our
  // own stale claim, so retrying is pointless.
  let claimStuck = false;

  /**
   * Claims the key (unless there is no store) and waits for this account's next rate slot.
   * Returns the stored result when the message was sent already, null when it is ours to send.
   *
   * A slot is reserved only once the claim is ours: reserved first, a re-run of a thousand
   * duplicates would push every later send a thousand slots back. A wait longer than
   * maxClaimedWaitMs gives the claim back first (as failed: nothing was sent) and claims again
   * after it; should another run have sent the message meanwhile, the slot just goes unused.
   */
  const claimAndSlot = async (): Promise<SendResult | null> => {
    const store = s.store;
    if (store) {
      const stored = await claimOrWait(store, msg, s);
      if (stored) return stored;
    }
    if (!s.rate) return null;
    const wait = reserveSlot(s.rate.identity, s.rate.perSecond, s.clock.now());
    if (wait <= 0) return null;
    if (!store || wait <= s.maxClaimedWaitMs) {
      try {
        await s.clock.sleep(wait);
      } catch (e) {
        // Canceled while holding the claim: give it back, nothing was sent.
        if (store && !(await release(store, key, false, toSmsError(e)))) claimStuck = true;
        throw e;
      }
      return null;
    }
    const waiting = new SmsError('RATE_LIMITED', `waiting ${Math.ceil(wait)} ms for a rate slot; claimed again after the wait`, {
      provider: providerId,
      retryable: true,
    });
    // Should the release fail, keep the claim through the wait: another run may then find it in
    // doubt after the lease, which is safe; sending it twice would not be.
    const released = await release(store, key, false, waiting);
    try {
      await s.clock.sleep(wait);
    } catch (e) {
      // Canceled: the log says so rather than "waiting for a slot", and a claim kept is given back.
      if (!(await release(store, key, false, toSmsError(e))) && !released) claimStuck = true;
      throw e;
    }
    if (!released) return null;
    throwIfCanceled(s.signal, providerId);
    return claimOrWait(store, msg, s);
  };

  /** Records the accepted message; a failed record is retried once, then kept as an in-doubt release naming the message id. */
  const record = async (store: Store, complete: SendResult): Promise<void> => {
    let failure: unknown;
    for (let n = 0; n < 2; n++) {
      try {
        await store.completeSend(key, complete);
        return;
      } catch (e) {
        failure = e;
      }
    }
    // The message is out: it is reported sent. Marking the key in doubt keeps a later run from
    // sending it again, and the message names the provider's id so getMessage can lead to it. If
    // this fails too, the pending claim turns in doubt at lease end.
    const err = storeError(failure);
    const noted = new SmsError(
      err.code,
      `${providerId} accepted the message as ${clip(complete.messageId, 100) ?? '(no id)'} but the store could not record it: ${err.message}`,
      { provider: complete.provider },
    );
    await release(store, key, true, noted);
  };

  const attempt = async (): Promise<SendResult> => {
    throwIfCanceled(s.signal, providerId);
    const stored = await claimAndSlot();
    if (stored) return stored;

    let result: SendResult;
    try {
      // No signal goes to the provider: a request that has started is let finish, and recorded.
      result = await s.provider.send(msg, s.ctx);
    } catch (e) {
      const err = providerError(e, s.provider, s.ctx);
      if (s.store && !(await release(s.store, key, err.inDoubt, err))) {
        // The claim stays pending and turns in-doubt when its lease ends: safe, never a re-send.
        claimStuck = true;
      }
      throw err;
    }

    const complete: SendResult = { ...result, idempotencyKey: result.idempotencyKey ?? key };
    if (msg.clientRef !== undefined && complete.clientRef === undefined) complete.clientRef = msg.clientRef;
    if (s.store) await record(s.store, complete);
    return complete;
  };

  // Not retried here: CANCELED (the run is over) and SEND_IN_PROGRESS (claimOrWait waited out
  // the other run's lease already).
  const shouldRetry = (err: SmsError): boolean =>
    !claimStuck && !s.signal?.aborted && err.code !== 'CANCELED' && err.code !== 'SEND_IN_PROGRESS' && isRetryable(err);
  return withRetries(attempt, s.retry, shouldRetry);
}
