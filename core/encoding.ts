/**
 * SMS text analysis: GSM-7 or UCS-2, how many segments a message costs, and optional smart
 * encoding (Unicode look-alikes → GSM-7) — reference/sms-domain.md §4.
 *
 * Segmenting follows what carriers bill, as modelled by Twilio's sms-segments-calculator (our
 * test oracle): 140-octet segments, a 6-octet UDH on every part of a concatenated message, an
 * ESC pair (extension character) never split across two parts, and in UCS-2 a grapheme — at least
 * a surrogate pair — never split either.
 */
import { SmsError, kindOf } from './errors';
import type { Encoding, TextAnalysis } from './types';

/** Units per segment: septets for GSM-7, UTF-16 code units for UCS-2 (reference §4.2). */
export const SEGMENT_CAPACITY: Readonly<Record<Encoding, { readonly single: number; readonly concatenated: number }>> = {
  'GSM-7': { single: 160, concatenated: 153 },
  'UCS-2': { single: 70, concatenated: 67 },
};

/**
 * Longest text accepted, in UTF-16 code units. Providers cap a message at 1,600–2,000 characters;
 * the analyser serves counters and previews too, so it takes far more, but not unbounded input.
 */
export const MAX_TEXT_LENGTH = 4 * 1024 * 1024;

export interface AnalyzeTextOptions {
  /** Replace Unicode look-alikes (curly quotes, dashes, odd spaces, ...) by GSM-7 characters first. */
  smartEncoding?: boolean;
}

// ---------------------------------------------------------------------------------------------
// GSM 03.38 default alphabet and its extension table

// The basic table in GSM code order 0x00–0x7F; 0x1B is ESC, which is not a character.
const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅå' +
  'Δ_ΦΓΛΩΠΨΣΘΞ\u001BÆæßÉ' +
  ' !"#¤%&\'()*+,-./' +
  '0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNO' +
  'PQRSTUVWXYZÄÖÑÜ§' +
  '¿abcdefghijklmno' +
  'pqrstuvwxyzäöñüà';

// Each is sent as ESC + code: two septets.
const GSM7_EXTENSION = '\f^{}\\[~]|€';

/** Septets per UTF-16 code unit: 0 = not in GSM-7, 1 = basic table, 2 = extension table. */
const SEPTETS = new Uint8Array(0x10000);
for (const ch of GSM7_BASIC) SEPTETS[ch.charCodeAt(0)] = 1;
SEPTETS[0x1b] = 0;
for (const ch of GSM7_EXTENSION) SEPTETS[ch.charCodeAt(0)] = 2;

