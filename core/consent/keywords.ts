/**
 * Opt-out / opt-in / help keyword detection for inbound SMS — DESIGN §3, reference/sms-domain.md §5.
 *
 * Normalisation (applied alike to message bodies and to every keyword, built-in or added):
 *   NFKD (so full-width and styled letters become plain ones) → combining marks dropped ("ARRÊT"
 *   → "ARRET") → invisible format characters dropped (RTL/LTR marks, zero-width spaces and
 *   joiners, BOM) → control characters and every kind of space become one space → every dash
 *   becomes "-" → upper-case → leading and trailing spaces, punctuation and symbols stripped
 *   (quotes, "!!", "...", emoji) → runs of spaces collapsed. Inner punctuation stays: "OPT-OUT"
 *   keeps its hyphen, "STOP, PLEASE" is not the keyword STOP in exact mode.
 *
 * Modes:
 *   - `exact` (default): the whole normalised body equals a keyword — what carriers do.
 *   - `lenient`: exact, or any of three rules on the body's words (apostrophes dropped, so
 *     "don’t" is DONT):
 *       1. courtesy: once courtesy and filler words (PLEASE, NOW, ME, IT, THANKS, SVP, MERCI, POR
 *          FAVOR, BITTE, ...) are set aside, what remains is only keywords. "Stop please",
 *          "Please STOP now!!", "Unsubscribe me" match; "Please stop by the shop" and "Cancel my
 *          order please" do not (BY, THE, SHOP, MY, ORDER are not filler). A plain "first word
 *          is a keyword" rule would opt out everyone who writes "End of the month?" or "Cancel my
 *          order", so it is deliberately not the rule.
 *       2. unambiguous lead: the first non-filler word is one that only ever means opt-out
 *          (UNSUBSCRIBE, OPTOUT, OPT OUT, REVOKE, STOPALL, DESABONNER, ABMELDEN, ...), whatever
 *          follows: "Unsubscribe me from all of this".
 *       3. phrases, anywhere in the body: "stop texting", "remove me", "take me off", "don't text
 *          me", "no more messages", ... — unless directly negated ("please don't stop texting
 *          me" is not an opt-out). Phrases are English only.
 *     When rule 1 finds keywords of several intents, opt-out wins (missing an opt-out is the
 *     costly error: reference §5.1) and a mix of opt-in and help is no match.
 *
 * YES is an opt-in keyword only with `includeYes: true`: it is also the ordinary answer to any
 * question a flow asks. Bodies longer than MAX_KEYWORD_TEXT_LENGTH are no match in either mode
 * without being read: providers cap an SMS at 1,600–2,000 characters and no such body is a keyword.
 */
import { SmsError } from '../errors';

export type KeywordIntent = 'opt-out' | 'opt-in' | 'help';

export interface KeywordMatch {
  intent: KeywordIntent;
  /** The matched keyword or lenient phrase, normalised ("ARRET", "OPT OUT", "STOP TEXTING"). */
  keyword: string;
}

export interface ExtraKeywords {
  optOut?: readonly string[];
  optIn?: readonly string[];
  help?: readonly string[];
}

export interface DetectKeywordOptions {
  /** `exact` (default): the whole body is a keyword. `lenient`: see the module comment. */
  mode?: 'exact' | 'lenient';
  /** Treat YES as opt-in (off by default). */
  includeYes?: boolean;
  /**
   * Keywords added to the built-in sets, normalised the same way. A keyword may not belong to two
   * intents (STOP cannot be made an opt-in). Compiled once per object and cached: pass a new
   * object, not a mutated one, to change them.
   */
  extra?: ExtraKeywords;
}

/** Bodies longer than this (UTF-16 code units) are never a keyword. */
export const MAX_KEYWORD_TEXT_LENGTH = 2000;
/** Longest added keyword, in characters, before normalisation. */
export const MAX_EXTRA_KEYWORD_LENGTH = 50;
/** Most keywords per added list. */
export const MAX_EXTRA_KEYWORDS = 500;

