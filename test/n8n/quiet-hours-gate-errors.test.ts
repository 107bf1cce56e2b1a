/**
 * Bad input to the Quiet-Hours Gate inside WorkflowExecute. An item that cannot be judged fails
 * alone with a code and never reaches Send Now; a policy that is not valid is the node's
 * configuration and fails once, before any item is judged.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';
import { logs } from './harness';
import { NEW_YORK, expectPairedToOwnInput, judgedAt, quietHoursOf, runGate } from './quiet-hours-gate-fixtures';

/** 10:00 in New York: the good items go to Send Now. */
const ALLOWED_AT = '2026-03-10T14:00:00Z';
const PER_ITEM: INodeParameters = {
  policy: 'us-tcpa',
  phone: '={{ $json.to }}',
  messageClass: '={{ $json.kind ?? "marketing" }}',
  options: { at: `={{ $json.at ?? "${ALLOWED_AT}" }}`, timezone: '={{ $json.timezone ?? "" }}' },
};

interface FailedJson extends IDataObject {
  error: { code: string; message: string; retryable: boolean };
}

/** Runs [good, bad, good] with "continue on fail" and returns the bad item's output. */
async function middleItemFails(bad: IDataObject): Promise<FailedJson> {
  const items = [{ id: 0, to: NEW_YORK }, { id: 1, ...bad }, { id: 2, to: NEW_YORK }];
  const run = await runGate(PER_ITEM, items, { onError: 'continueRegularOutput' });
  expect(run.error).toBeUndefined();
  expect(run.sendNow.map((i) => i.json.id)).toEqual([0, 2]);
  expect(run.deferred).toHaveLength(1);
  expectPairedToOwnInput(run.deferred);
  const failed = run.deferred[0]!.json as FailedJson;
  expect(failed.quietHours).toBeUndefined();
  expect(failed.error.message.length).toBeLessThan(500);
  return failed;
}

describe('an item that cannot be judged fails alone, on Deferred (continue on fail)', () => {
  it.each([
    ['an unknown time zone', { to: NEW_YORK, timezone: 'Mars/Olympus_Mons' }, 'INVALID_TIMEZONE'],
    ['a time zone that is not text', { to: NEW_YORK, timezone: { name: 'Europe/Paris' } }, 'INVALID_INPUT'],
    ['a megabyte of time zone', { to: NEW_YORK, timezone: 'Europe/'.repeat(150_000) }, 'INVALID_TIMEZONE'],
    ['a number that is not valid', { to: '12' }, 'INVALID_PHONE'],
    ['a megabyte of digits', { to: '9'.repeat(1024 * 1024) }, 'INVALID_PHONE'],
    ['a phone that is a list', { to: [NEW_YORK, NEW_YORK] }, 'INVALID_INPUT'],
    ['a phone that is an object', { to: { number: NEW_YORK } }, 'INVALID_INPUT'],
    ['no number and no zone', {}, 'NO_TIMEZONE'],
    ['an unknown message class', { to: NEW_YORK, kind: 'promo' }, 'INVALID_INPUT'],
    ['an "At" that is not a date', { to: NEW_YORK, at: 'yesterday' }, 'INVALID_INPUT'],
    ['an "At" that is an object', { to: NEW_YORK, at: { when: 'now' } }, 'INVALID_INPUT'],
    ['an "At" of a megabyte', { to: NEW_YORK, at: '2026'.repeat(256 * 1024) }, 'INVALID_INPUT'],
  ])('%s', async (_label, bad, code) => {
    const failed = await middleItemFails(bad);
    expect(failed.error.code).toBe(code);
    // The item keeps its data, so the failure says which recipient it was about.
    expect(failed.id).toBe(1);
  });

  it('names the field, without echoing the value', async () => {
    const failed = await middleItemFails({ to: ['+12125550199'] });
    expect(failed.error.message).toContain('"Phone" must be text');
    expect(failed.error.message).not.toContain('5550199');
  });

  it('an expression that fails on this item’s data fails this item only', async () => {
    // n8n throws for a node that does not exist (most other mistakes evaluate to nothing).
    const parameters = judgedAt(ALLOWED_AT, { policy: 'us-tcpa', phone: "={{ $json.fromCrm ? $('CRM').item.json.phone : $json.to }}" });
    const items = [{ id: 0, to: NEW_YORK }, { id: 1, fromCrm: true }, { id: 2, to: NEW_YORK }];
    const { sendNow, deferred } = await runGate(parameters, items, { onError: 'continueRegularOutput' });
    expect(sendNow.map((i) => i.json.id)).toEqual([0, 2]);
    expect(deferred[0]!.json).toMatchObject({ id: 1, error: { code: 'INVALID_INPUT', message: expect.stringContaining('"phone"') } });
  });

  it('goes to n8n’s error output with "continue (using error output)", the input fields merged back', async () => {
    const items = [{ id: 0, to: NEW_YORK }, { id: 1, to: NEW_YORK, timezone: 'Bogus/Zone' }, { id: 2, to: NEW_YORK }];
    const { sendNow, deferred, errors, error } = await runGate(PER_ITEM, items, { onError: 'continueErrorOutput' });
    expect(error).toBeUndefined();
    expect(sendNow.map((i) => i.json.id)).toEqual([0, 2]);
    expect(deferred).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.json).toMatchObject({ id: 1, to: NEW_YORK, error: { code: 'INVALID_TIMEZONE' } });
    expect(errors[0]!.pairedItem).toEqual({ item: 1 });
  });

  it('stops the run at the first failure otherwise, with the code, the item and what it means', async () => {
    const items = [{ id: 0, to: NEW_YORK }, { id: 1, to: NEW_YORK, timezone: 'Bogus/Zone' }, { id: 2, to: NEW_YORK }];
    const { error, outputs } = await runGate(PER_ITEM, items);
    expect(error).toBeDefined();
    expect(error!.message).toMatch(/^INVALID_TIMEZONE: /);
    expect(error!.description).toContain('Item 1 of 3');
    expect(error!.description).toContain('running the workflow again is safe');
    expect(error!.context).toMatchObject({ itemIndex: 1, smsError: { code: 'INVALID_TIMEZONE' } });
    expect(outputs).toEqual([]);
  });
});

