/**
 * `openStore(config)`: checks a StoreConfig and opens the backend it names (DESIGN §3).
 */
import { SmsError } from '../errors';
import type { Store, StoreConfig } from '../types';
import { openSqliteStore, resolveSqlitePath } from './sqlite';

const KINDS = ['sqlite', 'postgres', 'redis'] as const;

/**
 * The checked config, and the key that names its database within this process (the resolved
 * file for sqlite). The key may hold a connection string: it is used as a map key only, never
 * shown.
 */
export function checkStoreConfig(config: unknown): { config: StoreConfig; key: string } {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new SmsError('INVALID_INPUT', 'the store configuration must be an object such as { kind: "sqlite", path }');
  }
  const c = config as Record<string, unknown>;
  if (typeof c.kind !== 'string' || !(KINDS as readonly string[]).includes(c.kind)) {
    throw new SmsError('INVALID_INPUT', `the store kind must be one of ${KINDS.join(', ')}`);
  }
  switch (c.kind) {
    case 'sqlite': {
      const path = resolveSqlitePath(c.path);
      return { config: { kind: 'sqlite', path }, key: `sqlite:${path}` };
    }
    case 'postgres':
      if (typeof c.connectionString !== 'string' || c.connectionString.trim() === '') {
        throw new SmsError('INVALID_INPUT', 'the postgres store needs a connection string');
      }
      return { config: { kind: 'postgres', connectionString: c.connectionString }, key: `postgres:${c.connectionString}` };
    default:
      if (typeof c.url !== 'string' || c.url.trim() === '') {
        throw new SmsError('INVALID_INPUT', 'the redis store needs a URL');
      }
      return { config: { kind: 'redis', url: c.url }, key: `redis:${c.url}` };
  }
}

/** Opens the configured store. Rejects with INVALID_INPUT (bad config) or STORE_ERROR (cannot open). */
export async function openStore(config: StoreConfig): Promise<Store> {
  const checked = checkStoreConfig(config).config;
  switch (checked.kind) {
    case 'sqlite':
      return openSqliteStore(checked.path);
    case 'postgres':
    case 'redis':
      // Named in DESIGN §3 and accepted by the config check so flows can be prepared for them,
      // but this version ships only the embedded store. The connection details are not echoed.
      throw new SmsError(
        'INVALID_INPUT',
        `the ${checked.kind} store is not available in this version of A2P Kit; use { kind: 'sqlite', path } ` +
          '(one file, safe for several processes on one machine)',
      );
  }
}
