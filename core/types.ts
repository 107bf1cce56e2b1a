/**
 * The shapes every part of the package agrees on (DESIGN.md §3). Engine-free: nodes in both
 * engines, providers, stores and the dispatcher all speak these.
 */
import type { SmsErrorJson } from './errors';

export type ProviderId =
  | 'twilio'
  | 'vonage'
  | 'infobip'
  | 'plivo'
  | 'sinch'
  | 'telnyx'
  | 'afilnet'
  | 'sandbox';

export type Encoding = 'GSM-7' | 'UCS-2';

// ---------------------------------------------------------------------------------------------
// Numbers and text

export type PhoneType =
  | 'MOBILE'
  | 'FIXED_LINE'
  | 'FIXED_LINE_OR_MOBILE'
  | 'PREMIUM_RATE'
  | 'TOLL_FREE'
  | 'SHARED_COST'
  | 'VOIP'
  | 'PERSONAL_NUMBER'
  | 'PAGER'
  | 'UAN'
  | 'VOICEMAIL'
  | 'UNKNOWN';

export interface PhoneInfo {
  /** `+` and digits, e.g. `+14155550100`. */
  e164: string;
  /** ISO 3166-1 alpha-2, when the number belongs to one country (`undefined` for +800 etc.). */
  country?: string;
  /** Calling code without `+`, e.g. `1`. */
  callingCode: string;
  nationalNumber: string;
  type: PhoneType;
  /** IANA zones of the number's prefix (several for +1 907, many for toll-free); may be empty. */
  timezones: string[];
}

export interface TextAnalysis {
  /** The text as it will be sent (after smart encoding when asked). */
  text: string;
  encoding: Encoding;
  /** Septets for GSM-7, UTF-16 code units for UCS-2. */
  units: number;
  segments: number;
  /** Capacity of one segment for this message: 160/153 (GSM-7) or 70/67 (UCS-2). */
  perSegment: number;
  /** Units left in the last segment before another segment is needed. */
  remaining: number;
  replacements: { from: string; to: string }[];
  /** Distinct characters that forced UCS-2, in order of first appearance. */
  nonGsmChars: string[];
}

// ---------------------------------------------------------------------------------------------
// Sending

/** What a provider adapter is asked to send: already validated, normalised and analysed. */
export interface OutboundSms {
  /** E.164 with `+`; adapters strip the `+` where their API wants digits only. */
  to: string;
  /** E.164 number, short code or alphanumeric sender id. Optional where the account has a default. */
  from?: string;
  text: string;
  encoding: Encoding;
  segments: number;
  statusCallbackUrl?: string;
  /** ISO-8601 instant (UTC). */
  sendAt?: string;
  validitySeconds?: number;
  clientRef?: string;
  idempotencyKey?: string;
}

export interface SendResult {
  provider: ProviderId;
  messageId: string;
  status: NormalizedStatus;
  to: string;
  from?: string;
  segments: number;
  encoding: Encoding;
  clientRef?: string;
  idempotencyKey?: string;
  price?: { amount: number; currency?: string };
  /** The provider's parsed answer, for fields we do not normalise. Never holds credentials. */
  raw?: unknown;
  /** True when this result was recorded by an earlier run and nothing was sent now. */
  duplicate?: boolean;
}

// ---------------------------------------------------------------------------------------------
// HTTP: providers never import an HTTP library. n8n passes a wrapper of its request helper,
// Node-RED and the benchmark pass core/http-client's keep-alive client, tests use nock.

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  body: string;
}

/**
 * Resolves with any HTTP status (4xx/5xx are answers, not exceptions). Rejects only when no
 * answer came: the rejection is an `HttpTransportError`.
 */
export type HttpFunction = (req: HttpRequest) => Promise<HttpResponse>;

export type ProviderCredentials = Record<string, string | undefined>;

export interface ProviderContext {
  credentials: ProviderCredentials;
  http: HttpFunction;
  /** Per-request timeout; default 30 s. */
  timeoutMs?: number;
  now?: () => number;
}

