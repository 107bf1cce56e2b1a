/**
 * Messages per second per provider account, shared by every batch in the process.
 *
 * A token bucket of capacity 1: requests go out evenly spaced, 1000/rate ms apart, never in a
 * burst. That is what Node-RED users mean by "rate" (node-red#1477: the delay node's "N per T" is
 * one message every T/N) and what providers' per-second limits tolerate best.
 *
 * Each caller reserves its slot synchronously (no timer runs in the limiter), then sleeps until
 * it with the caller's own `sleep`: batches with injected clocks and engines that forbid timers
 * work the same way, and the order of reservation is the order of sending.
 */

export interface RateClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export class TokenBucket {
  // When the single token is next available; a bucket never used has it available at once.
  private nextFreeAt = Number.NEGATIVE_INFINITY;

  /**
   * Takes the next free slot at `ratePerSecond` and returns how long to wait for it (0: now).
   * The rate is the caller's: when batches disagree about an account's rate, each spacing is
   * measured from the slot before it, so the account never sees two requests closer than the
   * smaller of the two intervals.
   */
  reserve(now: number, ratePerSecond: number): number {
    const interval = 1000 / ratePerSecond;
    const slot = Math.max(now, this.nextFreeAt);
    this.nextFreeAt = slot + interval;
    return slot - now;
  }

  /** True when a reservation now would not wait: the bucket holds no state worth keeping. */
  idle(now: number): boolean {
    return this.nextFreeAt <= now;
  }
}

// Idle buckets are dropped once this many accounts have been seen, so a long-lived process that
// cycles through credentials does not keep one bucket per credential forever.
const PRUNE_ABOVE = 1000;
const buckets = new Map<string, TokenBucket>();

/** The process-wide bucket of one account; `identity` comes from credentialIdentity(). */
export function bucketFor(identity: string, now: number): TokenBucket {
  let bucket = buckets.get(identity);
  if (bucket === undefined) {
    if (buckets.size >= PRUNE_ABOVE) {
      for (const [key, b] of buckets) if (b.idle(now)) buckets.delete(key);
    }
    bucket = new TokenBucket();
    buckets.set(identity, bucket);
  }
  return bucket;
}

/**
 * Reserves this account's next slot and returns how long to wait for it (0: now). Reserving and
 * sleeping are apart so that a caller can decide what to do with its claim during a long wait.
 */
export function reserveSlot(identity: string, ratePerSecond: number, now: number): number {
  return bucketFor(identity, now).reserve(now, ratePerSecond);
}
