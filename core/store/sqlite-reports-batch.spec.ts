import { DatabaseSync } from 'node:sqlite';
import { rejected, rejectedCode } from '../../test/support/sms-error';
import { useTempStore } from '../../test/support/temp-store';
import { FINAL_STATUSES } from '../delivery/status';
import type { DeliveryReport, NormalizedStatus } from '../types';
import { openSqliteStore } from './sqlite';

const TO = '+14155550100';

function report(messageId: string, status: NormalizedStatus, extra: Partial<DeliveryReport> = {}): DeliveryReport {
  return {
    provider: 'plivo',
    messageId,
    status,
    final: FINAL_STATUSES.includes(status),
    providerStatus: status,
    occurredAt: '2025-04-01T10:00:00Z',
    ...extra,
  };
}

/** A fixed-seed generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

function shuffle<T>(items: T[], next: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function reportCount(file: string): number {
  const raw = new DatabaseSync(file);
  try {
    return (raw.prepare('SELECT COUNT(*) AS n FROM delivery_reports').get() as { n: number }).n;
  } finally {
    raw.close();
  }
}

describe('sqlite store: applyReports', () => {
  const db = useTempStore('a2p-store-batch-', (file) => openSqliteStore(file));

  it('applies a list in order and answers each report in input order', async () => {
    await db.store.completeSend('k', { provider: 'plivo', messageId: 'M1', status: 'queued', to: TO, segments: 1, encoding: 'GSM-7' });
    const out = await db.store.applyReports([
      report('M1', 'sent'),
      report('M2', 'delivered', { to: TO }),
      report('M1', 'sent'),
      report('M1', 'delivered'),
      report('M1', 'failed', { errorCode: '30' }),
    ]);
    expect(out).toEqual([
      { duplicate: false, status: 'sent', previousStatus: 'queued' },
      // M2 was not in the log: no previous status.
      { duplicate: false, status: 'delivered' },
      // A repeat within the same list is a repeat, as it is across calls; each sees the one before it.
      { duplicate: true, status: 'sent', previousStatus: 'sent' },
      { duplicate: false, status: 'delivered', previousStatus: 'sent' },
      { duplicate: false, status: 'delivered', previousStatus: 'delivered' },
    ]);
    expect(await db.store.getMessage('k')).toMatchObject({ status: 'delivered', final: true, providerStatus: 'delivered' });
    expect(await db.store.applyReports([])).toEqual([]);
  });

  it('gives the same answers as applyReport one by one', async () => {
    const reports = [report('A', 'queued'), report('A', 'delivered'), report('A', 'queued'), report('B', 'failed', { errorCode: '1' })];
    const batched = await db.store.applyReports(reports);
    const other = await openSqliteStore(':memory:');
    try {
      const single = [];
      for (const r of reports) single.push(await other.applyReport(r));
      expect(batched).toEqual(single);
      expect(await db.store.getMessage('B')).toMatchObject({ status: 'failed', errorCode: '1' });
    } finally {
      await other.close();
    }
  });

  it('stores nothing when one report of 1,000 is invalid, and names its index', async () => {
    const reports = Array.from({ length: 1000 }, (_, i) => report(`M${i}`, 'delivered'));
    (reports[500] as { status: unknown }).status = 'read';
    const e = await rejected(db.store.applyReports(reports));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toMatch(/\[500\].*nothing was applied/);
    expect(reportCount(db.file)).toBe(0);
    expect(await db.store.getMessage('M0')).toBeNull();
  });

  it('rolls back every earlier report when the database refuses one midway', async () => {
    await db.store.applyReport(report('BEFORE', 'sent'));
    const raw = new DatabaseSync(db.file);
    raw.exec(`CREATE TRIGGER refuse_boom BEFORE INSERT ON delivery_reports WHEN NEW.message_id = 'BOOM'
              BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END`);
    raw.close();
    const reports = Array.from({ length: 1000 }, (_, i) => report(i === 500 ? 'BOOM' : `M${i}`, 'delivered'));
    reports.push(report('BEFORE', 'delivered'));
    const e = await rejected(db.store.applyReports(reports));
    expect(e.code).toBe('STORE_ERROR');
    expect(reportCount(db.file)).toBe(1);
    expect(await db.store.getMessage('M0')).toBeNull();
    expect(await db.store.getMessage('BEFORE')).toMatchObject({ status: 'sent', final: false });
    // The store is usable afterwards: the failed transaction left no lock behind.
    expect(await db.store.applyReports([report('M0', 'delivered')])).toEqual([{ duplicate: false, status: 'delivered' }]);
  });

  it('rejects what is not a list of reports with INVALID_INPUT', async () => {
    for (const bad of [null, undefined, 'r', 5, {}, { length: 1, 0: report('M', 'sent') }, [null], [report('M', 'sent'), 7], new Array(3)]) {
      expect([bad, await rejectedCode(db.store.applyReports(bad as DeliveryReport[]))]).toEqual([bad, 'INVALID_INPUT']);
    }
    const tooMany = new Array<DeliveryReport>(100_001).fill(report('M', 'sent'));
    expect(await rejectedCode(db.store.applyReports(tooMany))).toBe('INVALID_INPUT');
    expect(reportCount(db.file)).toBe(0);
  });

  it('answers STORE_ERROR once the store is closed', async () => {
    const store = await openSqliteStore(':memory:');
    await store.close();
    expect(await rejectedCode(store.applyReports([report('M', 'sent')]))).toBe('STORE_ERROR');
    expect(await rejectedCode(store.applyReport(report('M', 'sent')))).toBe('STORE_ERROR');
  });

  it('settles 1,000 concurrent single and batched calls of shuffled duplicates: one correct final each, each report counted once', async () => {
    const next = random(11);
    const expected = new Map<string, NormalizedStatus>();
    /** Messages whose two final reports conflict without a sequence: the first applied wins. */
    const firstWins = new Map<string, NormalizedStatus[]>();
    const distinct: DeliveryReport[] = [];
    for (let m = 0; m < 100; m++) {
      const id = `MSG-${m}`;
      const mine = [report(id, 'queued'), report(id, 'sent')];
      if (m % 4 === 0) {
        // The provider's order decides: the later sequence's final status stays, whatever arrives first.
        mine.push(report(id, 'failed', { errorCode: '30', sequence: 3 }), report(id, 'delivered', { sequence: 4 }));
        expected.set(id, 'delivered');
      } else if (m % 4 === 1) {
        mine.push(report(id, 'failed', { errorCode: '30' }), report(id, 'delivered'));
        firstWins.set(id, ['failed', 'delivered']);
      } else {
        const final: NormalizedStatus = m % 4 === 2 ? 'delivered' : 'failed';
        mine.push(report(id, final, final === 'failed' ? { errorCode: '1' } : {}));
        expected.set(id, final);
      }
      distinct.push(...mine);
    }
    // Every distinct report three to five times, shuffled, in 1,000 calls: every third a batch.
    const copies = shuffle(
      distinct.flatMap((r) => Array.from({ length: 3 + Math.floor(next() * 3) }, () => ({ ...r }))),
      next,
    );
    // One report per call, the rest spread over the batches.
    const sizes = new Array<number>(1000).fill(1);
    for (let extra = copies.length - 1000; extra > 0; extra--) sizes[3 * Math.floor(next() * 334)] += 1;
    const calls: DeliveryReport[][] = [];
    let at = 0;
    for (const size of sizes) {
      calls.push(copies.slice(at, at + size));
      at += size;
    }
    expect(at).toBe(copies.length);

    const answers = await Promise.all(
      calls.map((call, c) =>
        c % 3 === 0 ? db.store.applyReports(call) : db.store.applyReport(call[0] as DeliveryReport).then((o) => [o]),
      ),
    );

    const keyOf = (r: DeliveryReport) => `${r.messageId}|${r.providerStatus}|${r.errorCode ?? ''}`;
    const fresh = new Map<string, number>();
    calls.forEach((call, c) =>
      call.forEach((r, i) => {
        if (!answers[c]?.[i]?.duplicate) fresh.set(keyOf(r), (fresh.get(keyOf(r)) ?? 0) + 1);
      }),
    );
    expect(fresh.size).toBe(distinct.length);
    expect([...fresh.values()].every((n) => n === 1)).toBe(true);

    // Calls run in the order they were made (each is synchronous underneath), so for the
    // unsequenced conflicts the first final in call order is the one that must stay.
    for (const [id, finals] of firstWins) {
      const first = calls.flat().find((r) => r.messageId === id && finals.includes(r.status));
      expected.set(id, (first as DeliveryReport).status);
    }
    for (const [id, final] of expected) {
      expect([id, await db.store.getMessage(id)]).toEqual([id, expect.objectContaining({ status: final, final: true })]);
    }
  });
});

