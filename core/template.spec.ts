import { DateTime } from 'luxon';
import { expectCode } from '../test/support/sms-error';
import {
  compileTemplate,
  MAX_RENDERED_LENGTH,
  MAX_TEMPLATE_LENGTH,
  MAX_TEMPLATE_NESTING,
  renderTemplate,
  TEMPLATE_CACHE_SIZE,
} from './template';

const order = () => ({
  id: 450789469,
  name: '#1001',
  email: 'zoe@example.com',
  total_price: '59.90',
  currency: 'EUR',
  created_at: '2026-03-01T10:00:00-05:00',
  customer: { first_name: 'Zoë', last_name: 'Martin', note: null, tags: ['vip', 'newsletter'] },
  discount_codes: [] as { code: string }[],
  line_items: [
    { title: 'Tee & Cap', quantity: 2 },
    { title: 'Mug', quantity: 1 },
  ],
  fulfillments: [{ tracking_number: '1Z999', tracking_url: 'https://track.example/?n=1Z999&lang=en' }],
});

describe('renderTemplate: Shopify-style data', () => {
  it('renders the order-shipped message; & and other HTML characters stay as they are', () => {
    const out = renderTemplate(
      'Hi {{customer.first_name}}, order {{name}} has shipped: {{fulfillments.0.tracking_url}}',
      order(),
    );
    expect(out).toBe('Hi Zoë, order #1001 has shipped: https://track.example/?n=1Z999&lang=en');
    expect(renderTemplate('{{line_items.0.title}} <b>"x"</b> \'y\'', order())).toBe('Tee & Cap <b>"x"</b> \'y\'');
    expect(renderTemplate('{{{line_items.0.title}}} {{&line_items.0.title}}', order())).toBe('Tee & Cap Tee & Cap');
  });

  it('segment-literal paths, numbers, booleans, null', () => {
    const data = { 'first name': 'Ana', n: 0, ok: false, big: 12345678901234567890n, none: null, list: [{ x: 1 }] };
    expect(renderTemplate('{{[first name]}} {{n}} {{ok}} {{big}} [{{none}}] {{list.[0].x}}', data)).toBe(
      'Ana 0 false 12345678901234567890 [] 1',
    );
  });

  it('a Date is written as ISO-8601', () => {
    expect(renderTemplate('{{at}}', { at: new Date(Date.UTC(2026, 2, 1, 9, 30)) })).toBe('2026-03-01T09:30:00.000Z');
  });

  it('loops with @index, @first, @last, @key, block params, ../ and @root', () => {
    const t =
      '{{#each line_items as |item i|}}{{i}}:{{item.quantity}}×{{title}}{{#unless @last}}, {{/unless}}{{/each}}' +
      ' | {{#each customer}}{{#if @first}}{{@key}}{{/if}}{{/each}}' +
      ' | {{#each line_items}}{{../name}}/{{@root.currency}}{{#if @first}}*{{/if}} {{/each}}';
    expect(renderTemplate(t, order())).toBe('0:2×Tee & Cap, 1:1×Mug | first_name | #1001/EUR* #1001/EUR ');
  });

  it('standalone block lines leave no blank lines behind', () => {
    const t = 'Hi {{customer.first_name}}\n{{#if discount_codes.[0]}}\nCode: {{discount_codes.0.code}}\n{{/if}}\nBye';
    expect(renderTemplate(t, order())).toBe('Hi Zoë\nBye');
    expect(renderTemplate(t, { ...order(), discount_codes: [{ code: 'SPRING' }] })).toBe('Hi Zoë\nCode: SPRING\nBye');
  });

  it('data that looks like a template is text, never evaluated', () => {
    expect(renderTemplate('{{note}}', { note: '{{constructor}} {{> x}} {{#each}}' })).toBe('{{constructor}} {{> x}} {{#each}}');
  });

  it('an array as the data', () => {
    expect(renderTemplate('{{0.name}}, {{#each this}}{{name}}{{/each}}', [{ name: 'A' }, { name: 'B' }])).toBe('A, AB');
  });
});

