/**
 * DispatchOptions → a complete, checked set of settings. Everything wrong here is wrong for the
 * whole batch (a node misconfigured, not an item malformed), so it throws and sendBatch rejects:
 *
 * - INVALID_INPUT: `requests` not an array; options not an object; an option of the wrong type or
 *   out of range; credentials not an object of strings; a store without claim/complete/release;
 *   `consent` malformed, or set for a real send without a store (a consent check that cannot read
 *   the ledger must not pass silently), or with a store that keeps no consent ledger.
 * - UNKNOWN_PROVIDER: a provider id the registry does not know.
 *
 * Messages name the option, never its value (a misplaced secret would otherwise be echoed).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { SmsError } from '../errors';
import { defaultHttp } from '../http-client';
import { getProvider } from '../providers/registry';
import * as valid from '../store/validate';
import type { HttpFunction, ProviderCredentials, SmsProvider, Store } from '../types';
import { CONSENT_STORE_METHODS, type ConsentRule } from './consent';
import type { DispatchOptions } from './types';

export interface ResolvedOptions {
  provider: SmsProvider;
  credentials: ProviderCredentials;
  http: HttpFunction;
  store?: Store;
  defaultCountry?: string;
  smartEncoding: boolean;
  maxSegments: number;
  concurrency: number;
  /** Undefined: no limit. */
  ratePerSecond?: number;
  retries: number;
  retryBaseMs: number;
  idempotencyScope: string;
  idempotencyWindowMs: number;
  /** Set: each item passes the consent gate (consent.ts) before it is claimed. */
  consent?: ConsentRule;
  dryRun: boolean;
  timeoutMs: number;
  signal?: AbortSignal;
  onProgress?: DispatchOptions['onProgress'];
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  random: () => number;
}

export const DEFAULTS = {
  maxSegments: 10,
  concurrency: 10,
  retries: 3,
  retryBaseMs: 500,
  idempotencyWindowMs: 24 * 60 * 60 * 1000,
  timeoutMs: 30_000,
} as const;

// Upper bounds that catch typos (a rate in ms, a timeout in µs) rather than express policy.
// 255 parts is the most a concatenated SMS can have (the UDH counts parts in one byte).
const LIMITS = {
  maxSegments: 255,
  concurrency: 1000,
  ratePerSecond: 100_000,
  // One message every 1000 s: slower than that is a unit mistake, and the spacing of queued sends
  // would soon outgrow what a timer can wait.
  minRatePerSecond: 0.001,
  retries: 20,
  retryBaseMs: 60_000,
  timeoutMs: 10 * 60_000,
  idempotencyScopeLength: 1024,
} as const;

const STORE_METHODS = ['claimSend', 'completeSend', 'releaseSend'] as const;

function bad(message: string): SmsError {
  return new SmsError('INVALID_INPUT', message);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function int(value: unknown, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw bad(`${name} must be a whole number from ${min} to ${max}`);
  }
  return value;
}

function num(value: unknown, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw bad(`${name} must be a number from ${min} to ${max}`);
  }
  return value;
}

function bool(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean') throw bad(`${name} must be true or false`);
  return value;
}

function fn<T>(value: unknown, name: string): T | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'function') throw bad(`${name} must be a function`);
  return value as T;
}

function resolveProvider(value: unknown): SmsProvider {
  if (typeof value === 'string') return getProvider(value as SmsProvider['id']);
  if (isPlainObject(value) && typeof value.id === 'string' && typeof value.send === 'function') {
    return value as unknown as SmsProvider;
  }
  throw bad('provider must be a provider id or a provider object with id and send()');
}

function resolveCredentials(value: unknown): ProviderCredentials {
  if (!isPlainObject(value)) throw bad('credentials must be an object of text fields');
  for (const [k, v] of Object.entries(value)) {
    if (v !== undefined && typeof v !== 'string') throw bad(`credentials.${k.slice(0, 64)} must be text`);
  }
  return value as ProviderCredentials;
}

function resolveStore(value: unknown): Store | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw bad('store must be a Store');
  const obj = value as Record<string, unknown>;
  for (const m of STORE_METHODS) if (typeof obj[m] !== 'function') throw bad(`store must be a Store (no ${m}())`);
  return value as Store;
}

function resolveCountry(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || !/^[A-Za-z]{2}$/.test(value)) {
    throw bad('defaultCountry must be a two-letter ISO 3166-1 country code, e.g. US');
  }
  return value.toUpperCase();
}

function resolveConsent(value: unknown): ConsentRule | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) throw bad('consent must be an object { topic, requireOptIn? }');
  let topic: string;
  try {
    topic = valid.topic(value.topic);
  } catch {
    throw bad(`consent.topic must be a topic name (marketing, transactional, one of yours, or *) of 1 to ${valid.LIMITS.topic} characters without control characters`);
  }
  return { topic, requireOptIn: bool(value.requireOptIn, 'consent.requireOptIn', false) };
}

