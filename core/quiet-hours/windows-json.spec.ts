import { thrown } from '../../test/support/sms-error';
import { MAX_WINDOWS_JSON, parseWindowsJson } from './windows-json';

describe('parseWindowsJson', () => {
  it('returns the object the JSON holds, for resolvePolicy to check', () => {
    expect(parseWindowsJson(' {"mon": [{"from": "09:00", "to": "20:00"}]} ', 'W')).toEqual({ mon: [{ from: '09:00', to: '20:00' }] });
  });

  it.each([
    ['empty text', '  ', /W is empty/],
    ['text over the limit', ' '.repeat(MAX_WINDOWS_JSON) + '{}', /W is longer than 65536 characters/],
    ['text that is not JSON', '{ mon: 09:00-20:00 }', /W is not valid JSON/],
    ['a JSON list', '[]', /W must be a JSON object of weekdays, got an array/],
    ['a JSON string', '"mon"', /W must be a JSON object of weekdays/],
    ['null', 'null', /W must be a JSON object of weekdays/],
  ])('refuses %s with INVALID_INPUT', (_label, text, message) => {
    const e = thrown(() => parseWindowsJson(text, 'W'));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toMatch(message);
  });
});
