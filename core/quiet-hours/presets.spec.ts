import { SmsError } from '../errors';
import { resolvePolicy } from './policy';
import { PRESETS, PRESET_IDS, findPreset, getPreset, listPresets } from './presets';
import type { PresetId, TimeWindow, Weekday } from './types';

const DAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** The schedule of each preset as the README table states it: [days, from, to][]. */
const EXPECTED: Record<PresetId, { windows: [Weekday[], string, string][]; holidays: string | false }> = {
  'us-tcpa': { windows: [[DAYS, '08:00', '21:00']], holidays: false },
  'fr-legacy': { windows: [[DAYS.slice(0, 6), '08:00', '20:00']], holidays: 'FR' },
  'fr-af2m-2024': { windows: [[DAYS.slice(0, 6), '08:00', '22:00']], holidays: 'FR' },
  'fr-af2m-2026': { windows: [[DAYS, '08:00', '21:30']], holidays: false },
  'in-trai-promo': { windows: [[DAYS, '10:00', '21:00']], holidays: false },
  'br-marketing': {
    windows: [
      [DAYS.slice(0, 5), '08:00', '18:00'],
      [['sat'], '09:00', '13:00'],
    ],
    holidays: 'BR',
  },
  'uk-practice': { windows: [[DAYS, '09:00', '20:00']], holidays: false },
  'de-practice': { windows: [[DAYS, '08:00', '20:00']], holidays: false },
};

function expectedWindows(id: PresetId): Partial<Record<Weekday, TimeWindow[]>> {
  const out: Partial<Record<Weekday, TimeWindow[]>> = {};
  for (const [days, from, to] of EXPECTED[id].windows) for (const day of days) out[day] = [{ from, to }];
  return out;
}

describe('PRESETS', () => {
  it('holds the eight presets of the issue, in picker order', () => {
    expect(PRESET_IDS).toEqual([
      'us-tcpa',
      'fr-legacy',
      'fr-af2m-2024',
      'fr-af2m-2026',
      'in-trai-promo',
      'br-marketing',
      'uk-practice',
      'de-practice',
    ]);
    expect(listPresets().map((p) => p.id)).toEqual(PRESET_IDS);
  });

  it.each(PRESET_IDS.map((id) => [id]))('%s has the documented windows and holidays', (id) => {
    const preset = PRESETS[id];
    expect(preset.id).toBe(id);
    expect(preset.windows).toEqual(expectedWindows(id));
    expect(preset.holidays === false ? false : preset.holidays.country).toBe(EXPECTED[id].holidays);
    expect(preset.holidayWindows).toBeUndefined();
  });

  it.each(PRESET_IDS.map((id) => [id]))('%s says where it comes from and when it was checked', (id) => {
    const preset = PRESETS[id];
    expect(preset.label.length).toBeGreaterThan(10);
    expect(preset.basis.length).toBeGreaterThan(40);
    expect(preset.sources.length).toBeGreaterThan(0);
    for (const source of preset.sources) expect(new URL(source).protocol).toBe('https:');
    expect(preset.lastReviewed).toBe('2026-11-22');
  });

  it.each(PRESET_IDS.map((id) => [id]))('%s passes the policy checks and resolves under its own id', (id) => {
    expect(resolvePolicy(id).id).toBe(id);
  });

  it('cannot be edited: a policy overrides a preset, it never changes one for everyone', () => {
    const preset = PRESETS['us-tcpa'];
    expect(Object.isFrozen(preset)).toBe(true);
    expect(Object.isFrozen(preset.windows.mon)).toBe(true);
    expect(Object.isFrozen(preset.windows.mon?.[0])).toBe(true);
    expect(() => {
      (preset.windows.mon as TimeWindow[])[0].from = '00:00';
    }).toThrow(TypeError);
    expect(PRESETS['us-tcpa'].windows.mon).toEqual([{ from: '08:00', to: '21:00' }]);
  });
});

describe('getPreset / findPreset', () => {
  it('finds a preset by id, ignoring case and blanks', () => {
    expect(getPreset('fr-legacy')).toBe(PRESETS['fr-legacy']);
    expect(getPreset('  FR-Legacy ')).toBe(PRESETS['fr-legacy']);
    expect(findPreset('nope')).toBeUndefined();
  });

  it('does not treat inherited object keys as ids', () => {
    expect(findPreset('constructor')).toBeUndefined();
    expect(findPreset('__proto__')).toBeUndefined();
    expect(findPreset('toString')).toBeUndefined();
  });

  it.each([
    ['an unknown id', 'fr-2030'],
    ['an empty id', ''],
    ['a megabyte of text', 'x'.repeat(1_000_000)],
    ['a number', 42],
    ['null', null],
    ['an object', { id: 'us-tcpa' }],
  ])('refuses %s with INVALID_INPUT naming the valid ids', (_label, id) => {
    try {
      getPreset(id as string);
      throw new Error('expected a refusal');
    } catch (e) {
      expect(e).toBeInstanceOf(SmsError);
      expect((e as SmsError).code).toBe('INVALID_INPUT');
      expect((e as SmsError).message).toContain('us-tcpa, fr-legacy');
      expect((e as SmsError).message.length).toBeLessThan(300);
    }
  });
});