/**
 * A dry run may check consent without a store: it then reads an empty ledger (consent.ts). A real
 * send may not: it would go out to recipients who opted out.
 */
function checkConsentStore(consent: ConsentRule | undefined, store: Store | undefined, dryRun: boolean): void {
  if (consent === undefined) return;
  if (store === undefined) {
    if (dryRun) return;
    throw bad('consent checking needs a store (it holds the consent ledger); give one, or leave consent out');
  }
  const obj = store as unknown as Record<string, unknown>;
  for (const m of CONSENT_STORE_METHODS) {
    if (typeof obj[m] !== 'function') throw bad(`consent checking needs a store with a consent ledger (no ${m}())`);
  }
}

// Node's timers hold at most 2^31-1 ms (about 24.8 days) and fire at once when given more.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Real time; ends early (rejecting) when the run's signal aborts, so no timer outlives the run. */
function realSleep(signal: AbortSignal | undefined): (ms: number) => Promise<void> {
  return async (ms) => {
    for (let left = ms; left > 0; left -= MAX_TIMER_MS) {
      // Node's timers accept only its own AbortSignal; another one still ends the wait through
      // cancelableSleep, only the timer runs on.
      const own = signal instanceof AbortSignal ? { signal } : undefined;
      await delay(Math.min(left, MAX_TIMER_MS), undefined, own);
    }
  };
}

// Checked by shape: an engine may hand over a signal from another realm or a polyfill.
function resolveSignal(value: unknown): AbortSignal | undefined {
  if (value === undefined || value === null) return undefined;
  const s = value as Partial<AbortSignal>;
  if (typeof s.aborted !== 'boolean' || typeof s.addEventListener !== 'function' || typeof s.removeEventListener !== 'function') {
    throw bad('signal must be an AbortSignal');
  }
  return value as AbortSignal;
}

export function resolveOptions(opts: unknown): ResolvedOptions {
  if (!isPlainObject(opts)) throw bad('options must be an object');
  const o = opts as Partial<Record<keyof DispatchOptions, unknown>>;

  const ratePerSecond = num(o.ratePerSecond, 'ratePerSecond', 0, LIMITS.ratePerSecond, 0);
  if (ratePerSecond > 0 && ratePerSecond < LIMITS.minRatePerSecond) {
    throw bad(`ratePerSecond must be 0 (no limit) or a number from ${LIMITS.minRatePerSecond} to ${LIMITS.ratePerSecond}`);
  }
  const signal = resolveSignal(o.signal);
  const scope = o.idempotencyScope ?? '';
  if (typeof scope !== 'string' || scope.length > LIMITS.idempotencyScopeLength) {
    throw bad(`idempotencyScope must be text of at most ${LIMITS.idempotencyScopeLength} characters`);
  }

  const resolved: ResolvedOptions = {
    provider: resolveProvider(o.provider),
    credentials: resolveCredentials(o.credentials),
    http: fn<HttpFunction>(o.http, 'http') ?? defaultHttp,
    smartEncoding: bool(o.smartEncoding, 'smartEncoding', true),
    maxSegments: int(o.maxSegments, 'maxSegments', 1, LIMITS.maxSegments, DEFAULTS.maxSegments),
    concurrency: int(o.concurrency, 'concurrency', 1, LIMITS.concurrency, DEFAULTS.concurrency),
    retries: int(o.retries, 'retries', 0, LIMITS.retries, DEFAULTS.retries),
    retryBaseMs: num(o.retryBaseMs, 'retryBaseMs', 0, LIMITS.retryBaseMs, DEFAULTS.retryBaseMs),
    idempotencyScope: scope,
    idempotencyWindowMs: num(o.idempotencyWindowMs, 'idempotencyWindowMs', 0, Number.MAX_SAFE_INTEGER, DEFAULTS.idempotencyWindowMs),
    dryRun: bool(o.dryRun, 'dryRun', false),
    timeoutMs: num(o.timeoutMs, 'timeoutMs', 1, LIMITS.timeoutMs, DEFAULTS.timeoutMs),
    sleep: fn<(ms: number) => Promise<void>>(o.sleep, 'sleep') ?? realSleep(signal),
    now: fn<() => number>(o.now, 'now') ?? Date.now,
    random: fn<() => number>(o.random, 'random') ?? Math.random,
  };
  const store = resolveStore(o.store);
  if (store) resolved.store = store;
  const consent = resolveConsent(o.consent);
  checkConsentStore(consent, store, resolved.dryRun);
  if (consent) resolved.consent = consent;
  const country = resolveCountry(o.defaultCountry);
  if (country) resolved.defaultCountry = country;
  // 0 is what an untouched number field in the editors holds: it means "no limit", like absent.
  if (ratePerSecond > 0) resolved.ratePerSecond = ratePerSecond;
  const onProgress = fn<DispatchOptions['onProgress']>(o.onProgress, 'onProgress');
  if (onProgress) resolved.onProgress = onProgress;
  if (signal) resolved.signal = signal;
  return resolved;
}
