/**
 * sms-quiet-hours in route mode: the decision for each message, on which output it leaves, and
 * the coded errors for what cannot be judged. `Date` is faked to the instant each test names.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listPresets } from '../../core/quiet-hours';
import { localLabel, parseSettings } from '../../node-red/sms-quiet-hours';
import { thrownCode } from '../support/sms-error';
import { editorDefinition, readNodeHtml } from './editor-script';
import { fakeDateOnly, GateFlow, type Msg } from './sms-quiet-hours-flow';

const NEW_YORK = '+1 212 555 0100';
/** Anchorage and Adak: a message must be allowed in both. */
const ALASKA = '+1 907 555 0100';
const PARIS = '+33 6 12 34 56 78';

/** Monday 2026-03-09, 23:00 in New York (EDT, UTC-4). */
const NY_LATE = '2026-03-10T03:00:00Z';
/** Tuesday 2026-03-10, 12:00 in New York. */
const NY_NOON = '2026-03-10T16:00:00Z';

let flow: GateFlow | undefined;

async function gate(settings: Record<string, unknown> = {}): Promise<GateFlow> {
  flow = await GateFlow.start({ gate: settings });
  return flow;
}

afterEach(async () => {
  await flow?.stop();
  flow = undefined;
  jest.useRealTimers();
});

function onlyCaught(out: { now: Msg | null; deferred: Msg | null; caught: Msg | null }, code: string): Msg {
  expect(out.now).toBeNull();
  expect(out.deferred).toBeNull();
  expect(out.caught?.error).toMatchObject({ code, source: { id: 'gate', type: 'sms-quiet-hours' } });
  return out.caught!;
}

