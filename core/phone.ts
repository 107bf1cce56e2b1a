/**
 * Phone numbers: whatever a user typed → E.164 with country, number type and time zones.
 * The `max` metadata is the only one that tells mobile from fixed-line numbers.
 */
import { isSupportedCountry, parsePhoneNumberWithError, type CountryCode, type PhoneNumber } from 'libphonenumber-js/max';
import { SmsError } from './errors';
import { timezonesForE164 } from './phone-timezones';
import type { PhoneInfo, PhoneType } from './types';

/**
 * Longest input accepted, counted before trimming. E.164 has at most 15 digits; written with an
 * international prefix, spaces, dashes and parentheses a number stays under 30 characters. The
 * cap leaves room for stray whitespace around it and rejects megabyte-sized input in O(1),
 * before any regex or libphonenumber (whose own limit is 250) sees it.
 */
export const MAX_PHONE_INPUT_LENGTH = 64;

export interface NormalizePhoneOptions {
  /** ISO 3166-1 alpha-2 (any case) used to read numbers written without `+`. `''` means none. */
  defaultCountry?: string;
}

// Characters people write numbers with: digits of any script (libphonenumber maps full-width and
// Arabic-Indic ones), whitespace, `+` (also full-width), brackets, dots, slashes, dashes.
const ALLOWED = /^[\p{Nd}\s+\uFF0B()./\p{Pd}]*$/u;
const LETTER = /\p{L}/u;
const DISALLOWED = /[^\p{Nd}\s+\uFF0B()./\p{Pd}]/u;
const FULL_WIDTH_PLUS = /^\uFF0B/;
// Leading 00 (after optional punctuation): the ITU-recommended international prefix.
const DOUBLE_ZERO_PREFIX = /^[\s()./\p{Pd}]*00/u;

const PHONE_TYPES: ReadonlySet<string> = new Set<PhoneType>([
  'MOBILE',
  'FIXED_LINE',
  'FIXED_LINE_OR_MOBILE',
  'PREMIUM_RATE',
  'TOLL_FREE',
  'SHARED_COST',
  'VOIP',
  'PERSONAL_NUMBER',
  'PAGER',
  'UAN',
  'VOICEMAIL',
]);

const PARSE_ERRORS: Record<string, string> = {
  INVALID_COUNTRY: 'its country calling code does not exist',
  NOT_A_NUMBER: 'it is not a phone number',
  TOO_SHORT: 'it is too short',
  TOO_LONG: 'it is too long',
  INVALID_LENGTH: 'it has the wrong number of digits',
};

function invalid(why: string): SmsError {
  return new SmsError('INVALID_PHONE', `Invalid phone number: ${why}`);
}

function readDefaultCountry(opts: unknown): CountryCode | undefined {
  if (opts === undefined || opts === null) return undefined;
  if (typeof opts !== 'object' || Array.isArray(opts)) {
    throw new SmsError('INVALID_INPUT', 'normalizePhone options must be an object');
  }
  const value: unknown = (opts as NormalizePhoneOptions).defaultCountry;
  // n8n and Node-RED hand an unset text field over as '' (or null from JSON): that means "none".
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') {
    throw new SmsError('INVALID_INPUT', `defaultCountry must be a two-letter country code, got ${typeof value}`);
  }
  const code = value.length <= 4 ? value.trim().toUpperCase() : '';
  if (!/^[A-Z]{2}$/.test(code) || !isSupportedCountry(code)) {
    throw new SmsError(
      'INVALID_INPUT',
      'defaultCountry must be an ISO 3166-1 alpha-2 code of a country with phone numbers, such as US or FR',
    );
  }
  return code;
}

function parse(text: string, defaultCountry: CountryCode | undefined): PhoneNumber {
  try {
    return parsePhoneNumberWithError(text, { defaultCountry, extract: false });
  } catch (e) {
    const why = e instanceof Error ? PARSE_ERRORS[e.message] : undefined;
    throw invalid(why ?? 'it cannot be read as a phone number');
  }
}

