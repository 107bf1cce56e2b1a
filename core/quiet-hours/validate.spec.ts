import { runInNewContext } from 'node:vm';
import { isUnset, own, quote, readObject, readString } from './validate';
import { thrown } from '../../test/support/sms-error';

describe('readObject', () => {
  it('accepts plain objects, including prototype-less ones', () => {
    expect(readObject({ a: 1 }, 'x', ['a'])).toEqual({ a: 1 });
    const bare = Object.create(null) as Record<string, unknown>;
    bare.a = 2;
    expect(readObject(bare, 'x', ['a'])).toBe(bare);
  });

  it.each([
    ['null', null],
    ['an array', [{ a: 1 }]],
    ['a string', 'a'],
    ['a function', () => 1],
    ['a Date', new Date()],
    ['a Map', new Map([['a', 1]])],
  ])('refuses %s with INVALID_INPUT', (_label, value) => {
    expect(thrown(() => readObject(value, 'policy', ['a'])).code).toBe('INVALID_INPUT');
  });

  it('refuses unknown keys, naming the key and the allowed ones', () => {
    const e = thrown(() => readObject({ a: 1, holiday: false }, 'policy', ['a', 'holidays']));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toBe('policy has an unknown key "holiday"; allowed keys: a, holidays');
  });

  it('refuses prototype keys even when they are allowed names elsewhere', () => {
    for (const json of ['{"__proto__": {"a": 1}}', '{"constructor": {}}', '{"prototype": 1}']) {
      const e = thrown(() => readObject(JSON.parse(json), 'policy', ['a', 'constructor', 'prototype', '__proto__']));
      expect(e.message).toMatch(/^policy must not contain the key "(__proto__|constructor|prototype)"$/);
    }
  });

  it('clips a huge unknown key in the message', () => {
    const e = thrown(() => readObject({ ['k'.repeat(100_000)]: 1 }, 'policy', []));
    expect(e.message.length).toBeLessThan(150);
  });
});

describe('own', () => {
  it('reads own properties only, never what is set on Object.prototype', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.polluted = 'yes';
    try {
      expect(own({}, 'polluted')).toBeUndefined();
      expect(own({ polluted: 1 }, 'polluted')).toBe(1);
    } finally {
      delete proto.polluted;
    }
  });
});

describe('isUnset / readString / quote', () => {
  it('treats undefined, null and empty text as not given, and nothing else', () => {
    expect([undefined, null, ''].every(isUnset)).toBe(true);
    expect([0, false, ' ', [], {}, Number.NaN].some(isUnset)).toBe(false);
  });

  it('reads strings up to a length and refuses the rest', () => {
    expect(readString('abc', 'x', 3)).toBe('abc');
    expect(thrown(() => readString('abcd', 'x', 3)).message).toBe('x is longer than 3 characters');
    expect(thrown(() => readString(3, 'x', 3)).message).toBe('x must be text, got a number');
  });

  it('quotes identifiers clipped and without control characters', () => {
    expect(quote('Europe/Paris')).toBe('"Europe/Paris"');
    expect(quote('a\u0000b\nc')).toBe('"a b c"');
    expect(quote('x'.repeat(50), 10)).toBe(`"${'x'.repeat(10)}…"`);
  });
});

describe('readObject across realms', () => {
  it('reads a policy object built in a Node-RED Function node or an n8n Code node', () => {
    const foreign = runInNewContext('({ from: "09:00", to: "20:00" })') as unknown;
    expect(readObject(foreign, 'window', ['from', 'to'])).toEqual({ from: '09:00', to: '20:00' });
  });
});
