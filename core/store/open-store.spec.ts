import path from 'node:path';
import { rejected } from '../../test/support/sms-error';
import { useTempDir } from '../../test/support/temp-store';
import type { StoreConfig } from '../types';
import { checkStoreConfig, openStore } from './index';

describe('openStore', () => {
  const tmp = useTempDir('a2p-open-store-');

  it('opens a working sqlite store', async () => {
    const store = await openStore({ kind: 'sqlite', path: path.join(tmp.path, 'a.sqlite') });
    expect(await store.claimSend('k', { provider: 'sandbox', to: '+14155550100' })).toEqual({ claimed: true });
    await store.close();
  });

  it('refuses postgres and redis with a coded error that does not echo the credentials', async () => {
    const pg = await rejected(openStore({ kind: 'postgres', connectionString: 'postgres://app:s3cr3t@db:5432/sms' }));
    expect(pg.code).toBe('INVALID_INPUT');
    expect(pg.message).toMatch(/postgres store is not available in this version/);
    expect(pg.message).not.toContain('s3cr3t');
    const redis = await rejected(openStore({ kind: 'redis', url: 'redis://:hunter2@cache:6379' }));
    expect(redis.code).toBe('INVALID_INPUT');
    expect(redis.message).toMatch(/redis store is not available/);
    expect(redis.message).not.toContain('hunter2');
  });

  it('rejects malformed configurations with INVALID_INPUT', async () => {
    const bad: unknown[] = [
      undefined,
      null,
      'sqlite',
      [],
      {},
      { kind: 'mysql', path: 'x' },
      { kind: 'SQLITE', path: 'x' },
      { kind: 'sqlite' },
      { kind: 'sqlite', path: '' },
      { kind: 'sqlite', path: '  ' },
      { kind: 'sqlite', path: 5 },
      { kind: 'sqlite', path: 'a\u0000b' },
      { kind: 'postgres' },
      { kind: 'postgres', connectionString: '' },
      { kind: 'redis', url: 42 },
    ];
    for (const config of bad) {
      expect([config, (await rejected(openStore(config as StoreConfig))).code]).toEqual([config, 'INVALID_INPUT']);
    }
  });

  it('names one database by one key however its path is written', () => {
    const abs = path.join(tmp.path, 'same.sqlite');
    const rel = path.relative(process.cwd(), abs);
    expect(checkStoreConfig({ kind: 'sqlite', path: rel }).key).toBe(checkStoreConfig({ kind: 'sqlite', path: abs }).key);
    expect(checkStoreConfig({ kind: 'sqlite', path: `${tmp.path}/./x/../same.sqlite` }).config).toEqual({
      kind: 'sqlite',
      path: abs,
    });
  });
});