describe('sqlite store: provider sequence (Plivo)', () => {
  const db = useTempStore('a2p-store-sequence-', (file) => openSqliteStore(file));

  it.each([
    ['in order', [3, 4]],
    ['reversed', [4, 3]],
  ])('keeps the final status of the higher sequence, arriving %s', async (_order, sequences) => {
    const bySequence: Record<number, DeliveryReport> = {
      3: report('P1', 'undelivered', { providerStatus: 'undelivered', errorCode: '200', sequence: 3 }),
      4: report('P1', 'delivered', { providerStatus: 'delivered', sequence: 4 }),
    };
    await db.store.applyReport(report('P1', 'queued', { sequence: 1 }));
    for (const s of sequences) await db.store.applyReport(bySequence[s] as DeliveryReport);
    const message = await db.store.getMessage('P1');
    expect(message).toMatchObject({ status: 'delivered', final: true, providerStatus: 'delivered' });
    // The error belonged to the report that was overruled.
    expect(message?.errorCode).toBeUndefined();
  });

  it('keeps the first final status when either report lacks a sequence', async () => {
    await db.store.applyReport(report('A', 'failed', { errorCode: '1' }));
    expect((await db.store.applyReport(report('A', 'delivered', { sequence: 9 }))).status).toBe('failed');
    await db.store.applyReport(report('B', 'failed', { errorCode: '1', sequence: 2 }));
    expect((await db.store.applyReport(report('B', 'delivered'))).status).toBe('failed');
  });

  it('never goes back from final to non-final, and a lower sequence changes nothing', async () => {
    await db.store.applyReport(report('C', 'delivered', { sequence: 5 }));
    expect((await db.store.applyReport(report('C', 'sent', { sequence: 9 }))).status).toBe('delivered');
    expect((await db.store.applyReport(report('C', 'failed', { errorCode: '1', sequence: 4 }))).status).toBe('delivered');
    // Compared with the report that made it final, not with the highest seen.
    expect((await db.store.applyReport(report('C', 'undelivered', { errorCode: '2', sequence: 6 }))).status).toBe('undelivered');
    expect(await db.store.getMessage('C')).toMatchObject({ status: 'undelivered', errorCode: '2', final: true });
  });

  it('applies batches with the same rule, in either order', async () => {
    const reports = [report('D', 'delivered', { sequence: 8 }), report('D', 'expired', { sequence: 7 })];
    expect((await db.store.applyReports(reports)).map((o) => o.status)).toEqual(['delivered', 'delivered']);
    expect((await db.store.applyReports([...reports].reverse().map((r) => ({ ...r, messageId: 'E' })))).map((o) => o.status)).toEqual([
      'expired',
      'delivered',
    ]);
  });

  it('rejects a sequence that is not a non-negative integer', async () => {
    for (const sequence of [-1, 1.5, '3', Number.NaN, Infinity, 2 ** 53, {}]) {
      const r = report('F', 'sent', { sequence: sequence as number });
      expect([sequence, await rejectedCode(db.store.applyReport(r))]).toEqual([sequence, 'INVALID_INPUT']);
    }
    expect(await db.store.getMessage('F')).toBeNull();
  });
});
