/**
 * Suppression-list import: a CSV file or an array of numbers becomes opt-out events, recorded in
 * one store transaction (all or nothing).
 *
 * Reading, in order:
 * - CSV text: a leading BOM is dropped; lines end with CRLF, LF or CR; the separator is `,`, `;` or
 *   tab, whichever the first lines use most outside quotes (none: one column). Fields may be quoted,
 *   with `""` for a quote and line breaks inside (a record spans at most 5 lines; an unclosed quote
 *   rejects its line only). The first non-blank row is a header when it names a column (`phone`,
 *   `number`, `mobile`, `msisdn`, `to`, `tel`, ... or `column`) or, with two columns or more, holds no
 *   digit; it is skipped, not reported. The number is read from the named column, else from the
 *   first column of the first data row that holds one: without titles the first column, with
 *   titles that name none the list is refused (INVALID_INPUT) rather than every row rejected.
 * - Arrays: strings and whole numbers are numbers; objects give theirs from `column` or from the
 *   first field with one of the names above.
 * - Each value is trimmed (an Excel text-marking `'` before it is dropped) and normalised to E.164
 *   with `defaultCountry`; `00` is the international prefix as normalizePhone reads it.
 * - A number seen before (after normalisation) is counted in `duplicates` and recorded once.
 * - Junk never stops an import: blank rows, values that are not valid numbers, malformed rows are
 *   listed in `rejected` with their row (1-based line in the file, or position in the array), the
 *   value (cut to 64 characters), a code (INVALID_PHONE for a value that is not a valid number,
 *   INVALID_INPUT for anything else) and why. A bad option, or input over the limits, is an
 *   INVALID_INPUT error before anything is read or recorded.
 */
import { isPlainObject } from '../plain-object';
import { SmsError, kindOf, type SmsErrorCode } from '../errors';
import { normalizePhone } from '../phone';
import * as valid from '../store/validate';
import type { ConsentEvent, ConsentImportResult, Store } from '../types';

export const IMPORT_LIMITS = Object.freeze({
  /** Rows of one list, besides a header. */
  rows: 1_000_000,
  /** CSV text, in UTF-8 bytes. */
  bytes: 50 * 1024 * 1024,
  /** Physical lines one CSV record may span (line breaks inside quoted fields). */
  recordLines: 5,
  /** Characters of a rejected value echoed back. */
  shownValue: 64,
  /** `opts.evidence` once serialised: it is copied onto every event of the list. */
  evidence: 1024,
});

export interface RejectedRow {
  /** 1-based: the line of the file where the row starts, or the position in the array. */
  row: number;
  value: string;
  code: SmsErrorCode;
  message: string;
}

export interface ParsedSuppressionList {
  /** E.164, each once, in the order first seen. */
  phones: string[];
  duplicates: number;
  rejected: RejectedRow[];
}

export interface ParseSuppressionListOptions {
  /** ISO 3166-1 alpha-2, to read national formats such as `06 12 34 56 78` (FR). */
  defaultCountry?: string;
  /** The header (CSV) or field (objects) holding the number. */
  column?: string;
}

export interface ImportSuppressionListOptions extends ParseSuppressionListOptions {
  /** Default `*`: every topic, as an SMS STOP. */
  topic?: string;
  /** Default `import`. */
  source?: string;
  /** Added to every event's evidence, beside `import: { row, value }`; 1 KB at most. */
  evidence?: Record<string, unknown>;
  /** When the opt-outs happened (ISO-8601 with a zone); default now. */
  at?: string;
}

export interface SuppressionImportResult extends ConsentImportResult {
  duplicates: number;
  rejected: RejectedRow[];
  /** Rows read, a header aside: recorded + unchanged + duplicates + rejected. */
  total: number;
}

/** Header and field names that hold a number, compared after `key()`. */
const PHONE_NAMES: ReadonlySet<string> = new Set([
  'phone',
  'phonenumber',
  'phoneno',
  'number',
  'mobile',
  'mobilenumber',
  'mobilephone',
  'msisdn',
  'to',
  'tel',
  'telephone',
  'telephonenumber',
  'cell',
  'cellphone',
  'cellular',
  'gsm',
  'e164',
  'recipient',
  'numero',
  'numerodetelephone',
  'portable',
  'telefono',
  'celular',
  'movil',
  'handy',
  'handynummer',
  'telefon',
  'telefonnummer',
]);

interface Entry {
  phone: string;
  row: number;
  value: string;
}

interface ReadList {
  entries: Entry[];
  duplicates: number;
  rejected: RejectedRow[];
}

function invalid(message: string): SmsError {
  return new SmsError('INVALID_INPUT', message);
}

