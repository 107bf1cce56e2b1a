/**
 * Bad input and a broken store under each "On Error" setting. Whatever happens, every input item
 * comes out on exactly one output, and an item that could not be checked never reaches Allowed.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { checkConsent, jsonOf, record } from './consent-fixtures';
import { tempStorePath } from './fixtures';

const ADA = '+14155550100';
const BO = '+14155550101';

/** A store path that cannot be opened: its folder is a file. */
function brokenStorePath(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'a2p-n8n-broken-')), 'not-a-folder');
  writeFileSync(file, 'x');
  return join(file, 'store.sqlite');
}

function errorOf(item: INodeExecutionData | undefined): IDataObject {
  return item?.json.error as IDataObject;
}

const HOSTILE_PHONES: [string, unknown, string][] = [
  ['an object', { number: ADA }, 'INVALID_INPUT'],
  ['a list', [ADA], 'INVALID_INPUT'],
  ['ten megabytes of digits', '9'.repeat(10 * 1024 * 1024), 'INVALID_PHONE'],
  ['letters', 'call me', 'INVALID_PHONE'],
  ['nothing (the item has no "to")', undefined, 'INVALID_PHONE'],
  ['a number too short', '+1 415', 'INVALID_PHONE'],
];

describe('Check, with Continue On Fail', () => {
  it.each(HOSTILE_PHONES)('a phone that is %s goes to Blocked with its fields and a coded error', async (_label, bad, code) => {
    const store = tempStorePath();
    await record(store, 'optOut', BO);
    const items: IDataObject[] = [{ to: ADA, n: 0 }, { n: 1, ...(bad === undefined ? {} : { to: bad as string }) }, { to: BO, n: 2 }];
    const { outputs, error } = await checkConsent(store, {}, items, { onError: 'continueRegularOutput' });
    expect(error).toBeUndefined();
    const [allowed, blocked] = outputs;
    expect(allowed!.map((i) => i.pairedItem)).toEqual([{ item: 0 }]);
    expect(blocked!.map((i) => i.pairedItem)).toEqual([{ item: 1 }, { item: 2 }]);
    expect(blocked![0]!.json.n).toBe(1);
    expect(blocked![0]!.json.consent).toBeUndefined();
    expect(errorOf(blocked![0])).toMatchObject({ code, retryable: false });
    expect(String(errorOf(blocked![0]).message).length).toBeLessThan(300);
    expect(blocked![1]!.json.consent).toMatchObject({ reason: 'opted-out' });
  });

  it('"continue (using error output)": failed items go to the third output, with the input fields', async () => {
    const items = [{ to: 'nope', name: 'Bo' }, { to: ADA, name: 'Ada' }, { to: { bad: true }, name: 'Cy' }];
    const { outputs, error } = await checkConsent(tempStorePath(), {}, items, { onError: 'continueErrorOutput' });
    expect(error).toBeUndefined();
    expect(outputs).toHaveLength(3);
    const [allowed, blocked, failed] = outputs;
    expect(jsonOf(allowed).map((j) => j.name)).toEqual(['Ada']);
    expect(blocked).toEqual([]);
    expect(failed!.map((i) => [i.pairedItem, i.json.name, errorOf(i).code])).toEqual([
      [{ item: 0 }, 'Bo', 'INVALID_PHONE'],
      [{ item: 2 }, 'Cy', 'INVALID_INPUT'],
    ]);
  });

  it.each([
    ['a Custom topic left blank', { topic: 'custom', customTopic: '  ' }, 'Custom Topic'],
    ['a topic with control characters', { topic: 'custom', customTopic: 'news\u0000letter' }, 'control characters'],
    ['a topic of 10 MB', { topic: 'custom', customTopic: 'x'.repeat(10 * 1024 * 1024) }, 'longer than 100'],
    ['a Default Country that is not one', { options: { defaultCountry: 'Narnia' } }, 'defaultCountry'],
    ['Require Opt-In from an expression giving text', { requireOptIn: '={{ "yes" }}' }, 'requireOptIn'],
    ['an expression that throws', { phone: '={{ $("No Such Node").item.json.to }}' }, '"phone"'],
  ])('%s: INVALID_INPUT, to Blocked', async (_label, parameters, words) => {
    const { outputs, error } = await checkConsent(tempStorePath(), { phone: ADA, ...parameters }, [{ id: 1 }], { onError: 'continueRegularOutput' });
    expect(error).toBeUndefined();
    expect(outputs[0]).toEqual([]);
    expect(errorOf(outputs[1]![0])).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining(words) });
  });
});

describe('Check, without Continue On Fail', () => {
  it('stops at the first bad item with its code and index; nothing is passed on', async () => {
    const { outputs, error } = await checkConsent(tempStorePath(), {}, [{ to: ADA }, { to: 'nope' }, { to: { x: 1 } }]);
    expect(outputs).toEqual([]);
    expect(error).toMatchObject({
      message: expect.stringMatching(/^INVALID_PHONE: /),
      description: expect.stringContaining('Item 1 of 3 failed'),
      context: { itemIndex: 1, smsError: expect.objectContaining({ code: 'INVALID_PHONE' }) },
    });
  });
});

describe('a store that cannot be opened', () => {
  it('fails the run', async () => {
    const { outputs, error } = await checkConsent(brokenStorePath(), {}, [{ to: ADA }, { to: BO }]);
    expect(outputs).toEqual([]);
    expect(error).toMatchObject({ message: expect.stringMatching(/^STORE_ERROR: /), description: expect.stringContaining('Store Path'), context: { itemIndex: 0 } });
  });

  it('with Continue On Fail: every item goes to Blocked with STORE_ERROR, none to Allowed', async () => {
    const { outputs, error } = await checkConsent(brokenStorePath(), {}, [{ to: ADA }, { to: BO }, { to: 'junk' }], { onError: 'continueRegularOutput' });
    expect(error).toBeUndefined();
    expect(outputs[0]).toEqual([]);
    expect(outputs[1]!.map((i) => [i.pairedItem, errorOf(i).code])).toEqual([
      [{ item: 0 }, 'STORE_ERROR'],
      [{ item: 1 }, 'STORE_ERROR'],
      [{ item: 2 }, 'STORE_ERROR'],
    ]);
  });

  it.each([
    ['optOut', {}],
    ['history', {}],
    ['import', { listFrom: 'items' }],
  ])('%s with the error output: every input item is accounted for on the error output', async (operation, extra) => {
    const items = [{ to: ADA, phone: ADA }, { to: BO, phone: BO }];
    const { outputs, error } = await checkConsent(brokenStorePath(), { operation, ...extra }, items, { onError: 'continueErrorOutput' });
    expect(error).toBeUndefined();
    expect(outputs).toHaveLength(2);
    expect(outputs[0]).toEqual([]);
    expect(outputs[1]!.every((i) => errorOf(i).code === 'STORE_ERROR')).toBe(true);
    const paired = outputs[1]!.flatMap((i) => (Array.isArray(i.pairedItem) ? i.pairedItem : [i.pairedItem]));
    expect(paired).toEqual([{ item: 0 }, { item: 1 }]);
  });
});
