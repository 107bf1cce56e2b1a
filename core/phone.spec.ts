import { expectCode, thrown } from '../test/support/sms-error';
import { isMobileCapable, MAX_PHONE_INPUT_LENGTH, normalizePhone } from './phone';
import { PHONE_ZONE_MAX_PREFIX_LENGTH, PHONE_ZONE_NAMES, PHONE_ZONE_ROWS, timezonesForE164 } from './phone-timezones';
import type { PhoneInfo } from './types';

const NANP_ZONES = 42;

describe('normalizePhone: E.164 numbers (reference §7.1)', () => {
  it('+12125551234: New York, fixed line or mobile (NANP ranges do not tell)', () => {
    expect(normalizePhone('+12125551234')).toEqual({
      e164: '+12125551234',
      country: 'US',
      callingCode: '1',
      nationalNumber: '2125551234',
      type: 'FIXED_LINE_OR_MOBILE',
      timezones: ['America/New_York'],
    });
  });

  it('+19075551234: Alaska spans two zones', () => {
    expect(normalizePhone('+19075551234').timezones).toEqual(['America/Adak', 'America/Anchorage']);
  });

  it('+33612345678: French mobile in Europe/Paris', () => {
    expect(normalizePhone('+33612345678')).toEqual({
      e164: '+33612345678',
      country: 'FR',
      callingCode: '33',
      nationalNumber: '612345678',
      type: 'MOBILE',
      timezones: ['Europe/Paris'],
    });
  });

  it('+33145678901: French fixed line', () => {
    const info = normalizePhone('+33145678901');
    expect(info.type).toBe('FIXED_LINE');
    expect(info.timezones).toEqual(['Europe/Paris']);
  });

  it('+18005551234: NANP toll-free maps to every NANP zone', () => {
    const info = normalizePhone('+18005551234');
    expect(info.type).toBe('TOLL_FREE');
    expect(info.country).toBe('US');
    expect(info.timezones).toHaveLength(NANP_ZONES);
    expect(info.timezones).toEqual(expect.arrayContaining(['America/New_York', 'Pacific/Honolulu', 'America/St_Johns']));
  });

  it('+919812345678: Indian mobile; the data gives the legacy name Asia/Calcutta', () => {
    const info = normalizePhone('+919812345678');
    expect(info).toMatchObject({ country: 'IN', callingCode: '91', type: 'MOBILE' });
    expect(info.timezones).toEqual(['Asia/Calcutta']);
  });

  it('UK mobile: Guernsey, Isle of Man and London share the prefix', () => {
    const info = normalizePhone('+447400123456');
    expect(info).toMatchObject({ country: 'GB', type: 'MOBILE' });
    expect(info.timezones).toEqual(['Europe/Guernsey', 'Europe/Isle_of_Man', 'Europe/London']);
  });

  it('+447700900123 has zones in the map but is Ofcom drama range, so it is not a valid number', () => {
    expect(timezonesForE164('+447700900123')).toEqual(['Europe/Guernsey', 'Europe/Isle_of_Man', 'Europe/London']);
    expectCode(() => normalizePhone('+447700900123'), 'INVALID_PHONE', /not assigned|no such number/);
  });

  it('keeps the national leading zero of Italian numbers', () => {
    expect(normalizePhone('+39 06 1234 5678')).toMatchObject({
      e164: '+390612345678',
      nationalNumber: '0612345678',
      timezones: ['Europe/Rome'],
    });
  });

  it('finds the country of a shared calling code (+1 787 is Puerto Rico, +1 416 Canada)', () => {
    expect(normalizePhone('+17875551234')).toMatchObject({ country: 'PR', timezones: ['America/Puerto_Rico'] });
    expect(normalizePhone('4165550123', { defaultCountry: 'US' })).toMatchObject({
      e164: '+14165550123',
      country: 'CA',
      timezones: ['America/Toronto'],
    });
  });

  it('non-geographic numbers have no country and no zones', () => {
    const info = normalizePhone('+80012345678');
    expect(info).toEqual({
      e164: '+80012345678',
      callingCode: '800',
      nationalNumber: '12345678',
      type: 'TOLL_FREE',
      timezones: [],
    });
    expect('country' in info).toBe(false);
  });

  it('returns a fresh zones array each time', () => {
    const first = normalizePhone('+19075551234');
    first.timezones.push('Mars/Olympus_Mons');
    expect(normalizePhone('+19075551234').timezones).toEqual(['America/Adak', 'America/Anchorage']);
  });
});

