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
  /**
   * Providers that split a long text into messages with ids of their own (Vonage SMS API: one
   * `message-id` per part, and one delivery report per part) list them here, part 1 first, so
   * the store can fold each part's report into this message.
   */
  partMessageIds?: string[];
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
  // Webhook side (reference/sms-domain.md §3). Signatures are over req.rawBody and req.url.
  /**
   * Timing-safe. False for a missing, malformed, wrong or stale signature. Throws
   * MISSING_CREDENTIALS when the credentials lack what verifying needs (a config error, not an
   * attack: the node answers 500 so the provider retries once the user fixes it).
   */
  verifySignature(req: WebhookRequest, credentials: ProviderCredentials, opts?: VerifyOptions): boolean;
  /** Throws INVALID_INPUT for a body that is not this provider's inbound message. */
  parseInbound(req: WebhookRequest): InboundSms[];
  /** Throws INVALID_INPUT for a body that is not this provider's delivery report. */
  parseStatus(req: WebhookRequest): DeliveryReport[];
  /** What to answer the provider once the request is kept; `reply` is an auto-reply text (TwiML for Twilio). */
  webhookResponse(kind: 'inbound' | 'status', reply?: string): HttpReply;
  /** True when an auto-reply can travel in the HTTP answer (Twilio TwiML); otherwise it is sent through the API. */
  repliesInResponse?: boolean;
  /**
   * For providers whose one account-level URL receives both inbound messages and delivery events
   * (a Telnyx messaging profile, a Sinch service callback): which one this request is, or undefined
   * when it is neither. Throws INVALID_INPUT for a body that is not this provider's webhook at all.
   */
  webhookKind?(req: WebhookRequest): 'inbound' | 'status' | undefined;
}

export interface VerifyOptions {
  /** Epoch ms; for timestamped signatures (Telnyx 300 s, Vonage JWT iat, Sinch). Default Date.now(). */
  now?: number;
}

/**
 * A webhook request as core/webhook/request.ts `readWebhookRequest` builds it from the raw bytes:
 * - `method` upper-case; `headers` with lower-case names (repeated headers joined with `, `);
 * - `query` parsed from `url`, a null-prototype object (a repeated key gives an array);
 * - `body`: `application/json` (or `+json`) → the parsed JSON value; form-encoded → a
 *   null-prototype object like `query`; an empty body → an empty null-prototype object.
 */
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
  /**
   * The provider's ordering of reports for one message (Plivo `Sequence`): when two final
   * reports disagree, the higher sequence wins instead of the first to arrive.
   */
  sequence?: number;
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
  /**
   * Set by parseInbound on one part of a concatenated message the provider did not reassemble
   * (Vonage SMS API `concat-*`); the webhook handler collects the parts in the store and emits
   * one message once all are in.
   */
  concat?: { ref: string; part: number; total: number };
  /** On a reassembled message: how many parts it was received in. */
  parts?: number;
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
  /** ISO 3166-1 alpha-2 of the recipient's number, when it belongs to one country. */
  country?: string;
  createdAt: string;
  updatedAt: string;
}

/** Which messages a delivery summary counts (all conditions must hold). */
export interface DeliveryFilter {
  /** Exact client reference. */
  clientRef?: string;
  /** A campaign: every message whose client reference starts with this. */
  clientRefPrefix?: string;
  provider?: ProviderId;
  /** ISO-8601; messages created at or after. */
  since?: string;
  /** ISO-8601; messages created before. */
  until?: string;
}

/** One group of the message log: how many messages share this status, country and operator. */
export interface DeliveryCount {
  status: NormalizedStatus;
  country?: string;
  mccmnc?: string;
  count: number;
}

/** One part of a concatenated inbound message, as kept by the store until all parts are in. */
export interface InboundPart {
  provider: ProviderId;
  /** The sender as the provider gave it; with `ref` it names the concatenated message. */
  from: string;
  ref: string;
  /** 1-based. */
  part: number;
  total: number;
  message: InboundSms;
}

export interface ReportOutcome {
  /** The same report was applied before (a provider's retry). */
  duplicate: boolean;
  /** The message's merged status after the report. */
  status: NormalizedStatus;
  /**
   * The message's status just before the report, read in the same transaction (absent when the
   * log had no such message): "did this report settle the message?" without a race.
   */
  previousStatus?: NormalizedStatus;
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
  applyReport(r: DeliveryReport): Promise<ReportOutcome>;
  /**
   * applyReport for a whole webhook request, in ONE transaction: all kept or none, so a request
   * answered 503 leaves nothing behind that would make its retry look like a duplicate.
   * `status` is the message's merged status after the report.
   */
  applyReports(rs: DeliveryReport[]): Promise<ReportOutcome[]>;
  /**
   * Marks inbound messages as received, in ONE transaction; per message, true when
   * (provider, messageId) was received before (a provider's retry). Kept at least 7 days.
   */
  recordInbound(ms: InboundSms[]): Promise<boolean[]>;
  /**
   * Keeps one part of a concatenated inbound message. Once every part 1..total is in, returns all
   * of them ordered by part — again on every later call for that message (a repeated part, a
   * retried request), so a reply that failed after collecting can be retried. Otherwise null.
   * A repeated part is not stored twice. Parts are kept at least 24 h.
   */
  collectInboundPart(p: InboundPart): Promise<InboundSms[] | null>;
  /** The message log grouped by status, recipient country and operator, for the filter. */
  deliveryCounts(filter: DeliveryFilter): Promise<DeliveryCount[]>;
  /** By provider message id or by idempotency key. */
  getMessage(idOrKey: string): Promise<MessageRecord | null>;
  close(): Promise<void>;
}

export type StoreConfig =
  | { kind: 'sqlite'; path: string }
  | { kind: 'postgres'; connectionString: string }
  | { kind: 'redis'; url: string };
