import { expectCode, thrownCode } from '../../test/support/sms-error';
import {
  detectKeyword,
  HELP_KEYWORDS,
  MAX_EXTRA_KEYWORD_LENGTH,
  MAX_EXTRA_KEYWORDS,
  MAX_KEYWORD_TEXT_LENGTH,
  normalizeKeywordText,
  OPT_IN_KEYWORDS,
  OPT_OUT_KEYWORDS,
  type KeywordMatch,
} from './keywords';

const optOut = (keyword: string): KeywordMatch => ({ intent: 'opt-out', keyword });
const optIn = (keyword: string): KeywordMatch => ({ intent: 'opt-in', keyword });
const help = (keyword: string): KeywordMatch => ({ intent: 'help', keyword });

describe('built-in keyword sets', () => {
  it('are frozen, already normalised, and no keyword has two intents', () => {
    const all = [...OPT_OUT_KEYWORDS, ...OPT_IN_KEYWORDS, ...HELP_KEYWORDS];
    for (const list of [OPT_OUT_KEYWORDS, OPT_IN_KEYWORDS, HELP_KEYWORDS]) expect(Object.isFrozen(list)).toBe(true);
    for (const k of all) expect([k, normalizeKeywordText(k)]).toEqual([k, k]);
    expect(new Set(all).size).toBe(all.length);
  });

  it('hold the FCC, carrier, French and es/pt/de/it sets; YES is not a default', () => {
    for (const k of ['STOP', 'STOPALL', 'STOP ALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT', 'OPT OUT', 'OPT-OUT',
      'STOP SMS', 'ARRET', 'ARRETE', 'ARRETT', 'DESABONNER', 'BAJA', 'PARAR', 'DETENER', 'CANCELAR', 'NO MAS', 'PARE', 'SAIR',
      'STOPP', 'HALT', 'ABMELDEN', 'FERMA', 'BASTA', 'ANNULLA']) {
      expect([k, OPT_OUT_KEYWORDS.includes(k)]).toEqual([k, true]);
    }
    expect(OPT_IN_KEYWORDS).toEqual(expect.arrayContaining(['START', 'UNSTOP']));
    expect(OPT_IN_KEYWORDS).not.toContain('YES');
    expect(HELP_KEYWORDS).toEqual(expect.arrayContaining(['HELP', 'INFO', 'AIDE', 'AYUDA', 'AJUDA', 'HILFE', 'AIUTO']));
  });

  it('every built-in keyword is detected as itself, in lower case too', () => {
    for (const [list, intent] of [[OPT_OUT_KEYWORDS, 'opt-out'], [OPT_IN_KEYWORDS, 'opt-in'], [HELP_KEYWORDS, 'help']] as const) {
      for (const k of list) {
        expect([k, detectKeyword(k)]).toEqual([k, { intent, keyword: k }]);
        expect([k, detectKeyword(k.toLowerCase())]).toEqual([k, { intent, keyword: k }]);
      }
    }
  });
});

describe('detectKeyword: exact mode (default)', () => {
  it.each<[string, KeywordMatch | null]>([
    ['STOP', optOut('STOP')],
    ['STOP.', optOut('STOP')],
    ['stop!!', optOut('STOP')],
    [' Stop ', optOut('STOP')],
    ['"Stop"', optOut('STOP')],
    ['STOP 🛑', optOut('STOP')],
    ['👉 stop 👈🏽', optOut('STOP')],
    ['STOP...?!', optOut('STOP')],
    ['«ARRÊT»', optOut('ARRET')],
    ['ArrÊt', optOut('ARRET')],
    ['arrêt', optOut('ARRET')],
    ['A\u0302rret', optOut('ARRET')],
    ['Désabonner', optOut('DESABONNER')],
    ['STOP  ALL', optOut('STOP ALL')],
    ['stop\tall\n', optOut('STOP ALL')],
    ['opt-out', optOut('OPT-OUT')],
    ['Opt\u2013Out', optOut('OPT-OUT')],
    ['opt out', optOut('OPT OUT')],
    ['Stop SMS', optOut('STOP SMS')],
    ['Stopp', optOut('STOPP')],
    ['No más', optOut('NO MAS')],
    ['ＳＴＯＰ', optOut('STOP')],
    ['𝐒𝐓𝐎𝐏', optOut('STOP')],
    ['\u200FSTOP\u200E', optOut('STOP')],
    ['\uFEFFst\u200Bop', optOut('STOP')],
    ['\u0000STOP\u0007', optOut('STOP')],
    ['остановить', optOut('ОСТАНОВИТЬ')],
    ['start', optIn('START')],
    ['Unstop!', optIn('UNSTOP')],
    ['help?', help('HELP')],
    ['Aide', help('AIDE')],
    ['yes', null],
    ['Please stop by the shop', null],
    ['STOP PLEASE', null],
    ['STOP, please', null],
    ['stop it', null],
    ['Cancel my order please', null],
    ['S.T.O.P', null],
    ['STOPPING', null],
    ['NONSTOP', null],
    ['', null],
    ['   ', null],
    ['!!!', null],
    ['🛑', null],
  ])('%j → %j', (text, expected) => {
    expect(detectKeyword(text)).toEqual(expected);
    expect(detectKeyword(text, { mode: 'exact' })).toEqual(expected);
  });

  it('YES is opt-in only with includeYes', () => {
    expect(detectKeyword('Yes!', { includeYes: true })).toEqual(optIn('YES'));
    expect(detectKeyword('Yes!', { includeYes: false })).toBeNull();
    expect(detectKeyword('yes please', { includeYes: true })).toBeNull();
  });
});

