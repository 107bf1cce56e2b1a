/**
 * Message templates: Handlebars, made fit for SMS and for data we do not control.
 *
 * - Output is text, not HTML: nothing is escaped (`&` stays `&`).
 * - Strict by default: `{{customer.frist_name}}` is an error that names the variable and the line,
 *   never a silently empty greeting. Conditions are the exception: `{{#if coupon}}`,
 *   `{{#unless}}`, `{{#each}}` and `{{#with}}` treat a missing value as empty, because asking
 *   whether something is there is their whole point.
 * - A template reads the data and nothing else. It is parsed, checked and rewritten before
 *   Handlebars compiles it: every variable becomes a lookup of our own that reads own properties
 *   only (no prototype, so no `constructor`, `__proto__`, `__defineGetter__`, ...) and never calls a
 *   function found in the data; only our helpers and the four block helpers exist (no `lookup`,
 *   no `log`, no partials, no decorators). Handlebars' own prototype guard stays on underneath.
 * - Bounded: template size, nesting, work and output are capped, so a hostile template cannot
 *   hang or exhaust the process.
 *
 * Errors: INVALID_INPUT when an argument has the wrong type (template not a string, data not an
 * object, malformed options) — a wiring mistake in the flow; TEMPLATE_ERROR for anything about the
 * template text or what it asks of the data. Messages name variables, helpers and lines, never
 * data values.
 */
import Handlebars from 'handlebars';
import { DateTime, type DateTimeFormatOptions } from 'luxon';
import { SmsError, kindOf } from './errors';

export const MAX_TEMPLATE_LENGTH = 64 * 1024;
/** Longest rendered text; far beyond any SMS (providers cap at 1,600–2,000 characters). */
export const MAX_RENDERED_LENGTH = 1024 * 1024;
/** Variable lookups plus loop iterations one render may do. */
export const MAX_RENDER_STEPS = 100_000;
/** Nested blocks and sub-expressions. */
export const MAX_TEMPLATE_NESTING = 64;
/** Compiled templates kept (least recently used dropped first). */
export const TEMPLATE_CACHE_SIZE = 500;

export interface RenderOptions {
  /** Missing variable → TEMPLATE_ERROR (default true). When false it renders as empty text. */
  strict?: boolean;
  /** BCP 47 locale for `formatDate`, `upper`, `lower` (default `en-US`). */
  locale?: string;
  /** IANA zone `formatDate` shows times in (default `UTC`). */
  timeZone?: string;
}

export type CompiledTemplate = (data: object, opts?: RenderOptions) => string;

const INLINE_HELPERS = new Set(['upper', 'lower', 'truncate', 'formatDate']);
const BLOCK_HELPERS = new Set(['if', 'unless', 'each', 'with']);
const DATA_VARIABLES = new Set(['root', 'index', 'key', 'first', 'last']);

// Internal helpers the rewritten template calls; a template naming them itself is rejected.
const TEXT = '__a2pText';
const VALUE = '__a2pValue';
const OPTIONAL = '__a2pOptional';
// Key of the per-render state in Handlebars' private data frame (`@__a2p` is not a readable
// data variable: only DATA_VARIABLES are).
const STATE = '__a2p';

interface RenderState {
  strict: boolean;
  locale: string | undefined;
  timeZone: string;
  steps: number;
  chars: number;
}

type HelperOptions = Handlebars.HelperOptions & { data?: Record<string, unknown>; loc?: SourceLocation };
interface SourceLocation {
  start: { line: number; column: number };
}

// ---------------------------------------------------------------------------------------------
// Reading the data

function templateError(message: string, loc?: SourceLocation): SmsError {
  return new SmsError('TEMPLATE_ERROR', loc ? `${message} (line ${loc.start.line}, column ${loc.start.column + 1})` : message);
}

function stateOf(options: HelperOptions): RenderState {
  const state = options.data?.[STATE] as RenderState | undefined;
  if (!state) throw templateError('Template rendered without its render state');
  return state;
}

function step(state: RenderState, loc?: SourceLocation): void {
  if (++state.steps > MAX_RENDER_STEPS) {
    throw templateError(`The template does too much work (more than ${MAX_RENDER_STEPS} lookups and loop turns)`, loc);
  }
}

