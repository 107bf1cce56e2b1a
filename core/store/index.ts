/**
 * The Store: consent ledger, message log and delivery reports in one backend (DESIGN §3).
 * `openStore` opens one for the caller to own; `sharedStore` leases the process-wide one that
 * nodes use (see shared-store.ts for its release story).
 */
export { checkStoreConfig, openStore } from './open-store';
export { StoreRegistry, sharedStore, type StoreLease } from './shared-store';
export { DEFAULT_BUSY_TIMEOUT_MS, openSqliteStore, resolveSqlitePath, type SqliteStoreOptions } from './sqlite';
export { DEFAULT_LEASE_MS } from './validate';