describe('normalizePhone: human formats', () => {
  it.each([
    ['+1 (415) 555-0100', '+14155550100'],
    ['  +1 (415) 555-0100 \n', '+14155550100'],
    ['+1.415.555.0100', '+14155550100'],
    ['00 33 6 12 34 56 78', '+33612345678'],
    ['0033612345678', '+33612345678'],
    ['+33 6.12.34.56.78', '+33612345678'],
    ['+33-6-12-34-56-78', '+33612345678'],
    ['+33 612/345678', '+33612345678'],
    ['+33 6 12 34 56 78', '+33612345678'],
    ['\t+33 6 12 34 56 78\u00a0', '+33612345678'],
    ['\uFF0B\uFF13\uFF13\uFF16\uFF11\uFF12\uFF13\uFF14\uFF15\uFF16\uFF17\uFF18', '+33612345678'],
    ['+\u0663\u0663\u0666\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668', '+33612345678'],
    ['+33 \u20136 12 34 56 78', '+33612345678'],
  ])('%j → %s', (input, e164) => {
    expect(normalizePhone(input).e164).toBe(e164);
  });

  it.each([
    ['06 12 34 56 78', 'FR', '+33612345678'],
    ['06 12 34 56 78', 'fr', '+33612345678'],
    [' 01 45 67 89 01 ', ' FR ', '+33145678901'],
    ['(415) 555-0100', 'US', '+14155550100'],
    ['415-555-0100', 'US', '+14155550100'],
    ['1 415 555 0100', 'US', '+14155550100'],
    ['07400 123456', 'GB', '+447400123456'],
    ['00 33 6 12 34 56 78', 'FR', '+33612345678'],
    // The default country's own international prefix, and ITU's 00 typed where it is not (US).
    ['011 33 6 12 34 56 78', 'US', '+33612345678'],
    ['0011 33 6 12 34 56 78', 'AU', '+33612345678'],
    ['00 33 6 12 34 56 78', 'US', '+33612345678'],
    ['33612345678', 'FR', '+33612345678'],
  ])('%j with defaultCountry %j → %s', (input, defaultCountry, e164) => {
    expect(normalizePhone(input, { defaultCountry }).e164).toBe(e164);
  });

  it('a number with + ignores the default country', () => {
    expect(normalizePhone('+33612345678', { defaultCountry: 'US' }).country).toBe('FR');
  });

  it('an unset default country (undefined, null, empty text field) means none', () => {
    for (const defaultCountry of [undefined, null, '']) {
      expect(normalizePhone('+33612345678', { defaultCountry } as { defaultCountry?: string }).e164).toBe(
        '+33612345678',
      );
      expectCode(() => normalizePhone('0612345678', { defaultCountry } as { defaultCountry?: string }), 'INVALID_PHONE');
    }
    expect(normalizePhone('+33612345678', null as unknown as undefined).e164).toBe('+33612345678');
  });
});

