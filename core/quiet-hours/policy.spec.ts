import { MAX_WINDOWS_PER_DAY, resolvePolicy } from './policy';
import { thrown } from '../../test/support/sms-error';

const monday = (...windows: { from: string; to: string }[]) => ({ windows: { mon: windows } });

describe('resolvePolicy: presets', () => {
  it('resolves a preset id into minutes for every weekday', () => {
    const policy = resolvePolicy('br-marketing');
    expect(policy.id).toBe('br-marketing');
    expect(policy.windows.mon).toEqual([{ from: '08:00', to: '18:00', start: 480, end: 1080 }]);
    expect(policy.windows.sat).toEqual([{ from: '09:00', to: '13:00', start: 540, end: 780 }]);
    expect(policy.windows.sun).toEqual([]);
    expect(policy.holidays).toEqual({ country: 'BR', types: ['public'] });
    expect(policy.holidayWindows).toEqual([]);
  });

  it('reads ids in any case, with blanks, and as `{ preset }`', () => {
    expect(resolvePolicy(' US-TCPA ')).toBe(resolvePolicy('us-tcpa'));
    expect(resolvePolicy({ preset: 'us-tcpa' }).id).toBe('us-tcpa');
  });

  it('refuses unknown presets, naming the valid ones', () => {
    const e = thrown(() => resolvePolicy('fr-2030'));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toBe(
      'policy: unknown preset "fr-2030"; valid presets: us-tcpa, fr-legacy, fr-af2m-2024, fr-af2m-2026, ' +
        'in-trai-promo, br-marketing, uk-practice, de-practice',
    );
    expect(thrown(() => resolvePolicy({ preset: 'nope' })).message).toMatch(/^policy\.preset: unknown preset "nope"/);
    expect(thrown(() => resolvePolicy({ preset: 7 })).message).toBe('policy.preset must be a preset id, got a number');
  });
});

describe('resolvePolicy: a preset with parts replaced', () => {
  it('replaces only the weekdays given and reports the policy as custom', () => {
    const policy = resolvePolicy({ preset: 'us-tcpa', windows: { sun: [], sat: [{ from: '10:00', to: '18:00' }] } });
    expect(policy.id).toBe('custom');
    expect(policy.windows.sun).toEqual([]);
    expect(policy.windows.sat).toEqual([{ from: '10:00', to: '18:00', start: 600, end: 1080 }]);
    expect(policy.windows.mon).toEqual([{ from: '08:00', to: '21:00', start: 480, end: 1260 }]);
  });

  it('replaces the holiday rule (a region) or drops it', () => {
    const alsace = resolvePolicy({ preset: 'fr-legacy', holidays: { country: 'FR', state: '67' } });
    expect(alsace.holidays).toEqual({ country: 'FR', state: '67', types: ['public'] });
    expect(alsace.windows.sat).toEqual(resolvePolicy('fr-legacy').windows.sat);
    expect(resolvePolicy({ preset: 'fr-legacy', holidays: false }).holidays).toBe(false);
    const bavaria = resolvePolicy({ preset: 'de-practice', holidays: { country: 'DE', state: 'BY' } });
    expect(bavaria.holidays).toEqual({ country: 'DE', state: 'BY', types: ['public'] });
  });

  it('adds holiday windows', () => {
    const policy = resolvePolicy({ preset: 'fr-legacy', holidayWindows: [{ from: '10:00', to: '12:00' }] });
    expect(policy.holidayWindows).toEqual([{ from: '10:00', to: '12:00', start: 600, end: 720 }]);
  });

  it('treats unset parts (null, empty text) as the preset’s', () => {
    const policy = resolvePolicy({ preset: 'fr-legacy', windows: null, holidays: '', holidayWindows: null });
    expect(policy).toBe(resolvePolicy('fr-legacy'));
  });
});