describe('sms-quiet-hours: route mode', () => {
  it('sends an allowed message on output 1 with the decision, the rest of msg unchanged', async () => {
    fakeDateOnly(NY_NOON);
    const f = await gate();
    const out = await f.input({ to: NEW_YORK, payload: 'Spring sale', topic: 'promo' });
    expect(out.deferred).toBeNull();
    expect(out.caught).toBeNull();
    expect(out.now).toMatchObject({ to: NEW_YORK, payload: 'Spring sale', topic: 'promo' });
    expect(out.now!.quietHours).toEqual({
      allowed: true,
      timezone: 'America/New_York',
      timezones: ['America/New_York'],
      localTime: '2026-03-10T12:00:00.000-04:00',
      policy: 'us-tcpa',
    });
    expect(f.lastStatus).toEqual({ fill: 'green', shape: 'dot', text: 'send now' });
  });

  it('defers a message in quiet hours on output 2 with when it may go', async () => {
    fakeDateOnly(NY_LATE);
    const f = await gate();
    const out = await f.input({ payload: { to: NEW_YORK, text: 'Spring sale' } });
    expect(out.now).toBeNull();
    expect(out.deferred!.quietHours).toMatchObject({
      allowed: false,
      reason: 'outside-window',
      timezone: 'America/New_York',
      localTime: '2026-03-09T23:00:00.000-04:00',
      nextAllowedAt: '2026-03-10T12:00:00.000Z',
      waitMs: 9 * 3_600_000,
      waitSeconds: 9 * 3_600,
    });
    expect(f.lastStatus).toEqual({ fill: 'yellow', shape: 'ring', text: 'deferred → Tue 08:00 EDT' });
  });

  it("reads the payload's own number before msg.to, as sms-send does", async () => {
    fakeDateOnly('2026-03-10T20:00:00Z'); // 16:00 in New York, 21:00 in Paris
    const f = await gate({ policy: 'uk-practice' });
    const out = await f.input({ to: NEW_YORK, payload: { to: PARIS, text: 'Bonjour' } });
    expect(out.deferred?.quietHours).toMatchObject({ timezone: 'Europe/Paris', localTime: '2026-03-10T21:00:00.000+01:00' });
  });

  it('lets a message go only when every zone of a multi-zone number allows it', async () => {
    // 08:30 in Anchorage but 07:30 in Adak.
    fakeDateOnly('2026-03-10T16:30:00Z');
    const f = await gate();
    const out = await f.input({ to: ALASKA });
    expect(out.deferred!.quietHours).toMatchObject({
      allowed: false,
      timezone: 'America/Adak',
      timezones: ['America/Adak', 'America/Anchorage'],
      nextAllowedAt: '2026-03-10T17:00:00.000Z',
    });
  });

  it('computes the next allowed time across the spring DST gap and the autumn overlap', async () => {
    fakeDateOnly('2026-03-08T06:30:00Z'); // 01:30 EST, the night clocks go forward
    const f = await gate();
    const spring = await f.input({ to: NEW_YORK });
    expect(spring.deferred!.quietHours).toMatchObject({ nextAllowedAt: '2026-03-08T12:00:00.000Z', waitMs: 5.5 * 3_600_000 });

    jest.setSystemTime(Date.parse('2026-11-01T05:30:00Z')); // 01:30 EDT, the first of two
    const autumn = await f.input({ to: NEW_YORK });
    expect(autumn.deferred!.quietHours).toMatchObject({ nextAllowedAt: '2026-11-01T13:00:00.000Z', waitMs: 7.5 * 3_600_000 });
  });

  it('lets exempt classes through at night: the node setting and msg.messageClass', async () => {
    fakeDateOnly(NY_LATE);
    const f = await gate({ messageClass: 'transactional' });
    const byNode = await f.input({ to: NEW_YORK });
    expect(byNode.now!.quietHours).toMatchObject({ allowed: true, reason: 'exempt' });
    expect(f.lastStatus).toEqual({ fill: 'green', shape: 'dot', text: 'send now (exempt)' });
    const marketing = await f.input({ to: NEW_YORK, messageClass: 'marketing' });
    expect(marketing.deferred!.quietHours).toMatchObject({ allowed: false });
    const otp = await f.input({ to: NEW_YORK, messageClass: 'otp' });
    expect(otp.now!.quietHours).toMatchObject({ allowed: true, reason: 'exempt' });
  });

  it('judges in msg.timezone when given, over the zones of the number', async () => {
    fakeDateOnly(NY_NOON); // 17:00 in Paris
    const f = await gate({ policy: 'de-practice' });
    expect((await f.input({ to: NEW_YORK, timezone: 'Europe/Paris' })).now).not.toBeNull();
    jest.setSystemTime(Date.parse('2026-03-10T21:00:00Z')); // 17:00 in New York, 22:00 in Paris
    const late = await f.input({ to: NEW_YORK, timezone: 'Europe/Paris' });
    expect(late.deferred!.quietHours).toMatchObject({ timezone: 'Europe/Paris', nextAllowedAt: '2026-03-11T07:00:00.000Z' });
  });

  it('takes the zone from a fixed setting and judges a message with no number there', async () => {
    fakeDateOnly('2026-03-10T06:00:00Z'); // 07:00 in Paris
    const f = await gate({ policy: 'fr-af2m-2026', timezone: 'Europe/Paris', timezoneType: 'str' });
    const out = await f.input({ payload: 'no number at all' });
    expect(out.deferred!.quietHours).toMatchObject({ timezone: 'Europe/Paris', nextAllowedAt: '2026-03-10T07:00:00.000Z' });
  });

  it('uses the fallback zone only when neither msg.timezone nor the number gives one', async () => {
    fakeDateOnly('2026-03-10T06:00:00Z');
    const f = await gate({ fallbackTimezone: 'Asia/Tokyo' }); // 15:00 in Tokyo
    expect((await f.input({ payload: 'no number' })).now!.quietHours).toMatchObject({ timezone: 'Asia/Tokyo', allowed: true });
    expect((await f.input({ to: NEW_YORK })).deferred!.quietHours).toMatchObject({ timezone: 'America/New_York' });
  });

  it('reads national numbers with the default country', async () => {
    fakeDateOnly(NY_NOON);
    const f = await gate({ defaultCountry: 'us' });
    expect((await f.input({ to: '(212) 555-0100' })).now!.quietHours).toMatchObject({ timezone: 'America/New_York' });
  });

  it('closes a public holiday of the chosen country, judged on the local date', async () => {
    // Tuesday 14 July 2026, 10:00 in Paris: Bastille Day.
    fakeDateOnly('2026-07-14T08:00:00Z');
    const f = await gate({ policy: 'fr-af2m-2026', holidays: 'country', holidayCountry: 'fr' });
    const out = await f.input({ to: PARIS });
    expect(out.deferred!.quietHours).toMatchObject({ reason: 'holiday', nextAllowedAt: '2026-07-15T06:00:00.000Z' });
  });

  it('applies custom windows, one of them crossing midnight', async () => {
    fakeDateOnly('2026-03-14T23:30:00Z'); // Saturday 23:30 in London
    const windows = JSON.stringify({ sat: [{ from: '22:00', to: '02:00' }] });
    const f = await gate({ policy: 'custom', windows, timezone: 'Europe/London', timezoneType: 'str' });
    expect((await f.input({ payload: 'late party' })).now!.quietHours).toMatchObject({ allowed: true, policy: 'custom' });
    jest.setSystemTime(Date.parse('2026-03-15T02:30:00Z')); // Sunday 02:30: the window has ended
    expect((await f.input({ payload: 'too late' })).deferred!.quietHours).toMatchObject({
      reason: 'closed-day',
      nextAllowedAt: '2026-03-21T22:00:00.000Z',
    });
  });
});

