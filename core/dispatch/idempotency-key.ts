/**
 * The key that makes a send happen once: the same message to the same recipient over the same
 * provider, within one scope, always derives the same key, in every run and every process.
 */
import { createHash } from 'node:crypto';
import type { ProviderId } from '../types';

export interface IdempotencyKeyParts {
  provider: ProviderId;
  /** E.164. */
  to: string;
  /** The text as sent (after smart encoding), so a retyped quote does not count as a new message. */
  text: string;
  from?: string;
  /** Mixed in so two campaigns may send the same text to the same number on purpose. */
  scope?: string;
  /** ISO-8601: the same reminder scheduled for Monday and for Tuesday is two messages. */
  sendAt?: string;
  /**
   * The provider account, by a credential that is not secret (publicAccountId): two accounts
   * sending the same text to the same number (two tenants, two brands) are two messages.
   */
  account?: string;
}

// Bumped when the derivation changes, so keys of an older version never collide with new ones.
// v2 added sendAt and the account.
const VERSION = 'a2p-kit/idempotency/v2';

/** The same instant written in another zone or precision is the same schedule. */
function instant(sendAt: string | undefined): string | null {
  if (sendAt === undefined) return null;
  const ms = Date.parse(sendAt);
  return Number.isNaN(ms) ? sendAt : new Date(ms).toISOString();
}

export function deriveIdempotencyKey(parts: IdempotencyKeyParts): string {
  // A JSON array is separator-safe: ("a|b", "c") and ("a", "b|c") serialise differently.
  const material = JSON.stringify([
    VERSION,
    parts.provider,
    parts.account ?? null,
    parts.to,
    parts.text,
    parts.from ?? null,
    parts.scope ?? '',
    instant(parts.sendAt),
  ]);
  return createHash('sha256').update(material, 'utf8').digest('hex');
}
