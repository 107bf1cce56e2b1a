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
}

// Bumped when the derivation changes, so keys of an older version never collide with new ones.
const VERSION = 'a2p-kit/idempotency/v1';

export function deriveIdempotencyKey(parts: IdempotencyKeyParts): string {
  // A JSON array is separator-safe: ("a|b", "c") and ("a", "b|c") serialise differently.
  const material = JSON.stringify([VERSION, parts.provider, parts.to, parts.text, parts.from ?? null, parts.scope ?? '']);
  return createHash('sha256').update(material, 'utf8').digest('hex');
}