function charge(state: RenderState, chars: number, loc?: SourceLocation): void {
  state.chars += chars;
  if (state.chars > MAX_RENDERED_LENGTH) {
    throw templateError(`The rendered text is too long (more than ${MAX_RENDERED_LENGTH} characters)`, loc);
  }
}

/** `at`: index of the first part not found; `parts.length` when the value is a function. */
type Resolution = { found: true; value: unknown } | { found: false; at: number };

/** Own properties only, and never through a function: data is read, never executed. */
function resolve(root: unknown, parts: string[]): Resolution {
  let current = root;
  for (let i = 0; i < parts.length; i++) {
    if (current === null || current === undefined || typeof current === 'function') return { found: false, at: i };
    if (!Object.hasOwn(current, parts[i]!)) return { found: false, at: i };
    current = (current as Record<string, unknown>)[parts[i]!];
  }
  return typeof current === 'function' ? { found: false, at: parts.length } : { found: true, value: current };
}

function missing(name: string, parts: string[], at: number, loc?: SourceLocation): SmsError {
  if (at === parts.length) return templateError(`"${name}" is a function, not data`, loc);
  const where = at > 0 ? ` ("${parts.slice(0, at).join('.')}" has no "${parts[at]}")` : '';
  return templateError(`Missing variable "${name}"${where}`, loc);
}

function splitArgs(args: unknown[]): { values: unknown[]; options: HelperOptions } {
  return { values: args.slice(0, -1), options: args[args.length - 1] as HelperOptions };
}

/** A path helper's call (`name`, its root and parts): one render step, then the lookup. */
function lookUp(args: unknown[]): { name: string; parts: string[]; state: RenderState; loc?: SourceLocation; r: Resolution } {
  const { values, options } = splitArgs(args);
  const [name, root, ...parts] = values as [string, unknown, ...string[]];
  const state = stateOf(options);
  step(state, options.loc);
  return { name, parts, state, loc: options.loc, r: resolve(root, parts) };
}

/** `{{path}}`: the value as text. */
function textHelper(...args: unknown[]): string {
  const { name, parts, state, loc, r } = lookUp(args);
  if (!r.found) {
    if (state.strict) throw missing(name, parts, r.at, loc);
    return '';
  }
  const text = toText(r.value, `"${name}"`, loc);
  charge(state, text.length, loc);
  return text;
}

/** A helper's argument: the value itself, strict about it being there. */
function valueHelper(...args: unknown[]): unknown {
  const { name, parts, state, loc, r } = lookUp(args);
  if (r.found) return r.value;
  if (state.strict) throw missing(name, parts, r.at, loc);
  return undefined;
}

/** The argument of `#if`, `#unless`, `#each`, `#with`: missing is just empty. */
function optionalHelper(...args: unknown[]): unknown {
  const { r } = lookUp(args);
  return r.found ? r.value : undefined;
}

/** What a value looks like in an SMS. Objects and lists have no sensible text: an error says so. */
function toText(value: unknown, what: string, loc?: SourceLocation): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw templateError(`${what} is an invalid date`, loc);
    return value.toISOString();
  }
  if (Array.isArray(value)) throw templateError(`${what} is a list, not text: loop over it with {{#each}}`, loc);
  throw templateError(`${what} is ${typeof value === 'object' ? 'an object' : `a ${typeof value}`}, not text: use one of its fields`, loc);
}

// ---------------------------------------------------------------------------------------------
// Helpers users call

function upper(...args: unknown[]): string {
  const { values, options } = splitArgs(args);
  const text = toText(needValue('upper', values, options), 'The value given to upper', options.loc);
  const { locale } = stateOf(options);
  return locale ? text.toLocaleUpperCase(locale) : text.toUpperCase();
}

function lower(...args: unknown[]): string {
  const { values, options } = splitArgs(args);
  const text = toText(needValue('lower', values, options), 'The value given to lower', options.loc);
  const { locale } = stateOf(options);
  return locale ? text.toLocaleLowerCase(locale) : text.toLowerCase();
}