describe('a policy that is not valid fails the node once', () => {
  const custom = (parameters: INodeParameters): INodeParameters => judgedAt(ALLOWED_AT, { policy: 'custom', options: { timezone: 'Europe/Paris' }, ...parameters });
  const json = (windowsJson: string) => custom({ windowsMode: 'json', windowsJson });
  const ITEMS = [{ id: 0 }, { id: 1 }, { id: 2 }];

  it.each([
    ['JSON of over 64 KB', json(`{"mon": [${'{"from": "09:00", "to": "20:00"},'.repeat(40_000)}]}`), /longer than 65536 characters/],
    ['text that is not JSON', json('{ mon: 09:00-20:00 }'), /not valid JSON/],
    ['a JSON list', json('[{ "from": "09:00", "to": "20:00" }]'), /must be a JSON object of weekdays, got an array/],
    ['a __proto__ key', json('{ "__proto__": { "polluted": true }, "mon": [{ "from": "09:00", "to": "20:00" }] }'), /__proto__/],
    ['an unknown weekday', json('{ "monday": [{ "from": "09:00", "to": "20:00" }] }'), /unknown key "monday"/],
    ['a time that does not exist', json('{ "mon": [{ "from": "09:00", "to": "25:00" }] }'), /policy\.windows\.mon\[0\]\.to/],
    ['25 windows in a day', json(`{ "mon": [${Array.from({ length: 25 }, () => '{ "from": "09:00", "to": "10:00" }').join(',')}] }`), /at most 24/],
    ['no window at all (fields)', custom({ windowsMode: 'fields', windows: {} }), /no window on any weekday/],
    ['a row without days', custom({ windows: { window: [{ days: [], from: '09:00', to: '20:00' }] } }), /row 1 has no day/],
    ['a row with a day that is not one', custom({ windows: { window: [{ days: ['funday'], from: '09:00', to: '20:00' }] } }), /not a weekday/],
    ['a start that is not a time', custom({ windows: { window: [{ days: ['mon'], from: '9am', to: '20:00' }] } }), /policy\.windows\.mon\[0\]\.from/],
    ['an unknown holiday country', custom({ windows: { window: [{ days: ['mon'], from: '09:00', to: '20:00' }] }, holidayCountry: 'XX' }), /XX/],
    ['a state without a country', custom({ windows: { window: [{ days: ['mon'], from: '09:00', to: '20:00' }] }, holidayState: 'BY' }), /needs "Holiday Country"/],
    ['an unknown preset', judgedAt(ALLOWED_AT, { policy: 'us-tcpa-1999' }), /unknown preset/],
  ])('%s: one error, nothing routed', async (_label, parameters, message) => {
    const { error, outputs } = await runGate(parameters, ITEMS);
    expect(error).toBeDefined();
    expect(error!.message).toMatch(/^INVALID_INPUT: The (custom )?policy is not valid: /);
    expect(error!.message).toMatch(message);
    expect(error!.message.length).toBeLessThan(600);
    expect(error!.description).toContain('no item was routed');
    expect(outputs).toEqual([]);
  });

  it('with "continue on fail", every item fails with it on Deferred, none reaches Send Now', async () => {
    logs.length = 0;
    const { sendNow, deferred, error } = await runGate(json('{ "mon": "always" }'), ITEMS, { onError: 'continueRegularOutput' });
    expect(error).toBeUndefined();
    expect(sendNow).toEqual([]);
    expect(deferred.map((i) => [i.json.id, (i.json as FailedJson).error.code])).toEqual([
      [0, 'INVALID_INPUT'],
      [1, 'INVALID_INPUT'],
      [2, 'INVALID_INPUT'],
    ]);
    expectPairedToOwnInput(deferred);
    expect(logs.filter((l) => l.level === 'warn' && l.message.includes('all 3 item(s) fail'))).toHaveLength(1);
  });

  it('leaves Object.prototype alone', async () => {
    await runGate(json('{ "__proto__": { "polluted": true }, "mon": [{ "from": "09:00", "to": "20:00" }] }'), ITEMS, { onError: 'continueRegularOutput' });
    expect(({} as IDataObject).polluted).toBeUndefined();
  });
});

describe('hostile items', () => {
  it('an item with a __proto__ key passes through as plain data and pollutes nothing', async () => {
    const item = JSON.parse(`{ "id": 0, "to": "${NEW_YORK}", "__proto__": { "polluted": true } }`) as IDataObject;
    const { sendNow } = await runGate(judgedAt(ALLOWED_AT, { policy: 'us-tcpa' }), [item]);
    expect(quietHoursOf(sendNow[0])).toMatchObject({ allowed: true });
    expect(Object.getPrototypeOf(sendNow[0]!.json)).toBe(Object.prototype);
    expect((sendNow[0]!.json as IDataObject).polluted).toBeUndefined();
    expect(({} as IDataObject).polluted).toBeUndefined();
  });

  it('a phone number given as a number (a spreadsheet column) is read as text', async () => {
    const { sendNow } = await runGate(judgedAt(ALLOWED_AT, { policy: 'us-tcpa', options: { defaultCountry: 'US' } }), [{ id: 0, to: 2125550123 }]);
    expect(quietHoursOf(sendNow[0])).toMatchObject({ timezone: 'America/New_York' });
  });
});
