import { expectCode, rejected, rejectedCode, thrownCode } from '../../test/support/sms-error';
import { useTempStore, ledgerRowCount } from '../../test/support/temp-store';
import { openSqliteStore } from '../store/sqlite';
import type { ConsentEvent, Store } from '../types';
import { IMPORT_LIMITS, importSuppressionList, parseSuppressionList } from './import';
import { checkRecipient, recordRecipient } from './ledger';

const FR1 = '+33612345678';
const FR2 = '+33698765432';
const US1 = '+14155550100';
const US2 = '+12025550123';

/** Distinct valid US numbers: 201-555-0100 onwards through area codes that exist. */
function usNumbers(n: number): string[] {
  const areas = ['201', '202', '212', '213', '303', '305', '312', '404', '415', '617'];
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) {
    const area = areas[i % areas.length] as string;
    const k = Math.floor(i / areas.length);
    out.push(`+1${area}${200 + (Math.floor(k / 10_000) % 800)}${String(k % 10_000).padStart(4, '0')}`);
  }
  return out;
}

describe('parseSuppressionList', () => {
  it('reads a dirty CSV: BOM, header, CRLF, quotes, national formats, duplicates and junk', () => {
    const csv = [
      '\uFEFFName;Mobile Phone;Note',
      '"Dupont; Jean";06 12 34 56 78;"said ""STOP"""',
      'Martin;+33 6 98 76 54 32;',
      'Durand;0033612345678;duplicate of row 2',
      ';n/a;',
      '',
      'Roux;jean@example.com;',
      `Long;${'9'.repeat(200)};`,
      "Excel;'+1 (415) 555-0100;",
      'Short',
      'Leroy;  +33698765432  ;dup',
    ].join('\r\n');
    const r = parseSuppressionList(csv, { defaultCountry: 'FR' });
    expect(r.phones).toEqual([FR1, FR2, US1]);
    expect(r.duplicates).toBe(2);
    expect(r.rejected.map(({ row, value, code }) => [row, value, code])).toEqual([
      [5, 'n/a', 'INVALID_PHONE'],
      [6, '', 'INVALID_INPUT'],
      [7, 'jean@example.com', 'INVALID_PHONE'],
      [8, `${'9'.repeat(64)}…`, 'INVALID_PHONE'],
      [10, 'Short', 'INVALID_INPUT'],
    ]);
    for (const rej of r.rejected) expect(rej.message).toEqual(expect.any(String));
    expect(r.rejected[2]?.message).toMatch(/letters/);
  });

  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['CR', '\r'],
  ])('numbers rows by line with %s line ends, counting line breaks inside quotes', (_name, eol) => {
    const csv = ['phone,comment', `${US1},"two${eol}lines"`, 'x', `${US2},ok`].join(eol);
    const r = parseSuppressionList(csv);
    expect(r.phones).toEqual([US1, US2]);
    expect(r.rejected).toEqual([expect.objectContaining({ row: 4, value: 'x', code: 'INVALID_PHONE' })]);
  });

  it('detects tab, semicolon and comma separators, and single columns', () => {
    expect(parseSuppressionList(`to\tname\n${US1}\tA, B\n`).phones).toEqual([US1]);
    expect(parseSuppressionList(`name,number\n"Doe, J",${US1}\n`).phones).toEqual([US1]);
    expect(parseSuppressionList(`(415) 555-0100\n202.555.0123\n`, { defaultCountry: 'US' }).phones).toEqual([US1, US2]);
    expect(parseSuppressionList(`msisdn\n14155550100\n`, { defaultCountry: 'us' }).phones).toEqual([US1]);
  });

  it('takes the number from a named column, the first known header, or the first column', () => {
    const csv = `id;Portable;Téléphone\n1;${US1};${US2}\n`;
    expect(parseSuppressionList(csv).phones).toEqual([US1]);
    expect(parseSuppressionList(csv, { column: 'telephone' }).phones).toEqual([US2]);
    expect(parseSuppressionList(csv, { column: ' Téléphone ' }).phones).toEqual([US2]);
    // No header: the first column, and the first row is data.
    expect(parseSuppressionList(`${US1};x\n${US2};y`).phones).toEqual([US1, US2]);
    // Titles without a known name still make a header when they hold no digit.
    const titled = parseSuppressionList(`Contact;Nom\n${US1};x`);
    expect(titled).toEqual({ phones: [US1], duplicates: 0, rejected: [] });
  });

  it('finds the number column of a list whose titles name none, or refuses the list', () => {
    // Reading column 0 here would reject every row as an invalid number and import nothing.
    expect(parseSuppressionList(`Name;Contact\nAlice;${US1}\nBob;${US2}`)).toEqual({ phones: [US1, US2], duplicates: 0, rejected: [] });
    expect(parseSuppressionList(`Alice,"+1 (202) 555-0123"\nBob,${US1}`).phones).toEqual([US2, US1]);
    const e = expectCode(() => parseSuppressionList(`Name;Note\nAlice;hello\nBob;${US1}`), 'INVALID_INPUT', /column option/);
    expect(e.message).not.toContain('Alice');
  });

  it('reports a junk first row of a one-column list instead of taking it for a header', () => {
    const r = parseSuppressionList(`n/a\n${US1}`);
    expect(r.phones).toEqual([US1]);
    expect(r.rejected).toEqual([expect.objectContaining({ row: 1, value: 'n/a' })]);
  });

  it('rejects only the line of a quote that never closes, and goes on', () => {
    const r = parseSuppressionList(`phone\n"${US1}\n${US2}\n+33612345678`);
    expect(r.rejected).toEqual([expect.objectContaining({ row: 2, code: 'INVALID_INPUT', value: `"${US1}` })]);
    expect(r.phones).toEqual([US2, FR1]);
  });

  it('keeps text after a closing quote, as spreadsheets do', () => {
    expect(parseSuppressionList(`"+1 415"555 0100`).phones).toEqual([US1]);
  });

  it('reads arrays of strings, numbers and objects', () => {
    const r = parseSuppressionList(
      [
        US1,
        '06 98 76 54 32',
        33612345678,
        { phone: US2 },
        { Number: '+14155550100' },
        { name: 'no phone' },
        { phone: null },
        null,
        ['+14155550100'],
        true,
        3.5,
        -1,
        '',
      ],
      { defaultCountry: 'FR' },
    );
    // A number without its + reads as libphonenumber reads it: 33612345678 with FR is +33 6 12 34 56 78.
    expect(r.phones).toEqual([US1, FR2, FR1, US2]);
    expect(r.duplicates).toBe(1);
    expect(r.rejected.map((x) => [x.row, x.code])).toEqual([
      [6, 'INVALID_INPUT'],
      [7, 'INVALID_INPUT'],
      [8, 'INVALID_INPUT'],
      [9, 'INVALID_INPUT'],
      [10, 'INVALID_INPUT'],
      [11, 'INVALID_PHONE'],
      [12, 'INVALID_PHONE'],
      [13, 'INVALID_INPUT'],
    ]);
    expect(parseSuppressionList([{ mobile: US1, cell: US2 }], { column: 'cell' }).phones).toEqual([US2]);
    expect(parseSuppressionList([{ to: US1 }], { column: 'cell' }).rejected).toEqual([
      expect.objectContaining({ row: 1, code: 'INVALID_INPUT', message: expect.stringContaining('"cell"') }),
    ]);
  });

  it('reads an empty list as nothing', () => {
    for (const input of ['', '\uFEFF', 'phone\n', []]) {
      expect(parseSuppressionList(input)).toEqual({ phones: [], duplicates: 0, rejected: [] });
    }
  });

  it('refuses bad input and options with INVALID_INPUT before reading', () => {
    const bad: [unknown, unknown][] = [
      [undefined, undefined],
      [null, undefined],
      [42, undefined],
      [{ phone: US1 }, undefined],
      [Buffer.from(US1), undefined],
      [US1, 'FR'],
      [US1, []],
      [US1, { defaultCountry: 'XX' }],
      [US1, { defaultCountry: 33 }],
      [US1, { column: 7 }],
      [US1, { column: 'x'.repeat(201) }],
      [US1, { column: 'a\u0000b' }],
      [`phone\n${US1}`, { column: 'mobile' }],
    ];
    for (const [input, opts] of bad) {
      expect([input, opts, thrownCode(() => parseSuppressionList(input as string, opts as never))]).toEqual([input, opts, 'INVALID_INPUT']);
    }
  });

  it('refuses oversized input with INVALID_INPUT', () => {
    expect(thrownCode(() => parseSuppressionList('1'.repeat(IMPORT_LIMITS.bytes + 1)))).toBe('INVALID_INPUT');
    // Under the cap in characters, over it in UTF-8 bytes.
    expect(thrownCode(() => parseSuppressionList('é'.repeat(IMPORT_LIMITS.bytes / 2 + 1)))).toBe('INVALID_INPUT');
    expect(thrownCode(() => parseSuppressionList(new Array(IMPORT_LIMITS.rows + 1).fill(US1)))).toBe('INVALID_INPUT');
    expect(thrownCode(() => parseSuppressionList('\n'.repeat(IMPORT_LIMITS.rows + 1)))).toBe('INVALID_INPUT');
    // A header does not count as a row.
    const full = parseSuppressionList(`phone${'\n'.repeat(IMPORT_LIMITS.rows)}`);
    expect(full.rejected).toHaveLength(IMPORT_LIMITS.rows - 1);
  });

  it('rejects quotes that close too far away line by line, in linear time', () => {
    // Each quote would close 7 lines further, past what one record may span: 5,000 times over.
    const block = `"x\n${'y\n'.repeat(6)}`;
    const r = parseSuppressionList(`phone\n${block.repeat(5_000)}`);
    expect(r.rejected).toHaveLength(7 * 5_000);
    expect(r.rejected.slice(0, 2)).toEqual([
      expect.objectContaining({ row: 2, value: '"x', code: 'INVALID_INPUT', message: expect.stringMatching(/quoted field/) }),
      expect.objectContaining({ row: 3, value: 'y', code: 'INVALID_PHONE' }),
    ]);
    expect(r.rejected[7 * 5_000 - 7]).toMatchObject({ row: 7 * 5_000 - 5, value: '"x' });
  });
});