/** "Phone Number", "phone_number" and "Téléphone" compare as `phonenumber` and `telephone`. */
function key(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

function shown(value: string): string {
  return value.length > IMPORT_LIMITS.shownValue ? `${value.slice(0, IMPORT_LIMITS.shownValue)}…` : value;
}

function options(value: unknown): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (!isPlainObject(value)) throw invalid(`the import options must be an object; got ${kindOf(value)}`);
  return value;
}

function readColumnOption(value: unknown): string | undefined {
  if (valid.unset(value)) return undefined;
  return valid.text(typeof value === 'string' ? value.trim() : value, 'column', 200);
}

function checkDefaultCountry(defaultCountry: unknown): void {
  // normalizePhone checks its options before the number: with a number that is always valid, only
  // a bad defaultCountry can throw (INVALID_INPUT), and it does so before any row is read.
  normalizePhone('+14155550100', { defaultCountry: defaultCountry as string });
}

/** Collects rows into numbers, duplicates and rejections. */
class Collector {
  readonly entries: Entry[] = [];
  readonly rejected: RejectedRow[] = [];
  duplicates = 0;
  private readonly seen = new Set<string>();

  constructor(private readonly defaultCountry: string | undefined) {}

  reject(row: number, value: string, code: SmsErrorCode, message: string): void {
    this.rejected.push({ row, value: shown(value), code, message });
  }

  add(row: number, raw: string): void {
    let value = raw.trim();
    if (value.startsWith("'")) value = value.slice(1).trim();
    if (value === '') {
      this.reject(row, raw, 'INVALID_INPUT', 'the row has no number');
      return;
    }
    let phone: string;
    try {
      phone = normalizePhone(value, { defaultCountry: this.defaultCountry as string }).e164;
    } catch (e) {
      if (!(e instanceof SmsError) || e.code !== 'INVALID_PHONE') throw e;
      this.reject(row, value, 'INVALID_PHONE', e.message);
      return;
    }
    if (this.seen.has(phone)) {
      this.duplicates++;
      return;
    }
    this.seen.add(phone);
    this.entries.push({ phone, row, value });
  }

  result(): ReadList {
    return { entries: this.entries, duplicates: this.duplicates, rejected: this.rejected };
  }
}

function readList(input: unknown, opts: Record<string, unknown>): ReadList {
  const column = readColumnOption(opts.column);
  checkDefaultCountry(opts.defaultCountry);
  const out = new Collector(valid.unset(opts.defaultCountry) ? undefined : (opts.defaultCountry as string));
  if (typeof input === 'string') readCsv(input, column, out);
  else if (Array.isArray(input)) readArray(input, column, out);
  else throw invalid(`a suppression list must be CSV text or an array; got ${kindOf(input)}`);
  return out.result();
}

// ---------------------------------------------------------------------------------------------
// Arrays

function readArray(input: unknown[], column: string | undefined, out: Collector): void {
  if (input.length > IMPORT_LIMITS.rows) {
    throw invalid(`a suppression list holds at most ${IMPORT_LIMITS.rows} rows; this one has ${input.length}`);
  }
  for (let i = 0; i < input.length; i++) {
    const row = i + 1;
    const item: unknown = input[i];
    if (isPlainObject(item)) {
      const field = phoneField(item, column);
      if (field === undefined) {
        const wanted = column === undefined ? 'phone, number, mobile, msisdn or to' : JSON.stringify(column);
        out.reject(row, '', 'INVALID_INPUT', `the object has no ${wanted} field`);
        continue;
      }
      readValue(row, item[field], out);
    } else {
      readValue(row, item, out);
    }
  }
}

function phoneField(item: Record<string, unknown>, column: string | undefined): string | undefined {
  if (column !== undefined && Object.prototype.hasOwnProperty.call(item, column)) return column;
  const wanted = column === undefined ? undefined : key(column);
  for (const name of Object.keys(item)) {
    const k = key(name);
    if (wanted === undefined ? PHONE_NAMES.has(k) : k === wanted) return name;
  }
  return undefined;
}

function readValue(row: number, value: unknown, out: Collector): void {
  if (typeof value === 'string') out.add(row, value);
  // A spreadsheet or JSON export may hold numbers as numbers (without their + or leading 0).
  else if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) out.add(row, String(value));
  else if (typeof value === 'number') {
    out.reject(row, String(value), 'INVALID_PHONE', 'Invalid phone number: it is not a whole number; write numbers as text');
  }
  else if (value === undefined || value === null) out.reject(row, '', 'INVALID_INPUT', 'the row has no number');
  else out.reject(row, '', 'INVALID_INPUT', `the row is ${kindOf(value)}, not a phone number`);
}

// ---------------------------------------------------------------------------------------------
// CSV

type Sep = ',' | ';' | '\t';

interface CsvRecord {
  /** 1-based line where the record starts. */
  row: number;
  cells: string[];
  /** The record's first line, when its quotes do not close: the row is rejected. */
  malformed?: string;
}

