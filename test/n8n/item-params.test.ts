/** nodes/shared/item-params: what expressions hand over, brought to the core's types or refused with a code. */
import { DateTime } from 'luxon';
import type { IExecuteFunctions } from 'n8n-workflow';
import { SmsError } from '../../core/errors';
import { instantValue, itemOption, itemParam, textValue } from '../../nodes/shared/item-params';

function refusal(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SmsError);
    return { code: (e as SmsError).code, message: (e as SmsError).message };
  }
  throw new Error('expected a refusal');
}

describe('textValue', () => {
  it('keeps text, turns numbers into text, reads empty as absent', () => {
    expect(textValue(' +1 212 ', 'Phone')).toBe(' +1 212 ');
    expect(textValue(12125550123, 'Phone')).toBe('12125550123');
    expect(textValue(12n, 'Phone')).toBe('12');
    for (const empty of [undefined, null, '']) expect(textValue(empty, 'Phone')).toBeUndefined();
  });

  it.each([
    [['+12125550123'], 'an array'],
    [{ to: '+12125550123' }, 'an object'],
    [true, 'a boolean'],
    [Number.NaN, 'a number'],
  ])('refuses %p, naming the field and the kind, not the value', (value, kind) => {
    const { code, message } = refusal(() => textValue(value, 'Phone'));
    expect(code).toBe('INVALID_INPUT');
    expect(message).toBe(`"Phone" must be text, got ${kind}`);
  });
});

describe('instantValue', () => {
  it('reads an ISO string with an offset as that instant, and one without in the given zone', () => {
    expect(instantValue('2026-03-10T22:30:00-04:00', 'At', 'UTC')).toBe('2026-03-11T02:30:00.000Z');
    expect(instantValue('2026-03-10T22:30:00Z', 'At', 'Asia/Tokyo')).toBe('2026-03-10T22:30:00.000Z');
    expect(instantValue(' 2026-03-10T22:30:00 ', 'At', 'America/New_York')).toBe('2026-03-11T02:30:00.000Z');
  });

  it('takes luxon DateTimes ($now) and Dates', () => {
    expect(instantValue(DateTime.fromISO('2026-03-10T22:30:00', { zone: 'America/New_York' }), 'At', 'UTC')).toBe('2026-03-11T02:30:00.000Z');
    expect(instantValue(new Date(Date.UTC(2026, 2, 11, 2, 30)), 'At', 'UTC')).toBe('2026-03-11T02:30:00.000Z');
  });

  it('reads empty as absent', () => {
    for (const empty of [undefined, null, '']) expect(instantValue(empty, 'At', 'UTC')).toBeUndefined();
  });

  it.each([
    ['a date that does not exist', '2026-02-30T10:00:00Z', /not a valid ISO-8601/],
    ['words', 'tomorrow morning', /not a valid ISO-8601/],
    ['a megabyte', '2026-03-10T22:30:00Z'.repeat(50_000), /not a valid ISO-8601/],
    ['a number', 1_773_000_000_000, /must be a date and time, got a number/],
    ['an object', { at: '2026-03-10' }, /must be a date and time, got an object/],
    ['an invalid Date', new Date(Number.NaN), /not a valid ISO-8601/],
  ])('refuses %s', (_label, value, message) => {
    const refused = refusal(() => instantValue(value, 'At', 'UTC'));
    expect(refused.code).toBe('INVALID_INPUT');
    expect(refused.message).toMatch(message);
    expect(refused.message).toContain('"At"');
  });
});

describe('itemParam / itemOption', () => {
  const fns = (getNodeParameter: (name: string, itemIndex: number, fallback: unknown) => unknown) =>
    ({ getNodeParameter }) as unknown as IExecuteFunctions;

  it('asks n8n for the item’s value, options under "options." with null for unset', () => {
    const asked: unknown[][] = [];
    const f = fns((...args) => (asked.push(args), 'value'));
    expect(itemParam(f, 'phone', 3, '')).toBe('value');
    expect(itemOption(f, 'timezone', 4)).toBe('value');
    expect(asked).toEqual([
      ['phone', 3, ''],
      ['options.timezone', 4, null],
    ]);
  });

  it('turns an expression that fails on the item into that item’s INVALID_INPUT', () => {
    const f = fns(() => {
      throw new Error("Cannot read properties of undefined (reading 'trim')");
    });
    expect(refusal(() => itemParam(f, 'phone', 0, ''))).toEqual({
      code: 'INVALID_INPUT',
      message: `"phone": Cannot read properties of undefined (reading 'trim')`,
    });
  });
});
