/**
 * A stable name for "this provider account" that is safe to keep in memory maps and to log:
 * a keyed hash of the credential fields, never the fields themselves.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { ProviderCredentials, ProviderId } from '../types';

// A per-process key: the identity cannot be brute-forced back to a short secret from a heap dump
// or a log line, and it means nothing outside this process (which is all it is used for).
const PROCESS_KEY = randomBytes(32);

/**
 * Same provider and same credential values → same identity, whatever the field order. Fields left
 * empty count as absent, so `{ baseUrl: '' }` and `{}` are the same account.
 */
export function credentialIdentity(provider: ProviderId, credentials: ProviderCredentials): string {
  const fields = Object.keys(credentials)
    .filter((k) => typeof credentials[k] === 'string' && credentials[k] !== '')
    .sort()
    .map((k) => [k, credentials[k]]);
  const digest = createHmac('sha256', PROCESS_KEY).update(JSON.stringify(fields), 'utf8').digest('hex');
  return `${provider}:${digest.slice(0, 32)}`;
}
