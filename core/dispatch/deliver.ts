/**
 * One prepared message to the provider, at most once per idempotency key: claim the key in the
 * store, wait for a rate slot, send, record the result — retrying what is safe to retry.
 *
 * Every attempt claims anew and gives the claim back when it fails, rather than holding it across
 * backoff sleeps: a claim held through several Retry-After waits could outlive its lease, and a
 * second run would then take it over and send the same message again.
 */
import { SmsError } from '../errors';
import { redact } from '../providers/http';
import type { ProviderContext, SendResult, SmsProvider, Store } from '../types';
import { acquireSlot, type RateClock } from './rate-limiter';
import { isRetryable, withRetries, type RetryPolicy } from './retry';
import type { PreparedMessage } from './prepare-message';

export interface DeliverySettings {
  provider: SmsProvider;
  ctx: ProviderContext;
  store?: Store;
  idempotencyWindowMs: number;
  /** How long a pending claim is honoured; must cover a rate-slot wait plus the request timeout. */
  leaseMs: number;
  /** Set when sends are rate-limited: the account's bucket identity and its rate. */
  rate?: { identity: string; perSecond: number };
  clock: RateClock;
  retry: RetryPolicy;
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

async function claim(store: Store, msg: PreparedMessage['msg'], s: DeliverySettings): Promise<SendResult | null> {
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
  if (answer.claimed) return null;
  switch (answer.state) {
    case 'sent':
      if (typeof answer.result !== 'object' || answer.result === null) throw storeError(new Error('claimSend: sent without a result'));
      return { ...answer.result, duplicate: true };
    case 'pending':
      // Retryable: the retry loop waits and claims again, so a concurrent duplicate ends up with
      // the first run's result once that run completes.
      throw new SmsError('SEND_IN_PROGRESS', `another run is sending this message right now (claimed ${answer.claimedAt})`, {
        provider: s.provider.id,
        retryable: true,
      });
    case 'in-doubt':
      throw new SmsError(
        'SEND_IN_DOUBT',
        `an earlier attempt (claimed ${answer.claimedAt}) may have reached ${s.provider.id}; check its log before sending again with a new idempotency key`,
        { provider: s.provider.id },
      );
    default:
      throw storeError(new Error('claimSend answered an unknown state'));
  }
}

/** Resolves with the provider's result (or the stored one, marked duplicate); rejects with an SmsError. */
export async function deliver(prepared: PreparedMessage, s: DeliverySettings): Promise<SendResult> {
  const { msg } = prepared;
  const key = msg.idempotencyKey;
  // Set when a failed attempt could not give its claim back: claiming again would only meet our
  // own stale claim, so retrying is pointless.
  let claimStuck = false;

  const attempt = async (): Promise<SendResult> => {
    if (s.store) {
      const stored = await claim(s.store, msg, s);
      if (stored) return stored;
    }
    if (s.rate) await acquireSlot(s.rate.identity, s.rate.perSecond, s.clock);

    let result: SendResult;
    try {
      result = await s.provider.send(msg, s.ctx);
    } catch (e) {
      const err = providerError(e, s.provider, s.ctx);
      if (s.store) {
        try {
          await s.store.releaseSend(key, { inDoubt: err.inDoubt, error: err.toJSON() });
        } catch {
          // The claim stays pending and turns in-doubt when its lease ends: safe, never a re-send.
          claimStuck = true;
        }
      }
      throw err;
    }

    const complete: SendResult = { ...result, idempotencyKey: result.idempotencyKey ?? key };
    if (msg.clientRef !== undefined && complete.clientRef === undefined) complete.clientRef = msg.clientRef;
    if (s.store) {
      try {
        await s.store.completeSend(key, complete);
      } catch (e) {
        // The message is out: report it sent. Marking the key in-doubt keeps a later run from
        // sending it again; if that fails too, the pending claim turns in-doubt at lease end.
        try {
          await s.store.releaseSend(key, { inDoubt: true, error: storeError(e).toJSON() });
        } catch {
          // Nothing more to do: see above.
        }
      }
    }
    return complete;
  };

  return withRetries(attempt, s.retry, (err) => !claimStuck && isRetryable(err));
}
