/**
 * "How did campaign X do?": the message log's counts by final status, recipient country and
 * operator (issue 4). A campaign is a client-reference prefix.
 */
import type { DeliveryCount, DeliveryFilter, NormalizedStatus, Store } from '../types';
import { isFinal } from './status';

export interface DeliveryGroup {
  /** ISO country code, MCC+MNC, or `unknown`. */
  key: string;
  total: number;
  delivered: number;
  /** delivered / messages in a final status; null while none is final. */
  deliveryRate: number | null;
  byStatus: Partial<Record<NormalizedStatus, number>>;
}

export interface DeliverySummary {
  filter: DeliveryFilter;
  total: number;
  /** Messages in a final status. */
  final: number;
  /** Messages still waiting for a final report. */
  pending: number;
  delivered: number;
  deliveryRate: number | null;
  byStatus: Partial<Record<NormalizedStatus, number>>;
  /** Largest first. */
  byCountry: DeliveryGroup[];
  byOperator: DeliveryGroup[];
}

/** Throws INVALID_INPUT for a bad filter (the store validates it), STORE_ERROR when the store fails. */
export async function summarizeDelivery(store: Store, filter: DeliveryFilter): Promise<DeliverySummary> {
  const rows = await store.deliveryCounts(filter);
  const all = group('all', rows);
  return {
    filter,
    total: all.total,
    final: all.final,
    pending: all.total - all.final,
    delivered: all.delivered,
    deliveryRate: all.deliveryRate,
    byStatus: all.byStatus,
    byCountry: groups(rows, (r) => r.country),
    byOperator: groups(rows, (r) => r.mccmnc),
  };
}

function groups(rows: DeliveryCount[], keyOf: (r: DeliveryCount) => string | undefined): DeliveryGroup[] {
  const by = new Map<string, DeliveryCount[]>();
  for (const r of rows) {
    const k = keyOf(r) ?? 'unknown';
    by.set(k, [...(by.get(k) ?? []), r]);
  }
  return [...by]
    .map(([k, rs]) => {
      const { final: _final, ...g } = group(k, rs);
      return g;
    })
    .sort((a, b) => b.total - a.total || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function group(key: string, rows: DeliveryCount[]): DeliveryGroup & { final: number } {
  const byStatus: Partial<Record<NormalizedStatus, number>> = {};
  let total = 0;
  let final = 0;
  for (const r of rows) {
    byStatus[r.status] = (byStatus[r.status] ?? 0) + r.count;
    total += r.count;
    if (isFinal(r.status)) final += r.count;
  }
  const delivered = byStatus.delivered ?? 0;
  return { key, total, delivered, deliveryRate: final === 0 ? null : delivered / final, byStatus, final };
}
