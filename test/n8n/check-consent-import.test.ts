/**
 * Import List through WorkflowExecute: a dirty CSV file from a binary property, one number per
 * item (a spreadsheet's rows, imported in one go), a list in a field; junk reported, not fatal;
 * the imported numbers then blocked by Check.
 */
import type { IDataObject } from 'n8n-workflow';
import { checkConsent, csvBinary, jsonOf } from './consent-fixtures';
import { tempStorePath } from './fixtures';

interface Summary {
  recorded: number;
  unchanged: number;
  duplicates: number;
  rejected: { row: number; item?: number; value: string; code: string; message: string }[];
  total: number;
}

/** Checks numbers (marketing unless told) and returns the reason of each, in order. */
async function reasons(store: string, phones: string[], parameters: IDataObject = {}): Promise<string[]> {
  const { outputs } = await checkConsent(store, { phone: '={{ $json.to }}', ...parameters }, phones.map((to) => ({ to })));
  const all = [...outputs[0]!, ...outputs[1]!].sort((a, b) => (a.pairedItem as { item: number }).item - (b.pairedItem as { item: number }).item);
  return all.map((i) => (i.json.consent as IDataObject).reason as string);
}

// What a CRM export looks like: a BOM, a header, ";" separators, national and international
// formats, spaces, an Excel text quote, a duplicate, junk rows and a blank line.
const DIRTY_CSV = [
  '\uFEFFName;Mobile;Opted out on',
  'Ana;06 12 34 56 78;2026-01-02',
  'Bob;+33 6 12 34 56 79;2026-01-03',
  'Cy;  0612345680 ;2026-01-04',
  "Dee;'+33612345681;2026-01-05",
  'Ana again;+33 (0)6 12 34 56 78;2026-01-06',
  'Junk;call me;2026-01-07',
  '',
  'Eve;12;2026-01-08',
].join('\r\n');

