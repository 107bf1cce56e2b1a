/**
 * How a finished send looks from outside the node: the status under it, and the one error that
 * Catch nodes receive for a message (for a bulk, a summary of the whole batch).
 */
import { SmsError, type SmsErrorCode } from '../core/errors';
import type { SendResult } from '../core/types';
import type { NodeStatus } from './node-red-api';

export type ItemOutcome =
  | { index: number; input: unknown; ok: true; result: SendResult; dryRun?: boolean }
  | { index: number; input: unknown; ok: false; error: SmsError };

export interface Tally {
  total: number;
  /** Accepted by the provider in this run. */
  sent: number;
  /** Answered from the message log: sent by an earlier run, not sent again. */
  duplicate: number;
  /** Checked and accepted by a dry run; nothing was sent. */
  checked: number;
  failed: number;
  /** Failure codes, most frequent first (ties: the one met first). */
  codes: [SmsErrorCode, number][];
}

export function tally(outcomes: ItemOutcome[]): Tally {
  const t = { total: outcomes.length, sent: 0, duplicate: 0, checked: 0, failed: 0 };
  const codes = new Map<SmsErrorCode, number>();
  for (const o of outcomes) {
    if (!o.ok) {
      t.failed++;
      codes.set(o.error.code, (codes.get(o.error.code) ?? 0) + 1);
    } else if (o.dryRun) t.checked++;
    else if (o.result.duplicate) t.duplicate++;
    else t.sent++;
  }
  // Map keeps insertion order and sort is stable, so equal counts stay in order of appearance.
  return { ...t, codes: [...codes].sort((a, b) => b[1] - a[1]) };
}

export function progressStatus(p: { done: number; total: number; sent: number; failed: number }): NodeStatus {
  const text = `sent ${p.sent}/${p.total}` + (p.failed ? `, ${p.failed} failed` : '');
  return { fill: 'blue', shape: 'ring', text };
}

function counts(t: Tally): string {
  const parts = t.checked ? [`dry run ok ${t.checked}`] : [`sent ${t.sent}`];
  if (t.duplicate) parts.push(`dup ${t.duplicate}`);
  if (t.failed) parts.push(`failed ${t.failed}`);
  return parts.join(', ');
}

function breakdown(t: Tally): string {
  return t.codes.map(([c, n]) => `${c} ${n}`).join(', ');
}

export function finalStatus(t: Tally): NodeStatus {
  const text = counts(t);
  if (t.failed === 0) return { fill: 'green', shape: 'dot', text };
  if (t.failed === t.total) {
    // One message failing says why; a whole bulk failing names its commonest reason.
    const reason = t.codes[0]?.[0];
    return { fill: 'red', shape: 'ring', text: t.total === 1 && reason ? `failed: ${reason}` : `${text} (${reason})` };
  }
  return { fill: 'yellow', shape: 'dot', text };
}

/**
 * The error handed to `done()`. A fresh SmsError without `cause`: Node-RED copies an error's
 * `cause` into the Catch message, and a cause may hold the request that carried the credentials.
 */
export function catchError(t: Tally, failures: SmsError[], bulk: boolean): SmsError {
  const first = failures[0];
  if (!bulk && first) {
    const { code, message, ...details } = first.toJSON();
    return new SmsError(code, message, details);
  }
  const [code] = t.codes[0] ?? ['PROVIDER_ERROR'];
  return new SmsError(code, `${t.failed} of ${t.total} SMS failed (${breakdown(t)})`);
}

/** The log line for a message whose outcome a stopped node can no longer send on. */
export function stoppedSummary(t: Tally): string {
  return `${t.total} SMS: ${counts(t)}` + (t.failed ? ` (${breakdown(t)})` : '');
}
