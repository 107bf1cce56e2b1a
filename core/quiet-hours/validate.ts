/**
 * Readers shared by the quiet-hours inputs: policies and gate items arrive as JSON from flows,
 * so every shape is checked before use and every refusal is an INVALID_INPUT that says where.
 */
import { isPlainObject } from '../plain-object';
import { SmsError, kindOf } from '../errors';

/** Keys that would reach an object's prototype if anything ever copied the input onto an object. */
const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export function invalid(message: string): SmsError {
  return new SmsError('INVALID_INPUT', message);
}

/**
 * A user-supplied string for an error message: clipped, control characters replaced. Only for
 * values that are identifiers (keys, zone names, preset ids), never for message text or phones.
 */
export function quote(value: string, max = 40): string {
  const clean = value.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return JSON.stringify(clean.length > max ? `${clean.slice(0, max)}…` : clean);
}

/**
 * `value` as a plain data object (JSON-like, from any realm: see plain-object.ts), with no
 * key outside `allowed`. Class instances, arrays and functions are refused rather than read.
 */
export function readObject(value: unknown, what: string, allowed: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(`${what} must be an object, got ${kindOf(value)}`);
  }
  if (!isPlainObject(value)) throw invalid(`${what} must be a plain object (JSON), not an instance of a class`);
  for (const key of Object.keys(value)) {
    if (PROTOTYPE_KEYS.has(key)) throw invalid(`${what} must not contain the key ${quote(key)}`);
    if (!allowed.includes(key)) {
      throw invalid(`${what} has an unknown key ${quote(key)}; allowed keys: ${allowed.join(', ')}`);
    }
  }
  return value as Record<string, unknown>;
}

/** An own property, so nothing set on Object.prototype is ever read as an option. */
export function own(obj: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/**
 * Flows hand an unset field over as `undefined`, `null` (JSON) or `''` (n8n, Node-RED text
 * inputs): all three mean "not given".
 */
export function isUnset(value: unknown): value is undefined | null | '' {
  return value === undefined || value === null || value === '';
}

/** A string field of at most `max` characters, checked before any regex sees it. */
export function readString(value: unknown, what: string, max: number): string {
  if (typeof value !== 'string') throw invalid(`${what} must be text, got ${kindOf(value)}`);
  if (value.length > max) throw invalid(`${what} is longer than ${max} characters`);
  return value;
}
