/**
 * Every error a user can meet carries a stable `code`. Flows branch on the code, never on the
 * message text, so codes are part of the public API: add new ones, never rename.
 */
export const SMS_ERROR_CODES = {
  INVALID_INPUT: 'An item or option is malformed (wrong type, oversized, unknown value)',
  INVALID_PHONE: 'The recipient is not a valid phone number',
  EMPTY_MESSAGE: 'The message text is empty after rendering',
  SEGMENT_LIMIT: 'The message needs more segments than the configured maximum',
  TEMPLATE_ERROR: 'The template does not compile or refers to missing data',
  UNKNOWN_PROVIDER: 'No provider with that id',
  MISSING_CREDENTIALS: 'A credential field the provider needs is empty',
  AUTH_FAILED: 'The provider refused the credentials',
  OPTED_OUT: 'The recipient has opted out (STOP)',
  NO_CONSENT: 'Consent is required and the recipient has not opted in',
  RATE_LIMITED: 'The provider throttled the request',
  PROVIDER_ERROR: 'The provider rejected the message or answered something unexpected',
  NETWORK_ERROR: 'The provider could not be reached or did not answer in time',
  SEND_IN_PROGRESS: 'Another run holds the claim on this idempotency key right now',
  SEND_IN_DOUBT: 'An earlier attempt may have reached the provider; not re-sent automatically',
  STORE_ERROR: 'The store could not read or persist',
  IDEMPOTENCY_CONFLICT: 'The idempotency key was already used for another recipient or provider',
  CANCELED: 'The run was canceled before this item was sent',
  INVALID_TIMEZONE: 'The time zone is not a known IANA zone',
  NO_TIMEZONE: 'No time zone is known for the number and no fallback zone is set',
  INVALID_SIGNATURE: 'A webhook request has a missing, wrong or stale signature',
  PAYLOAD_TOO_LARGE: 'A webhook request body is larger than the limit (1 MB)',
} as const;

export type SmsErrorCode = keyof typeof SMS_ERROR_CODES;

export interface SmsErrorOptions {
  /** Safe to retry automatically: the provider certainly did not act on the request. */
  retryable?: boolean;
  /** The provider may have accepted the message although we saw an error (timeout, 5xx, garbled 2xx). */
  inDoubt?: boolean;
  provider?: string;
  /** HTTP status the provider answered, when there was one. */
  httpStatus?: number;
  /** The provider's own error code (Twilio 21610, Vonage status 1, Infobip E429, ...). */
  providerCode?: string;
  /** Provider's Retry-After, in milliseconds. */
  retryAfterMs?: number;
  cause?: unknown;
}

export class SmsError extends Error {
  readonly code: SmsErrorCode;
  readonly retryable: boolean;
  readonly inDoubt: boolean;
  readonly provider?: string;
  readonly httpStatus?: number;
  readonly providerCode?: string;
  readonly retryAfterMs?: number;

  constructor(code: SmsErrorCode, message: string, opts: SmsErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'SmsError';
    this.code = code;
    this.retryable = opts.retryable ?? false;
    this.inDoubt = opts.inDoubt ?? false;
    if (opts.provider !== undefined) this.provider = opts.provider;
    if (opts.httpStatus !== undefined) this.httpStatus = opts.httpStatus;
    if (opts.providerCode !== undefined) this.providerCode = opts.providerCode;
    if (opts.retryAfterMs !== undefined) this.retryAfterMs = opts.retryAfterMs;
  }

  /** The shape put on output items: no stack, no cause (a cause may hold a request with secrets). */
  toJSON(): SmsErrorJson {
    const out: SmsErrorJson = { code: this.code, message: this.message, retryable: this.retryable };
    if (this.inDoubt) out.inDoubt = true;
    if (this.provider !== undefined) out.provider = this.provider;
    if (this.httpStatus !== undefined) out.httpStatus = this.httpStatus;
    if (this.providerCode !== undefined) out.providerCode = this.providerCode;
    if (this.retryAfterMs !== undefined) out.retryAfterMs = this.retryAfterMs;
    return out;
  }
}

export interface SmsErrorJson {
  code: SmsErrorCode;
  message: string;
  retryable: boolean;
  inDoubt?: boolean;
  provider?: string;
  httpStatus?: number;
  providerCode?: string;
  retryAfterMs?: number;
}

export function isSmsError(e: unknown): e is SmsError {
  return e instanceof SmsError;
}

/**
 * Names a value's type for an error message without echoing the value: bad input may be message
 * text, a phone number or a secret, none of which belongs in an error.
 */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Wraps anything thrown into an SmsError without leaking unknown objects into outputs. */
export function toSmsError(e: unknown, fallback: SmsErrorCode = 'PROVIDER_ERROR'): SmsError {
  if (e instanceof SmsError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new SmsError(fallback, message, { cause: e });
}
