/**
 * A run's cancellation (DispatchOptions.signal): the error an item gets when the run was canceled
 * before its request left, and sleeps that end as soon as the run is canceled.
 */
import { SmsError } from '../errors';
import type { ProviderId } from '../types';

/** Retryable: the item holds no claim and nothing was sent, so running it again is safe. */
export function canceledError(provider: ProviderId): SmsError {
  return new SmsError('CANCELED', 'the run was canceled before this item was sent; nothing was sent and nothing is claimed', {
    provider,
    retryable: true,
  });
}

export function throwIfCanceled(signal: AbortSignal | undefined, provider: ProviderId): void {
  if (signal?.aborted) throw canceledError(provider);
}

/**
 * `sleep` that rejects with CANCELED once `signal` aborts, at once rather than when the sleep
 * would have ended: an injected sleep cannot be stopped, but nobody waits for it any more.
 */
export function cancelableSleep(
  sleep: (ms: number) => Promise<void>,
  signal: AbortSignal | undefined,
  provider: ProviderId,
): (ms: number) => Promise<void> {
  if (signal === undefined) return sleep;
  return (ms) =>
    new Promise<void>((resolve, reject) => {
      if (signal.aborted) {
        reject(canceledError(provider));
        return;
      }
      const onAbort = (): void => reject(canceledError(provider));
      signal.addEventListener('abort', onAbort, { once: true });
      const settle = (error?: unknown): void => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) reject(canceledError(provider));
        else if (error === undefined) resolve();
        else reject(error);
      };
      sleep(ms).then(
        () => settle(),
        (e: unknown) => settle(e ?? new Error('sleep rejected')),
      );
    });
}