describe('resolvePolicy: custom policies', () => {
  it('sorts several windows a day, and closes the weekdays not given', () => {
    const policy = resolvePolicy(monday({ from: '14:00', to: '18:00' }, { from: '09:00', to: '12:00' }));
    expect(policy.id).toBe('custom');
    expect(policy.windows.mon.map((w) => w.from)).toEqual(['09:00', '14:00']);
    expect(policy.windows.tue).toEqual([]);
    expect(policy.holidays).toBe(false);
  });

  it('lets a window cross midnight and end at 24:00', () => {
    const policy = resolvePolicy({
      windows: { sun: [{ from: '22:00', to: '02:00' }], mon: [{ from: '00:00', to: '24:00' }], tue: [{ from: '20:00', to: '00:00' }] },
    });
    expect(policy.windows.sun[0]).toMatchObject({ start: 1320, end: 1560 });
    expect(policy.windows.mon[0]).toMatchObject({ start: 0, end: 1440 });
    expect(policy.windows.tue[0]).toMatchObject({ start: 1200, end: 1440 });
  });

  it('takes a holiday rule with holiday windows', () => {
    const policy = resolvePolicy({
      windows: { mon: [{ from: '08:00', to: '20:00' }] },
      holidays: { country: 'FR', types: ['public', 'observance'] },
      holidayWindows: [{ from: '10:00', to: '12:00' }],
    });
    expect(policy.holidays).toEqual({ country: 'FR', types: ['public', 'observance'] });
    expect(policy.holidayWindows).toHaveLength(1);
  });

  it('returns frozen policies', () => {
    const policy = resolvePolicy(monday({ from: '08:00', to: '09:00' }));
    expect(Object.isFrozen(policy)).toBe(true);
    expect(Object.isFrozen(policy.windows)).toBe(true);
    expect(Object.isFrozen(policy.windows.mon)).toBe(true);
    expect(Object.isFrozen(policy.windows.mon[0])).toBe(true);
  });
});

describe('resolvePolicy: cache', () => {
  it('resolves equal content once, whatever the object', () => {
    const a = resolvePolicy(monday({ from: '07:00', to: '08:00' }));
    const b = resolvePolicy(JSON.parse(JSON.stringify(monday({ from: '07:00', to: '08:00' }))));
    expect(b).toBe(a);
  });

  it('follows the content, not the object: a policy edited between calls is read again', () => {
    const policy = monday({ from: '07:00', to: '08:00' });
    expect(resolvePolicy(policy).windows.mon[0].from).toBe('07:00');
    policy.windows.mon[0].from = '06:00';
    expect(resolvePolicy(policy).windows.mon[0].from).toBe('06:00');
    policy.windows.mon[0].from = 'late';
    expect(thrown(() => resolvePolicy(policy)).code).toBe('INVALID_INPUT');
  });

  it('never caches a policy with non-JSON parts into a valid one', () => {
    expect(thrown(() => resolvePolicy({ preset: 'us-tcpa', windows: () => ({}) })).message).toBe(
      'policy.windows must be an object, got a function',
    );
    expect(thrown(() => resolvePolicy({ preset: 'us-tcpa', holidays: Number.NaN })).message).toMatch(
      /^policy\.holidays must be false or a rule/,
    );
    // An own property set to undefined is the same as an absent one.
    expect(resolvePolicy({ preset: 'us-tcpa', windows: undefined }).id).toBe('us-tcpa');
  });
});

