/**
 * What a webhook request left in a SQLite store, read behind the store's back, and a store whose
 * writes fail: the pipeline's "refused means nothing kept" and "503 then retry" tests use both.
 */
import { DatabaseSync } from 'node:sqlite';
import { SmsError } from '../../core/errors';
import type { Store } from '../../core/types';

const TABLES = ['consent_events', 'inbound_messages', 'inbound_parts', 'messages', 'delivery_reports'] as const;

export type StoreRows = Record<(typeof TABLES)[number], number>;

/** Row counts of the ledger, the inbound tables and the message log of the SQLite file at `file`. */
export function storeRows(file: string): StoreRows {
  const db = new DatabaseSync(file);
  try {
    const out = {} as StoreRows;
    for (const t of TABLES) out[t] = (db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n;
    return out;
  } finally {
    db.close();
  }
}

/** `store` with `method` failing as a full disk or a locked file would: STORE_ERROR, nothing written. */
export function failing(store: Store, method: 'recordInbound' | 'applyReports' | 'recordConsent' | 'collectInboundPart'): Store {
  const broken = Object.create(store) as Store;
  Object.defineProperty(broken, method, { value: () => Promise.reject(new SmsError('STORE_ERROR', 'sqlite: disk I/O error')) });
  return broken;
}
