/**
 * The Quiet-Hours Gate inside n8n-core's WorkflowExecute: each item leaves on Send Now or Deferred,
 * unchanged but for `quietHours`, judged in the recipient's own zone(s) at the "At" instant.
 */
import { ALASKA, LOS_ANGELES, NEW_YORK, PARIS, expectPairedToOwnInput, judgedAt, quietHoursOf, runGate } from './quiet-hours-gate-fixtures';

const US_TCPA = { policy: 'us-tcpa' };

describe('routing by the recipient’s local time (us-tcpa, 08:00–21:00)', () => {
  it('sends at 10:00 in New York, with the zone and local time for the log', async () => {
    const { sendNow, deferred, error } = await runGate(judgedAt('2026-03-10T14:00:00Z', US_TCPA), [{ id: 0, to: NEW_YORK, text: 'Sale!' }]);
    expect(error).toBeUndefined();
    expect(deferred).toEqual([]);
    expect(sendNow).toHaveLength(1);
    expect(sendNow[0]!.json).toEqual({
      id: 0,
      to: NEW_YORK,
      text: 'Sale!',
      quietHours: {
        allowed: true,
        timezone: 'America/New_York',
        timezones: ['America/New_York'],
        localTime: '2026-03-10T10:00:00.000-04:00',
        policy: 'us-tcpa',
      },
    });
  });

  it('defers 22:30 in New York to 08:00 the next morning, local, given in UTC', async () => {
    const { sendNow, deferred } = await runGate(judgedAt('2026-03-11T02:30:00Z', US_TCPA), [{ id: 0, to: NEW_YORK }]);
    expect(sendNow).toEqual([]);
    expect(quietHoursOf(deferred[0])).toEqual({
      allowed: false,
      timezone: 'America/New_York',
      timezones: ['America/New_York'],
      localTime: '2026-03-10T22:30:00.000-04:00',
      reason: 'outside-window',
      nextAllowedAt: '2026-03-11T12:00:00.000Z',
      waitMs: 9.5 * 3600_000,
      waitSeconds: 9.5 * 3600,
      policy: 'us-tcpa',
    });
  });

  it('judges a +1 907 number in Anchorage and Adak: allowed only when both allow it', async () => {
    // 08:30 in Anchorage is 07:30 in Adak: wait for 08:00 in Adak.
    const morning = await runGate(judgedAt('2026-01-15T17:30:00Z', US_TCPA), [{ id: 0, to: ALASKA }]);
    expect(quietHoursOf(morning.deferred[0])).toMatchObject({
      timezone: 'America/Adak',
      timezones: expect.arrayContaining(['America/Anchorage', 'America/Adak']),
      localTime: '2026-01-15T07:30:00.000-10:00',
      nextAllowedAt: '2026-01-15T18:00:00.000Z',
    });
    // 21:30 in Anchorage, 20:30 in Adak: Anchorage forbids, and its 08:00 is still 07:00 in Adak.
    const evening = await runGate(judgedAt('2026-01-16T06:30:00Z', US_TCPA), [{ id: 0, to: ALASKA }]);
    expect(quietHoursOf(evening.deferred[0])).toMatchObject({ timezone: 'America/Anchorage', nextAllowedAt: '2026-01-16T18:00:00.000Z' });
    const midday = await runGate(judgedAt('2026-01-15T21:00:00Z', US_TCPA), [{ id: 0, to: ALASKA }]);
    expect(quietHoursOf(midday.sendNow[0])).toMatchObject({ allowed: true });
  });

  it('lets one-time passwords and transactional messages through at 03:00, marked exempt', async () => {
    const items = [{ id: 0, to: NEW_YORK, kind: 'otp' }, { id: 1, to: NEW_YORK, kind: 'transactional' }, { id: 2, to: NEW_YORK, kind: 'marketing' }];
    const { sendNow, deferred } = await runGate(judgedAt('2026-03-10T07:00:00Z', { ...US_TCPA, messageClass: '={{ $json.kind }}' }), items);
    expect(sendNow.map((i) => [i.json.id, quietHoursOf(i).reason, quietHoursOf(i).localTime])).toEqual([
      [0, 'exempt', '2026-03-10T03:00:00.000-04:00'],
      [1, 'exempt', '2026-03-10T03:00:00.000-04:00'],
    ]);
    expect(deferred.map((i) => i.json.id)).toEqual([2]);
  });

  it('uses the item’s own zone when Time Zone says so, over the number’s', async () => {
    // 13:00 in New York, 22:30 in Kolkata.
    const parameters = judgedAt('2026-03-10T17:00:00Z', { ...US_TCPA, options: { timezone: '={{ $json.timezone }}' } });
    const { sendNow, deferred } = await runGate(parameters, [
      { id: 0, to: NEW_YORK, timezone: 'Asia/Kolkata' },
      { id: 1, to: NEW_YORK },
    ]);
    expect(quietHoursOf(deferred[0])).toMatchObject({ timezone: 'Asia/Kolkata', localTime: '2026-03-10T22:30:00.000+05:30' });
    expect(sendNow.map((i) => i.json.id)).toEqual([1]);
  });

  it('reads national numbers with Default Country, and falls back to Fallback Time Zone without a number', async () => {
    const parameters = judgedAt('2026-03-11T02:30:00Z', { ...US_TCPA, options: { defaultCountry: 'US', fallbackTimezone: 'Europe/Paris' } });
    const { sendNow, deferred } = await runGate(parameters, [{ id: 0, to: '(212) 555-0123' }, { id: 1 }]);
    expect(quietHoursOf(deferred[0])).toMatchObject({ timezone: 'America/New_York' });
    // 03:30 in Paris? No: 02:30Z is 03:30 in Paris, also quiet; the point is the zone used.
    expect(quietHoursOf(deferred[1])).toMatchObject({ timezone: 'Europe/Paris', localTime: '2026-03-11T03:30:00.000+01:00' });
    expect(sendNow).toEqual([]);
  });

  it('reads an "At" without a zone in the workflow’s time zone', async () => {
    const local = judgedAt('2026-03-10T22:30:00', US_TCPA);
    const inNewYork = await runGate(local, [{ id: 0, to: NEW_YORK }], { timezone: 'America/New_York' });
    expect(quietHoursOf(inNewYork.deferred[0])).toMatchObject({ localTime: '2026-03-10T22:30:00.000-04:00' });
    const inUtc = await runGate(local, [{ id: 0, to: NEW_YORK }], { timezone: 'UTC' });
    expect(quietHoursOf(inUtc.sendNow[0])).toMatchObject({ localTime: '2026-03-10T18:30:00.000-04:00' });
  });

  it('takes "At" from an expression giving a luxon date, as $now or DateTime do', async () => {
    const parameters = { ...US_TCPA, options: { at: "={{ DateTime.fromISO('2026-03-10T22:30:00', { zone: 'America/New_York' }) }}" } };
    const { deferred } = await runGate(parameters, [{ id: 0, to: NEW_YORK }]);
    expect(quietHoursOf(deferred[0])).toMatchObject({ localTime: '2026-03-10T22:30:00.000-04:00' });
  });

  it('judges now when "At" is empty', async () => {
    const before = Date.now();
    const { sendNow } = await runGate({ ...US_TCPA, messageClass: 'otp' }, [{ id: 0, to: NEW_YORK }]);
    const after = Date.now();
    const judged = Date.parse(quietHoursOf(sendNow[0]).localTime as string);
    expect(judged).toBeGreaterThanOrEqual(before);
    expect(judged).toBeLessThanOrEqual(after);
  });
});