describe('resolvePolicy: refusals', () => {
  it.each([
    ['no policy', undefined, /^A quiet-hours policy is required: a preset id \(us-tcpa, /],
    ['null', null, /^A quiet-hours policy is required/],
    ['empty text', '', /^A quiet-hours policy is required/],
    ['a number', 42, /^policy must be a preset id or a policy object, got a number$/],
    ['an array', [{ preset: 'us-tcpa' }], /^policy must be a preset id or a policy object, got an array$/],
    ['a Date', new Date(), /^policy must be a plain object \(JSON\)/],
    ['no windows and no preset', {}, /^A custom quiet-hours policy needs windows/],
    ['an unknown key', { preset: 'us-tcpa', holiday: false }, /unknown key "holiday"; allowed keys: preset, windows, holidays, holidayWindows/],
    ['a __proto__ key', JSON.parse('{"preset":"us-tcpa","__proto__":{"windows":{}}}'), /must not contain the key "__proto__"/],
    ['a constructor key', { preset: 'us-tcpa', constructor: {} }, /must not contain the key "constructor"/],
    ['a __proto__ weekday', JSON.parse('{"windows":{"__proto__":[]}}'), /policy\.windows must not contain the key "__proto__"/],
    ['an unknown weekday', { windows: { monday: [{ from: '08:00', to: '20:00' }] } }, /policy\.windows has an unknown key "monday"; allowed keys: mon, tue/],
    ['windows as a list', { windows: [{ from: '08:00', to: '20:00' }] }, /^policy\.windows must be an object, got an array$/],
    ['a weekday that is not a list', { windows: { mon: { from: '08:00', to: '20:00' } } }, /^policy\.windows\.mon must be a list of windows/],
    ['a null weekday', { windows: { mon: null } }, /^policy\.windows\.mon must be a list of windows .* got null$/],
    ['every weekday empty', { windows: { mon: [], sun: [] } }, /has no window on any weekday: it would never allow a message/],
    ['a preset with every day closed', { preset: 'br-marketing', windows: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [] } }, /has no window on any weekday/],
    ['a window that is not an object', monday('08:00-20:00' as never), /^policy\.windows\.mon\[0\] must be an object, got a string$/],
    ['a window with an extra key', monday({ from: '08:00', to: '20:00', tz: 'UTC' } as never), /policy\.windows\.mon\[0\] has an unknown key "tz"/],
    ['a window without `to`', monday({ from: '08:00' } as never), /^policy\.windows\.mon\[0\]\.to is missing: a time "HH:mm"$/],
    ['from equal to to', monday({ from: '08:00', to: '08:00' }), /^policy\.windows\.mon\[0\] opens and closes at the same time \(08:00\); write "00:00" to "24:00"/],
    ['00:00 to 00:00', monday({ from: '00:00', to: '00:00' }), /opens and closes at the same time/],
    ['24:00 as a start', monday({ from: '24:00', to: '08:00' }), /^policy\.windows\.mon\[0\]\.from must be a time "HH:mm" from 00:00 to 23:59, got "24:00"$/],
    ['a single-digit hour', monday({ from: '8:00', to: '20:00' }), /\.from must be a time "HH:mm"/],
    ['minute 60', monday({ from: '08:60', to: '20:00' }), /\.from must be a time "HH:mm"/],
    ['hour 25', monday({ from: '08:00', to: '25:00' }), /\.to must be a time "HH:mm" from 00:00 to 23:59 or 24:00, got "25:00"$/],
    ['seconds', monday({ from: '08:00:00', to: '20:00' }), /\.from must be a time "HH:mm"/],
    ['no colon', monday({ from: '0800', to: '20:00' }), /\.from must be a time "HH:mm"/],
    ['blanks', monday({ from: ' 08:00', to: '20:00' }), /\.from must be a time "HH:mm"/],
    ['full-width digits', monday({ from: '０８:００', to: '20:00' }), /\.from must be a time "HH:mm"/],
    ['a number', monday({ from: 800 as never, to: '20:00' }), /\.from must be a time "HH:mm", got a number$/],
    ['a huge time', monday({ from: `08:00${' '.repeat(1_000_000)}`, to: '20:00' }), /\.from must be a time "HH:mm"/],
    ['holidays: true', { preset: 'us-tcpa', holidays: true }, /^policy\.holidays must be false or a rule such as \{ "country": "FR" \}, got a boolean$/],
    ['an unknown holiday country', { preset: 'us-tcpa', holidays: { country: 'XX' } }, /^policy\.holidays\.country "XX" is not a country/],
    ['holiday windows without holidays', { windows: { mon: [{ from: '08:00', to: '20:00' }] }, holidayWindows: [{ from: '10:00', to: '12:00' }] }, /^policy\.holidayWindows needs policy\.holidays/],
    ['holiday windows that are not a list', { preset: 'fr-legacy', holidayWindows: 'none' }, /^policy\.holidayWindows must be a list of windows/],
  ])('refuses %s with INVALID_INPUT and a message saying where', (_label, policy, message) => {
    const e = thrown(() => resolvePolicy(policy));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toMatch(message);
    expect(e.message.length).toBeLessThan(400);
  });

  it(`caps windows at ${MAX_WINDOWS_PER_DAY} a day, before reading any of them`, () => {
    const window = { from: '08:00', to: '09:00' };
    expect(resolvePolicy({ windows: { mon: Array(MAX_WINDOWS_PER_DAY).fill(window) } }).windows.mon).toHaveLength(24);
    expect(thrown(() => resolvePolicy({ windows: { mon: Array(25).fill(window) } })).message).toBe(
      'policy.windows.mon has 25 windows; at most 24 are allowed per day',
    );
    expect(thrown(() => resolvePolicy({ windows: { mon: Array(10_000).fill(window) } })).message).toBe(
      'policy.windows.mon has 10000 windows; at most 24 are allowed per day',
    );
    const sparse: unknown[] = [];
    sparse.length = 2 ** 32 - 1;
    expect(thrown(() => resolvePolicy({ windows: { mon: sparse } })).message).toMatch(/at most 24 are allowed per day$/);
    expect(thrown(() => resolvePolicy({ preset: 'fr-legacy', holidayWindows: Array(25).fill(window) })).message).toBe(
      'policy.holidayWindows has 25 windows; at most 24 are allowed per day',
    );
  });

  it('never reads options set on Object.prototype', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.windows = { mon: [] };
    proto.holidays = { country: 'FR' };
    try {
      const policy = resolvePolicy({ preset: 'us-tcpa' });
      expect(policy.windows.mon).toHaveLength(1);
      expect(policy.holidays).toBe(false);
    } finally {
      delete proto.windows;
      delete proto.holidays;
    }
  });
});
