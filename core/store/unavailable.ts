/**
 * A Store standing in for one that could not be opened: every call rejects with STORE_ERROR, so a
 * webhook answers 503 (the provider retries) instead of crashing or answering 200 for nothing kept.
 */
import { SmsError, toSmsError } from '../errors';
import type { Store } from '../types';

export function unavailableStore(cause: unknown): Store {
  const message = toSmsError(cause, 'STORE_ERROR').message;
  const fail = (): Promise<never> => Promise.reject(new SmsError('STORE_ERROR', message));
  return new Proxy({} as Store, { get: () => fail });
}