describe('daylight saving time (America/New_York)', () => {
  it('2026-11-01, clocks back: 22:30 EDT waits 10.5 hours for 08:00 EST', async () => {
    const { deferred } = await runGate(judgedAt('2026-11-01T02:30:00Z', US_TCPA), [{ id: 0, to: NEW_YORK }]);
    expect(quietHoursOf(deferred[0])).toMatchObject({
      localTime: '2026-10-31T22:30:00.000-04:00',
      nextAllowedAt: '2026-11-01T13:00:00.000Z',
      waitSeconds: 10.5 * 3600,
    });
  });

  it('2026-11-01: the repeated 01:30 (EDT, then EST) both wait for 08:00 EST', async () => {
    // "At" per item, from the item's data.
    const { deferred } = await runGate({ ...US_TCPA, options: { at: '={{ $json.at }}' } }, [
      { id: 0, to: NEW_YORK, at: '2026-11-01T05:30:00Z' },
      { id: 1, to: NEW_YORK, at: '2026-11-01T06:30:00Z' },
    ]);
    expect(deferred.map((i) => [quietHoursOf(i).localTime, quietHoursOf(i).nextAllowedAt])).toEqual([
      ['2026-11-01T01:30:00.000-04:00', '2026-11-01T13:00:00.000Z'],
      ['2026-11-01T01:30:00.000-05:00', '2026-11-01T13:00:00.000Z'],
    ]);
  });

  it('2026-03-08, clocks forward: 01:30 EST waits 5.5 hours for 08:00 EDT', async () => {
    const { deferred } = await runGate(judgedAt('2026-03-08T06:30:00Z', US_TCPA), [{ id: 0, to: NEW_YORK }]);
    expect(quietHoursOf(deferred[0])).toMatchObject({ nextAllowedAt: '2026-03-08T12:00:00.000Z', waitSeconds: 5.5 * 3600 });
  });
});