// Normalised forms. Sources: FCC 24-24 + Twilio/Telnyx/Bird defaults (US), Twilio Proxy + market
// practice (fr), Bird multilingual defaults and market practice (es, pt, de, it, ru, pl).
export const OPT_OUT_KEYWORDS: readonly string[] = Object.freeze([
  // en
  'STOP', 'STOPALL', 'STOP ALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT', 'OPT OUT', 'OPT-OUT',
  // fr
  'STOP SMS', 'ARRET', 'ARRETE', 'ARRETT', 'DESABONNER', 'DESINSCRIRE',
  // es
  'BAJA', 'PARAR', 'DETENER', 'CANCELAR', 'NO MAS',
  // pt (PARAR, CANCELAR are listed under es)
  'PARE', 'SAIR',
  // de
  'STOPP', 'HALT', 'ABMELDEN',
  // it
  'FERMA', 'BASTA', 'ANNULLA',
  // ru, pl (Bird defaults)
  'ОСТАНОВИТЬ', 'ZATRZYMAJ',
]);

/** YES is not here: it is added per call with `includeYes`. */
export const OPT_IN_KEYWORDS: readonly string[] = Object.freeze(['START', 'UNSTOP', 'NONARRET']);

export const HELP_KEYWORDS: readonly string[] = Object.freeze([
  'HELP', 'INFO', 'AIDE', 'AYUDA', 'AJUDA', 'HILFE', 'AIUTO', 'HULP', 'ПОМОЩЬ', 'POMOCY',
]);

// Words a person wraps around a keyword without changing its meaning (lenient rule 1).
const FILLER = new Set([
  'PLEASE', 'PLS', 'PLZ', 'NOW', 'ME', 'IT', 'THANKS', 'THANK', 'YOU', 'THX', 'TY', 'ALL', 'OK', 'OKAY',
  'TEXTS', 'TEXTING', 'MESSAGES', 'MSGS', 'SMS',
  'SVP', 'STP', 'MERCI', 'POR', 'FAVOR', 'GRACIAS', 'OBRIGADO', 'OBRIGADA', 'BITTE', 'DANKE', 'PER', 'FAVORE', 'GRAZIE',
]);

// Opt-out keywords with no everyday meaning besides opting out (lenient rule 2).
const UNAMBIGUOUS_OPT_OUT = ['STOPALL', 'UNSUBSCRIBE', 'OPTOUT', 'OPT OUT', 'OPT-OUT', 'REVOKE', 'DESABONNER', 'DESINSCRIRE', 'ABMELDEN'];

// Lenient rule 3, in word form (apostrophes dropped).
const OPT_OUT_PHRASES = [
  'STOP TEXTING', 'STOP TEXT', 'STOP TEXTS', 'STOP MESSAGING', 'STOP MESSAGES', 'STOP SENDING', 'STOP CONTACTING',
  'STOP SPAMMING', 'REMOVE ME', 'REMOVE MY NUMBER', 'TAKE ME OFF', 'TAKE MY NUMBER OFF', 'OPT ME OUT', 'UNSUBSCRIBE ME',
  'DONT TEXT ME', 'DO NOT TEXT', 'DONT MESSAGE ME', 'DO NOT MESSAGE', 'DONT CONTACT ME', 'DO NOT CONTACT',
  'NO MORE TEXTS', 'NO MORE MESSAGES', 'NO MORE SMS',
].map((p) => p.split(' '));
// A phrase asking to stop is cancelled by a negation right before it: "don't stop texting me".
const NEGATIONS = new Set(['DONT', 'NOT', 'NEVER']);
const NEGATABLE_LEADS = new Set(['STOP', 'REMOVE', 'TAKE', 'OPT', 'UNSUBSCRIBE']);

// ---------------------------------------------------------------------------------------------
// Normalisation

