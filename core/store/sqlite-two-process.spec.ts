/**
 * Two OS processes on one store file: the case of n8n main + worker, or two Node-RED instances,
 * on one machine. Each child claims the same 500 keys and records a consent event per key; in the
 * second test each applies the same delivery reports.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { useTempDir } from '../../test/support/temp-store';
import { openSqliteStore } from './sqlite';

const KEYS = 500;
const WORKER = path.join(__dirname, 'testing', 'two-process-worker.js');
const REPORTS_WORKER = path.join(__dirname, 'testing', 'reports-worker.js');
const MESSAGES = 100;

interface WorkerReport {
  worker: string;
  claimed: string[];
  events: number;
}

interface ReportsWorkerReport {
  worker: string;
  /** `messageId|providerStatus|errorCode` of each report this process stored first. */
  fresh: string[];
  distinct: number;
}

interface Worker<R> {
  child: ChildProcessWithoutNullStreams;
  ready: Promise<void>;
  done: Promise<R>;
}

function startWorker<R = WorkerReport>(args: string[], name: string): Worker<R> {
  const child = spawn(process.execPath, args, { stdio: 'pipe' });
  let out = '';
  let err = '';
  let signalReady: () => void;
  const ready = new Promise<void>((resolve) => (signalReady = resolve));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    if (out.startsWith('ready\n')) signalReady();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const done = new Promise<R>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`worker ${name} exited with ${code}: ${err}`));
      const last = out.trim().split('\n').pop() ?? '';
      resolve(JSON.parse(last) as R);
    });
  });
  // A worker that dies before "ready" must fail the test, not hang it.
  done.catch(() => signalReady());
  return { child, ready, done };
}

describe('two processes sharing one sqlite store', () => {
  const children: ChildProcessWithoutNullStreams[] = [];
  // Declared first so that it runs first: the children go before their folder does.
  afterAll(() => {
    for (const child of children) if (child.exitCode === null) child.kill();
  });
  const tmp = useTempDir('a2p-store-2proc-');

  it('claims every key exactly once across both and loses no consent event', async () => {
    const file = path.join(tmp.path, 'shared.sqlite');
    const a = startWorker([WORKER, file, 'a', String(KEYS)], 'a');
    const b = startWorker([WORKER, file, 'b', String(KEYS)], 'b');
    children.push(a.child, b.child);
    await Promise.all([a.ready, b.ready]);
    a.child.stdin.end('go\n');
    b.child.stdin.end('go\n');
    const [ra, rb] = await Promise.all([a.done, b.done]);

    const all = [...ra.claimed, ...rb.claimed];
    expect(all).toHaveLength(KEYS);
    expect(new Set(all).size).toBe(KEYS);
    expect(ra.events + rb.events).toBe(2 * KEYS);

    const store = await openSqliteStore(file);
    try {
      for (let i = 0; i < KEYS; i++) {
        const phone = `+1415555${String(i).padStart(4, '0')}`;
        const history = await store.consentHistory(phone);
        expect(history).toHaveLength(2);
        expect(history.map((h) => h.evidence.worker).sort()).toEqual(['a', 'b']);
        const message = await store.getMessage(`key-${i}`);
        expect(message?.state).toBe('sent');
        const owner = ra.claimed.includes(`key-${i}`) ? 'a' : 'b';
        expect(message?.messageId).toBe(`${owner}-${i}`);
      }
    } finally {
      await store.close();
    }
  });

  it('stores each of the same delivery reports once across both, and settles every message by sequence', async () => {
    const file = path.join(tmp.path, 'reports.sqlite');
    const a = startWorker<ReportsWorkerReport>([REPORTS_WORKER, file, 'a', String(MESSAGES), '3'], 'a');
    const b = startWorker<ReportsWorkerReport>([REPORTS_WORKER, file, 'b', String(MESSAGES), '5'], 'b');
    children.push(a.child, b.child);
    await Promise.all([a.ready, b.ready]);
    a.child.stdin.end('go\n');
    b.child.stdin.end('go\n');
    const [ra, rb] = await Promise.all([a.done, b.done]);

    const fresh = [...ra.fresh, ...rb.fresh];
    expect(new Set(fresh).size).toBe(fresh.length);
    expect(fresh).toHaveLength(ra.distinct);
    const store = await openSqliteStore(file);
    try {
      for (let m = 0; m < MESSAGES; m++) {
        const final = m % 3 === 2 ? 'failed' : 'delivered';
        expect([m, await store.getMessage(`MSG-${m}`)]).toEqual([m, expect.objectContaining({ status: final, final: true })]);
      }
    } finally {
      await store.close();
    }
  });
});