describe('detectKeyword: lenient mode', () => {
  const lenient = (text: string, includeYes = false) => detectKeyword(text, { mode: 'lenient', includeYes });

  it.each<[string, KeywordMatch | null]>([
    // everything exact mode finds
    ['STOP.', optOut('STOP')],
    ['ArrÊt', optOut('ARRET')],
    // a keyword with courtesy words around it
    ['Stop please', optOut('STOP')],
    ['STOP, please!', optOut('STOP')],
    ['Please STOP now!!', optOut('STOP')],
    ['stop it', optOut('STOP')],
    ['Stop stop STOP', optOut('STOP')],
    ['stop all texts please', optOut('STOP ALL')],
    ['Cancel please', optOut('CANCEL')],
    ['END thanks', optOut('END')],
    ['Arrêt SVP', optOut('ARRET')],
    ['Stopp bitte', optOut('STOPP')],
    ['Baja por favor', optOut('BAJA')],
    ['no más, gracias', optOut('NO MAS')],
    ['STOP START', optOut('STOP')],
    ['help me', help('HELP')],
    ['start please', optIn('START')],
    ['start, help', null],
    // an unambiguous opt-out word first, whatever follows
    ['Unsubscribe me from all of this', optOut('UNSUBSCRIBE')],
    ['please revoke my consent', optOut('REVOKE')],
    ['Opt out of everything', optOut('OPT OUT')],
    // phrases anywhere
    ['stop texting me', optOut('STOP')], // rule 1: TEXTING is filler
    ['I told you to STOP TEXTING ME!!!', optOut('STOP TEXTING')],
    ['Remove me from your list', optOut('REMOVE ME')],
    ['take me off your list', optOut('TAKE ME OFF')],
    ["don't text me", optOut('DONT TEXT ME')],
    ['Don’t text me again', optOut('DONT TEXT ME')],
    ['Do not contact this number', optOut('DO NOT CONTACT')],
    ['no more messages', optOut('NO MORE MESSAGES')],
    ['Why won’t you stop sending these', optOut('STOP SENDING')],
    // not opt-outs
    ['Please stop by the shop', null],
    ['Stop by the shop tomorrow', null],
    ['Cancel my order please', null],
    ['End of the month?', null],
    ['Quit your job and join us', null],
    ['Info about my order', null],
    ["Please don't stop texting me", null],
    ['Do not remove me', null],
    ['Thank you', null],
    ['ok', null],
    ['no thanks', null],
    ['yes', null],
  ])('%j → %j', (text, expected) => {
    expect(lenient(text)).toEqual(expected);
  });

  it('YES with filler counts only with includeYes', () => {
    expect(lenient('yes please', true)).toEqual(optIn('YES'));
    expect(lenient('yes please')).toBeNull();
  });
});

