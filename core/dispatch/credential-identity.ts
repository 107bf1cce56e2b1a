/**
 * A stable name for "this provider account" that is safe to keep in memory maps and to log:
 * a keyed hash of the credential fields, never the fields themselves.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { ProviderCredentials, ProviderId, SmsProvider } from '../types';

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

/**
 * The account as the provider names it, stable across processes, for idempotency keys: the value
 * of the provider's first required credential field that is not secret (Twilio accountSid, Vonage
 * apiKey, Plivo authId, Sinch servicePlanId, Afilnet user, Infobip's account baseUrl). Undefined
 * when the provider has none (Telnyx has only its secret API key): a secret never goes in, not
 * even hashed, since the key is stored and shown in outputs.
 */
export function publicAccountId(provider: Pick<SmsProvider, 'credentialFields'>, credentials: ProviderCredentials): string | undefined {
  const fields = Array.isArray(provider.credentialFields) ? provider.credentialFields : [];
  const field = fields.find((f) => f !== null && typeof f === 'object' && f.secret === false && f.required === true);
  if (field === undefined) return undefined;
  const value = credentials[field.name];
  const trimmed = typeof value === 'string' ? value.trim() : '';
  return trimmed === '' ? undefined : `${field.name}:${trimmed}`;
}
