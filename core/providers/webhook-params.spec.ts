import { expectCode } from '../../test/support/sms-error';
import type { WebhookRequest } from '../types';
import {
  MAX_PARAMS,
  compactUtc,
  flatParams,
  isoUtc,
  param,
  plusNumber,
  requestParams,
  requiredParam,
  spacedUtc,
} from './webhook-params';

const req = (over: Partial<WebhookRequest>): WebhookRequest => ({
  method: 'POST',
  url: 'https://example.com/hook',
  headers: {},
  rawBody: Buffer.alloc(0),
  body: Object.create(null),
  query: Object.create(null),
  ...over,
});

describe('flatParams', () => {
  it('copies strings and string arrays, stringifies JSON scalars, maps null to empty', () => {
    const p = flatParams('vonage', { a: 'x', b: ['1', '2'], n: 12, t: true, z: null, u: undefined }, 'body');
    expect({ ...p }).toEqual({ a: 'x', b: ['1', '2'], n: '12', t: 'true', z: '' });
    expect(Object.getPrototypeOf(p)).toBeNull();
  });

  it('keeps __proto__ and constructor keys as plain data, never as a prototype', () => {
    const p = flatParams('vonage', JSON.parse('{"__proto__":"x","constructor":"c"}'), 'body');
    expect(Object.getPrototypeOf(p)).toBeNull();
    expect(Object.keys(p)).toEqual(['__proto__', 'constructor']);
    expect(param('vonage', p, '__proto__')).toBe('x');
    expect(p.constructor).toBe('c');
    expectCode(() => flatParams('vonage', JSON.parse('{"__proto__":{"polluted":"yes"}}'), 'body'), 'INVALID_INPUT', /"__proto__" is a nested/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['null', null],
    ['a string', 'a=b'],
    ['an array', [{ a: 1 }]],
    ['a number', 3],
  ])('refuses %s as parameters', (_label, value) => {
    expectCode(() => flatParams('twilio', value, 'body'), 'INVALID_INPUT', /^twilio: the body must be an object/);
  });

  it('refuses nested values and too many parameters', () => {
    expectCode(() => flatParams('vonage', { a: { b: 1 } }, 'body'), 'INVALID_INPUT', /"a" is a nested value/);
    expectCode(() => flatParams('vonage', { a: ['x', 1] }, 'body'), 'INVALID_INPUT', /"a" is a nested value/);
    expectCode(() => flatParams('vonage', { a: Number.NaN }, 'body'), 'INVALID_INPUT');
    const many = Object.fromEntries(Array.from({ length: MAX_PARAMS + 1 }, (_, i) => [`k${i}`, 'v']));
    expectCode(() => flatParams('vonage', many, 'body'), 'INVALID_INPUT', /more than 1000 parameters/);
  });
});

describe('requestParams', () => {
  it('reads the query of a GET and the body otherwise', () => {
    const query = Object.assign(Object.create(null), { q: '1' });
    const body = Object.assign(Object.create(null), { b: '2' });
    expect({ ...requestParams('vonage', req({ method: 'GET', query, body })) }).toEqual({ q: '1' });
    expect({ ...requestParams('vonage', req({ method: 'post', query, body })) }).toEqual({ b: '2' });
    expectCode(() => requestParams('vonage', req({ body: [1] })), 'INVALID_INPUT', /body must be an object/);
  });
});

describe('param / requiredParam', () => {
  const p = flatParams('twilio', { a: 'x', e: '', same: ['v', 'v'], diff: ['v', 'w'], long: 'y'.repeat(300) }, 'body');

  it('reads one string, empty as absent', () => {
    expect(param('twilio', p, 'a')).toBe('x');
    expect(param('twilio', p, 'e')).toBeUndefined();
    expect(param('twilio', p, 'missing')).toBeUndefined();
    expect(param('twilio', p, 'same')).toBe('v');
    expect(param('twilio', p, 'toString')).toBeUndefined();
  });

  it('refuses ambiguous, oversized and missing values, naming the field', () => {
    expectCode(() => param('twilio', p, 'diff'), 'INVALID_INPUT', /"diff" is repeated with different values/);
    expectCode(() => param('twilio', p, 'long'), 'INVALID_INPUT', /"long" is longer than 256/);
    expect(param('twilio', p, 'long', 300)).toHaveLength(300);
    expectCode(() => requiredParam('twilio', p, 'e'), 'INVALID_INPUT', /^twilio: parameter "e" is missing$/);
  });
});

describe('plusNumber', () => {
  it.each([
    ['14155550100', '+14155550100'],
    ['+14155550100', '+14155550100'],
    ['447700900123', '+447700900123'],
    ['12345', '12345'], // short code
    ['Acme', 'Acme'],
    ['0612345678', '0612345678'], // national form: no country is guessed
    ['1234567890123456', '1234567890123456'],
  ])('%s → %s', (input, out) => expect(plusNumber(input)).toBe(out));
});

describe('times', () => {
  it('reads YYMMDDhhmm[ss] as UTC', () => {
    expect(compactUtc('vonage', '2001011400', 'scts')).toBe('2020-01-01T14:00:00.000Z');
    expect(compactUtc('twilio', '230214153045', 'RawDlrDoneDate')).toBe('2023-02-14T15:30:45.000Z');
  });

  it('reads YYYY-MM-DD hh:mm:ss[.ffffff] as UTC', () => {
    expect(spacedUtc('vonage', '2013-11-21 15:27:30', 'message-timestamp')).toBe('2013-11-21T15:27:30.000Z');
    expect(spacedUtc('plivo', '2024-02-29 23:59:59.123456', 'MessageTime')).toBe('2024-02-29T23:59:59.123Z');
  });

  it.each(['', '20010114', '2002301400', '2013-02-30 10:00:00', '2013-11-21T15:27:30Z', '2013-11-21 25:00:00', 'x'.repeat(100_000)])(
    'refuses malformed time #%#',
    (v) => {
      expectCode(() => compactUtc('vonage', v, 'scts'), 'INVALID_INPUT', /^vonage: scts must be a time as YYMMDDhhmm$/);
      expectCode(() => spacedUtc('vonage', v, 'message-timestamp'), 'INVALID_INPUT', /message-timestamp must be a time/);
    },
  );

  it('normalises ISO instants with a zone and refuses the rest', () => {
    expect(isoUtc('sandbox', '2030-01-01T10:00:00+02:00', 'receivedAt')).toBe('2030-01-01T08:00:00.000Z');
    expect(isoUtc('sandbox', '2030-01-01T10:00:00.5Z', 'receivedAt')).toBe('2030-01-01T10:00:00.500Z');
    for (const bad of ['2030-01-01T10:00:00', '2030-01-01', 12, null, 'x'.repeat(100_000), '2030-13-01T10:00:00Z']) {
      expectCode(() => isoUtc('sandbox', bad, 'receivedAt'), 'INVALID_INPUT', /^sandbox: receivedAt must be an ISO-8601 time with a zone$/);
    }
  });
});