describe('custom policy', () => {
  const nightShift = (at: string) =>
    judgedAt(at, {
      policy: 'custom',
      windowsMode: 'fields',
      windows: { window: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], from: '22:00', to: '02:00' }] },
      options: { timezone: 'Europe/Paris' },
    });

  it('a window crossing midnight (fields): 22:00–02:00 is open at 01:00, closed at 02:00 and 03:00', async () => {
    // Tuesday 2026-03-10 in Paris (UTC+1).
    const open = await runGate(nightShift('2026-03-10T00:00:00Z'), [{ id: 0 }]);
    expect(quietHoursOf(open.sendNow[0])).toMatchObject({ allowed: true, policy: 'custom', localTime: '2026-03-10T01:00:00.000+01:00' });
    for (const at of ['2026-03-10T01:00:00Z', '2026-03-10T02:00:00Z']) {
      const closed = await runGate(nightShift(at), [{ id: 0 }]);
      expect(quietHoursOf(closed.deferred[0])).toMatchObject({ reason: 'outside-window', nextAllowedAt: '2026-03-10T21:00:00.000Z' });
    }
  });

  it('a window crossing midnight (JSON): Friday 20:00–01:00 still holds early Saturday, then waits a week (Saturday has no window of its own)', async () => {
    const parameters = (at: string) =>
      judgedAt(at, {
        policy: 'custom',
        windowsMode: 'json',
        windowsJson: '{ "fri": [{ "from": "20:00", "to": "01:00" }] }',
        options: { timezone: 'Europe/Paris' },
      });
    const saturdayEarly = await runGate(parameters('2026-03-13T23:30:00Z'), [{ id: 0 }]);
    expect(quietHoursOf(saturdayEarly.sendNow[0])).toMatchObject({ localTime: '2026-03-14T00:30:00.000+01:00' });
    const saturdayLater = await runGate(parameters('2026-03-14T00:30:00Z'), [{ id: 0 }]);
    expect(quietHoursOf(saturdayLater.deferred[0])).toMatchObject({ reason: 'closed-day', nextAllowedAt: '2026-03-20T19:00:00.000Z' });
  });

  it('closes the public holidays of Holiday Country on the recipient’s local date', async () => {
    const parameters = judgedAt('2026-07-14T08:00:00Z', {
      policy: 'custom',
      windows: { window: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], from: '09:00', to: '20:00' }] },
      holidayCountry: 'FR',
    });
    const { deferred } = await runGate(parameters, [{ id: 0, to: PARIS }]);
    expect(quietHoursOf(deferred[0])).toMatchObject({ reason: 'holiday', timezone: 'Europe/Paris', nextAllowedAt: '2026-07-15T07:00:00.000Z' });
  });

  it('a day listed in several rows gets each window', async () => {
    const parameters = (at: string) =>
      judgedAt(at, {
        policy: 'custom',
        windows: {
          window: [
            { days: ['mon'], from: '09:00', to: '12:00' },
            { days: ['mon', 'tue'], from: '14:00', to: '18:00' },
          ],
        },
        options: { timezone: 'Europe/Paris' },
      });
    // Monday 2026-03-09 13:00 in Paris: between Monday's two windows.
    const { deferred } = await runGate(parameters('2026-03-09T12:00:00Z'), [{ id: 0 }]);
    expect(quietHoursOf(deferred[0])).toMatchObject({ nextAllowedAt: '2026-03-09T13:00:00.000Z' });
  });
});

