import Holidays from 'date-holidays';
import { isHoliday, resolveHolidayRule, type ResolvedHolidayRule } from './holidays';
import { epochDayOf } from './local-time';
import { thrown } from '../../test/support/sms-error';

const rule = (value: unknown): ResolvedHolidayRule => resolveHolidayRule(value, 'holidays');
const on = (r: ResolvedHolidayRule, y: number, m: number, d: number): boolean => isHoliday(r, epochDayOf(y, m, d));

describe('resolveHolidayRule', () => {
  it('spells codes as date-holidays does and counts public holidays by default', () => {
    expect(rule({ country: 'fr' })).toEqual({ country: 'FR', types: ['public'] });
    expect(rule({ country: ' DE ', state: 'by', region: 'a' })).toEqual({
      country: 'DE',
      state: 'BY',
      region: 'A',
      types: ['public'],
    });
    expect(rule({ country: 'FR', state: '67' }).state).toBe('67');
  });

  it('keeps the listed types once each', () => {
    expect(rule({ country: 'BR', types: ['public', 'bank', 'public'] }).types).toEqual(['public', 'bank']);
  });

  it('treats an empty or null state, region or types as not given', () => {
    expect(rule({ country: 'FR', state: '', region: null, types: null })).toEqual({ country: 'FR', types: ['public'] });
  });

  it('returns a frozen rule', () => {
    const resolved = rule({ country: 'FR' });
    expect(Object.isFrozen(resolved)).toBe(true);
    expect(Object.isFrozen(resolved.types)).toBe(true);
  });

  it.each([
    ['an unknown country', { country: 'XX' }, /holidays\.country "XX" is not a country with known holidays/],
    ['a three-letter code', { country: 'FRA' }, /holidays\.country "FRA"/],
    ['an empty country', { country: '' }, /holidays\.country is required/],
    ['a missing country', {}, /holidays\.country is required: an ISO 3166-1 alpha-2 code such as FR/],
    ['a blank country', { country: '  ' }, /holidays\.country "" is not a country/],
    ['a numeric country', { country: 33 }, /holidays\.country must be text/],
    ['an oversized country', { country: 'F'.repeat(100_000) }, /holidays\.country is longer than 8 characters/],
    ['an unknown state', { country: 'DE', state: 'ZZ' }, /holidays\.state "ZZ" is not a state of DE \(known: BB, BE/],
    ['a state of a country without states', { country: 'MC', state: 'X' }, /not a state of MC \(it has none\)/],
    ['a region without a state', { country: 'DE', region: 'A' }, /holidays\.region needs holidays\.state/],
    ['an unknown region', { country: 'DE', state: 'BY', region: 'ZZ' }, /not a region of DE\/BY \(known: A, KATH, EVANG\)/],
    ['types that are not a list', { country: 'FR', types: 'public' }, /holidays\.types must be a list/],
    ['an empty types list', { country: 'FR', types: [] }, /set holidays to false/],
    ['an unknown type', { country: 'FR', types: ['national'] }, /may only hold public, bank, school, optional, observance/],
    ['a non-text type', { country: 'FR', types: [1] }, /may only hold/],
    ['10,000 types', { country: 'FR', types: Array(10_000).fill('public') }, /more than 5 entries/],
    ['an unknown key', { country: 'FR', type: 'public' }, /unknown key "type"/],
    ['a prototype key', JSON.parse('{"country":"FR","__proto__":{"types":["bank"]}}'), /must not contain the key "__proto__"/],
    ['an array', ['FR'], /holidays must be an object, got an array/],
    ['a string', 'FR', /holidays must be an object, got a string/],
  ])('refuses %s with INVALID_INPUT', (_label, value, message) => {
    const e = thrown(() => rule(value));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toMatch(message);
    expect(e.message.length).toBeLessThan(400);
  });
});

describe('isHoliday', () => {
  it('knows the French public holidays, fixed and moving', () => {
    const fr = rule({ country: 'FR' });
    expect(on(fr, 2026, 7, 14)).toBe(true);
    expect(on(fr, 2026, 7, 13)).toBe(false);
    expect(on(fr, 2026, 4, 6)).toBe(true); // Easter Monday
    expect(on(fr, 2026, 5, 14)).toBe(true); // Ascension
    expect(on(fr, 2026, 5, 24)).toBe(false); // Pentecost Sunday is an observance, not a public holiday
    expect(on(fr, 2026, 12, 26)).toBe(false);
  });

  it('adds the holidays of a state (Alsace: Good Friday, 26 December)', () => {
    const alsace = rule({ country: 'FR', state: '67' });
    expect(on(alsace, 2026, 12, 26)).toBe(true);
    expect(on(alsace, 2026, 4, 3)).toBe(true);
    expect(on(rule({ country: 'FR' }), 2026, 4, 3)).toBe(false);
  });

  it('counts only the listed types', () => {
    // Brazil's Carnival Monday and Tuesday are bank holidays, not public ones.
    expect(on(rule({ country: 'BR' }), 2026, 2, 16)).toBe(false);
    expect(on(rule({ country: 'BR', types: ['bank'] }), 2026, 2, 16)).toBe(true);
    expect(on(rule({ country: 'BR' }), 2026, 4, 21)).toBe(true); // Tiradentes
  });

  it('closes the whole date of a holiday that starts in the afternoon', () => {
    // "2026-12-24 14:00" Noite de Natal, optional.
    expect(on(rule({ country: 'BR', types: ['optional'] }), 2026, 12, 24)).toBe(true);
    expect(on(rule({ country: 'BR', types: ['optional'] }), 2026, 12, 23)).toBe(false);
  });

  it('closes every day of a multi-day holiday, from its listed date', () => {
    // Eid al-Fitr in the UAE: listed 2026-03-20 for three days (from the evening before).
    const ae = rule({ country: 'AE' });
    expect([19, 20, 21, 22, 23].map((d) => on(ae, 2026, 3, d))).toEqual([false, true, true, true, false]);
  });

  it('sees a holiday listed in the previous year that runs into January', () => {
    // Incwala in Eswatini: 2025-12-28 to 2026-01-02.
    const sz = rule({ country: 'SZ' });
    expect(on(sz, 2025, 12, 28)).toBe(true);
    expect(on(sz, 2026, 1, 2)).toBe(true);
    expect(on(sz, 2026, 1, 3)).toBe(false);
  });

  it('reads each year of a calendar once, however often it is asked', () => {
    const spy = jest.spyOn(Holidays.prototype, 'getHolidays');
    try {
      const nl = rule({ country: 'NL' });
      for (let i = 0; i < 1_000; i++) on(nl, 2031, 1 + (i % 12), 1 + (i % 28));
      // 2031 and the 2030 list it reads for holidays running into January.
      expect(spy).toHaveBeenCalledTimes(2);
      on(rule({ country: 'nl', types: ['public', 'bank'] }), 2031, 5, 5);
      expect(spy).toHaveBeenCalledTimes(2);
    } finally {
      spy.mockRestore();
    }
  });
});