describe('sms-quiet-hours: bad input never goes out', () => {
  beforeEach(() => fakeDateOnly(NY_NOON));

  it.each([
    ['an invalid number', 'INVALID_PHONE', { to: 'not a number' }],
    ['a number as a JS number', 'INVALID_PHONE', { to: 12125550100 }],
    ['a number in an object', 'INVALID_PHONE', { payload: { to: { e164: '+12125550100' } } }],
    ['a megabyte of digits', 'INVALID_PHONE', { to: '1'.repeat(1_000_000) }],
    ['an unknown zone', 'INVALID_TIMEZONE', { to: NEW_YORK, timezone: 'Mars/Olympus_Mons' }],
    ['a zone that is not text', 'INVALID_TIMEZONE', { to: NEW_YORK, timezone: 5 }],
    ['a ten-kilobyte zone', 'INVALID_TIMEZONE', { to: NEW_YORK, timezone: 'Europe/'.repeat(1_500) }],
    ['no number and no zone', 'NO_TIMEZONE', { payload: 'hello' }],
    ['an unknown class', 'INVALID_INPUT', { to: NEW_YORK, messageClass: 'urgent' }],
    ['a bulk', 'INVALID_INPUT', { payload: [{ to: NEW_YORK, text: 'a' }] }],
  ])('answers %s with %s, on neither output', async (_what, code, msg) => {
    const f = await gate();
    const caught = onlyCaught(await f.input(msg), code);
    expect(caught.quietHours).toBeUndefined();
    expect(JSON.stringify(caught.error).length).toBeLessThan(2_000);
    expect(f.lastStatus).toEqual({ fill: 'red', shape: 'ring', text: code });
  });

  it('clears the error status with the next good message', async () => {
    const f = await gate();
    await f.input({ to: 'nope' });
    await f.input({ to: NEW_YORK });
    expect(f.lastStatus).toEqual({ fill: 'green', shape: 'dot', text: 'send now' });
  });

  it.each([
    ['an unknown preset', { policy: 'mars-colony' }, 'INVALID_INPUT'],
    ['custom windows that are not JSON', { policy: 'custom', windows: '{mon: 9-5}' }, 'INVALID_INPUT'],
    ['custom windows with a bad time', { policy: 'custom', windows: '{"mon":[{"from":"25:00","to":"26:00"}]}' }, 'INVALID_INPUT'],
    ['custom windows that are a list', { policy: 'custom', windows: '[]' }, 'INVALID_INPUT'],
    ['a holiday country that is a name', { holidays: 'country', holidayCountry: 'France' }, 'INVALID_INPUT'],
    ['an unknown fallback zone', { fallbackTimezone: 'Atlantis/Capital' }, 'INVALID_TIMEZONE'],
    ['an unknown mode', { mode: 'sleep' }, 'INVALID_INPUT'],
    ['an unknown class', { messageClass: 'urgent' }, 'INVALID_INPUT'],
    ['a zone source Node-RED does not have', { timezoneType: 'jsonata' }, 'INVALID_INPUT'],
  ])('refuses %s at deploy: red status, and every message fails with the reason', async (_what, settings, code) => {
    const f = await gate(settings);
    expect(f.statuses).toContainEqual({ fill: 'red', shape: 'ring', text: 'configuration error' });
    onlyCaught(await f.input({ to: NEW_YORK }), code);
  });
});

describe('parseSettings', () => {
  it('reads a preset with its holidays replaced and the country upper-cased', () => {
    const s = parseSettings({ id: 'n', type: 'sms-quiet-hours', policy: 'de-practice', holidays: 'country', holidayCountry: 'de', holidayState: 'by' });
    expect(s.policy).toEqual({ preset: 'de-practice', holidays: { country: 'DE', state: 'BY' } });
    expect(parseSettings({ id: 'n', type: 'sms-quiet-hours', policy: 'fr-legacy', holidays: 'none' }).policy).toEqual({
      preset: 'fr-legacy',
      holidays: false,
    });
  });

  it('refuses settings of the wrong type with INVALID_INPUT', () => {
    for (const bad of [{ policy: 7 }, { mode: ['hold'] }, { windows: {}, policy: 'custom' }, { defaultCountry: 'USA' }, { policy: 'custom', windows: 'x'.repeat(70_000) }]) {
      expect([bad, thrownCode(() => parseSettings({ id: 'n', type: 'sms-quiet-hours', ...(bad as object) }))]).toEqual([bad, 'INVALID_INPUT']);
    }
  });
});