function needValue(helper: string, values: unknown[], options: HelperOptions): unknown {
  if (values.length !== 1) throw templateError(`${helper} takes one value, got ${values.length}`, options.loc);
  return values[0];
}

let graphemeSegmenter: Intl.Segmenter | undefined;

/** `{{truncate text 20 "..."}}`: at most 20 characters (graphemes: an emoji is never cut), suffix included. */
function truncate(...args: unknown[]): string {
  const { values, options } = splitArgs(args);
  if (values.length < 2 || values.length > 3) {
    throw templateError(`truncate takes a value, a length and an optional suffix, got ${values.length} arguments`, options.loc);
  }
  const text = toText(values[0], 'The value given to truncate', options.loc);
  const max = values[1];
  if (typeof max !== 'number' || !Number.isSafeInteger(max) || max < 0) {
    throw templateError('truncate: the length must be a whole number, 0 or more', options.loc);
  }
  const suffix = values.length === 3 ? toText(values[2], 'The suffix given to truncate', options.loc) : '';

  graphemeSegmenter ??= new Intl.Segmenter('und', { granularity: 'grapheme' });
  // Only the first max + 1 graphemes matter: a long text is not segmented to its end.
  const cuts: number[] = [];
  for (const { index } of graphemeSegmenter.segment(text)) {
    cuts.push(index);
    if (cuts.length > max) break;
  }
  if (cuts.length <= max) return text;
  const suffixLength = suffix === '' ? 0 : [...graphemeSegmenter.segment(suffix)].length;
  return suffixLength < max ? text.slice(0, cuts[max - suffixLength]) + suffix : text.slice(0, cuts[max]);
}

// Luxon presets by name; a name outside this list is a toFormat pattern.
const DATE_PRESETS: Record<string, DateTimeFormatOptions> = {
  DATE_SHORT: DateTime.DATE_SHORT,
  DATE_MED: DateTime.DATE_MED,
  DATE_MED_WITH_WEEKDAY: DateTime.DATE_MED_WITH_WEEKDAY,
  DATE_FULL: DateTime.DATE_FULL,
  DATE_HUGE: DateTime.DATE_HUGE,
  TIME_SIMPLE: DateTime.TIME_SIMPLE,
  TIME_WITH_SECONDS: DateTime.TIME_WITH_SECONDS,
  TIME_24_SIMPLE: DateTime.TIME_24_SIMPLE,
  TIME_24_WITH_SECONDS: DateTime.TIME_24_WITH_SECONDS,
  DATETIME_SHORT: DateTime.DATETIME_SHORT,
  DATETIME_MED: DateTime.DATETIME_MED,
  DATETIME_MED_WITH_WEEKDAY: DateTime.DATETIME_MED_WITH_WEEKDAY,
  DATETIME_FULL: DateTime.DATETIME_FULL,
  DATETIME_HUGE: DateTime.DATETIME_HUGE,
};
const DEFAULT_DATE_FORMAT = DateTime.DATETIME_MED;
const DEFAULT_LOCALE = 'en-US';
const DEFAULT_ZONE = 'UTC';

/**
 * `{{formatDate date}}`, `{{formatDate date "dd/MM/yyyy HH:mm"}}`, `{{formatDate date "DATE_FULL"
 * zone="Europe/Paris" locale="fr"}}`. The date: ISO-8601 text (a time without offset is read in
 * the zone), SQL `yyyy-MM-dd HH:mm:ss`, RFC 2822, epoch milliseconds or a Date. An empty value
 * renders as empty text, like `{{date}}` would.
 */