describe('Import List from a CSV file', () => {
  it('imports a dirty file: numbers normalised, duplicates counted, junk rows reported', async () => {
    const store = tempStorePath();
    const { outputs, error } = await checkConsent(
      store,
      { operation: 'import', listFrom: 'binary', options: { defaultCountry: 'FR', listName: 'crm-export-2026-01' } },
      [{ file: 'export.csv' }],
      { binary: [csvBinary(DIRTY_CSV)] },
    );
    expect(error).toBeUndefined();
    expect(outputs).toHaveLength(1);
    const [item] = outputs[0]!;
    expect(item!.pairedItem).toEqual({ item: 0 });
    expect(item!.binary).toBeUndefined();
    const summary = item!.json as unknown as Summary;
    expect(summary).toMatchObject({ recorded: 4, unchanged: 0, duplicates: 1, total: 8 });
    expect(summary.rejected.map((r) => [r.row, r.value, r.code])).toEqual([
      [7, 'call me', 'INVALID_PHONE'],
      [8, '', 'INVALID_INPUT'],
      [9, '12', 'INVALID_PHONE'],
    ]);

    expect(await reasons(store, ['+33612345678', '+33612345679', '+33612345680', '+33612345681', '+33612345682'])).toEqual([
      'opted-out',
      'opted-out',
      'opted-out',
      'opted-out',
      'not-required',
    ]);
    // Every topic, as STOP: transactional messages are blocked too.
    expect(await reasons(store, ['+33612345678'], { topic: 'transactional' })).toEqual(['opted-out']);

    const { outputs: history } = await checkConsent(store, { operation: 'history', phone: '+33612345678' }, [{}]);
    expect((history[0]![0]!.json.consent as { history: IDataObject[] }).history).toEqual([
      expect.objectContaining({
        action: 'opt-out',
        topic: '*',
        source: 'import',
        evidence: {
          list: 'crm-export-2026-01',
          import: { row: 2, value: '06 12 34 56 78' },
          n8n: { workflowId: 'a2p-test', executionId: expect.any(String), node: 'Check Consent' },
        },
      }),
    ]);
  });

  it('importing the same file again changes nothing', async () => {
    const store = tempStorePath();
    const run = () =>
      checkConsent(store, { operation: 'import', listFrom: 'binary', options: { defaultCountry: 'FR' } }, [{}], { binary: [csvBinary(DIRTY_CSV)] });
    await run();
    expect((await run()).outputs[0]![0]!.json).toMatchObject({ recorded: 0, unchanged: 4, duplicates: 1 });
  });

  it('reads the column named in the options, a topic and a source of the user’s', async () => {
    const store = tempStorePath();
    const csv = 'id,primary,secondary\n1,+14155550100,+14155550101\n2,+14155550102,+14155550103\n';
    const { outputs } = await checkConsent(
      store,
      { operation: 'import', listFrom: 'binary', binaryPropertyName: 'attachment_0', topic: 'marketing', options: { column: 'Secondary', source: 'mailchimp' } },
      [{}],
      { binary: [{ attachment_0: csvBinary(csv).data! }] },
    );
    expect(outputs[0]![0]!.json).toMatchObject({ recorded: 2, rejected: [], total: 2 });
    expect(await reasons(store, ['+14155550101', '+14155550100'])).toEqual(['opted-out', 'not-required']);
    expect(await reasons(store, ['+14155550101'], { topic: 'transactional' })).toEqual(['not-required']);
  });

  it('each item’s file is its own list with its own summary', async () => {
    const { outputs } = await checkConsent(tempStorePath(), { operation: 'import', listFrom: 'binary' }, [{}, {}], {
      binary: [csvBinary('+14155550100\n+14155550101\n'), csvBinary('phone\n+14155550100\nnope\n')],
    });
    expect(outputs[0]!.map((i) => [i.pairedItem, i.json.recorded, i.json.unchanged, (i.json.rejected as unknown[]).length])).toEqual([
      [{ item: 0 }, 2, 0, 0],
      [{ item: 1 }, 0, 1, 1],
    ]);
  });

  it('an item without the file fails alone (INVALID_INPUT), the others import', async () => {
    const { outputs, error } = await checkConsent(tempStorePath(), { operation: 'import', listFrom: 'binary' }, [{ n: 0 }, { n: 1 }], {
      binary: [undefined, csvBinary('+14155550100\n')],
      onError: 'continueRegularOutput',
    });
    expect(error).toBeUndefined();
    expect(outputs[0]!.map((i) => [i.pairedItem, i.json.error === undefined ? i.json.recorded : (i.json.error as IDataObject).code])).toEqual([
      [{ item: 0 }, 'INVALID_INPUT'],
      [{ item: 1 }, 1],
    ]);
    expect(String((outputs[0]![0]!.json.error as IDataObject).message)).toContain('"data"');
  });

  it('a file that is not text at all: every row rejected, nothing recorded, no crash', async () => {
    const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37) % 256));
    const { outputs, error } = await checkConsent(tempStorePath(), { operation: 'import', listFrom: 'binary' }, [{}], { binary: [csvBinary(bytes)] });
    expect(error).toBeUndefined();
    const summary = outputs[0]![0]!.json as unknown as Summary;
    expect(summary.recorded).toBe(0);
    expect(summary.rejected.length).toBe(summary.total);
    expect(summary.rejected.every((r) => r.value.length <= 65)).toBe(true);
  });
});