function readCsv(input: string, column: string | undefined, out: Collector): void {
  // Cheap bounds first: a string longer than the cap in UTF-16 units is longer in UTF-8 bytes too.
  if (input.length > IMPORT_LIMITS.bytes || Buffer.byteLength(input, 'utf8') > IMPORT_LIMITS.bytes) {
    throw invalid(`a suppression list is at most ${IMPORT_LIMITS.bytes / (1024 * 1024)} MB of text`);
  }
  const text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  const reader = new CsvReader(text, detectSeparator(text));
  let index: number | undefined;
  let headerSeen = false;
  let titled = false;
  let rows = 0;
  for (let r = reader.next(); r !== undefined; r = reader.next()) {
    const blank = r.malformed === undefined && r.cells.length === 1 && (r.cells[0] as string).trim() === '';
    if (index === undefined && !blank && !headerSeen) {
      headerSeen = true;
      const header = r.malformed === undefined ? headerColumn(r.cells, column) : undefined;
      if (header === undefined && column !== undefined) {
        throw invalid(`column ${JSON.stringify(column)} is not in the first row of the list`);
      }
      if (header !== undefined && header !== UNNAMED) {
        index = header;
        continue;
      }
      if (header === UNNAMED) {
        titled = true;
        continue;
      }
    }
    if (index === undefined && !blank && r.malformed === undefined) index = numberColumn(r.cells, titled);
    if (++rows > IMPORT_LIMITS.rows) {
      throw invalid(`a suppression list holds at most ${IMPORT_LIMITS.rows} rows besides a header`);
    }
    if (r.malformed !== undefined) {
      out.reject(r.row, r.malformed, 'INVALID_INPUT', 'a quoted field is not closed within 5 lines');
    } else if (blank) {
      out.reject(r.row, '', 'INVALID_INPUT', 'the row is empty');
    } else {
      const cell = r.cells[index ?? 0];
      if (cell === undefined) out.reject(r.row, r.cells.join(' '), 'INVALID_INPUT', 'the row has no cell in the number column');
      else out.add(r.row, cell);
    }
  }
}

/** The header's number column, or undefined when the row is data. */
function headerColumn(cells: string[], column: string | undefined): number | undefined {
  const keys = cells.map((c) => key(c));
  if (column !== undefined) {
    const i = keys.indexOf(key(column));
    return i >= 0 ? i : undefined;
  }
  const named = keys.findIndex((k) => PHONE_NAMES.has(k));
  if (named >= 0) return named;
  // "Name;Contact" — column titles, whatever they say, hold no digit; a row of data holds a number.
  if (cells.length >= 2 && cells.some((c) => /\p{L}/u.test(c)) && !cells.some((c) => /\p{Nd}/u.test(c))) return UNNAMED;
  return undefined;
}

/** A header whose titles name no number column: the column is found in the first data row. */
const UNNAMED = -1;

/**
 * The column of the first data row that holds a phone number. Reading column 0 blindly would
 * reject every row of "Name;Contact" as an invalid number: the whole list silently unimported.
 */
function numberColumn(cells: string[], titled: boolean): number {
  if (cells.length < 2) return 0;
  const i = cells.findIndex((c) => /^\s*\+?[\d\s().\/-]+$/.test(c) && (c.match(/\d/g)?.length ?? 0) >= 6);
  if (i >= 0) return i;
  // Without titles the list may just start with a junk row: the first column, row by row rejected.
  if (!titled) return 0;
  throw invalid('no column of the first row holds a phone number; give the number column\'s title in the column option');
}

const LINE_BREAK = /\r\n?|\n/g;

/** The separator the first lines use most outside quotes; a single column has none. */
function detectSeparator(text: string): Sep | undefined {
  LINE_BREAK.lastIndex = 0;
  let end = text.length;
  for (let n = 0; n < 5; n++) {
    const m = LINE_BREAK.exec(text);
    if (m === null) break;
    end = m.index;
  }
  const counts = { '\t': 0, ';': 0, ',': 0 };
  let quoted = false;
  for (let i = 0; i < end; i++) {
    const c = text[i] as string;
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\t' || c === ';' || c === ',')) counts[c]++;
  }
  let best: Sep | undefined;
  for (const sep of ['\t', ';', ','] as const) if (counts[sep] > 0 && (best === undefined || counts[sep] > counts[best])) best = sep;
  return best;
}

/** RFC 4180 records with the leniency of real exports; see the top of this file. */
class CsvReader {
  private pos = 0;
  private line = 1;

  constructor(
    private readonly text: string,
    private readonly sep: Sep | undefined,
  ) {}