describe('importSuppressionList', () => {
  const db = useTempStore('a2p-import-', (file) => openSqliteStore(file, { now: () => Date.UTC(2025, 0, 1, 12) }));
  const rowCount = (): number => ledgerRowCount(db.file);

  it('records opt-outs with source import, topic * and row evidence; a re-import changes nothing', async () => {
    const csv = `phone\n06 12 34 56 78\nn/a\n+33612345678\n${US1}\n`;
    const result = await importSuppressionList(db.store, csv, { defaultCountry: 'FR', evidence: { file: 'list.csv' } });
    expect(result).toEqual({
      recorded: 2,
      unchanged: 0,
      duplicates: 1,
      rejected: [expect.objectContaining({ row: 3, value: 'n/a', code: 'INVALID_PHONE' })],
      total: 4,
    });
    expect(await db.store.consentHistory(FR1)).toEqual([
      {
        id: expect.any(Number),
        phone: FR1,
        topic: '*',
        action: 'opt-out',
        source: 'import',
        at: '2025-01-01T12:00:00.000Z',
        evidence: { file: 'list.csv', import: { row: 2, value: '06 12 34 56 78' } },
      },
    ]);
    expect(await checkRecipient(db.store, { phone: US1, topic: 'transactional' })).toMatchObject({ allowed: false, reason: 'opted-out' });
    expect(await importSuppressionList(db.store, csv, { defaultCountry: 'FR' })).toMatchObject({ recorded: 0, unchanged: 2, duplicates: 1 });
    expect(rowCount()).toBe(2);
  });

  it('takes topic, source and time from the options, and keeps the row evidence over a clashing key', async () => {
    await recordRecipient(db.store, { phone: US1, topic: 'marketing', action: 'opt-out' });
    const result = await importSuppressionList(db.store, [US1, US2], {
      topic: ' marketing ',
      source: 'crm',
      at: '2024-12-31T23:00:00-05:00',
      evidence: { import: 'mine', by: 'ops' },
    });
    expect(result).toMatchObject({ recorded: 1, unchanged: 1, total: 2 });
    expect(await db.store.consentHistory(US2)).toEqual([
      expect.objectContaining({
        topic: 'marketing',
        source: 'crm',
        at: '2025-01-01T04:00:00.000Z',
        evidence: { by: 'ops', import: { row: 2, value: US2 } },
      }),
    ]);
    expect(await checkRecipient(db.store, { phone: US2, topic: 'alerts' })).toMatchObject({ allowed: true });
  });

  it('records everything through one importConsent call, and nothing when that call fails', async () => {
    const calls: ConsentEvent[][] = [];
    const failing: Store = {
      ...db.store,
      importConsent: async (events) => {
        calls.push(events);
        // The store rejects the whole list for its 1,500th event, as SQLite rolls back.
        return db.store.importConsent(events.map((e, i) => (i === 1499 ? { ...e, at: 'garbage' } : e)));
      },
    };
    const numbers = usNumbers(3000);
    const e = await rejected(importSuppressionList(failing, numbers.join('\n')));
    expect(e.code).toBe('INVALID_INPUT');
    expect(calls).toHaveLength(1);
    expect(calls[0]).toHaveLength(3000);
    expect(rowCount()).toBe(0);
  });

  it('makes no store call when no row holds a number', async () => {
    const store = { ...db.store, importConsent: jest.fn() } as unknown as Store;
    expect(await importSuppressionList(store, 'phone\nn/a\n\n')).toEqual({
      recorded: 0,
      unchanged: 0,
      duplicates: 0,
      rejected: [expect.objectContaining({ row: 2 }), expect.objectContaining({ row: 3 })],
      total: 2,
    });
    expect(store.importConsent).not.toHaveBeenCalled();
  });

  it('refuses bad options with INVALID_INPUT and records nothing', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const bad: unknown[] = [
      'FR',
      { topic: 'x'.repeat(101) },
      { topic: 5 },
      { source: 'y'.repeat(101) },
      { source: 'a\nb' },
      { at: 'now' },
      { at: '2025-01-01T10:00:00' },
      { evidence: 'proof' },
      { evidence: [] },
      { evidence: cyclic },
      { evidence: { n: 1n } },
      { evidence: { note: 'n'.repeat(2000) } },
      { defaultCountry: 'FRA' },
    ];
    for (const opts of bad) {
      expect([opts, await rejectedCode(importSuppressionList(db.store, [US1], opts as never))]).toEqual([opts, 'INVALID_INPUT']);
    }
    expect(await rejectedCode(importSuppressionList(db.store, { phone: US1 } as never))).toBe('INVALID_INPUT');
    expect(rowCount()).toBe(0);
  });
});
