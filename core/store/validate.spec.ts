import { thrownCode } from '../../test/support/sms-error';
import { runInNewContext } from 'node:vm';
import { consentEvent, isoInstant, releaseOutcome } from './validate';

describe('isoInstant', () => {
  it.each([
    ['2025-01-31', Date.UTC(2025, 0, 31)],
    ['2025-01-31T09:30Z', Date.UTC(2025, 0, 31, 9, 30)],
    ['2025-01-31T09:30:15.123Z', Date.UTC(2025, 0, 31, 9, 30, 15, 123)],
    ['2025-01-31T09:30:15.123456Z', Date.UTC(2025, 0, 31, 9, 30, 15, 123)],
    ['2025-01-31 09:30:15Z', Date.UTC(2025, 0, 31, 9, 30, 15)],
    ['2025-01-31T10:30:15+01:00', Date.UTC(2025, 0, 31, 9, 30, 15)],
    ['2025-01-31T10:30:15+0100', Date.UTC(2025, 0, 31, 9, 30, 15)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
  ])('reads %s', (input, ms) => {
    expect(isoInstant(input, 'at')).toBe(ms);
  });

  it.each([
    'now',
    '',
    '2025-01-31T09:30:15',
    '2025-02-29T00:00:00Z',
    '2025-04-31',
    '2025-13-01',
    '2025-00-10',
    '2025-01-31T24:00:00Z',
    '2025-01-31T23:60:00Z',
    '2025-01-31T23:59:60Z',
    '1969-12-31',
    '31/01/2025',
    '2025-01-31T09:30:15Z trailing',
    `2025-01-31T09:30:15.${'1'.repeat(50)}Z`,
  ])('refuses %s', (input) => {
    expect(thrownCode(() => isoInstant(input, 'at'))).toBe('INVALID_INPUT');
  });

  it('refuses non-strings', () => {
    for (const v of [null, undefined, 0, Date.now(), new Date(), {}]) expect(thrownCode(() => isoInstant(v, 'at'))).toBe('INVALID_INPUT');
  });
});

describe('releaseOutcome', () => {
  it('keeps documented fields only, bounded', () => {
    const out = releaseOutcome({
      inDoubt: true,
      error: {
        code: 'PROVIDER_ERROR',
        message: 'bad',
        retryable: 'yes',
        provider: 'twilio',
        httpStatus: 500,
        providerCode: 'c'.repeat(1000),
        retryAfterMs: 2000,
        stack: 'Error: at ...',
        cause: { password: 'pw' },
      },
    });
    expect(out.inDoubt).toBe(true);
    expect(out.error).toEqual({
      code: 'PROVIDER_ERROR',
      message: 'bad',
      retryable: false,
      provider: 'twilio',
      httpStatus: 500,
      providerCode: 'c'.repeat(256),
      retryAfterMs: 2000,
    });
    expect(out.errorJson).not.toMatch(/pw|stack/);
  });
});

describe('consentEvent evidence', () => {
  const event = (evidence: unknown) => ({ phone: '+14155550100', topic: '*', action: 'opt-out', source: 'sms', evidence });

  it('accepts evidence built in another realm (a Node-RED Function node)', () => {
    const foreign = runInNewContext('({ text: "STOP", ip: "203.0.113.7" })') as unknown;
    expect(JSON.parse(consentEvent(event(foreign), 0).evidenceJson)).toEqual({ text: 'STOP', ip: '203.0.113.7' });
  });

  it.each([
    ['at the top', '{"__proto__": {"polluted": true}}'],
    ['nested', '{"text": "STOP", "form": {"__proto__": {"polluted": true}}}'],
    ['in an array', '{"list": [{"__proto__": {"polluted": true}}]}'],
  ])('refuses a __proto__ key %s with INVALID_INPUT', (_where, json) => {
    expect(thrownCode(() => consentEvent(event(JSON.parse(json)), 0))).toBe('INVALID_INPUT');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('consentEvent time and topic', () => {
  const now = Date.UTC(2026, 10, 22, 12);
  const event = (extra: Record<string, unknown>) => ({ phone: '+14155550100', topic: 'marketing', action: 'opt-in', source: 'api', ...extra });

  it('refuses an event dated in the future (it would outrank every later STOP), allows a little clock skew', () => {
    expect(thrownCode(() => consentEvent(event({ at: '2099-01-01T00:00:00Z' }), now))).toBe('INVALID_INPUT');
    expect(thrownCode(() => consentEvent(event({ at: new Date(now + 6 * 60_000).toISOString() }), now))).toBe('INVALID_INPUT');
    expect(consentEvent(event({ at: new Date(now + 60_000).toISOString() }), now).atMs).toBe(now + 60_000);
    expect(consentEvent(event({ at: '2020-01-01T00:00:00Z' }), now).atMs).toBe(Date.UTC(2020, 0, 1));
  });

  it('lower-cases the topic, so "Marketing" and "marketing" are one topic', () => {
    expect(consentEvent(event({ topic: ' Marketing ' }), now).topic).toBe('marketing');
  });
});