describe('detectKeyword: added keywords', () => {
  it('are normalised like the body and matched in both modes', () => {
    const extra = { optOut: ['  Désinscription!  ', 'basta ya'], optIn: ['Résumé'], help: ['¿Qué?'] };
    expect(detectKeyword('DESINSCRIPTION', { extra })).toEqual(optOut('DESINSCRIPTION'));
    expect(detectKeyword('Basta  YA!', { extra })).toEqual(optOut('BASTA YA'));
    expect(detectKeyword('resume', { extra })).toEqual(optIn('RESUME'));
    expect(detectKeyword('que', { extra })).toEqual(help('QUE'));
    expect(detectKeyword('basta ya por favor', { extra, mode: 'lenient' })).toEqual(optOut('BASTA YA'));
    expect(detectKeyword('STOP', { extra })).toEqual(optOut('STOP'));
    expect(detectKeyword('DESINSCRIPTION')).toBeNull();
  });

  it('an object reused across calls gives the same answers; YES may be added as opt-in', () => {
    const opts = { extra: { optIn: ['yes'] } };
    for (let i = 0; i < 3; i++) expect(detectKeyword('Yes', opts)).toEqual(optIn('YES'));
    expect(detectKeyword('Yes', { ...opts, includeYes: true })).toEqual(optIn('YES'));
    expect(detectKeyword('stop', { extra: { optOut: ['stop', 'STOP!'] } })).toEqual(optOut('STOP'));
  });

  it.each<[string, unknown]>([
    ['extra not an object', 'STOP'],
    ['extra an array', ['STOP']],
    ['extra null', null],
    ['list not an array', { optOut: 'STOP' }],
    ['a keyword not a string', { optOut: ['OK', 42] }],
    ['a null keyword', { help: [null] }],
    ['an empty keyword', { optOut: [''] }],
    ['a keyword only punctuation', { optIn: ['?!…'] }],
    ['a keyword too long', { optOut: ['x'.repeat(MAX_EXTRA_KEYWORD_LENGTH + 1)] }],
    ['too many keywords', { help: Array.from({ length: MAX_EXTRA_KEYWORDS + 1 }, (_, i) => `K${i}`) }],
    ['STOP re-purposed as opt-in', { optIn: ['stop'] }],
    ['START re-purposed as help', { help: ['Start'] }],
    ['one keyword in two added lists', { optOut: ['NOPE'], help: ['nope'] }],
  ])('%s → INVALID_INPUT', (_, extra) => {
    expect(thrownCode(() => detectKeyword('STOP', { extra } as never))).toBe('INVALID_INPUT');
  });

  it('limits are inclusive', () => {
    const extra = { optOut: ['Z'.repeat(MAX_EXTRA_KEYWORD_LENGTH), ...Array.from({ length: MAX_EXTRA_KEYWORDS - 1 }, (_, i) => `Q${i}`)] };
    expect(detectKeyword('z'.repeat(MAX_EXTRA_KEYWORD_LENGTH), { extra })).toEqual(optOut('Z'.repeat(MAX_EXTRA_KEYWORD_LENGTH)));
  });

  it('YES added as opt-out conflicts with includeYes', () => {
    const extra = { optOut: ['yes'] };
    expect(detectKeyword('yes', { extra })).toEqual(optOut('YES'));
    expectCode(() => detectKeyword('yes', { extra, includeYes: true }), 'INVALID_INPUT', /YES/);
  });
});

describe('detectKeyword: hostile input', () => {
  it.each<[string, unknown]>([
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
    ['an object', { text: 'STOP' }],
    ['an array', ['STOP']],
    ['a String object', new String('STOP')],
  ])('text %s → INVALID_INPUT', (_, text) => {
    expect(thrownCode(() => detectKeyword(text as string))).toBe('INVALID_INPUT');
  });

  it.each<[string, unknown]>([
    ['options null', null],
    ['options a string', 'lenient'],
    ['unknown mode', { mode: 'fuzzy' }],
    ['includeYes a string', { includeYes: 'true' }],
  ])('%s → INVALID_INPUT', (_, opts) => {
    expect(thrownCode(() => detectKeyword('STOP', opts as never))).toBe('INVALID_INPUT');
  });

  it('a body over the limit is no match without being read, in both modes', () => {
    const padded = 'STOP' + ' '.repeat(MAX_KEYWORD_TEXT_LENGTH);
    expect(detectKeyword(padded)).toBeNull();
    expect(detectKeyword(padded, { mode: 'lenient' })).toBeNull();
    const atLimit = 'STOP' + ' '.repeat(MAX_KEYWORD_TEXT_LENGTH - 4);
    expect(detectKeyword(atLimit)).toEqual(optOut('STOP'));
  });

  it('1 MB bodies, long punctuation and mark runs, lone surrogates are answered', () => {
    const mb = 1024 * 1024;
    expect(detectKeyword('STOP '.repeat(mb / 5))).toBeNull();
    expect(detectKeyword('!'.repeat(mb), { mode: 'lenient' })).toBeNull();
    expect(detectKeyword('!'.repeat(MAX_KEYWORD_TEXT_LENGTH - 5) + 'STOP', { mode: 'lenient' })).toEqual(optOut('STOP'));
    expect(detectKeyword('S' + '\u0301'.repeat(MAX_KEYWORD_TEXT_LENGTH - 4) + 'TOP')).toEqual(optOut('STOP'));
    expect(detectKeyword('\uD800STOP\uDC00')).toBeNull();
    expect(detectKeyword('stop ' + 'please '.repeat(280), { mode: 'lenient' })).toEqual(optOut('STOP'));
  });
});