  next(): CsvRecord | undefined {
    const { text } = this;
    if (this.pos >= text.length) return undefined;
    const start = this.pos;
    const row = this.line;
    const cells: string[] = [];
    let i = start;
    let breaks = 0;
    let windowEnd: number | undefined;
    for (;;) {
      let cell = '';
      if (text[i] === '"') {
        windowEnd ??= this.lineEnd(start, IMPORT_LIMITS.recordLines);
        i++;
        for (;;) {
          const q = text.indexOf('"', i);
          if (q < 0 || q >= windowEnd) return this.malformed(start, row);
          const part = text.slice(i, q);
          breaks += countBreaks(part);
          cell += part;
          if (text[q + 1] === '"') {
            cell += '"';
            i = q + 2;
          } else {
            i = q + 1;
            break;
          }
        }
      }
      // Unquoted, or what follows a closing quote up to the separator (kept, as spreadsheets do).
      const end = this.fieldEnd(i);
      cell += text.slice(i, end);
      cells.push(cell);
      i = end;
      if (this.sep !== undefined && text[i] === this.sep) {
        i++;
        continue;
      }
      break;
    }
    this.pos = skipBreak(text, i);
    this.line += 1 + breaks;
    return { row, cells };
  }

  /** Index of the next separator or line break from `i`, or the end. */
  private fieldEnd(i: number): number {
    const { text, sep } = this;
    let j = i;
    while (j < text.length) {
      const c = text.charCodeAt(j);
      if (c === 10 || c === 13 || (sep !== undefined && c === sep.charCodeAt(0))) break;
      j++;
    }
    return j;
  }

  /** Where the `n`th line from `start` ends (its line break), or the end of the text. */
  private lineEnd(start: number, n: number): number {
    LINE_BREAK.lastIndex = start;
    let end = this.text.length;
    for (let k = 0; k < n; k++) {
      const m = LINE_BREAK.exec(this.text);
      if (m === null) return this.text.length;
      end = m.index;
    }
    return end;
  }

  private malformed(start: number, row: number): CsvRecord {
    const end = this.lineEnd(start, 1);
    this.pos = skipBreak(this.text, end);
    this.line += 1;
    return { row, cells: [], malformed: this.text.slice(start, end) };
  }
}

function skipBreak(text: string, i: number): number {
  if (text[i] === '\r') return text[i + 1] === '\n' ? i + 2 : i + 1;
  if (text[i] === '\n') return i + 1;
  return i;
}

function countBreaks(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 10 || (c === 13 && s.charCodeAt(i + 1) !== 10)) n++;
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// Public

/** Reads a suppression list without recording it (a preview, or for another use of the numbers). */
export function parseSuppressionList(input: string | unknown[], opts?: ParseSuppressionListOptions): ParsedSuppressionList {
  const list = readList(input, options(opts));
  return { phones: list.entries.map((e) => e.phone), duplicates: list.duplicates, rejected: list.rejected };
}

/**
 * Records every number of the list as an opt-out (source `import`, topic `*` unless told), in one
 * `store.importConsent` call: all or nothing. Numbers the ledger already shows as opted out for
 * the topic count as `unchanged`.
 */
export async function importSuppressionList(
  store: Store,
  input: string | unknown[],
  opts?: ImportSuppressionListOptions,
): Promise<SuppressionImportResult> {
  const o = options(opts);
  const topic = valid.unset(o.topic) ? '*' : valid.topic(o.topic);
  const source = valid.unset(o.source) ? 'import' : valid.text(o.source, 'source', valid.LIMITS.source);
  const extra = evidence(o.evidence);
  let at: string | undefined;
  if (!valid.unset(o.at)) {
    valid.isoInstant(o.at, 'at');
    at = o.at as string;
  }
  const list = readList(input, o);
  const events = list.entries.map(({ phone, row, value }): ConsentEvent => {
    const e: ConsentEvent = { phone, topic, action: 'opt-out', source, evidence: { ...extra, import: { row, value } } };
    if (at !== undefined) e.at = at;
    return e;
  });
  const saved = events.length === 0 ? { recorded: 0, unchanged: 0 } : await store.importConsent(events);
  return {
    recorded: saved.recorded,
    unchanged: saved.unchanged,
    duplicates: list.duplicates,
    rejected: list.rejected,
    total: list.entries.length + list.duplicates + list.rejected.length,
  };
}

function evidence(value: unknown): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (!isPlainObject(value)) throw invalid(`evidence must be a plain object; got ${kindOf(value)}`);
  let json: string;
  try {
    json = JSON.stringify(value);
  } catch {
    throw invalid('evidence must be JSON-serialisable (no cycles, no BigInt)');
  }
  if (json.length > IMPORT_LIMITS.evidence) {
    throw invalid(`evidence is copied onto every number of the list: keep it under ${IMPORT_LIMITS.evidence} characters`);
  }
  return value;
}
