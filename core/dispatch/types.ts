/**
 * The contract between the Send SMS nodes (both engines) and the dispatcher. A node turns its
 * parameters and input items into `SendRequest`s and `DispatchOptions`, calls `sendBatch`, and
 * maps each `SendOutcome` back onto its item, in input order.
 */
import type { SmsError } from '../errors';
import type {
  HttpFunction,
  ProviderCredentials,
  ProviderId,
  SendResult,
  SmsProvider,
  Store,
  TextAnalysis,
} from '../types';

export interface SendRequest {
  /** Any format normalizePhone accepts; normalised to E.164 before anything else. */
  to: string;
  /** Final text (already rendered when the node is in template mode). */
  text: string;
  from?: string;
  clientRef?: string;
  /** ISO-8601. */
  sendAt?: string;
  validitySeconds?: number;
  statusCallbackUrl?: string;
  /** Explicit key; otherwise derived from provider + recipient + text + scope. */
  idempotencyKey?: string;
}

export interface DispatchOptions {
  provider: ProviderId | SmsProvider;
  credentials: ProviderCredentials;
  /** Default: core/http-client's keep-alive client. */
  http?: HttpFunction;
  /** Without a store there is no idempotency across runs (dry runs, quick scripts). */
  store?: Store;
  defaultCountry?: string;
  /** Replace curly quotes, dashes, NBSP, ... with GSM-7 look-alikes. Default true. */
  smartEncoding?: boolean;
  /** Over this many segments an item fails with SEGMENT_LIMIT. Default 10. */
  maxSegments?: number;
  /** Items in flight at once. Default 10. */
  concurrency?: number;
  /** Messages per second for this credential, shared by every batch in the process. Optional. */
  ratePerSecond?: number;
  /** Retries of retryable errors per item. Default 3. */
  retries?: number;
  /** Base delay of the exponential backoff. Default 500 ms. */
  retryBaseMs?: number;
  /** Mixed into derived idempotency keys, e.g. a campaign name. Default ''. */
  idempotencyScope?: string;
  /**
   * A sent record older than this (or an in-doubt one whose attempt is older) no longer blocks the
   * same key. Default 24 h.
   */
  idempotencyWindowMs?: number;
  /**
   * Check the consent ledger before each send (needs `store`): an opted-out recipient fails with
   * OPTED_OUT, one without an opt-in when `requireOptIn` is set with NO_CONSENT; nothing is sent
   * or claimed for them. A STOP (topic `*`) blocks every topic.
   */
  consent?: { topic: string; requireOptIn?: boolean };
  /** Analyse and validate, send nothing, claim nothing. */
  dryRun?: boolean;
  /** Per-request timeout. Default 30 s. */
  timeoutMs?: number;
  /**
   * Aborting stops the batch from starting further items: those fail unclaimed with a retryable
   * error, while requests already on the wire finish (a Node-RED redeploy, an n8n cancel).
   */
  signal?: AbortSignal;
  /** Called after each item settles. */
  onProgress?: (progress: { done: number; total: number; sent: number; failed: number }) => void;
  /** Injected clocks for tests and for engines that forbid timers in node code. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
}

export type SendOutcome =
  | { index: number; ok: true; result: SendResult; analysis: TextAnalysis; dryRun?: boolean }
  | { index: number; ok: false; error: SmsError; analysis?: TextAnalysis };