/** True when every character of `text` exists in GSM-7 (basic or extension table). */
export function isGsm7(text: string): boolean {
  if (typeof text !== 'string') throw new SmsError('INVALID_INPUT', `Text must be a string, got ${kindOf(text)}`);
  for (let i = 0; i < text.length; i++) if (SEPTETS[text.charCodeAt(i)] === 0) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Smart encoding: our own map. Most entries are those of Twilio's Smart Encoding as published in
// sms-segments-calculator's SmartEncodingMap (MIT); where ours differs it does on purpose, and
// encoding.spec.ts lists each difference with its reason.

const SMART_GROUPS: ReadonlyArray<readonly [characters: string, replacement: string]> = [
  ['\u00AB\u00BB\u201C\u201D\u201E\u201F\u02BA\u02EE\u275D\u275E\u301D\u301E\u2033', '"'],
  ['\u2018\u2019\u201B\u02BB\u02C8\u02BC\u02BD\u02B9\u00B4\u02CA\u0060\u02CB\u275B\u275C\uFE10\uFE11\u2032', "'"],
  ['\u00F7\u29F8\u2044\u2215', '/'],
  ['\u29F9\u29F5\uFE68', '\\'],
  ['\u2017', '_'],
  ['\u2223\u23B8\u23B9\u23D0\u239C\u239F', '|'],
  ['\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\u23BC\u23BD\uFE63\u2022', '-'],
  ['\uFE6B', '@'],
  ['\uFE69', '$'],
  ['\u01C3\uFE15\uFE57', '!'],
  ['\uFE5F', '#'],
  ['\uFE6A', '%'],
  ['\uFE60', '&'],
  ['\u201A\uFE50\uFE51\uFF64\u3001', ','],
  ['\u2768\u276A\uFE59\u27EE\u2985\uFF5F', '('],
  ['\u2769\u276B\uFE5A\u27EF\u2986\uFF60', ')'],
  ['\u204E\u2217\u229B\u2722\u2723\u2724\u2725\u2731\u2732\u2733\u273A\u273B\u273C\u273D\u2743\u2749\u274A\u274B\u29C6\uFE61', '*'],
  ['\u02D6\uFE62', '+'],
  ['\u3002\uFE52\uFF61', '.'],
  ['\u02D0\u02F8\u2982\uA789\uFE13', ':'],
  ['\u204F\uFE14\uFE54', ';'],
  ['\uFE64\u2039', '<'],
  ['\uA78A\uFE66', '='],
  ['\uFE65\u203A', '>'],
  ['\uFE16\uFE56', '?'],
  ['\u02C6', '^'],
  ['\u2774\uFE5B', '{'],
  ['\u2775\uFE5C', '}'],
  ['\u02DC\u02F7\u223C', '~'],
  ['\u2026', '...'],
  ['\u203C', '!!'],
  ['\u00BC', '1/4'],
  ['\u00BD', '1/2'],
  ['\u00BE', '3/4'],
  // Singletons whose canonical equivalent is a GSM letter.
  ['\u2126', 'Ω'],
  ['\u212B', 'Å'],
  // Every Unicode space becomes ONE space: Twilio's two spaces (and seven for a tab) cost septets
  // and show as a gap the author never typed.
  ['\t\u00A0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u202F\u205F\u3000', ' '],
  ['\u2028\u2029\u0085', '\n'],
  // Invisible: zero-width characters, the soft hyphen, controls other than LF, CR and FF.
  ['\u200B\u2060\uFEFF\u00AD\u180E\u2061\u2062\u2063\u2064\u007F', ''],
];

// Small capitals read as capital letters.
const SMALL_CAPITALS: ReadonlyArray<readonly [string, string]> = [
  ['\u1D00', 'A'], ['\u0299', 'B'], ['\u1D04', 'C'], ['\u1D05', 'D'], ['\u1D07', 'E'], ['\uA730', 'F'],
  ['\u0262', 'G'], ['\u029C', 'H'], ['\u026A', 'I'], ['\u1D0A', 'J'], ['\u1D0B', 'K'], ['\u029F', 'L'],
  ['\u1D0D', 'M'], ['\u0274', 'N'], ['\u1D0F', 'O'], ['\u1D18', 'P'], ['\u0280', 'R'], ['\uA731', 'S'],
  ['\u1D1B', 'T'], ['\u1D1C', 'U'], ['\u1D20', 'V'], ['\u1D21', 'W'], ['\u028F', 'Y'], ['\u1D22', 'Z'],
];

const SMART_MAP = new Map<number, string>();
for (const [chars, to] of SMART_GROUPS) for (const ch of chars) SMART_MAP.set(ch.charCodeAt(0), to);
for (const [ch, to] of SMALL_CAPITALS) SMART_MAP.set(ch.charCodeAt(0), to);
// Fullwidth ASCII U+FF01–U+FF5E sits at a fixed offset from ASCII; the backtick is not GSM-7.
for (let cu = 0xff01; cu <= 0xff5e; cu++) {
  const ascii = String.fromCharCode(cu - 0xfee0);
  SMART_MAP.set(cu, ascii === '`' ? "'" : ascii);
}
for (let cu = 0x00; cu <= 0x1f; cu++) if (SEPTETS[cu] === 0 && !SMART_MAP.has(cu)) SMART_MAP.set(cu, '');
for (let cu = 0x80; cu <= 0x9f; cu++) if (!SMART_MAP.has(cu)) SMART_MAP.set(cu, '');
// The map only ever touches characters GSM-7 cannot carry.
for (const cu of SMART_MAP.keys()) if (SEPTETS[cu] !== 0) SMART_MAP.delete(cu);

/**
 * Joiners and direction marks shape the characters around them in emoji sequences (👨‍👩‍👧) and in
 * Arabic, Persian or Indic words. Next to such a character the message is UCS-2 anyway, so they
 * stay; anywhere else they are invisible debris (often pasted from a web page) that would force
 * the whole message to UCS-2, and they go.
 */
const CONTEXTUAL_INVISIBLES = new Set([0x200c, 0x200d, 0x200e, 0x200f]);

const COMBINING_MARKS_FIRST = 0x0300;
const COMBINING_MARKS_LAST = 0x036f;

export interface SmartEncodingResult {
  text: string;
  /** One entry per distinct replaced character (or decomposed letter), in order of first appearance. */
  replacements: { from: string; to: string }[];
}

/**
 * Replaces characters GSM-7 cannot carry by GSM-7 look-alikes; GSM-7 characters are never touched.
 * A decomposed letter (`e` + U+0301) is recomposed when the result is a GSM-7 letter (`é`).
 */
export function smartEncode(text: string): SmartEncodingResult {
  if (typeof text !== 'string') throw new SmsError('INVALID_INPUT', `Text must be a string, got ${kindOf(text)}`);
  const pieces: string[] = [];
  const recorded = new Map<string, string>();
  // Joiners whose right-hand neighbour is not known yet: their index in `pieces`, and whether
  // the left-hand neighbour already keeps them.
  let pending: { index: number; unit: number; keep: boolean }[] = [];
  let runStart = 0; // start of the stretch of input copied unchanged, not yet in `pieces`
  let lastPiece = -1; // index of the last non-empty piece
  let lastUnit = -1; // the last code unit written so far, -1 before the first

  const record = (from: string, to: string): void => {
    if (!recorded.has(from)) recorded.set(from, to);
  };
  const write = (piece: string): void => {
    pieces.push(piece);
    if (piece.length > 0) {
      lastPiece = pieces.length - 1;
      lastUnit = piece.charCodeAt(piece.length - 1);
    }
  };
  const flushRun = (end: number): void => {
    if (end > runStart) write(text.slice(runStart, end));
    runStart = end;
  };
  const resolvePending = (nextUnit: number): void => {
    const keptByNext = nextUnit >= 0 && SEPTETS[nextUnit] === 0;
    for (const p of pending) {
      const keep = p.keep || keptByNext;
      const ch = String.fromCharCode(p.unit);
      pieces[p.index] = keep ? ch : '';
      if (!keep) record(ch, '');
    }
    pending = [];
  };

  for (let i = 0; i < text.length; i++) {
    const cu = text.charCodeAt(i);
    if (SEPTETS[cu] !== 0) {
      if (pending.length > 0) resolvePending(cu);
      continue;
    }
    if (CONTEXTUAL_INVISIBLES.has(cu)) {
      flushRun(i);
      runStart = i + 1;
      pending.push({ index: pieces.length, unit: cu, keep: lastUnit >= 0 && SEPTETS[lastUnit] === 0 });
      pieces.push('');
      continue;
    }
    const replacement = SMART_MAP.get(cu);
    if (replacement !== undefined) {
      flushRun(i);
      runStart = i + 1;
      if (replacement.length > 0 && pending.length > 0) resolvePending(replacement.charCodeAt(0));
      write(replacement);
      record(text[i], replacement);
      continue;
    }
    if (cu >= COMBINING_MARKS_FIRST && cu <= COMBINING_MARKS_LAST && pending.length === 0) {
      flushRun(i);
      if (lastUnit >= 0 && SEPTETS[lastUnit] !== 0) {
        const base = String.fromCharCode(lastUnit);
        const composed = (base + text[i]).normalize('NFC');
        if (composed.length === 1 && SEPTETS[composed.charCodeAt(0)] !== 0) {
          pieces[lastPiece] = pieces[lastPiece].slice(0, -1) + composed;
          lastUnit = composed.charCodeAt(0);
          runStart = i + 1;
          record(base + text[i], composed);
          continue;
        }
      }
    }
    // Stays as it is (and keeps the message UCS-2).
    if (pending.length > 0) resolvePending(cu);
  }
  if (pieces.length === 0) return { text, replacements: [] };
  flushRun(text.length);
  resolvePending(-1);
  return { text: pieces.join(''), replacements: [...recorded].map(([from, to]) => ({ from, to })) };
}

// ---------------------------------------------------------------------------------------------
// Segmenting
//
// A message that fits one segment is sent as one. Otherwise every part carries a UDH and the
// units are packed greedily into parts of `concatenated` units, an item (ESC pair, grapheme)
// never cut in two. (The calculator first fills 160/70 units, then takes back from the end of
// the first part what no longer fits once the UDH is added: the same greedy packing.)

interface Packing {
  segments: number;
  /** Units in the last segment. */
  used: number;
}

function packGsm7(text: string, concatenated: number): Packing {
  let segments = 1;
  let used = 0;
  for (let i = 0; i < text.length; i++) {
    const septets = SEPTETS[text.charCodeAt(i)];
    if (used + septets > concatenated) {
      segments++;
      used = 0;
    }
    used += septets;
  }
  return { segments, used };
}

let graphemeSegmenter: Intl.Segmenter | undefined;

/**
 * Only the graphemes straddling a segment boundary matter, so instead of walking every grapheme
 * (an object per character) this asks ICU for the one around each boundary: a call per segment.
 */
function packUcs2(text: string, concatenated: number): Packing {
  graphemeSegmenter ??= new Intl.Segmenter('und', { granularity: 'grapheme' });
  const graphemes = graphemeSegmenter.segment(text);
  let segments = 0;
  let start = 0;
  for (;;) {
    segments++;
    const end = start + concatenated;
    if (end >= text.length) return { segments, used: text.length - start };
    const straddling = graphemes.containing(end)!;
    if (straddling.index === end || straddling.segment === '\r\n') {
      // A boundary right there; CR LF are two characters on the wire, which carriers (and the
      // calculator) do split.
      start = end;
    } else if (straddling.index > start) {
      start = straddling.index;
    } else {
      // A grapheme longer than a whole segment (a letter under dozens of combining marks) has
      // to be cut somewhere: between code points, so no surrogate pair is ever split.
      start = isLowSurrogate(text.charCodeAt(end)) && isHighSurrogate(text.charCodeAt(end - 1)) ? end - 1 : end;
    }
  }
}

function isHighSurrogate(cu: number): boolean {
  return cu >= 0xd800 && cu <= 0xdbff;
}

function isLowSurrogate(cu: number): boolean {
  return cu >= 0xdc00 && cu <= 0xdfff;
}

/**
 * Encoding, units and segments of an SMS text. `units` are septets (GSM-7) or UTF-16 code units
 * (UCS-2). An empty text (also one emptied by smart encoding) has 0 segments: nothing would be sent.
 * Throws SmsError INVALID_INPUT for a non-string, an oversized text or malformed options.
 */
export function analyzeText(text: string, opts?: AnalyzeTextOptions): TextAnalysis {
  if (typeof text !== 'string') throw new SmsError('INVALID_INPUT', `Text must be a string, got ${kindOf(text)}`);
  if (text.length > MAX_TEXT_LENGTH) {
    throw new SmsError('INVALID_INPUT', `Text is too long: ${text.length} characters (at most ${MAX_TEXT_LENGTH})`);
  }
  const smart = readSmartEncoding(opts);

  let out = text;
  let replacements: TextAnalysis['replacements'] = [];
  if (smart) ({ text: out, replacements } = smartEncode(text));

  let septets = 0;
  const nonGsm = new Set<number>();
  for (let i = 0; i < out.length; i++) {
    const cost = SEPTETS[out.charCodeAt(i)];
    if (cost !== 0) {
      septets += cost;
      continue;
    }
    const cp = out.codePointAt(i)!;
    nonGsm.add(cp);
    if (cp > 0xffff) i++;
  }
  const encoding: Encoding = nonGsm.size === 0 ? 'GSM-7' : 'UCS-2';
  const { single, concatenated } = SEGMENT_CAPACITY[encoding];
  const units = encoding === 'GSM-7' ? septets : out.length;

  const nonGsmChars = Array.from(nonGsm, (cp) => String.fromCodePoint(cp));
  const base = { text: out, encoding, units, replacements, nonGsmChars };
  if (units === 0) return { ...base, segments: 0, perSegment: single, remaining: single };

  if (units <= single) return { ...base, segments: 1, perSegment: single, remaining: single - units };
  const { segments, used } = encoding === 'GSM-7' ? packGsm7(out, concatenated) : packUcs2(out, concatenated);
  return { ...base, segments, perSegment: concatenated, remaining: concatenated - used };
}

function readSmartEncoding(opts: unknown): boolean {
  if (opts === undefined || opts === null) return false;
  if (typeof opts !== 'object' || Array.isArray(opts)) {
    throw new SmsError('INVALID_INPUT', `Text analysis options must be an object, got ${kindOf(opts)}`);
  }
  const smart = (opts as { smartEncoding?: unknown }).smartEncoding;
  if (smart === undefined) return false;
  if (typeof smart !== 'boolean') {
    throw new SmsError('INVALID_INPUT', `smartEncoding must be true or false, got ${kindOf(smart)}`);
  }
  return smart;
}