describe('items', () => {
  it('pass through unchanged but for quietHours, which replaces an earlier one', async () => {
    const input = { id: 0, to: NEW_YORK, customer: { name: 'Ana', tags: ['vip'] }, quietHours: 'stale' };
    const { deferred } = await runGate(judgedAt('2026-03-11T02:30:00Z', US_TCPA), [input]);
    const { quietHours, ...rest } = deferred[0]!.json;
    expect(rest).toEqual({ id: 0, to: NEW_YORK, customer: { name: 'Ana', tags: ['vip'] } });
    expect(quietHours).toMatchObject({ allowed: false });
  });

  it('keep their pairing on both outputs', async () => {
    // 08:30 in New York, 05:30 in Los Angeles.
    const items = [NEW_YORK, LOS_ANGELES, LOS_ANGELES, NEW_YORK].map((to, id) => ({ id, to }));
    const { sendNow, deferred } = await runGate(judgedAt('2026-03-10T12:30:00Z', US_TCPA), items);
    expect(sendNow.map((i) => i.json.id)).toEqual([0, 3]);
    expect(deferred.map((i) => i.json.id)).toEqual([1, 2]);
    expectPairedToOwnInput(sendNow);
    expectPairedToOwnInput(deferred);
  });

  it('1,000 items in one execution: every one routed once, in order', async () => {
    const zones = [NEW_YORK, LOS_ANGELES, PARIS, ALASKA];
    const items = Array.from({ length: 1000 }, (_, id) => ({ id, to: zones[id % zones.length] }));
    // 08:30 New York, 05:30 Los Angeles, 13:30 Paris, 04:30 Anchorage (03:30 Adak: open at 08:00 there).
    const { sendNow, deferred, error } = await runGate(judgedAt('2026-03-10T12:30:00Z', US_TCPA), items);
    expect(error).toBeUndefined();
    expect(sendNow).toHaveLength(500);
    expect(deferred).toHaveLength(500);
    expect(sendNow.every((i) => [NEW_YORK, PARIS].includes(i.json.to as string))).toBe(true);
    const ids = (output: typeof sendNow) => output.map((i) => i.json.id as number);
    expect(ids(sendNow)).toEqual([...ids(sendNow)].sort((a, b) => a - b));
    expect(ids(deferred)).toEqual([...ids(deferred)].sort((a, b) => a - b));
    expect(new Set([...ids(sendNow), ...ids(deferred)]).size).toBe(1000);
    expectPairedToOwnInput(sendNow);
    expectPairedToOwnInput(deferred);
    const losAngeles = deferred.find((i) => i.json.to === LOS_ANGELES)!;
    expect(quietHoursOf(losAngeles)).toMatchObject({ timezone: 'America/Los_Angeles', nextAllowedAt: '2026-03-10T15:00:00.000Z' });
    const alaska = deferred.find((i) => i.json.to === ALASKA)!;
    expect(quietHoursOf(alaska)).toMatchObject({ nextAllowedAt: '2026-03-10T17:00:00.000Z' });
    expect(deferred.every((i) => (quietHoursOf(i).waitSeconds as number) > 0)).toBe(true);
  });
});

