/**
 * Comparisons and digests every provider's signature check needs. A signature is compared with
 * crypto.timingSafeEqual, never `===`: the time a comparison takes must not tell an attacker how
 * many leading characters of a forged signature were right.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Timing-safe equality of two strings' UTF-8 bytes. Unequal lengths are unequal, in constant time for the expected length. */
export function safeEqual(actual: string, expected: string): boolean {
  const a = Buffer.from(actual, 'utf8');
  const e = Buffer.from(expected, 'utf8');
  // Compare something of the expected length either way, so a wrong length costs the same time.
  const same = timingSafeEqual(a.length === e.length ? a : e, e);
  return a.length === e.length && same;
}

export type HmacAlgorithm = 'sha1' | 'sha256' | 'sha512' | 'md5';

export function hmac(algorithm: HmacAlgorithm, key: string | Buffer, data: string | Buffer, encoding: 'base64' | 'hex'): string {
  return createHmac(algorithm, key).update(data).digest(encoding);
}

export function digest(algorithm: 'sha256' | 'md5', data: string | Buffer, encoding: 'base64' | 'hex'): string {
  return createHash(algorithm).update(data).digest(encoding);
}

/** A header's value by case-insensitive name (WebhookRequest headers are lower-case already). */
export function header(headers: Record<string, string | undefined>, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return v === undefined || v === '' ? undefined : v;
}
