/** The dispatcher's public names: what the Send SMS nodes of both engines and core/index.ts use. */
export { sendBatch, MAX_BATCH_SIZE } from './send-batch';
export { deriveIdempotencyKey, type IdempotencyKeyParts } from './idempotency-key';
export { DEFAULTS as DISPATCH_DEFAULTS } from './resolve-options';
export type { DispatchOptions, SendOutcome, SendRequest } from './types';