function formatDate(...args: unknown[]): string {
  const { values, options } = splitArgs(args);
  const { loc } = options;
  if (values.length < 1 || values.length > 2) {
    throw templateError(`formatDate takes a date and an optional format, got ${values.length} arguments`, loc);
  }
  const state = stateOf(options);
  const hash = options.hash as Record<string, unknown>;
  for (const key of Object.keys(hash)) {
    if (key !== 'zone' && key !== 'locale') throw templateError(`formatDate has no option "${key}" (zone, locale)`, loc);
  }
  const zone = hash.zone ?? state.timeZone;
  if (typeof zone !== 'string' || !isValidZone(zone)) {
    throw templateError('formatDate: zone must be an IANA time zone such as "Europe/Paris"', loc);
  }
  const locale = hash.locale ?? state.locale ?? DEFAULT_LOCALE;
  if (typeof locale !== 'string' || !isValidLocale(locale)) {
    throw templateError('formatDate: locale must be a language tag such as "en-US" or "fr"', loc);
  }
  const format = values[1];
  if (format !== undefined && typeof format !== 'string') throw templateError('formatDate: the format must be text', loc);

  const input = values[0];
  if (input === null || input === undefined || input === '') return '';
  const date = readDate(input, zone);
  if (!date) {
    throw templateError('formatDate: the value is not a date (ISO-8601 text, epoch milliseconds or a Date)', loc);
  }
  const local = date.setLocale(locale);
  if (format === 'ISO') return local.toISO() ?? '';
  const preset = format === undefined ? DEFAULT_DATE_FORMAT : Object.hasOwn(DATE_PRESETS, format) ? DATE_PRESETS[format] : undefined;
  const text = preset ? local.toLocaleString(preset) : local.toFormat(format!);
  // ICU writes "3:30 PM" and "1 234" with (narrow) no-break spaces: not GSM-7, one of them would
  // turn the whole SMS into UCS-2.
  return text.replace(/[\u00A0\u2007\u2009\u202F]/g, ' ');
}

function readDate(input: unknown, zone: string): DateTime | null {
  let date: DateTime;
  if (input instanceof Date) {
    date = DateTime.fromJSDate(input, { zone });
  } else if (typeof input === 'number') {
    if (!Number.isFinite(input)) return null;
    date = DateTime.fromMillis(input, { zone });
  } else if (typeof input === 'string') {
    const text = input.trim();
    date = DateTime.fromISO(text, { zone });
    if (!date.isValid) date = DateTime.fromSQL(text, { zone });
    if (!date.isValid) date = DateTime.fromRFC2822(text, { zone });
  } else {
    return null;
  }
  return date.isValid ? date : null;
}

function isValidZone(zone: string): boolean {
  return zone.length <= 64 && DateTime.now().setZone(zone).isValid;
}