const COMBINING_MARK = /\p{M}/gu;
const FORMAT_CHAR = /\p{Cf}/gu;
const SPACE_OR_CONTROL = /[\p{Cc}\p{Z}\s]+/gu;
const DASH = /\p{Pd}/gu;
const EDGE_CHAR = /^[\s\p{P}\p{S}]$/u;
const APOSTROPHE = /['\u2018\u2019\u02BC`]/gu;

/** The comparable form of a body or a keyword; see the module comment. */
export function normalizeKeywordText(text: string): string {
  const s = text
    .normalize('NFKD')
    .replace(COMBINING_MARK, '')
    .replace(FORMAT_CHAR, '')
    .replace(SPACE_OR_CONTROL, ' ')
    .replace(DASH, '-')
    .toUpperCase();
  return trimEdges(s);
}

// A loop rather than an anchored regex: `[…]+$` rescans from every position, quadratic on long
// runs of punctuation.
function trimEdges(s: string): string {
  const chars = Array.from(s);
  let start = 0;
  let end = chars.length;
  while (start < end && EDGE_CHAR.test(chars[start]!)) start++;
  while (end > start && EDGE_CHAR.test(chars[end - 1]!)) end--;
  return chars.slice(start, end).join('');
}

// ---------------------------------------------------------------------------------------------
// Keyword tables

interface KeywordTable {
  readonly byKeyword: ReadonlyMap<string, KeywordIntent>;
  /** Most words in one keyword: bounds the lookahead of lenient rule 1. */
  readonly maxWords: number;
}

function wordCount(keyword: string): number {
  return keyword.split(' ').length;
}

function buildTable(byKeyword: Map<string, KeywordIntent>): KeywordTable {
  let maxWords = 1;
  for (const k of byKeyword.keys()) maxWords = Math.max(maxWords, wordCount(k));
  return { byKeyword, maxWords };
}

const DEFAULT_MAP = new Map<string, KeywordIntent>();
for (const k of OPT_OUT_KEYWORDS) DEFAULT_MAP.set(k, 'opt-out');
for (const k of OPT_IN_KEYWORDS) DEFAULT_MAP.set(k, 'opt-in');
for (const k of HELP_KEYWORDS) DEFAULT_MAP.set(k, 'help');
const DEFAULT_TABLE = buildTable(DEFAULT_MAP);

const extraTables = new WeakMap<object, KeywordTable>();

const EXTRA_LISTS: readonly (readonly [keyof ExtraKeywords, KeywordIntent])[] = [
  ['optOut', 'opt-out'],
  ['optIn', 'opt-in'],
  ['help', 'help'],
];

function tableFor(extra: unknown): KeywordTable {
  if (extra === undefined) return DEFAULT_TABLE;
  if (extra === null || typeof extra !== 'object' || Array.isArray(extra)) {
    throw new SmsError('INVALID_INPUT', 'Keyword option "extra" must be an object of { optOut, optIn, help } lists');
  }
  const cached = extraTables.get(extra);
  if (cached) return cached;
  const map = new Map(DEFAULT_MAP);
  const record = extra as Record<string, unknown>;
  for (const [name, intent] of EXTRA_LISTS) {
    const list = record[name];
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw new SmsError('INVALID_INPUT', `Keyword option "extra.${name}" must be an array of strings`);
    if (list.length > MAX_EXTRA_KEYWORDS) {
      throw new SmsError('INVALID_INPUT', `Keyword option "extra.${name}" has more than ${MAX_EXTRA_KEYWORDS} keywords`);
    }
    list.forEach((raw: unknown, i) => {
      if (typeof raw !== 'string') throw new SmsError('INVALID_INPUT', `Keyword extra.${name}[${i}] is not a string`);
      if (raw.length > MAX_EXTRA_KEYWORD_LENGTH) {
        throw new SmsError('INVALID_INPUT', `Keyword extra.${name}[${i}] is longer than ${MAX_EXTRA_KEYWORD_LENGTH} characters`);
      }
      const keyword = normalizeKeywordText(raw);
      if (keyword === '') throw new SmsError('INVALID_INPUT', `Keyword extra.${name}[${i}] is empty once normalised`);
      const taken = map.get(keyword);
      if (taken !== undefined && taken !== intent) {
        throw new SmsError('INVALID_INPUT', `Keyword "${keyword}" (extra.${name}) is already a ${taken} keyword`);
      }
      map.set(keyword, intent);
    });
  }
  const table = buildTable(map);
  extraTables.set(extra, table);
  return table;
}

function lookup(table: KeywordTable, keyword: string, includeYes: boolean): KeywordIntent | undefined {
  return table.byKeyword.get(keyword) ?? (includeYes && keyword === 'YES' ? 'opt-in' : undefined);
}

// ---------------------------------------------------------------------------------------------
// Detection

/**
 * The consent intent an inbound SMS body expresses, or null when it is none.
 * Throws SmsError('INVALID_INPUT') when `text` is not a string or an option is malformed.
 */
export function detectKeyword(text: string, opts: DetectKeywordOptions = {}): KeywordMatch | null {
  if (typeof text !== 'string') throw new SmsError('INVALID_INPUT', `Keyword detection needs a string, got ${describe(text)}`);
  if (opts === null || typeof opts !== 'object') throw new SmsError('INVALID_INPUT', 'Keyword options must be an object');
  const mode = opts.mode ?? 'exact';
  if (mode !== 'exact' && mode !== 'lenient') {
    throw new SmsError('INVALID_INPUT', `Keyword mode must be "exact" or "lenient", got ${describe(mode)}`);
  }
  const includeYes = opts.includeYes ?? false;
  if (typeof includeYes !== 'boolean') throw new SmsError('INVALID_INPUT', 'Keyword option "includeYes" must be a boolean');
  const table = tableFor(opts.extra);
  if (includeYes && (table.byKeyword.get('YES') ?? 'opt-in') !== 'opt-in') {
    throw new SmsError('INVALID_INPUT', `Keyword "YES" cannot be opt-in (includeYes) and ${table.byKeyword.get('YES')}`);
  }

  if (text.length > MAX_KEYWORD_TEXT_LENGTH) return null;
  const body = normalizeKeywordText(text);
  if (body === '') return null;
  const exact = lookup(table, body, includeYes);
  if (exact !== undefined) return { intent: exact, keyword: body };
  if (mode === 'exact') return null;
  return detectLenient(body, table, includeYes);
}

function detectLenient(body: string, table: KeywordTable, includeYes: boolean): KeywordMatch | null {
  const words = body
    .replace(APOSTROPHE, '')
    .split(' ')
    .map(trimEdges)
    .filter((w) => w !== '');
  return onlyKeywords(words, table, includeYes) ?? unambiguousLead(words) ?? optOutPhrase(words);
}

// Rule 1: every word is filler or part of a keyword, and there is at least one keyword.
function onlyKeywords(words: readonly string[], table: KeywordTable, includeYes: boolean): KeywordMatch | null {
  const found = new Map<KeywordIntent, string>();
  let i = 0;
  next: while (i < words.length) {
    for (let n = Math.min(table.maxWords, words.length - i); n >= 1; n--) {
      const candidate = words.slice(i, i + n).join(' ');
      const intent = lookup(table, candidate, includeYes);
      if (intent !== undefined) {
        if (!found.has(intent)) found.set(intent, candidate);
        i += n;
        continue next;
      }
    }
    if (!FILLER.has(words[i]!)) return null;
    i++;
  }
  const optOut = found.get('opt-out');
  if (optOut !== undefined) return { intent: 'opt-out', keyword: optOut };
  if (found.size !== 1) return null;
  const [[intent, keyword]] = found;
  return { intent, keyword };
}

// Rule 2: the first non-filler word(s) form a keyword that can only mean opt-out.
function unambiguousLead(words: readonly string[]): KeywordMatch | null {
  const first = words.findIndex((w) => !FILLER.has(w));
  if (first < 0) return null;
  for (const keyword of UNAMBIGUOUS_OPT_OUT) {
    const parts = keyword.split(' ');
    if (parts.every((p, k) => words[first + k] === p)) return { intent: 'opt-out', keyword };
  }
  return null;
}

// Rule 3: an opt-out phrase anywhere, not directly negated.
function optOutPhrase(words: readonly string[]): KeywordMatch | null {
  for (let i = 0; i < words.length; i++) {
    for (const phrase of OPT_OUT_PHRASES) {
      if (!phrase.every((p, k) => words[i + k] === p)) continue;
      if (NEGATABLE_LEADS.has(phrase[0]!) && i > 0 && NEGATIONS.has(words[i - 1]!)) continue;
      return { intent: 'opt-out', keyword: phrase.join(' ') };
    }
  }
  return null;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 20)) : typeof value;
}