describe('missing data', () => {
  it('strict by default: a missing variable names the variable, line and column', () => {
    const err = expectCode(
      () => renderTemplate('Hi {{customer.first_name}},\nyour code is {{coupon}}', order()),
      'TEMPLATE_ERROR',
    );
    expect(err.message).toBe('Missing variable "coupon" (line 2, column 14)');
  });

  it('says which step of a path is missing', () => {
    expectCode(
      () => renderTemplate('{{customer.address.city}}', order()),
      'TEMPLATE_ERROR',
      /^Missing variable "customer\.address\.city" \("customer" has no "address"\) \(line 1, column 1\)$/,
    );
    expectCode(() => renderTemplate('{{shipping.city}}', order()), 'TEMPLATE_ERROR', /^Missing variable "shipping\.city" \(line/);
    expectCode(() => renderTemplate('{{fulfillments.3.tracking_url}}', order()), 'TEMPLATE_ERROR', /"fulfillments" has no "3"/);
  });

  it('a variable that is there but null renders as empty text', () => {
    expect(renderTemplate('[{{customer.note}}]', order())).toBe('[]');
  });

  it('strict: false renders missing variables as empty text', () => {
    expect(renderTemplate('[{{coupon}}|{{a.b.c}}|{{upper x}}]', order(), { strict: false })).toBe('[||]');
  });

  it('#if, #unless, #each, #with tolerate missing data, however deep (the friendly choice)', () => {
    const t =
      '{{#if coupon}}C{{else}}no coupon{{/if}};{{#if shipping.address.city}}X{{else}}no city{{/if}};' +
      '{{#unless gift.message}}no gift{{/unless}};{{#each refunds}}R{{else}}no refunds{{/each}};' +
      '{{#with shipping.address}}{{city}}{{else}}no address{{/with}};{{#if ../../up}}U{{else}}-{{/if}}';
    expect(renderTemplate(t, order())).toBe('no coupon;no city;no gift;no refunds;no address;-');
  });

  it('…but a variable printed inside the block is strict again', () => {
    expectCode(() => renderTemplate('{{#if customer}}{{customer.middle_name}}{{/if}}', order()), 'TEMPLATE_ERROR', /customer\.middle_name/);
  });

  it('a helper argument is strict too', () => {
    expectCode(() => renderTemplate('{{upper customer.nickname}}', order()), 'TEMPLATE_ERROR', /^Missing variable "customer\.nickname"/);
    expectCode(() => renderTemplate('{{formatDate shipped_at}}', order()), 'TEMPLATE_ERROR', /"shipped_at"/);
    expectCode(() => renderTemplate('{{formatDate created_at zone=customer.tz}}', order()), 'TEMPLATE_ERROR', /"customer\.tz"/);
  });

  it('an object or a list cannot be printed: an error says so instead of "[object Object]"', () => {
    expectCode(() => renderTemplate('{{customer}}', order()), 'TEMPLATE_ERROR', /"customer" is an object/);
    expectCode(() => renderTemplate('{{customer.tags}}', order()), 'TEMPLATE_ERROR', /is a list.*#each/);
    expectCode(() => renderTemplate('{{#each line_items}}{{this}}{{/each}}', order()), 'TEMPLATE_ERROR', /"this" is an object/);
    expect(renderTemplate('{{#each customer.tags}}{{this}} {{/each}}', order())).toBe('vip newsletter ');
  });

  it('error messages never contain data values', () => {
    const secret = { token: 'sk_live_SECRET', inner: { pin: '4321' } };
    const attempts = [
      '{{token.first}}', // Handlebars' own strict mode would print "not defined in sk_live_SECRET"
      '{{#with token}}{{nope}}{{/with}}',
      '{{inner}}',
      '{{formatDate token}}',
      '{{truncate inner 3}}',
      '{{#each inner}}{{this.x}}{{/each}}',
    ];
    for (const t of attempts) {
      const err = expectCode(() => renderTemplate(t, secret), 'TEMPLATE_ERROR');
      expect(JSON.stringify(err.toJSON())).not.toMatch(/SECRET|4321/);
    }
  });

  it('a getter in the data that throws becomes TEMPLATE_ERROR without its message', () => {
    const data = Object.defineProperty({}, 'x', {
      enumerable: true,
      get() {
        throw new Error('db password is hunter2');
      },
    });
    const err = expectCode(() => renderTemplate('{{x}}', data), 'TEMPLATE_ERROR');
    expect(err.message).not.toContain('hunter2');
  });
});

describe('template syntax', () => {
  it.each([
    ['unclosed tag', 'Hi {{name', /syntax error on line 1/],
    ['unclosed block', '{{#if coupon}}yes', /syntax error on line 1.*without its \{\{\/block\}\}/s],
    ['mismatched close', 'a\n{{#if x}}y{{/each}}', /\{\{#if\}\} is closed by \{\{\/each\}\} \(line 2,/],
    ['bad character in a tag', '{{#if x}', /syntax error on line 1: unexpected character/],
    ['else outside a block', '{{else}}', /\{\{else\}\}/],
    ['stray close', 'x{{/if}}', /syntax error/],
    ['unknown helper', '{{shout name}}', /Unknown helper "shout" \(helpers: upper, lower, truncate, formatDate\) \(line 1, column 1\)/],
    ['unknown block (mustache section)', '{{#customer}}{{first_name}}{{/customer}}', /Unknown block "#customer"/],
    ['inverted section', '{{^coupon}}none{{/coupon}}', /Unknown block "#coupon"/],
    ['#if with no value', '{{#if}}x{{/if}}', /#if takes exactly one value, got 0/],
    ['#each with two values', '{{#each a b}}x{{/each}}', /#each takes exactly one value, got 2/],
    ['raw block', '{{{{raw}}}}{{x}}{{{{/raw}}}}', /Unknown block "#raw"/],
    ['partial', 'Hi {{> signature}}', /Partials .* not supported \(line 1, column 4\)/],
    ['partial block', '{{#> layout}}x{{/layout}}', /Partials/],
    ['inline partial (decorator)', '{{#*inline "p"}}x{{/inline}}', /Decorators/],
    ['decorator', '{{*deco}}', /Decorators/],
    ['unknown data variable', '{{@secret}}', /Unknown data variable "@secret"/],
    ['sub-expression with a non-helper', '{{upper (name)}}', /Unknown helper "name"/],
  ])('%s → TEMPLATE_ERROR', (_name, template, message) => {
    expectCode(() => renderTemplate(template, order()), 'TEMPLATE_ERROR', message);
  });

  it('comments and whitespace control work', () => {
    expect(renderTemplate('A {{!-- note --}}B {{~name~}} C', order())).toBe('A B#1001C');
  });
});

// ---------------------------------------------------------------------------------------------
// Security: the template (and data) come from users and from the outside world.

describe('prototype access and code execution are impossible', () => {
  const g = globalThis as Record<string, unknown>;
  afterEach(() => {
    expect(g.__a2pPwned).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
  });

  // Each must fail with TEMPLATE_ERROR (missing, unknown helper, ...) — never render a function,
  // a constructor or anything from a prototype.
  const refused = [
    '{{constructor}}',
    '{{constructor.name}}',
    '{{this.constructor}}',
    '{{./constructor}}',
    '{{[constructor]}}',
    '{{this.[constructor]}}',
    '{{__proto__}}',
    '{{__proto__.constructor}}',
    '{{this.__proto__.constructor.name}}',
    '{{@root.constructor}}',
    '{{@root.__proto__}}',
    '{{customer.constructor.constructor}}',
    '{{customer.first_name.constructor}}',
    '{{customer.first_name.toUpperCase}}',
    '{{line_items.constructor}}',
    '{{line_items.map}}',
    '{{line_items.__proto__.constructor}}',
    '{{__defineGetter__}}',
    '{{__defineSetter__}}',
    '{{__lookupGetter__}}',
    '{{hasOwnProperty}}',
    '{{toString}}',
    '{{valueOf}}',
    '{{isPrototypeOf}}',
    '{{propertyIsEnumerable}}',
    '{{prototype}}',
    '{{#each line_items}}{{../constructor}}{{/each}}',
    '{{#each line_items}}{{constructor.name}}{{/each}}',
    '{{#with customer.first_name}}{{constructor.name}}{{/with}}',
    '{{#with "a string"}}{{constructor}}{{/with}}',
    '{{#with 42}}{{toFixed}}{{/with}}',
    '{{#with this as |o|}}{{o.constructor.constructor}}{{/with}}',
    '{{#each line_items as |item|}}{{item.constructor}}{{/each}}',
    '{{../../../../constructor}}',
    '{{constructor.constructor "return process"}}',
    '{{constructor.constructor "globalThis.__a2pPwned = 1"}}',
    '{{#with (constructor.constructor "globalThis.__a2pPwned = 1")}}{{this}}{{/with}}',
    '{{lookup this "constructor"}}',
    '{{#with (lookup this "constructor")}}{{this}}{{/with}}',
    '{{#with (lookup (lookup this "constructor") "constructor")}}{{this "globalThis.__a2pPwned=1"}}{{/with}}',
    '{{log "leak" customer}}',
    '{{helperMissing "x"}}',
    '{{#blockHelperMissing this}}x{{/blockHelperMissing}}',
    '{{__a2pText "x" this "constructor"}}',
    '{{upper (__a2pValue "x" this "constructor")}}',
    '{{#__a2pOptional "x" this}}x{{/__a2pOptional}}',
    '{{#with __a2p}}x{{/with}}{{@__a2p}}',
    '{{> (lookup . "constructor")}}',
    '{{#> layout}}{{constructor}}{{/layout}}',
    '{{#*inline "p"}}{{constructor}}{{/inline}}{{> p}}',
    '{{[\\"];globalThis.__a2pPwned=1;//]}}',
    '{{a.[b"];globalThis.__a2pPwned=1;//]}}',
    // The classic Handlebars RCE (string.sub.apply through the Function constructor).
    `{{#with "s" as |string|}}
      {{#with "e"}}
        {{#with split as |conslist|}}
          {{this.pop}}
          {{this.push (lookup string.sub "constructor")}}
          {{this.pop}}
          {{#with string.split as |codelist|}}
            {{this.pop}}
            {{this.push "globalThis.__a2pPwned = 1; return 1;"}}
            {{this.pop}}
            {{#each conslist}}
              {{#with (string.sub.apply 0 codelist)}}{{this}}{{/with}}
            {{/each}}
          {{/with}}
        {{/with}}
      {{/with}}
    {{/with}}`,
  ];
  it.each(refused.map((t) => [t]))('%s → TEMPLATE_ERROR', (template) => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expectCode(() => renderTemplate(template, order()), 'TEMPLATE_ERROR');
      expect(log).not.toHaveBeenCalled();
      expect(error).not.toHaveBeenCalled();
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
  });

  it('conditions and loops over prototype members see nothing', () => {
    const t =
      '{{#if constructor}}A{{/if}}{{#with __proto__}}B{{/with}}{{#each constructor}}C{{/each}}' +
      '{{#unless toString}}none{{/unless}}{{#each this.__proto__}}D{{/each}}{{#if customer.first_name.length}}len{{/if}}';
    expect(renderTemplate(t, order())).toBe('nonelen');
  });

  it('own properties of strings and arrays are data: length, indexes', () => {
    expect(renderTemplate('{{customer.first_name.length}} {{line_items.length}} {{customer.first_name.[0]}}', order())).toBe('3 2 Z');
  });

  it('an own "__proto__" key (JSON.parse makes those) is plain data, and nothing gets polluted', () => {
    const data = JSON.parse('{"__proto__": {"polluted": "own value"}, "constructor": {"name": "data"}}') as object;
    expect(renderTemplate('{{__proto__.polluted}} {{constructor.name}}', data)).toBe('own value data');
  });

  it('weird keys are only keys: quotes and code in a path reach nothing but the data', () => {
    const key = '";globalThis.__a2pPwned=1;//';
    expect(renderTemplate(`{{[${key}]}}`, { [key]: 'ok' })).toBe('ok');
    expect(renderTemplate(`{{#with this as |o|}}{{o.[${key}]}}{{/with}}`, { [key]: 'ok' })).toBe('ok');
    expect(renderTemplate('{{a.[b"c]}}', { a: { 'b"c': 'quoted' } })).toBe('quoted');
  });

  it('functions in the data are never called', () => {
    const fn = jest.fn(() => 'called');
    const data = { fn, obj: { fn } };
    for (const t of ['{{fn}}', '{{obj.fn}}', '{{upper fn}}', '{{fn.name}}', '{{fn.prototype.constructor}}', '{{fn.call}}']) {
      expectCode(() => renderTemplate(t, data), 'TEMPLATE_ERROR');
    }
    expectCode(() => renderTemplate('{{obj.fn}}', data), 'TEMPLATE_ERROR', /^"obj\.fn" is a function, not data/);
    expect(renderTemplate('{{#if fn}}y{{else}}n{{/if}}{{#each fn}}x{{/each}}{{#with obj.fn}}w{{/with}}', data)).toBe('n');
    expect(renderTemplate('[{{fn}}]', data, { strict: false })).toBe('[]');
    expect(fn).not.toHaveBeenCalled();
  });

  it('members on a class prototype are not data (only own properties are)', () => {
    class Order {
      readonly name = '#1';
      get secret(): string {
        return 'from the prototype';
      }
    }
    expect(renderTemplate('{{name}}', new Order())).toBe('#1');
    expectCode(() => renderTemplate('{{secret}}', new Order()), 'TEMPLATE_ERROR', /Missing variable "secret"/);
    expect(renderTemplate('{{#each this}}{{@key}}{{/each}}', new Order())).toBe('name');
  });

  it('templates cannot read the render state or change options', () => {
    expectCode(() => renderTemplate('{{@__a2p.strict}}', {}), 'TEMPLATE_ERROR', /Unknown data variable/);
    expect(renderTemplate('{{#with @root}}{{#if __a2p}}leak{{else}}ok{{/if}}{{/with}}', {})).toBe('ok');
  });
});

// ---------------------------------------------------------------------------------------------

describe('helpers', () => {
  const at = { iso: '2026-03-01T15:30:00Z', local: '2026-07-14T09:05:00', ms: Date.UTC(2026, 0, 2, 3, 4, 5), date: new Date(Date.UTC(2026, 11, 31, 23, 0)) };

  it('formatDate: default format, locale en-US, zone UTC; plain spaces only (ICU’s U+202F is not GSM-7)', () => {
    expect(renderTemplate('{{formatDate iso}}', at)).toBe('Mar 1, 2026, 3:30 PM');
    expect(renderTemplate('{{formatDate iso "DATETIME_FULL" locale="fr"}}', at)).not.toMatch(/[\u00A0\u202F]/);
  });

  it('formatDate: ISO strings with or without offset, epoch ms, Date, SQL, RFC 2822', () => {
    const f = 'yyyy-MM-dd HH:mm';
    expect(renderTemplate(`{{formatDate iso "${f}"}}`, at)).toBe('2026-03-01 15:30');
    // No offset: read in the zone the message is shown in.
    expect(renderTemplate(`{{formatDate local "${f} ZZ" zone="Europe/Paris"}}`, at)).toBe('2026-07-14 09:05 +02:00');
    expect(renderTemplate(`{{formatDate ms "${f}"}}`, at)).toBe('2026-01-02 03:04');
    expect(renderTemplate(`{{formatDate date "${f}" zone="Asia/Tokyo"}}`, at)).toBe('2027-01-01 08:00');
    expect(renderTemplate(`{{formatDate "2026-03-01 10:00:00" "${f}"}}`, {})).toBe('2026-03-01 10:00');
    expect(renderTemplate(`{{formatDate "Sun, 01 Mar 2026 10:00:00 +0100" "${f}"}}`, {})).toBe('2026-03-01 09:00');
  });

  it('formatDate: zone and locale from the render options, overridden per call', () => {
    const opts = { timeZone: 'America/New_York', locale: 'fr-FR' };
    expect(renderTemplate('{{formatDate iso "DATETIME_MED"}}', at, opts)).toBe('1 mars 2026, 10:30');
    expect(renderTemplate('{{formatDate iso "DATE_FULL" locale="de"}}', at, opts)).toBe('1. März 2026');
    expect(renderTemplate('{{formatDate iso "HH:mm ZZ" zone="Asia/Kolkata"}}', at, opts)).toBe('21:00 +05:30');
    expect(renderTemplate('{{formatDate iso "ISO" zone="Europe/Paris"}}', at)).toBe('2026-03-01T16:30:00.000+01:00');
  });

  it('formatDate: daylight saving time is the zone’s, on the day it changes', () => {
    // New York springs forward on 2026-03-08 at 02:00.
    const t = '{{formatDate a "HH:mm ZZ" zone="America/New_York"}}|{{formatDate b "HH:mm ZZ" zone="America/New_York"}}';
    expect(renderTemplate(t, { a: '2026-03-08T06:30:00Z', b: '2026-03-08T07:30:00Z' })).toBe('01:30 -05:00|03:30 -04:00');
  });

  it('formatDate: an empty value renders empty; an invalid date is TEMPLATE_ERROR without the value', () => {
    expect(renderTemplate('[{{formatDate d}}]', { d: null })).toBe('[]');
    for (const d of ['next tuesday 4pm', '2026-02-30', NaN, Infinity, 1e20, { y: 2026 }, true, new Date('nope')]) {
      const err = expectCode(() => renderTemplate('{{formatDate d}}', { d }), 'TEMPLATE_ERROR', /formatDate.*not a date/);
      expect(err.message).not.toMatch(/tuesday|2026-02-30|y/i);
    }
  });

  it('formatDate: a bad zone, locale, format or option is TEMPLATE_ERROR', () => {
    expectCode(() => renderTemplate('{{formatDate iso zone="Mars/Olympus"}}', at), 'TEMPLATE_ERROR', /IANA time zone/);
    expectCode(() => renderTemplate('{{formatDate iso locale="not a locale!"}}', at), 'TEMPLATE_ERROR', /language tag/);
    expectCode(() => renderTemplate('{{formatDate iso 42}}', at), 'TEMPLATE_ERROR', /format must be text/);
    expectCode(() => renderTemplate('{{formatDate iso tz="UTC"}}', at), 'TEMPLATE_ERROR', /no option "tz"/);
    expectCode(() => renderTemplate('{{formatDate}}', at), 'TEMPLATE_ERROR', /takes a date/);
    expectCode(() => renderTemplate('{{formatDate iso "a" "b"}}', at), 'TEMPLATE_ERROR', /takes a date/);
  });

  it('formatDate: a preset name is only looked up in the list of presets, anything else is a pattern', () => {
    const utc = DateTime.fromISO(at.iso, { zone: 'UTC' }).setLocale('en-US');
    for (const format of ['constructor', '__proto__', 'toString', 'fromISO']) {
      expect(renderTemplate(`{{formatDate iso "${format}"}}`, at)).toBe(utc.toFormat(format).replace(/\u202F/g, ' '));
    }
    expect(renderTemplate('{{formatDate iso "DATE_SHORT"}}', at)).toBe('3/1/2026');
  });

  it('upper and lower, in the render locale', () => {
    expect(renderTemplate('{{upper customer.first_name}} {{lower "ÉTÉ"}} {{upper 42}}', order())).toBe('ZOË été 42');
    expect(renderTemplate('{{upper "istanbul"}}', {}, { locale: 'tr' })).toBe('İSTANBUL');
    expect(renderTemplate('{{upper "istanbul"}}', {})).toBe('ISTANBUL');
    expectCode(() => renderTemplate('{{upper customer}}', order()), 'TEMPLATE_ERROR', /upper.*object/);
    expectCode(() => renderTemplate('{{upper}}', order()), 'TEMPLATE_ERROR', /upper takes one value, got 0/);
    expectCode(() => renderTemplate('{{lower "a" "b"}}', order()), 'TEMPLATE_ERROR', /lower takes one value, got 2/);
  });

  it('truncate: counts characters as people see them, suffix included', () => {
    expect(renderTemplate('{{truncate "Hello world" 8 "..."}}', {})).toBe('Hello...');
    expect(renderTemplate('{{truncate "Hello" 8 "..."}}', {})).toBe('Hello');
    expect(renderTemplate('{{truncate "Hello world" 5}}', {})).toBe('Hello');
    expect(renderTemplate('{{truncate "Hello" 0}}', {})).toBe('');
    expect(renderTemplate('{{truncate "Hello" 2 "..."}}', {})).toBe('He');
    expect(renderTemplate('{{truncate t 3}}', { t: '👨‍👩‍👧😀🇫🇷e\u0301x' })).toBe('👨‍👩‍👧😀🇫🇷');
    expect(renderTemplate('{{truncate n 3}}', { n: 123456 })).toBe('123');
    expect(renderTemplate('{{truncate long 3}}', { long: 'x'.repeat(500_000) })).toBe('xxx');
  });

  it('truncate: a bad length or arity is TEMPLATE_ERROR', () => {
    for (const t of ['{{truncate "x"}}', '{{truncate "x" -1}}', '{{truncate "x" 1.5}}', '{{truncate "x" "3"}}', '{{truncate "x" 1 "." 2}}']) {
      expectCode(() => renderTemplate(t, {}), 'TEMPLATE_ERROR', /truncate/);
    }
  });

  it('helpers nest', () => {
    expect(renderTemplate('{{upper (truncate customer.first_name 2)}}', order())).toBe('ZO');
    expect(renderTemplate('{{#if (formatDate created_at)}}dated{{/if}}', order())).toBe('dated');
  });
});

// ---------------------------------------------------------------------------------------------

describe('bad input and limits', () => {
  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
    ['an object', { template: 'x' }],
    ['a String object', new String('x')],
  ])('template as %s → INVALID_INPUT', (_name, bad) => {
    expectCode(() => renderTemplate(bad as never, {}), 'INVALID_INPUT');
    expectCode(() => compileTemplate(bad as never), 'INVALID_INPUT');
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a string', 'name'],
    ['a number', 1],
    ['a function', () => ({})],
  ])('data as %s → INVALID_INPUT', (_name, bad) => {
    expectCode(() => renderTemplate('x', bad as never), 'INVALID_INPUT');
  });

  it.each([
    ['options not an object', 'strict'],
    ['strict not a boolean', { strict: 'false' }],
    ['an invalid locale', { locale: 'en_US!!' }],
    ['an unknown time zone', { timeZone: 'Europe/Atlantis' }],
    ['a time zone that is not text', { timeZone: 1 }],
  ])('%s → INVALID_INPUT', (_name, opts) => {
    expectCode(() => renderTemplate('x', {}, opts as never), 'INVALID_INPUT');
  });

  it(`a template of ${MAX_TEMPLATE_LENGTH} characters is fine, one more is TEMPLATE_ERROR`, () => {
    const filler = 'x'.repeat(MAX_TEMPLATE_LENGTH - '{{name}}'.length);
    expect(renderTemplate(filler + '{{name}}', { name: 'N' })).toHaveLength(MAX_TEMPLATE_LENGTH - 7);
    expectCode(() => renderTemplate(filler + '{{name}}!', { name: 'N' }), 'TEMPLATE_ERROR', /too long/);
  });

  it(`blocks nested ${MAX_TEMPLATE_NESTING} deep are fine, deeper is TEMPLATE_ERROR`, () => {
    const nest = (n: number) => '{{#if a}}'.repeat(n) + 'in' + '{{/if}}'.repeat(n);
    expect(renderTemplate(nest(MAX_TEMPLATE_NESTING), { a: true })).toBe('in');
    expectCode(() => renderTemplate(nest(MAX_TEMPLATE_NESTING + 1), { a: true }), 'TEMPLATE_ERROR', /nests/);
    expectCode(() => renderTemplate(nest(2000), { a: true }), 'TEMPLATE_ERROR', /nests/);
    const sub = (n: number) => '{{upper ' + '(upper '.repeat(n) + '"x"' + ')'.repeat(n) + '}}';
    expectCode(() => renderTemplate(sub(MAX_TEMPLATE_NESTING + 1), {}), 'TEMPLATE_ERROR', /nests/);
  });

  it('nested loops over large lists stop with TEMPLATE_ERROR instead of running for ever', () => {
    const big = Array.from({ length: 1000 }, (_, i) => i);
    const t = '{{#each big}}{{#each @root.big}}{{#each @root.big}}.{{/each}}{{/each}}{{/each}}';
    expectCode(() => renderTemplate(t, { big }), 'TEMPLATE_ERROR', /too much work/);
  });

  it(`output longer than ${MAX_RENDERED_LENGTH} characters is TEMPLATE_ERROR`, () => {
    const chunk = 'y'.repeat(10_000);
    const items = Array.from({ length: 200 }, () => 0);
    expectCode(() => renderTemplate('{{#each items}}{{@root.chunk}}{{/each}}', { items, chunk }), 'TEMPLATE_ERROR', /too long/);
    expectCode(() => renderTemplate('{{v}}', { v: 'z'.repeat(MAX_RENDERED_LENGTH + 1) }), 'TEMPLATE_ERROR', /too long/);
  });

  it('errors are SmsErrors whose JSON carries code and message only', () => {
    const err = expectCode(() => renderTemplate('{{missing}}', { other: 'value' }), 'TEMPLATE_ERROR');
    expect(err.toJSON()).toEqual({ code: 'TEMPLATE_ERROR', message: 'Missing variable "missing" (line 1, column 1)', retryable: false });
  });
});

describe('compile cache', () => {
  it('compiles a template once and renders it for every item', () => {
    const template = `Hi {{first_name}}, order {{n}} (${Math.random()})`;
    const compiled = compileTemplate(template);
    const items = Array.from({ length: 10_000 }, (_, i) => ({ first_name: `C${i}`, n: i }));
    const out = items.map((item) => renderTemplate(template, item));
    expect(compileTemplate(template)).toBe(compiled);
    expect(out[9_999]).toMatch(/^Hi C9999, order 9999 /);
    expect(new Set(out).size).toBe(10_000);
  });

  it(`keeps the ${TEMPLATE_CACHE_SIZE} most recently used templates`, () => {
    const tag = Math.random();
    const first = compileTemplate(`first ${tag}`);
    const kept = compileTemplate(`kept ${tag}`);
    for (let i = 0; i < TEMPLATE_CACHE_SIZE - 1; i++) {
      compileTemplate(`filler ${i} ${tag}`);
      if (i % 100 === 0) compileTemplate(`kept ${tag}`);
    }
    expect(compileTemplate(`kept ${tag}`)).toBe(kept);
    expect(compileTemplate(`first ${tag}`)).not.toBe(first);
  });

  it('a compiled template renders with its own options per call', () => {
    const compiled = compileTemplate('{{formatDate at "HH:mm"}}|{{x}}');
    expect(compiled({ at: '2026-01-01T12:00:00Z', x: 1 }, { timeZone: 'Asia/Tokyo' })).toBe('21:00|1');
    expect(compiled({ at: '2026-01-01T12:00:00Z' }, { strict: false })).toBe('12:00|');
    expectCode(() => compiled({ at: '2026-01-01T12:00:00Z' }), 'TEMPLATE_ERROR', /Missing variable "x"/);
  });
});