function readNumber(text: string, defaultCountry: CountryCode | undefined): PhoneNumber {
  if (text.startsWith('+')) return parse(text, undefined);
  const doubleZero = DOUBLE_ZERO_PREFIX.test(text);
  const asInternational = (): PhoneNumber => parse(text.replace(DOUBLE_ZERO_PREFIX, '+'), undefined);
  if (defaultCountry === undefined) {
    if (doubleZero) return asInternational();
    throw invalid(
      'it has no country code: write it with "+" and the country code (+33 6 12 34 56 78) or set a default country',
    );
  }
  if (!doubleZero) return parse(text, defaultCountry);
  // A leading 00 is the default country's own international prefix where that is 00 (FR), and
  // libphonenumber reads it so; elsewhere (US: 011) the user still meant ITU's 00.
  try {
    const national = parse(text, defaultCountry);
    if (national.isValid()) return national;
  } catch {
    // Not readable with the default country: the international reading below decides.
  }
  return asInternational();
}

function toInfo(phone: PhoneNumber): PhoneInfo {
  const type = phone.getType();
  const info: PhoneInfo = {
    e164: phone.number,
    callingCode: phone.countryCallingCode,
    nationalNumber: phone.nationalNumber,
    type: type !== undefined && PHONE_TYPES.has(type) ? type : 'UNKNOWN',
    timezones: timezonesForE164(phone.number),
  };
  if (phone.country !== undefined) info.country = phone.country;
  return info;
}

/**
 * Reads a phone number written in any usual human format and returns its E.164 form, country,
 * number type and time zones. Without `+` (or a leading `00`), the number is read as a national
 * number of `opts.defaultCountry`, whose own international prefix (011 in the US) also works.
 *
 * Throws SmsError('INVALID_PHONE') for anything that is not a valid, dialable number — including
 * vanity numbers with letters and numbers with an extension — and SmsError('INVALID_INPUT') for a
 * bad `defaultCountry`.
 */
export function normalizePhone(input: string, opts?: NormalizePhoneOptions): PhoneInfo {
  const defaultCountry = readDefaultCountry(opts);
  if (typeof input !== 'string') {
    throw invalid(`expected text, got ${input === null ? 'null' : typeof input}`);
  }
  if (input.length > MAX_PHONE_INPUT_LENGTH) {
    throw invalid(`it is longer than ${MAX_PHONE_INPUT_LENGTH} characters`);
  }
  // libphonenumber reads full-width digits but not the full-width plus that goes with them.
  const text = input.trim().replace(FULL_WIDTH_PLUS, '+');
  if (text === '') throw invalid('it is empty');
  if (!ALLOWED.test(text)) {
    if (LETTER.test(text)) {
      throw invalid(
        'it contains letters; vanity numbers such as 1-800-FLOWERS, extensions and "tel:" links are ' +
          'not accepted: write the number in digits',
      );
    }
    const bad = DISALLOWED.exec(text)?.[0] ?? '';
    throw invalid(`it contains ${JSON.stringify(bad)}, which is not part of a phone number`);
  }

  const phone = readNumber(text, defaultCountry);
  if (!phone.isValid()) {
    throw invalid(
      phone.isPossible()
        ? 'no such number is assigned in its country (the length is right, the digits are not)'
        : 'it has the wrong number of digits for its country',
    );
  }
  return toInfo(phone);
}

/**
 * Whether the number's range can receive SMS: MOBILE, or FIXED_LINE_OR_MOBILE — which is every
 * NANP (+1) number, as their ranges do not tell the two apart.
 */
export function isMobileCapable(info: PhoneInfo): boolean {
  if (typeof info !== 'object' || info === null || typeof (info as { type?: unknown }).type !== 'string') {
    throw new SmsError('INVALID_INPUT', 'isMobileCapable expects the PhoneInfo returned by normalizePhone');
  }
  return info.type === 'MOBILE' || info.type === 'FIXED_LINE_OR_MOBILE';
}