export interface CredentialField {
  /** The field name, identical in n8n credentials, Node-RED config nodes and ctx.credentials. */
  name: string;
  displayName: string;
  secret: boolean;
  required: boolean;
  default?: string;
  options?: string[];
  description?: string;
}

export interface SmsProvider {
  id: ProviderId;
  displayName: string;
  /** The public API the adapter calls when credentials give no `baseUrl`. */
  defaultBaseUrl: string;
  credentialFields: CredentialField[];
  send(msg: OutboundSms, ctx: ProviderContext): Promise<SendResult>;
  // Webhook side, added with the inbound/DLR nodes (issue 4).
  verifySignature?(req: WebhookRequest, credentials: ProviderCredentials): boolean;
  parseInbound?(req: WebhookRequest): InboundSms[];
  parseStatus?(req: WebhookRequest): DeliveryReport[];
  webhookResponse?(kind: 'inbound' | 'status', reply?: string): HttpReply;
}

export interface WebhookRequest {
  method: string;
  /** The public URL the provider called (signatures are over this, not a proxy-rewritten one). */
  url: string;
  headers: Record<string, string | undefined>;
  rawBody: Buffer;
  body: unknown;
  query: Record<string, string | string[] | undefined>;
}

export interface HttpReply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

// ---------------------------------------------------------------------------------------------
// Delivery

export type NormalizedStatus =
  | 'scheduled'
  | 'queued'
  | 'sent'
  | 'delivered'
  | 'undelivered'
  | 'expired'
  | 'failed'
  | 'canceled'
  | 'unknown';

export interface DeliveryReport {
  provider: ProviderId;
  messageId: string;
  status: NormalizedStatus;
  final: boolean;
  providerStatus: string;
  errorCode?: string;
  errorMessage?: string;
  permanent?: boolean;
  to?: string;
  /** ISO-8601. */
  occurredAt: string;
  /** 1-based part number for providers that report per concatenated part. */
  part?: number;
  price?: { amount: number; currency?: string };
  clientRef?: string;
  mccmnc?: string;
}

export interface InboundSms {
  provider: ProviderId;
  messageId: string;
  from: string;
  to: string;
  text: string;
  receivedAt: string;
  keyword: { intent: 'opt-out' | 'opt-in' | 'help'; keyword: string } | null;
  raw: unknown;
}

// ---------------------------------------------------------------------------------------------
// Store (DESIGN §3). One interface, several backends.

export type ConsentAction = 'opt-in' | 'opt-out';

export interface ConsentEvent {
  /** E.164. */
  phone: string;
  /** `marketing`, `transactional`, a name of the user's, or `*` (all topics: what STOP means). */
  topic: string;
  action: ConsentAction;
  /** Where the event came from: `sms`, `import`, `form`, `api`, `provider-error`, ... */
  source: string;
  /** ISO-8601; default now. */
  at?: string;
  /** Proof: message text, message id, IP, form URL, who recorded it. */
  evidence?: Record<string, unknown>;
}

export interface ConsentRecord {
  id: number;
  phone: string;
  topic: string;
  action: ConsentAction;
  source: string;
  at: string;
  evidence: Record<string, unknown>;
}

export interface ConsentDecision {
  allowed: boolean;
  reason: 'opted-in' | 'opted-out' | 'no-consent' | 'not-required';
  /** When the deciding event happened. */
  since?: string;
}

/** What `importConsent` did with a list of events, all in one transaction. */
export interface ConsentImportResult {
  /** Events added to the ledger. */
  recorded: number;
  /**
   * Events skipped because the current decision for that number and topic already says the same
   * (re-importing a suppression list adds nothing and keeps the ledger readable).
   */
  unchanged: number;
}

/**
 * A message held back by a Quiet-Hours Gate in hold-and-release mode, kept in the store so a
 * restart or a redeploy loses none. `queue` names the holder (the Node-RED node id).
 */
export interface HeldMessage {
  id: string;
  queue: string;
  /** ISO-8601 UTC: when it may be released. */
  releaseAt: string;
  /** ISO-8601 UTC: when it was held. */
  heldAt: string;
  /** JSON-serialisable; what was held (a Node-RED msg without its req/res). */
  payload: unknown;
}