describe('normalizePhone: rejections', () => {
  it.each([
    [undefined, /got undefined/],
    [null, /got null/],
    [33612345678, /got number/],
    [{ e164: '+33612345678' }, /got object/],
    [['+33612345678'], /got object/],
  ])('non-string %j → INVALID_PHONE', (input, message) => {
    expectCode(() => normalizePhone(input as unknown as string), 'INVALID_PHONE', message);
  });

  it.each(['', '   ', '\n\t'])('empty %j → INVALID_PHONE', (input) => {
    expectCode(() => normalizePhone(input), 'INVALID_PHONE', /empty/);
  });

  it.each(['1-800-FLOWERS', '+1 800 FLOWERS', '+1 800 356 9377 ext. 12', 'tel:+33612345678', '+33 6 12 34 56 7O', '+7 ДВА'])(
    'letters %j → INVALID_PHONE naming vanity numbers',
    (input) => {
      expectCode(() => normalizePhone(input, { defaultCountry: 'US' }), 'INVALID_PHONE', /letters.*vanity.*1-800-FLOWERS/);
    },
  );

  it.each([
    ['+1 415 555 0100 #12', '#'],
    ['+33 6 12 34 56 78\u0000', '\u0000'],
    ['\u{1F4F1}+33612345678', '\u{1F4F1}'],
    ['+33*612345678', '*'],
    ['+33 6 12 34 56 78;', ';'],
    ['+33 6 12 34 56 78,+33 6 12 34 56 79', ','],
  ])('%j → INVALID_PHONE naming the character', (input, bad) => {
    const err = thrown(() => normalizePhone(input));
    expect(err.code).toBe('INVALID_PHONE');
    expect(err.message).toContain(`contains ${JSON.stringify(bad)}`);
  });

  it.each([
    ['+33 1', /too short/],
    ['+33 6 12 34 56 78 9', /number of digits/],
    ['+999 1234 5678', /calling code/],
    ['+', /./],
    ['+447700900123', /no such number/],
    ['+1 555 555 5555', /./],
    ['+33 0 12 34 56 78', /./],
  ])('%j is not a valid number → INVALID_PHONE', (input, message) => {
    expectCode(() => normalizePhone(input), 'INVALID_PHONE', message);
  });

  it('a possible but unassigned national number with a default country → INVALID_PHONE', () => {
    expectCode(() => normalizePhone('12345', { defaultCountry: 'US' }), 'INVALID_PHONE');
    expectCode(() => normalizePhone('01 23 45', { defaultCountry: 'FR' }), 'INVALID_PHONE');
  });

  it.each(['0612345678', '06 12 34 56 78', '(415) 555-0100', '33612345678'])(
    'national %j without a default country → INVALID_PHONE asking for the country code',
    (input) => {
      expectCode(() => normalizePhone(input), 'INVALID_PHONE', /no country code/);
    },
  );

  it.each([
    ['an unknown code', 'XX'],
    ['alpha-3', 'FRA'],
    ['a name', 'France'],
    ['one letter', 'F'],
    ['a digit', '3'],
    ['non-Latin letters', 'ФР'],
    ['1 MB of text', 'x'.repeat(1_048_576)],
  ])('defaultCountry: %s → INVALID_INPUT', (_label, defaultCountry) => {
    expectCode(() => normalizePhone('06 12 34 56 78', { defaultCountry }), 'INVALID_INPUT', /defaultCountry/);
  });

  it.each([[33], [true], [{}], [['FR']]])('defaultCountry of the wrong type %j → INVALID_INPUT', (defaultCountry) => {
    expectCode(
      () => normalizePhone('06 12 34 56 78', { defaultCountry } as unknown as { defaultCountry: string }),
      'INVALID_INPUT',
    );
  });

  it.each([['FR'], [42], [['FR']]])('options that are not an object (%j) → INVALID_INPUT', (opts) => {
    expectCode(() => normalizePhone('+33612345678', opts as unknown as { defaultCountry: string }), 'INVALID_INPUT');
  });

  it(`caps input at ${MAX_PHONE_INPUT_LENGTH} characters, whitespace included`, () => {
    const padded = `+33612345678${' '.repeat(MAX_PHONE_INPUT_LENGTH - 12)}`;
    expect(padded).toHaveLength(MAX_PHONE_INPUT_LENGTH);
    expect(normalizePhone(padded).e164).toBe('+33612345678');
    expectCode(() => normalizePhone(`${padded} `), 'INVALID_PHONE', new RegExp(`longer than ${MAX_PHONE_INPUT_LENGTH}`));
  });

  it.each([
    ['1 MB of digits', '1'.repeat(1_048_576)],
    ['1 MB of digits after +', `+${'3'.repeat(1_048_576)}`],
    ['1 MB of garbage', '(-.'.repeat(349_526)],
    ['1 MB of letters', 'FLOWERS'.repeat(149_797)],
    ['1 MB of whitespace', ' '.repeat(1_048_576)],
  ])('%s → INVALID_PHONE (too long)', (_label, input) => {
    expectCode(() => normalizePhone(input, { defaultCountry: 'US' }), 'INVALID_PHONE', /longer than/);
  });
});

