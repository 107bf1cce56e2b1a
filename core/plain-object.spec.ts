import { runInNewContext } from 'node:vm';
import { isPlainObject } from './plain-object';

describe('isPlainObject', () => {
  it('accepts literals, null-prototype objects and objects made in another realm (Node-RED Function node)', () => {
    expect(isPlainObject({ a: 1 })).toBe(true);
    expect(isPlainObject(Object.create(null))).toBe(true);
    expect(isPlainObject(runInNewContext('({ to: "+14155550100", nested: { a: 1 } })'))).toBe(true);
    expect(isPlainObject(runInNewContext('JSON.parse(\'{"a":1}\')'))).toBe(true);
  });

  it('refuses arrays, class instances, built-ins and primitives, from any realm', () => {
    class Thing {}
    for (const value of [
      [],
      runInNewContext('[]'),
      new Thing(),
      new Date(),
      runInNewContext('new Date()'),
      new Map(),
      Buffer.from('x'),
      /x/,
      runInNewContext('new (class A {})()'),
      null,
      undefined,
      'text',
      1,
      () => undefined,
    ]) {
      expect(isPlainObject(value)).toBe(false);
    }
  });

  it('is not fooled by a forged toStringTag or a prototype chain ending in a plain object', () => {
    expect(isPlainObject({ [Symbol.toStringTag]: 'Object', __proto__: { x: 1 } })).toBe(false);
    expect(isPlainObject(Object.create({}))).toBe(false);
  });
});