export interface ClaimInfo {
  provider: ProviderId;
  to: string;
  /** How long a pending claim is honoured before it counts as left by a crashed run. Default 10 min. */
  leaseMs?: number;
  /**
   * A `sent` record older than this (from when it was sent), or an `in-doubt` one (from when it
   * was claimed; a pending claim past its lease counts as in doubt), no longer blocks a new send
   * with the same key. Default: forever.
   */
  windowMs?: number;
}

export type ClaimResult =
  | { claimed: true }
  | { claimed: false; state: 'sent'; result: SendResult }
  /** `pending`: another run holds a live claim. `in-doubt`: a run died or timed out mid-send. */
  | { claimed: false; state: 'pending' | 'in-doubt'; claimedAt: string }
  /**
   * The key still blocks, but for a send to another recipient or over another provider (an
   * explicit key reused): neither the stored result nor the blocked state is this message's.
   */
  | { claimed: false; state: 'conflict'; provider: ProviderId; to: string; claimedAt: string };

export type SendState = 'pending' | 'sent' | 'failed' | 'in-doubt';

export interface MessageRecord {
  idempotencyKey?: string;
  provider: ProviderId;
  messageId?: string;
  to: string;
  from?: string;
  state: SendState;
  /** Latest normalised delivery status (from the send result, then from reports). */
  status?: NormalizedStatus;
  final: boolean;
  providerStatus?: string;
  errorCode?: string;
  errorMessage?: string;
  segments?: number;
  encoding?: Encoding;
  clientRef?: string;
  price?: { amount: number; currency?: string };
  mccmnc?: string;
  createdAt: string;
  updatedAt: string;
}

export interface Store {
  recordConsent(e: ConsentEvent): Promise<ConsentRecord>;
  checkConsent(q: { phone: string; topic: string; requireOptIn?: boolean }): Promise<ConsentDecision>;
  /** Oldest first. */
  consentHistory(phone: string): Promise<ConsentRecord[]>;
  /**
   * Records many events in ONE transaction (a 100,000-row suppression list): all or nothing. Each
   * event is validated first; one invalid event rejects the whole call with INVALID_INPUT and records
   * nothing. Events are applied in order, so a later one sees the earlier ones' effect.
   */
  importConsent(events: ConsentEvent[]): Promise<ConsentImportResult>;
  /** Keeps a message until `releaseAt`. A given `id` that already exists in the queue is replaced. */
  holdMessage(h: { queue: string; releaseAt: string; payload: unknown; id?: string }): Promise<HeldMessage>;
  /** The queue's held messages, earliest `releaseAt` first; only those due by `dueBy` when given. */
  heldMessages(queue: string, opts?: { dueBy?: string; limit?: number }): Promise<HeldMessage[]>;
  /** Removes one held message; true when it was there (so two releasers cannot both emit it). */
  releaseHeld(queue: string, id: string): Promise<boolean>;
  countHeld(queue: string): Promise<number>;
  claimSend(idempotencyKey: string, info: ClaimInfo): Promise<ClaimResult>;
  completeSend(idempotencyKey: string, result: SendResult): Promise<void>;
  /**
   * Gives up a claim after a failed attempt. `inDoubt: false` — the provider certainly did not
   * accept the message, so the key may be claimed again. `inDoubt: true` — it may have, so the key
   * stays blocked (`SEND_IN_DOUBT`) until someone checks. (Not in DESIGN §3's first draft: without it
   * a failed send would block its key forever or be re-sent blindly.)
   */
  releaseSend(idempotencyKey: string, outcome: { inDoubt: boolean; error: SmsErrorJson }): Promise<void>;
  applyReport(r: DeliveryReport): Promise<{ duplicate: boolean; status: NormalizedStatus }>;
  /** By provider message id or by idempotency key. */
  getMessage(idOrKey: string): Promise<MessageRecord | null>;
  close(): Promise<void>;
}

export type StoreConfig =
  | { kind: 'sqlite'; path: string }
  | { kind: 'postgres'; connectionString: string }
  | { kind: 'redis'; url: string };
