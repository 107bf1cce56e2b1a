/**
 * The store the n8n nodes use: which SQLite file, and how long it stays open.
 *
 * Unless the user names a file, it is `a2p-kit.sqlite` in n8n's own folder, shared by every node
 * of the package and every workflow, and kept with n8n's other state (DESIGN.md §3).
 *
 * Each execution takes a lease of its own and releases it when it ends. Between executions the
 * default file stays open for the life of the n8n process, and so do the few other files used
 * most recently: a fixed custom path is not reopened and checked by every execution, while a
 * Store Path expression that names a new file per execution cannot pile up open files.
 */
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { env } from 'node:process';
import { sharedStore, type StoreLease } from '../../core/store';

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

/** Besides the default file: how many other files stay open between executions. */
export const RECENT_STORES = 4;

interface Kept {
  lease: StoreLease;
  pinned: boolean;
}

/**
 * Leases for executions, plus a keep-open lease per file that outlives them: pinned ones for the
 * life of the process, the others for as long as they are among the `recent` most recently used.
 * Dropping a keep-open lease never closes a file under a running execution, which holds its own.
 */
export class ExecutionStores {
  // A Map iterates in insertion order: re-inserting on use keeps the least recent first.
  private readonly kept = new Map<string, Kept>();

  constructor(
    private readonly take: (path: string) => StoreLease,
    private readonly recent: number = RECENT_STORES,
  ) {}

  /** A lease for one execution; release it when the execution ends. */
  lease(path: string, opts: { pinned: boolean }): StoreLease {
    const kept = this.kept.get(path);
    if (kept === undefined) {
      this.kept.set(path, { lease: this.take(path), pinned: opts.pinned });
      this.forgetBeyondRecent();
    } else if (!kept.pinned) {
      this.kept.delete(path);
      this.kept.set(path, kept);
    }
    return this.take(path);
  }

  /** Files held open between executions (for diagnostics and tests). */
  get keptOpen(): string[] {
    return [...this.kept.keys()];
  }

  private forgetBeyondRecent(): void {
    const unpinned = [...this.kept].filter(([, k]) => !k.pinned);
    for (const [path, { lease }] of unpinned.slice(0, Math.max(0, unpinned.length - this.recent))) {
      this.kept.delete(path);
      // Closing a file nobody uses any more: a failure there leaves nothing for a user to act on.
      void lease.release().catch(() => undefined);
    }
  }
}

const executionStores = new ExecutionStores((path) => sharedStore({ kind: 'sqlite', path }));

/**
 * A lease on the store at `path` for one execution; release it when the execution ends. Its
 * `store` rejects with STORE_ERROR / INVALID_INPUT when the file cannot be opened.
 */
export function n8nStore(path: string): StoreLease {
  return executionStores.lease(path, { pinned: path === storePath('') });
}
