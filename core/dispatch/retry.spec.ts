import { SmsError } from '../errors';
import { backoffDelay, isRetryable, withRetries, type RetryPolicy } from './retry';

const policy = (over: Partial<RetryPolicy> = {}): RetryPolicy & { sleeps: number[] } => {
  const sleeps: number[] = [];
  return {
    retries: 3,
    baseMs: 500,
    capMs: 30_000,
    maxRetryAfterMs: 300_000,
    random: () => 0.5,
    sleep: async (ms) => void sleeps.push(ms),
    sleeps,
    ...over,
  };
};

const rateLimited = (retryAfterMs?: number) =>
  new SmsError('RATE_LIMITED', 'slow down', { retryable: true, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });

describe('isRetryable', () => {
  it('retries only what is retryable and not in doubt', () => {
    expect(isRetryable(rateLimited())).toBe(true);
    expect(isRetryable(new SmsError('AUTH_FAILED', 'no'))).toBe(false);
    expect(isRetryable(new SmsError('NETWORK_ERROR', 'timeout', { retryable: true, inDoubt: true }))).toBe(false);
  });
});

describe('backoffDelay', () => {
  it('is a full-jitter exponential: random × min(cap, base·2^n)', () => {
    const p = policy();
    expect([0, 1, 2, 3].map((n) => backoffDelay(n, rateLimited(), p))).toEqual([250, 500, 1000, 2000]);
    expect(backoffDelay(0, rateLimited(), policy({ random: () => 0 }))).toBe(0);
    expect(backoffDelay(20, rateLimited(), policy({ random: () => 0.999999 }))).toBe(29_999);
  });

  it('never waits less than Retry-After, and gives up on a Retry-After over the maximum', () => {
    expect(backoffDelay(0, rateLimited(7000), policy())).toBe(7000);
    expect(backoffDelay(10, rateLimited(10), policy({ random: () => 0.5 }))).toBe(15_000);
    expect(backoffDelay(0, rateLimited(300_001), policy())).toBeNull();
  });

  it('ignores nonsense Retry-After values and clamps a misbehaving random source', () => {
    expect(backoffDelay(0, rateLimited(Number.NaN), policy())).toBe(250);
    expect(backoffDelay(0, rateLimited(-5), policy())).toBe(250);
    expect(backoffDelay(0, rateLimited(), policy({ random: () => 7 }))).toBe(500);
    expect(backoffDelay(0, rateLimited(), policy({ random: () => -1 }))).toBe(0);
  });
});

describe('withRetries', () => {
  it('retries a retryable error until success, sleeping the backoff between attempts', async () => {
    const p = policy();
    const attempt = jest
      .fn<Promise<string>, [number]>()
      .mockRejectedValueOnce(rateLimited(2000))
      .mockRejectedValueOnce(rateLimited())
      .mockResolvedValueOnce('ok');
    await expect(withRetries(attempt, p)).resolves.toBe('ok');
    expect(attempt.mock.calls.map((c) => c[0])).toEqual([0, 1, 2]);
    expect(p.sleeps).toEqual([2000, 500]);
  });

  it('gives up after `retries` retries with the last error', async () => {
    const p = policy({ retries: 2 });
    const last = rateLimited();
    const attempt = jest.fn().mockRejectedValueOnce(rateLimited()).mockRejectedValueOnce(rateLimited()).mockRejectedValueOnce(last);
    await expect(withRetries(attempt, p)).rejects.toBe(last);
    expect(attempt).toHaveBeenCalledTimes(3);
  });

  it('does not retry non-retryable or in-doubt errors', async () => {
    for (const err of [new SmsError('AUTH_FAILED', '401'), new SmsError('NETWORK_ERROR', 'timeout', { retryable: true, inDoubt: true })]) {
      const p = policy();
      const attempt = jest.fn().mockRejectedValue(err);
      await expect(withRetries(attempt, p)).rejects.toBe(err);
      expect(attempt).toHaveBeenCalledTimes(1);
      expect(p.sleeps).toEqual([]);
    }
  });

  it('does not retry when Retry-After is longer than the maximum wait', async () => {
    const p = policy();
    const err = rateLimited(3_600_000);
    const attempt = jest.fn().mockRejectedValue(err);
    await expect(withRetries(attempt, p)).rejects.toBe(err);
    expect(attempt).toHaveBeenCalledTimes(1);
  });

  it('honours a caller veto and wraps foreign throws into SmsErrors', async () => {
    const attempt = jest.fn().mockRejectedValue(rateLimited());
    await expect(withRetries(attempt, policy(), () => false)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    expect(attempt).toHaveBeenCalledTimes(1);
    await expect(withRetries(() => Promise.reject('weird'), policy())).rejects.toMatchObject({ name: 'SmsError', code: 'PROVIDER_ERROR' });
  });

  it('with retries: 0 makes exactly one attempt', async () => {
    const attempt = jest.fn().mockRejectedValue(rateLimited());
    await expect(withRetries(attempt, policy({ retries: 0 }))).rejects.toBeInstanceOf(SmsError);
    expect(attempt).toHaveBeenCalledTimes(1);
  });
});
