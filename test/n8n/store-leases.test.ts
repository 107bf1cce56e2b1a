/**
 * How long the n8n nodes keep store files open: the default file for the life of the process, a
 * few recently used others between executions, and nothing more — a Store Path expression that
 * names a new file per execution must not pile up open files.
 */
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoreLease } from '../../core/store';
import type { Store } from '../../core/types';
import { ExecutionStores, RECENT_STORES, storePath } from '../../nodes/shared/store';
import { sendSms } from './fixtures';

/** A lease factory that counts the leases not yet released, per path. */
function countingLeases() {
  const live = new Map<string, number>();
  const take = (path: string): StoreLease => {
    live.set(path, (live.get(path) ?? 0) + 1);
    let released = false;
    return {
      store: Promise.resolve({} as Store),
      release: async () => {
        if (released) return;
        released = true;
        live.set(path, live.get(path)! - 1);
      },
    };
  };
  const open = () => [...live].filter(([, n]) => n > 0).map(([path]) => path);
  return { take, live, open };
}

describe('ExecutionStores', () => {
  it('keeps the default file and the few most recent others, however many files executions name', async () => {
    const leases = countingLeases();
    const stores = new ExecutionStores(leases.take, 3);
    await runExecution(stores, '/n8n/a2p-kit.sqlite', true);
    for (let i = 0; i < 500; i++) await runExecution(stores, `/tmp/per-execution-${i}.sqlite`, false);
    await settle();
    expect(leases.open().sort()).toEqual(['/n8n/a2p-kit.sqlite', '/tmp/per-execution-497.sqlite', '/tmp/per-execution-498.sqlite', '/tmp/per-execution-499.sqlite'].sort());
    expect(stores.keptOpen).toHaveLength(4);
  });

  it('keeps a file in use among the recent ones instead of reopening it', async () => {
    const leases = countingLeases();
    const stores = new ExecutionStores(leases.take, 2);
    await runExecution(stores, '/fixed.sqlite', false);
    for (let i = 0; i < 20; i++) {
      await runExecution(stores, `/other-${i}.sqlite`, false);
      await runExecution(stores, '/fixed.sqlite', false);
    }
    await settle();
    expect(leases.open()).toContain('/fixed.sqlite');
    expect(leases.open()).toHaveLength(2);
  });

  it('never closes a file under an execution still using it', async () => {
    const leases = countingLeases();
    const stores = new ExecutionStores(leases.take, 1);
    const running = stores.lease('/long-bulk.sqlite', { pinned: false });
    await stores.lease('/a.sqlite', { pinned: false }).release();
    await stores.lease('/b.sqlite', { pinned: false }).release();
    await settle();
    // Its keep-open lease is gone, the execution's own is not.
    expect(stores.keptOpen).not.toContain('/long-bulk.sqlite');
    expect(leases.live.get('/long-bulk.sqlite')).toBe(1);
    await running.release();
    expect(leases.live.get('/long-bulk.sqlite')).toBe(0);
  });

  it('stays bounded with hostile paths: huge, odd characters, the same file spelled many ways', async () => {
    const leases = countingLeases();
    const stores = new ExecutionStores(leases.take, 2);
    const paths = ['x'.repeat(1 << 20), 'a\u0000b', '', ':memory:', ...Array.from({ length: 100 }, (_, i) => `/data/${'./'.repeat(i)}s.sqlite`)];
    for (const path of paths) await runExecution(stores, path, false);
    await settle();
    expect(leases.open()).toHaveLength(2);
  });

  /** One execution's use of the store: lease, use, release. */
  async function runExecution(stores: ExecutionStores, path: string, pinned: boolean): Promise<void> {
    const lease = stores.lease(path, { pinned });
    await lease.store;
    await lease.release();
  }
});

/** Eviction releases keep-open leases without waiting; let those releases run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

describe('Send SMS store files', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'a2p-n8n-leases-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The SQLite files this process holds a descriptor of (the database, its -wal and -shm). */
  function openFiles(under: string): string[] {
    const files = new Set<string>();
    for (const fd of readdirSync('/proc/self/fd')) {
      let target: string;
      try {
        target = readlinkSync(join('/proc/self/fd', fd));
      } catch {
        continue; // closed since the listing
      }
      if (target.startsWith(under)) files.add(target.replace(/-(wal|shm|journal)$/, ''));
    }
    return [...files];
  }

  const send = (storePathOption?: string) =>
    sendSms(
      { provider: 'sandbox', to: '+14155550123', text: '=Run {{ $json.n }}', options: storePathOption === undefined ? {} : { storePath: storePathOption } },
      [{ n: 1 }],
    );

  it('an expression naming a new file per execution leaves at most a few of them open', async () => {
    const defaultFile = storePath('');
    const first = await send();
    expect(first.error).toBeUndefined();
    for (let i = 0; i < 3 * RECENT_STORES; i++) {
      const run = await send(join(dir, `execution-${i}.sqlite`));
      expect(run.error).toBeUndefined();
      expect(run.outputs[0]![0]!.json).toMatchObject({ provider: 'sandbox' });
    }
    await settle();
    const open = openFiles(dir);
    expect(open.sort()).toEqual(
      Array.from({ length: RECENT_STORES }, (_, k) => join(dir, `execution-${3 * RECENT_STORES - RECENT_STORES + k}.sqlite`)).sort(),
    );
    // The default file is never among those let go.
    expect(openFiles(defaultFile)).toEqual([defaultFile]);
  });

  it('a file let go is opened again by the next execution that names it, with its message log intact', async () => {
    const file = join(dir, 'again.sqlite');
    const first = await send(file);
    for (let i = 0; i < RECENT_STORES + 1; i++) await send(join(dir, `push-out-${i}.sqlite`));
    await settle();
    expect(openFiles(file)).toEqual([]);
    const second = await send(file);
    expect(second.outputs[0]![0]!.json).toMatchObject({ duplicate: true, messageId: first.outputs[0]![0]!.json.messageId });
  });
});