function isValidLocale(locale: string): boolean {
  if (locale.length > 64) return false;
  try {
    return Intl.getCanonicalLocales(locale).length === 1;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// The Handlebars environment: isolated, with only what templates may use.

const hb = Handlebars.create();
hb.unregisterHelper('log'); // writes to the console, data included
hb.unregisterHelper('lookup'); // dynamic keys; our own lookup covers paths

const builtinEach = hb.helpers.each!;
// `#each` counts its turns and the text they produce, so nested loops over large lists stop early.
hb.registerHelper('each', function (this: unknown, context: unknown, options: HelperOptions) {
  const state = stateOf(options);
  const fn = options.fn;
  const counted = Object.assign(function (this: unknown, ...a: Parameters<typeof fn>) {
    step(state, options.loc);
    const out = fn.apply(this, a);
    charge(state, out.length, options.loc);
    return out;
  }, fn);
  return builtinEach.call(this, context, { ...options, fn: counted });
});
hb.registerHelper({ upper, lower, truncate, formatDate, [TEXT]: textHelper, [VALUE]: valueHelper, [OPTIONAL]: optionalHelper });

const COMPILE_OPTIONS: CompileOptions = {
  noEscape: true,
  strict: false, // our lookups are the strict ones, with messages that never print data
  knownHelpersOnly: true,
  knownHelpers: { upper: true, lower: true, truncate: true, formatDate: true, [TEXT]: true, [VALUE]: true, [OPTIONAL]: true },
  data: true,
};
type CompileOptions = NonNullable<Parameters<typeof hb.compile>[1]>;

const RUNTIME_OPTIONS = {
  allowProtoPropertiesByDefault: false,
  allowProtoMethodsByDefault: false,
  allowedProtoProperties: {},
  allowedProtoMethods: {},
} as const;

// ---------------------------------------------------------------------------------------------
// Checking and rewriting the template (hbs.AST, see handlebars/types)

type Node = hbs.AST.Node;
type Expression = hbs.AST.Expression;
type PathExpression = hbs.AST.PathExpression;

function isPath(node: Node): node is PathExpression {
  return node.type === 'PathExpression';
}

/** `name` alone: no `@`, no `../`, no `this.` — what a helper is called by. */
function simpleName(path: Node): string | undefined {
  if (!isPath(path) || path.data || path.depth > 0 || path.parts.length !== 1 || isScoped(path)) return undefined;
  return path.parts[0];
}

function isScoped(path: PathExpression): boolean {
  return /^(\.|this\b)/.test(path.original);
}

function stringLiteral(value: string, loc: hbs.AST.SourceLocation): hbs.AST.StringLiteral {
  return { type: 'StringLiteral', value, original: value, loc };
}

function pathNode(parts: string[], data: boolean, depth: number, original: string, loc: hbs.AST.SourceLocation): PathExpression {
  return { type: 'PathExpression', data, depth, parts, original, loc };
}

class TemplateChecker {
  /** Block params in scope (`{{#each items as |item|}}`), innermost last. */
  private readonly blockParams: string[][] = [];

  program(program: hbs.AST.Program, nesting: number): void {
    if (nesting > MAX_TEMPLATE_NESTING) throw templateError(`The template nests blocks more than ${MAX_TEMPLATE_NESTING} deep`, program.loc);
    for (const statement of program.body) this.statement(statement, nesting);
  }

  private statement(node: Node, nesting: number): void {
    switch (node.type) {
      case 'ContentStatement':
      case 'CommentStatement':
        return;
      case 'MustacheStatement':
        return this.mustache(node as hbs.AST.MustacheStatement, nesting);
      case 'BlockStatement':
        return this.block(node as hbs.AST.BlockStatement, nesting);
      case 'PartialStatement':
      case 'PartialBlockStatement':
        throw templateError('Partials ({{> name}}) are not supported', node.loc);
      case 'Decorator':
      case 'DecoratorBlock':
        throw templateError('Decorators ({{* name}}) are not supported', node.loc);
      default:
        throw templateError(`Unsupported template element ${node.type}`, node.loc);
    }
  }

  private mustache(node: hbs.AST.MustacheStatement, nesting: number): void {
    const hasArgs = node.params.length > 0 || (node.hash?.pairs.length ?? 0) > 0;
    const name = simpleName(node.path);
    if (!hasArgs && !(name !== undefined && INLINE_HELPERS.has(name))) {
      // `{{customer.name}}` → `{{__a2pText "customer.name" this "customer" "name"}}`
      const path = isPath(node.path) ? node.path : literalAsPath(node.path);
      const call = this.lookup(TEXT, path);
      node.path = call.path;
      node.params = call.params;
      return;
    }
    this.helperCall(node, name, nesting);
  }

  private helperCall(node: hbs.AST.MustacheStatement | hbs.AST.SubExpression, name: string | undefined, nesting: number): void {
    if (name === undefined || !INLINE_HELPERS.has(name)) {
      const shown = isPath(node.path) ? node.path.original : String((node.path as hbs.AST.StringLiteral).original);
      throw templateError(`Unknown helper "${shown}" (helpers: ${[...INLINE_HELPERS].join(', ')})`, node.loc);
    }
    node.params = node.params.map((p) => this.argument(p, VALUE, nesting));
    for (const pair of node.hash?.pairs ?? []) pair.value = this.argument(pair.value, VALUE, nesting);
  }

  private block(node: hbs.AST.BlockStatement, nesting: number): void {
    const name = simpleName(node.path);
    if (name === undefined || !BLOCK_HELPERS.has(name)) {
      const shown = isPath(node.path) ? node.path.original : 'this block';
      throw templateError(`Unknown block "#${shown}" (blocks: #if, #unless, #each, #with)`, node.loc);
    }
    if (node.params.length !== 1) throw templateError(`#${name} takes exactly one value, got ${node.params.length}`, node.loc);
    node.params = node.params.map((p) => this.argument(p, OPTIONAL, nesting));
    for (const pair of node.hash?.pairs ?? []) pair.value = this.argument(pair.value, OPTIONAL, nesting);
    if (node.program) {
      this.blockParams.push(node.program.blockParams ?? []);
      this.program(node.program, nesting + 1);
      this.blockParams.pop();
    }
    if (node.inverse) this.program(node.inverse, nesting + 1);
  }

  private argument(expr: Expression, helper: string, nesting: number): Expression {
    if (isPath(expr)) return this.lookup(helper, expr);
    if (expr.type === 'SubExpression') {
      if (nesting + 1 > MAX_TEMPLATE_NESTING) throw templateError(`The template nests more than ${MAX_TEMPLATE_NESTING} deep`, expr.loc);
      const sub = expr as hbs.AST.SubExpression;
      this.helperCall(sub, simpleName(sub.path), nesting + 1);
    }
    return expr;
  }

  /** `a.b.c` → `(helper "a.b.c" <root> "a" "b" "c")`, the root being the context, a block param or `@root`-like data. */
  private lookup(helper: string, path: PathExpression): hbs.AST.SubExpression {
    const { loc } = path;
    const parts = [...path.parts];
    let root: PathExpression;
    if (path.data) {
      const variable = parts.shift();
      if (variable === undefined || !DATA_VARIABLES.has(variable)) {
        throw templateError(`Unknown data variable "${path.original}" (@root, @index, @key, @first, @last)`, loc);
      }
      root = pathNode([variable], true, path.depth, `@${variable}`, loc);
    } else if (path.depth === 0 && !isScoped(path) && parts.length > 0 && this.isBlockParam(parts[0]!)) {
      const param = parts.shift()!;
      root = pathNode([param], false, 0, param, loc);
    } else {
      root = pathNode([], false, path.depth, path.depth > 0 ? Array(path.depth).fill('..').join('/') : 'this', loc);
    }
    return {
      type: 'SubExpression',
      path: pathNode([helper], false, 0, helper, loc),
      params: [stringLiteral(path.original, loc), root, ...parts.map((p) => stringLiteral(p, loc))],
      hash: { type: 'Hash', pairs: [], loc },
      loc,
    };
  }

  private isBlockParam(name: string): boolean {
    return this.blockParams.some((names) => names.includes(name));
  }
}

/** `{{"first name"}}` and `{{true}}` look up a key of that name, as in Handlebars. */
function literalAsPath(literal: Expression): PathExpression {
  const original = String((literal as hbs.AST.StringLiteral).original);
  return pathNode([original], false, 0, original, literal.loc);
}

function syntaxError(e: unknown): SmsError {
  const raw = e instanceof Error ? e.message : String(e);
  const parse = /^Parse error on line (\d+):\n([^\n]*)\n(-*)\^\n(?:Expecting .*, )?got '(\w+)'/.exec(raw);
  if (parse) {
    const [, line, excerpt, dashes, token] = parse;
    const got = PARSER_TOKENS[token!] ?? `"${token}"`;
    return templateError(`Template syntax error on line ${line}: unexpected ${got} at the ^ in\n${excerpt}\n${dashes}^`);
  }
  const mismatch = /^(.+) doesn't match (.+) - (\d+):(\d+)$/.exec(raw);
  if (mismatch) {
    const [, opened, closed, line, column] = mismatch;
    return templateError(`Template syntax error: {{#${opened}}} is closed by {{/${closed}}}`, {
      start: { line: Number(line), column: Number(column) },
    });
  }
  return templateError(`Template syntax error: ${raw}`);
}

const PARSER_TOKENS: Record<string, string> = {
  EOF: 'end of the template (a {{ without }}, or a {{#block}} without its {{/block}}?)',
  INVALID: 'character',
  NUMBER: 'number (an index that ends a path is written items.[0])',
  INVERSE: '{{else}} (outside any block?)',
  CLOSE: '}}',
  OPEN: '{{',
  OPEN_ENDBLOCK: '{{/ (closing a block that is not open?)',
};

// ---------------------------------------------------------------------------------------------
// Compiling (cached) and rendering

const cache = new Map<string, CompiledTemplate>();

/**
 * Checks and compiles a template once; the result renders it for any data. Compiled templates
 * are cached (LRU of TEMPLATE_CACHE_SIZE), so a batch of 10,000 items with one template compiles
 * it once.
 */
export function compileTemplate(template: string): CompiledTemplate {
  if (typeof template !== 'string') throw new SmsError('INVALID_INPUT', `The template must be text, got ${kindOf(template)}`);
  if (template.length > MAX_TEMPLATE_LENGTH) {
    throw templateError(`The template is too long: ${template.length} characters (at most ${MAX_TEMPLATE_LENGTH})`);
  }
  const cached = cache.get(template);
  if (cached) {
    cache.delete(template);
    cache.set(template, cached);
    return cached;
  }
  let ast: hbs.AST.Program;
  try {
    ast = hb.parseWithoutProcessing(template);
  } catch (e) {
    throw syntaxError(e);
  }
  new TemplateChecker().program(ast, 0);
  let handlebarsTemplate: Handlebars.TemplateDelegate;
  try {
    handlebarsTemplate = hb.compile(ast, COMPILE_OPTIONS);
  } catch (e) {
    throw syntaxError(e);
  }

  const compiled: CompiledTemplate = (data, opts) => {
    if (typeof data !== 'object' || data === null) {
      throw new SmsError('INVALID_INPUT', `Template data must be an object, got ${kindOf(data)}`);
    }
    const state = readRenderOptions(opts);
    let out: string;
    try {
      out = handlebarsTemplate(data, { ...RUNTIME_OPTIONS, data: { [STATE]: state } });
    } catch (e) {
      throw renderError(e);
    }
    if (out.length > MAX_RENDERED_LENGTH) {
      throw templateError(`The rendered text is too long (more than ${MAX_RENDERED_LENGTH} characters)`);
    }
    return out;
  };
  cache.set(template, compiled);
  if (cache.size > TEMPLATE_CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return compiled;
}

/**
 * Renders `template` with `data` (DESIGN §3). Throws SmsError TEMPLATE_ERROR for a broken template,
 * a missing variable (strict, the default) or a value that cannot be text; INVALID_INPUT for
 * arguments of the wrong type.
 */
export function renderTemplate(template: string, data: object, opts?: RenderOptions): string {
  return compileTemplate(template)(data, opts);
}

function renderError(e: unknown): SmsError {
  if (e instanceof SmsError) return e;
  if (e instanceof RangeError) return templateError('The template could not be rendered: it nests too deeply');
  // Handlebars' own runtime messages ("#if requires exactly one argument") name template parts only.
  if (e instanceof hb.Exception) return templateError(`The template could not be rendered: ${e.message}`);
  // Anything else (a getter in the data that throws, ...) may carry data in its message.
  const kind = e instanceof Error ? e.name : typeof e;
  return new SmsError('TEMPLATE_ERROR', `The template could not be rendered (${kind} while reading the data)`);
}

function readRenderOptions(opts: unknown): RenderState {
  const state: RenderState = { strict: true, locale: undefined, timeZone: DEFAULT_ZONE, steps: 0, chars: 0 };
  if (opts === undefined || opts === null) return state;
  if (typeof opts !== 'object' || Array.isArray(opts)) {
    throw new SmsError('INVALID_INPUT', `Template options must be an object, got ${kindOf(opts)}`);
  }
  const { strict, locale, timeZone } = opts as Record<string, unknown>;
  if (strict !== undefined) {
    if (typeof strict !== 'boolean') throw new SmsError('INVALID_INPUT', `strict must be true or false, got ${kindOf(strict)}`);
    state.strict = strict;
  }
  if (locale !== undefined && locale !== '') {
    if (typeof locale !== 'string' || !isValidLocale(locale)) {
      throw new SmsError('INVALID_INPUT', 'locale must be a language tag such as "en-US" or "fr"');
    }
    state.locale = locale;
  }
  if (timeZone !== undefined && timeZone !== '') {
    if (typeof timeZone !== 'string' || !isValidZone(timeZone)) {
      throw new SmsError('INVALID_INPUT', 'timeZone must be an IANA time zone such as "Europe/Paris"');
    }
    state.timeZone = timeZone;
  }
  return state;
}
