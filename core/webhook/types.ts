/**
 * What the engines hand the core when a provider calls a webhook, and what they get back
 * (issue 4). Both engines do only transport: they pass the raw request and the public URL, answer
 * with `reply`, emit `events`, then run `followUp`. Everything else — limits, signature, parsing,
 * de-duplication, consent, auto-replies, status codes — is decided here, once.
 */
import type { SmsError } from '../errors';
import type { DetectKeywordOptions } from '../consent/keywords';
import type {
  ConsentAction,
  DeliveryReport,
  HttpFunction,
  HttpReply,
  InboundSms,
  NormalizedStatus,
  ProviderCredentials,
  ProviderId,
  Store,
} from '../types';

/** Default and maximum body size: larger bodies are answered 413. */
export const WEBHOOK_MAX_BODY_BYTES = 1024 * 1024;

/** The request as the engine received it, before any parsing. */
export interface RawWebhookRequest {
  method: string;
  /**
   * The URL the provider called, as the provider saw it: the node's public URL option (reverse
   * proxies) with the request's own query string, or the engine's own URL when no option is set.
   * Built with `publicRequestUrl`.
   */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** Exact bytes received. An engine that stops reading at the limit passes maxBytes + 1 bytes. */
  rawBody: Buffer;
}

export interface WebhookContext {
  provider: ProviderId;
  credentials: ProviderCredentials;
  store: Store;
  /** For auto-replies a provider cannot take in the HTTP answer (everyone but Twilio). */
  http?: HttpFunction;
  /** Default true. Off only for local tests: the node shows a warning. */
  verifySignature?: boolean;
  maxBodyBytes?: number;
  now?: () => number;
  /** Where a handled problem is reported (never with secrets, bodies or signatures). */
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

export interface InboundWebhookOptions {
  /** STOP → opt-out of `*`, START → opt-in of `*` in the consent ledger. Default true. */
  recordConsent?: boolean;
  /** Keyword matching (exact by default, user keywords). */
  keywords?: DetectKeywordOptions;
  /** Emit STOP/START/HELP messages to the flow too. Default true. */
  emitKeywordMessages?: boolean;
  /** Do not emit a message the provider sent again. Default true. */
  dedupe?: boolean;
  /** Auto-reply texts per intent; empty or absent: no reply. */
  autoReply?: Partial<Record<'opt-out' | 'opt-in' | 'help', string>>;
  /** For numbers a provider gives without `+` or country (Vonage, Plivo, Sinch digits). */
  defaultCountry?: string;
}

export interface StatusWebhookOptions {
  /** Emit only reports that make a message's status final. Default false. */
  onlyFinal?: boolean;
  /** Do not emit a report the provider sent again. Default true. */
  dedupe?: boolean;
  /** Record provider errors that prove an opt-out (Twilio 21610, Telnyx 40300, Vonage err-code 9). Default true. */
  recordOptOuts?: boolean;
}

export interface InboundEvent extends InboundSms {
  /** Received before (only ever true when dedupe is off). */
  duplicate: boolean;
  /** What the consent ledger recorded because of this message. */
  consentRecorded?: ConsentAction;
  /** The auto-reply text answered or sent. */
  autoReply?: string;
}

export interface StatusEvent extends DeliveryReport {
  duplicate: boolean;
  /** The message's status after this report was merged (parts, order and finality applied). */
  messageStatus: NormalizedStatus;
  /** True when this report's error recorded an opt-out in the consent ledger. */
  optOutRecorded?: boolean;
}

export interface WebhookResult<E> {
  /** Always set: what to answer the provider, at once. */
  reply: HttpReply;
  /** What the node emits (empty when the reply is an error). */
  events: E[];
  /** Set when reply.status >= 400: 401 INVALID_SIGNATURE, 400 INVALID_INPUT, 413 PAYLOAD_TOO_LARGE, 503 STORE_ERROR, 500 MISSING_CREDENTIALS. */
  error?: SmsError;
  /** Work to run after answering (auto-replies through the provider's API). Never rejects. */
  followUp?: () => Promise<void>;
}
