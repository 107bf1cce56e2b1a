/**
 * Which failures are tried again, and after how long: exponential backoff with full jitter
 * (a random wait in [0, min(cap, base·2^n)]), never shorter than the provider's Retry-After.
 */
import { toSmsError, type SmsError } from '../errors';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  baseMs: number;
  /** Upper bound of the jittered backoff. */
  capMs: number;
  /**
   * A Retry-After longer than this is not waited for: the item fails with the provider's error
   * (still marked retryable) instead of holding a worker for minutes.
   */
  maxRetryAfterMs: number;
  random: () => number;
  sleep: (ms: number) => Promise<void>;
}

export const DEFAULT_RETRY_CAP_MS = 30_000;
export const DEFAULT_MAX_RETRY_AFTER_MS = 5 * 60_000;

/**
 * Retryable means the provider certainly did not act on the request (`retryable`) — an error that
 * may have reached it (`inDoubt`) is never repeated, whatever else it says.
 */
export function isRetryable(err: SmsError): boolean {
  return err.retryable && !err.inDoubt;
}

/** The wait before retry number `retry` (0-based), or null when the error's Retry-After is too long. */
export function backoffDelay(
  retry: number,
  err: SmsError,
  policy: Pick<RetryPolicy, 'baseMs' | 'capMs' | 'maxRetryAfterMs' | 'random'>,
): number | null {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** retry);
  // Guard against a random() outside [0, 1) from an injected source.
  const r = Math.min(Math.max(policy.random(), 0), 1);
  const jittered = Math.floor(r * ceiling);
  const retryAfter = err.retryAfterMs;
  if (retryAfter === undefined || !Number.isFinite(retryAfter) || retryAfter <= 0) return jittered;
  if (retryAfter > policy.maxRetryAfterMs) return null;
  return Math.max(jittered, Math.ceil(retryAfter));
}

/**
 * Calls `attempt` until it resolves, the error is not retryable (by `shouldRetry`, default
 * isRetryable), the retries are used up, or a Retry-After is too long; then rejects with the last
 * error as an SmsError. `attempt` gets the 0-based attempt number.
 */
export async function withRetries<T>(
  attempt: (n: number) => Promise<T>,
  policy: RetryPolicy,
  shouldRetry: (err: SmsError) => boolean = isRetryable,
): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (e) {
      const err = toSmsError(e);
      if (n >= policy.retries || !shouldRetry(err)) throw err;
      const delay = backoffDelay(n, err, policy);
      if (delay === null) throw err;
      if (delay > 0) await policy.sleep(delay);
    }
  }
}