describe('isMobileCapable', () => {
  it('is true for MOBILE and FIXED_LINE_OR_MOBILE, false for other types', () => {
    expect(isMobileCapable(normalizePhone('+33612345678'))).toBe(true);
    expect(isMobileCapable(normalizePhone('+12125551234'))).toBe(true);
    expect(isMobileCapable(normalizePhone('+33145678901'))).toBe(false);
    expect(isMobileCapable(normalizePhone('+18005551234'))).toBe(false);
    const unknown: PhoneInfo = {
      e164: '+80012345678',
      callingCode: '800',
      nationalNumber: '12345678',
      type: 'UNKNOWN',
      timezones: [],
    };
    expect(isMobileCapable(unknown)).toBe(false);
  });

  it.each([[undefined], [null], ['+33612345678'], [{}], [{ type: 42 }]])('%j → INVALID_INPUT', (info) => {
    expectCode(() => isMobileCapable(info as unknown as PhoneInfo), 'INVALID_INPUT');
  });
});

describe('timezonesForE164 (generated from libphonenumber map_data.txt)', () => {
  it('picks the longest matching prefix', () => {
    // 1208 is not in the map; 12082 → Boise & LA, 1208201 → Denver (Idaho straddles two zones).
    expect(timezonesForE164('+12082991234')).toEqual(['America/Boise', 'America/Los_Angeles']);
    expect(timezonesForE164('+12082011234')).toEqual(['America/Denver']);
    expect(timezonesForE164('+12192261234')).toEqual(['America/Chicago']);
    expect(timezonesForE164('+12195551234')).toEqual(['America/New_York']);
  });

  it('falls back to the calling code, and to [] for an unassigned one', () => {
    expect(timezonesForE164('+1')).toHaveLength(NANP_ZONES);
    expect(timezonesForE164('+33')).toEqual(['Europe/Paris']);
    expect(timezonesForE164('+999123')).toEqual([]);
  });

  it('holds the whole map: 3,291 prefixes, 286 distinct zones', () => {
    const prefixes = PHONE_ZONE_ROWS.flatMap(([, p]) => p.split(' '));
    expect(prefixes).toHaveLength(3291);
    expect(new Set(prefixes).size).toBe(3291);
    expect(PHONE_ZONE_NAMES).toHaveLength(286);
    expect(new Set(PHONE_ZONE_NAMES).size).toBe(286);
    expect(Math.max(...prefixes.map((p) => p.length))).toBe(PHONE_ZONE_MAX_PREFIX_LENGTH);
    for (const [indices] of PHONE_ZONE_ROWS) {
      for (const i of indices) expect(PHONE_ZONE_NAMES[i]).toEqual(expect.any(String));
    }
  });

  it.each([
    ['undefined', undefined],
    ['a number', 12125551234],
    ['empty', ''],
    ['a lone +', '+'],
    ['digits without +', '12125551234'],
    ['calling code 0', '+0123'],
    ['spaces', '+1 212 555 1234'],
    ['16 digits', '+1234567890123456'],
    ['1 MB of digits', `+${'1'.repeat(1_048_576)}`],
  ])('%s is not E.164 → INVALID_PHONE', (_label, input) => {
    expectCode(() => timezonesForE164(input as unknown as string), 'INVALID_PHONE');
  });
});
