/**
 * The store the n8n nodes use: which SQLite file, and one lease on it per process.
 *
 * Unless the user names a file, it is `a2p-kit.sqlite` in n8n's own folder, shared by every node
 * of the package and every workflow, and kept with n8n's other state (DESIGN.md §3). The lease is
 * taken once per file and never released: the file stays open for the life of the n8n process
 * instead of being opened and checked again by every execution (core/store/shared-store.ts).
 */
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { env } from 'node:process';
import { sharedStore, type StoreLease } from '../../core/store';
import type { Store } from '../../core/types';

export const STORE_FILE_NAME = 'a2p-kit.sqlite';

type Environment = Record<string, string | undefined>;

/**
 * n8n's folder: `$N8N_USER_FOLDER/.n8n`, else `~/.n8n` — the rule n8n itself follows
 * (@n8n/config `getN8nFolder`), so the store lands beside n8n's database and config file.
 */
export function n8nFolder(environment: Environment = env, home: () => string = homedir): string {
  const userFolder = environment.N8N_USER_FOLDER;
  return resolve(userFolder !== undefined && userFolder !== '' ? userFolder : home(), '.n8n');
}

/**
 * The node's "Store Path" option → the file. Empty: the default file in n8n's folder. `~/…`,
 * absolute paths and `:memory:` are taken as written; another relative path counts from n8n's
 * folder, not from whatever directory n8n was started in.
 */
export function storePath(option: string, environment?: Environment, home?: () => string): string {
  const path = option.trim();
  if (path === '') return join(n8nFolder(environment, home), STORE_FILE_NAME);
  if (path === ':memory:' || path === '~' || path.startsWith('~/') || isAbsolute(path)) return path;
  return resolve(n8nFolder(environment, home), path);
}

const leases = new Map<string, StoreLease>();

/** The shared store for a file; rejects with STORE_ERROR / INVALID_INPUT when it cannot be opened. */
export function n8nStore(path: string): Promise<Store> {
  let lease = leases.get(path);
  if (lease === undefined) {
    lease = sharedStore({ kind: 'sqlite', path });
    leases.set(path, lease);
  }
  return lease.store;
}