describe('Import List from items', () => {
  it('imports all items’ numbers in ONE list and gives ONE summary paired with every item', async () => {
    const store = tempStorePath();
    // Google Sheets rows: text, a number read as a number, junk, an object, a duplicate, blank.
    const rows: IDataObject[] = [
      { Name: 'Ana', Phone: '+1 415 555 0100' },
      { Name: 'Bob', Phone: 4155550101 },
      { Name: 'Cy', Phone: 'n/a' },
      { Name: 'Dee', Phone: { nested: true } },
      { Name: 'Ana', Phone: '(415) 555-0100' },
      { Name: 'Eve', Phone: '' },
    ];
    const { outputs, error } = await checkConsent(store, { operation: 'import', phone: '={{ $json.Phone }}', options: { defaultCountry: 'US' } }, rows);
    expect(error).toBeUndefined();
    expect(outputs[0]).toHaveLength(1);
    const [item] = outputs[0]!;
    expect(item!.pairedItem).toEqual(rows.map((_, i) => ({ item: i })));
    const summary = item!.json as unknown as Summary;
    expect(summary).toMatchObject({ recorded: 2, unchanged: 0, duplicates: 1, total: 6 });
    expect(summary.rejected.map((r) => [r.item, r.row, r.code])).toEqual([
      [2, 3, 'INVALID_PHONE'],
      [3, 4, 'INVALID_INPUT'],
      [5, 6, 'INVALID_INPUT'],
    ]);
    expect(await reasons(store, ['+14155550100', '+14155550101'])).toEqual(['opted-out', 'opted-out']);
  });

  it('the default Phone reads each item’s "phone" field', async () => {
    const { outputs } = await checkConsent(tempStorePath(), { operation: 'import' }, [{ phone: '+14155550100' }, { phone: '+14155550101' }]);
    expect(outputs[0]![0]!.json).toMatchObject({ recorded: 2, total: 2 });
  });

  it('an option that is wrong stops the whole list before anything is recorded', async () => {
    const store = tempStorePath();
    const rows = [{ phone: '+14155550100' }, { phone: '+14155550101' }];
    const stopped = await checkConsent(store, { operation: 'import', options: { defaultCountry: 'XX' } }, rows);
    expect(stopped.error).toMatchObject({ message: expect.stringMatching(/^INVALID_INPUT: /), description: expect.stringContaining('Nothing was imported') });

    const continued = await checkConsent(store, { operation: 'import', topic: 'custom', customTopic: '={{ "" }}' }, rows, { onError: 'continueRegularOutput' });
    expect(continued.outputs[0]).toEqual([
      { json: { error: expect.objectContaining({ code: 'INVALID_INPUT' }) }, pairedItem: [{ item: 0 }, { item: 1 }] },
    ]);
    expect(await reasons(store, ['+14155550100'])).toEqual(['not-required']);
  });

  it('a Phone expression that throws names its item; nothing is recorded', async () => {
    const store = tempStorePath();
    const { error } = await checkConsent(store, { operation: 'import', phone: '={{ $json.ok ? $json.phone : $("Nowhere").item.json.x }}' }, [
      { ok: true, phone: '+14155550100' },
      { ok: false },
    ]);
    expect(error).toMatchObject({ message: expect.stringMatching(/^INVALID_INPUT: "phone"/), context: { itemIndex: 1 } });
    expect(await reasons(store, ['+14155550100'])).toEqual(['not-required']);
  });
});

describe('Import List from a field', () => {
  it('takes an array of numbers, or of objects with a phone field', async () => {
    const store = tempStorePath();
    const { outputs } = await checkConsent(store, { operation: 'import', listFrom: 'field', list: '={{ $json.body.unsubscribed }}' }, [
      { body: { unsubscribed: ['+14155550100', '+14155550101', '+14155550100'] } },
      { body: { unsubscribed: [{ email: 'a@example.com', mobile: '+14155550102' }, { email: 'b@example.com' }] } },
    ]);
    expect(jsonOf(outputs[0]).map((j) => [j.recorded, j.duplicates, (j.rejected as unknown[]).length])).toEqual([
      [2, 1, 0],
      [1, 0, 1],
    ]);
    expect(await reasons(store, ['+14155550100', '+14155550102'])).toEqual(['opted-out', 'opted-out']);
  });

  it('takes CSV text', async () => {
    const { outputs } = await checkConsent(tempStorePath(), { operation: 'import', listFrom: 'field', list: '={{ $json.csv }}' }, [
      { csv: 'msisdn\n+14155550100\n+14155550101\n' },
    ]);
    expect(outputs[0]![0]!.json).toMatchObject({ recorded: 2, total: 2 });
  });

  it.each([
    ['a field of ten megabytes on one line', { csv: '9'.repeat(10 * 1024 * 1024) }, 'summary'],
    ['a field that is an object', { csv: { a: 1 } }, 'INVALID_INPUT'],
    ['a missing field', {}, 'INVALID_INPUT'],
  ])('%s: a summary or a coded error, never a crash', async (_label, item, expected) => {
    const { outputs, error } = await checkConsent(tempStorePath(), { operation: 'import', listFrom: 'field', list: '={{ $json.csv }}' }, [item as IDataObject], {
      onError: 'continueRegularOutput',
    });
    expect(error).toBeUndefined();
    const json = outputs[0]![0]!.json;
    if (expected === 'summary') {
      expect(json).toMatchObject({ recorded: 0, total: 1, rejected: [expect.objectContaining({ code: 'INVALID_PHONE' })] });
      expect(((json.rejected as IDataObject[])[0]!.value as string).length).toBeLessThanOrEqual(65);
    } else {
      expect(json.error).toMatchObject({ code: expected });
    }
  });
});