describe('localLabel', () => {
  it('shows an instant in the given zone, and in UTC when the zone is unknown', () => {
    expect(localLabel('2026-03-10T12:00:00.000Z', 'America/New_York')).toBe('Tue 08:00 EDT');
    expect(localLabel('2026-03-10T12:00:00.000Z', 'Not/AZone')).toBe('Tue 12:00 UTC');
    expect(localLabel('garbage', 'UTC')).toBe('?');
  });
});

describe('sms-quiet-hours in the editor', () => {
  const { type, def } = editorDefinition('sms-quiet-hours.html');
  const defaults = Object.fromEntries(Object.entries(def.defaults as Record<string, { value: unknown }>).map(([k, v]) => [k, v.value]));

  it('has one input and two outputs, whose second label follows the mode', () => {
    expect(type).toBe('sms-quiet-hours');
    expect(def).toMatchObject({ category: 'sms', inputs: 1, outputs: 2, icon: 'sms-quiet-hours.svg' });
    const labels = def.outputLabels as (this: { mode: string }, i: number) => string;
    expect([0, 1].map((i) => labels.call({ mode: 'route' }, i))).toEqual(['send now', 'deferred']);
    expect(labels.call({ mode: 'hold' }, 1)).toMatch(/not held/);
    expect((def.defaults as Record<string, unknown>).store).toMatchObject({ type: 'sms-store', required: false });
  });

  it('offers exactly the core presets, in order and with their labels, then custom windows', () => {
    const select = /<select id="node-input-policy"[^>]*>([\s\S]*?)<\/select>/.exec(readNodeHtml('sms-quiet-hours.html'))![1]!;
    const options = [...select.matchAll(/<option value="([^"]+)">([^<]+)<\/option>/g)].map((m) => [m[1], m[2]]);
    expect(options).toEqual([...listPresets().map((p) => [p.id, p.label]), ['custom', 'custom windows']]);
  });

  it('starts from settings the runtime accepts: US TCPA, marketing, zone from msg.timezone, route mode', () => {
    expect(parseSettings({ id: 'n', type: 'sms-quiet-hours', ...defaults })).toEqual({
      policy: 'us-tcpa',
      messageClass: 'marketing',
      timezone: { value: 'timezone', type: 'msg' },
      mode: 'route',
    });
  });

  it('ships default custom windows the runtime accepts', () => {
    const s = parseSettings({ id: 'n', type: 'sms-quiet-hours', ...defaults, policy: 'custom' });
    expect(s.policy).toMatchObject({ windows: { mon: [{ from: '09:00', to: '20:00' }] }, holidays: false });
  });

  it("has an icon in Node-RED's style: white on transparent, 2:3", () => {
    const svg = readFileSync(join(__dirname, '..', '..', 'icons', 'sms-quiet-hours.svg'), 'utf8');
    expect(svg).toMatch(/viewBox="0 0 40 60"/);
    expect([...svg.matchAll(/fill="([^"]+)"/g)].map((m) => m[1])).toEqual(['#fff']);
  });

  it('has help in the order of Node-RED help, describing both outputs and the commands', () => {
    const help = /<script type="text\/html" data-help-name="sms-quiet-hours">([\s\S]*?)<\/script>/.exec(readNodeHtml('sms-quiet-hours.html'))![1]!.trim();
    expect(help.startsWith('<p>')).toBe(true);
    expect([...help.matchAll(/<h3>([^<]+)<\/h3>/g)].map((m) => m[1])).toEqual(['Inputs', 'Outputs', 'Details', 'References']);
    const ports = /<ol class="node-ports">([\s\S]*?)<\/ol>/.exec(help)![1]!;
    expect([...ports.matchAll(/<li>([\w ]+)\n/g)].map((m) => m[1]!.trim())).toEqual(['send now', 'deferred']);
    for (const prop of ['flush', 'reset', 'timezone', 'messageClass']) expect(help).toContain(`<dt class="optional">${prop}`);
  });
});
