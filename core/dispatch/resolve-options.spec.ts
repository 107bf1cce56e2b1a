import { thrown } from '../../test/support/sms-error';
import { defaultHttp } from '../http-client';
import type { SmsProvider, Store } from '../types';
import { DEFAULTS, resolveOptions } from './resolve-options';

const fakeProvider = { id: 'sandbox', send: async () => ({}) } as unknown as SmsProvider;
const base = { provider: fakeProvider, credentials: {} };

const refusal = (opts: unknown) => thrown(() => resolveOptions(opts));

describe('resolveOptions', () => {
  it('fills the documented defaults', () => {
    const r = resolveOptions(base);
    expect(r).toMatchObject({
      provider: fakeProvider,
      http: defaultHttp,
      smartEncoding: true,
      maxSegments: DEFAULTS.maxSegments,
      concurrency: DEFAULTS.concurrency,
      retries: DEFAULTS.retries,
      retryBaseMs: DEFAULTS.retryBaseMs,
      idempotencyScope: '',
      idempotencyWindowMs: 24 * 60 * 60 * 1000,
      dryRun: false,
      timeoutMs: 30_000,
    });
    expect(r.ratePerSecond).toBeUndefined();
    expect(r.store).toBeUndefined();
    expect(typeof r.sleep).toBe('function');
  });

  it('looks provider ids up in the registry and upper-cases the default country', () => {
    const r = resolveOptions({ provider: 'twilio', credentials: {}, defaultCountry: 'gb' });
    expect(r.provider.id).toBe('twilio');
    expect(r.defaultCountry).toBe('GB');
  });

  it('reads a rate of 0 (an untouched editor field) as no limit', () => {
    expect(resolveOptions({ ...base, ratePerSecond: 0 }).ratePerSecond).toBeUndefined();
    expect(resolveOptions({ ...base, ratePerSecond: 2.5 }).ratePerSecond).toBe(2.5);
    expect(resolveOptions({ ...base, ratePerSecond: 0.001 }).ratePerSecond).toBe(0.001);
  });

  it('treats null like absent (n8n and Node-RED send null for unset fields)', () => {
    const r = resolveOptions({ ...base, concurrency: null, store: null, onProgress: null, defaultCountry: '' });
    expect(r.concurrency).toBe(DEFAULTS.concurrency);
    expect(r.defaultCountry).toBeUndefined();
  });

  it('refuses an unknown provider with UNKNOWN_PROVIDER', () => {
    expect(refusal({ provider: 'carrier-pigeon', credentials: {} }).code).toBe('UNKNOWN_PROVIDER');
  });

  it.each<[string, unknown]>([
    ['no options', undefined],
    ['options as a string', 'twilio'],
    ['options as an array', [base]],
    ['no provider', { credentials: {} }],
    ['a provider object without send', { provider: { id: 'x' }, credentials: {} }],
    ['a numeric provider', { provider: 7, credentials: {} }],
    ['no credentials', { provider: fakeProvider }],
    ['credentials as a string', { ...base, credentials: 'AC123:token' }],
    ['a numeric credential', { ...base, credentials: { authToken: 12345 } }],
    ['concurrency 0', { ...base, concurrency: 0 }],
    ['concurrency -1', { ...base, concurrency: -1 }],
    ['fractional concurrency', { ...base, concurrency: 2.5 }],
    ['concurrency NaN', { ...base, concurrency: Number.NaN }],
    ['concurrency Infinity', { ...base, concurrency: Number.POSITIVE_INFINITY }],
    ['concurrency 1e9', { ...base, concurrency: 1e9 }],
    ['concurrency as text', { ...base, concurrency: '10' }],
    ['a negative rate', { ...base, ratePerSecond: -1 }],
    ['an infinite rate', { ...base, ratePerSecond: Number.POSITIVE_INFINITY }],
    ['a rate below one message per 1000 s', { ...base, ratePerSecond: 0.0009 }],
    ['a vanishing rate', { ...base, ratePerSecond: Number.MIN_VALUE }],
    ['a signal that is not an AbortSignal', { ...base, signal: { aborted: false } }],
    ['a signal given as text', { ...base, signal: 'abort' }],
    ['maxSegments 0', { ...base, maxSegments: 0 }],
    ['maxSegments 256', { ...base, maxSegments: 256 }],
    ['retries -1', { ...base, retries: -1 }],
    ['retries 1000', { ...base, retries: 1000 }],
    ['retryBaseMs negative', { ...base, retryBaseMs: -5 }],
    ['timeoutMs 0', { ...base, timeoutMs: 0 }],
    ['timeoutMs a day', { ...base, timeoutMs: 86_400_000 }],
    ['idempotencyWindowMs negative', { ...base, idempotencyWindowMs: -1 }],
    ['idempotencyScope a number', { ...base, idempotencyScope: 5 }],
    ['idempotencyScope oversized', { ...base, idempotencyScope: 'x'.repeat(5000) }],
    ['dryRun as text', { ...base, dryRun: 'yes' }],
    ['smartEncoding as a number', { ...base, smartEncoding: 1 }],
    ['defaultCountry too long', { ...base, defaultCountry: 'USA' }],
    ['defaultCountry a number', { ...base, defaultCountry: 1 }],
    ['http not a function', { ...base, http: {} }],
    ['sleep not a function', { ...base, sleep: 100 }],
    ['onProgress not a function', { ...base, onProgress: 'log' }],
    ['a store without releaseSend', { ...base, store: { claimSend() {}, completeSend() {} } }],
    ['a store as a string', { ...base, store: 'sqlite' }],
  ])('refuses %s with INVALID_INPUT', (_name, opts) => {
    expect(refusal(opts).code).toBe('INVALID_INPUT');
  });

  it('never echoes a credential value', () => {
    const err = refusal({ ...base, credentials: { authToken: { value: 'super-secret' } } });
    expect(err.message).not.toContain('super-secret');
    expect(err.message).toContain('authToken');
  });

  it('accepts a store given as a class instance', () => {
    class S {
      claimSend() {}
      completeSend() {}
      releaseSend() {}
    }
    const store = new S() as unknown as Store;
    expect(resolveOptions({ ...base, store }).store).toBe(store);
  });
});
