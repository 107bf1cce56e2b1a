/**
 * The normalised delivery status model (DESIGN §3, sms-domain.md §2.2–2.3) and the one rule every
 * store applies when reports arrive late, out of order or twice:
 *
 *   rank: scheduled (0) < queued (1) < sent (2) < final (3)
 *   final: delivered, undelivered, expired, failed, canceled, unknown
 *
 * `mergeStatus(current, incoming)`:
 * - no current status → the incoming one;
 * - a final status is never left: once final, every later report is ignored;
 * - between two finals the first one to arrive stays (a late `delivered` does not overwrite a
 *   `failed` already reported, nor the reverse). Providers that send an intermediate "delivered"
 *   (Infobip DELIVERED_TO_OPERATOR) map it to `sent`, so the first final is the handset-level one;
 * - otherwise the higher rank wins, so a `queued` arriving after `sent` changes nothing.
 */
import { SmsError } from '../errors';
import type { NormalizedStatus } from '../types';

export const NORMALIZED_STATUSES: readonly NormalizedStatus[] = Object.freeze([
  'scheduled',
  'queued',
  'sent',
  'delivered',
  'undelivered',
  'expired',
  'failed',
  'canceled',
  'unknown',
] as const);

export const FINAL_STATUSES: readonly NormalizedStatus[] = Object.freeze([
  'delivered',
  'undelivered',
  'expired',
  'failed',
  'canceled',
  'unknown',
] as const);

const RANK: Readonly<Record<NormalizedStatus, number>> = Object.freeze({
  scheduled: 0,
  queued: 1,
  sent: 2,
  delivered: 3,
  undelivered: 3,
  expired: 3,
  failed: 3,
  canceled: 3,
  unknown: 3,
});

export function isNormalizedStatus(value: unknown): value is NormalizedStatus {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(RANK, value);
}

function checked(status: unknown, what: string): NormalizedStatus {
  if (!isNormalizedStatus(status)) {
    throw new SmsError(
      'INVALID_INPUT',
      `${what} must be one of ${NORMALIZED_STATUSES.join(', ')}; got ${describe(status)}`,
    );
  }
  return status;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return value === null ? 'null' : typeof value;
}

/** 0 scheduled, 1 queued, 2 sent, 3 any final status. Throws INVALID_INPUT for anything else. */
export function statusRank(status: NormalizedStatus): number {
  return RANK[checked(status, 'status')];
}

export function isFinal(status: NormalizedStatus): boolean {
  return statusRank(status) === RANK.delivered;
}

/** The status to keep when `incoming` is reported for a message currently at `current`. */
export function mergeStatus(current: NormalizedStatus | undefined, incoming: NormalizedStatus): NormalizedStatus {
  const next = checked(incoming, 'incoming status');
  if (current === undefined) return next;
  const now = checked(current, 'current status');
  if (RANK[now] === RANK.delivered) return now;
  return RANK[next] > RANK[now] ? next : now;
}

/**
 * The message-level status implied by per-part reports (Vonage sends one report per concatenated
 * part). `parts` maps a 1-based part number to that part's merged status; `totalParts` is the
 * number of segments the message was sent in, when known.
 *
 * - Any part in a final state other than `delivered` makes the message that failure (the lowest
 *   such part number, so the answer depends only on the set of parts, not on arrival order).
 * - `delivered` only when the total is known and every part from 1 to max(total, highest part
 *   seen) is delivered. With the total unknown (a message not sent through this store) the
 *   message never becomes `delivered` from parts alone: claiming delivery of a message some of
 *   whose parts were never reported would be a final state that could not be corrected.
 * - Otherwise the furthest non-final progress of any part, at most `sent`.
 *
 * The caller merges the answer into the message's current status with `mergeStatus`, so the
 * message still only moves forward.
 */
export function derivePartsStatus(
  parts: ReadonlyMap<number, NormalizedStatus>,
  totalParts?: number,
): NormalizedStatus | undefined {
  if (parts.size === 0) return undefined;
  const numbers = [...parts.keys()].sort((a, b) => a - b);
  for (const n of numbers) {
    const s = checked(parts.get(n), `status of part ${n}`);
    if (RANK[s] === RANK.delivered && s !== 'delivered') return s;
  }
  const highest = numbers[numbers.length - 1] as number;
  if (totalParts !== undefined && Number.isInteger(totalParts) && totalParts > 0) {
    const needed = Math.max(totalParts, highest);
    let all = true;
    for (let n = 1; n <= needed && all; n++) all = parts.get(n) === 'delivered';
    if (all) return 'delivered';
  }
  let best: NormalizedStatus = 'scheduled';
  for (const s of parts.values()) {
    const progress: NormalizedStatus = s === 'delivered' ? 'sent' : s;
    if (RANK[progress] > RANK[best]) best = progress;
  }
  return best;
}
