import { runPool } from './pool';

const tick = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('runPool', () => {
  it('runs every index exactly once and never more than `concurrency` at a time', async () => {
    const seen: number[] = [];
    let inFlight = 0;
    let peak = 0;
    await runPool(50, 4, async (i) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await tick(Math.floor(Math.random() * 5));
      seen.push(i);
      inFlight--;
    });
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(peak).toBe(4);
  });

  it('starts tasks in index order', async () => {
    const started: number[] = [];
    await runPool(20, 3, async (i) => {
      started.push(i);
      await tick(Math.floor(Math.random() * 3));
    });
    expect(started).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('creates only `concurrency` tasks up front for a huge total', async () => {
    const started: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const run = runPool(100_000, 3, async (i) => {
      started.push(i);
      if (i < 3) await gate;
    });
    await tick(0);
    expect(started).toEqual([0, 1, 2]);
    release();
    await run;
    expect(started).toHaveLength(100_000);
  });

  it('resolves at once for zero items, with more workers than items too', async () => {
    const task = jest.fn(async () => undefined);
    await runPool(0, 10, task);
    expect(task).not.toHaveBeenCalled();
    await runPool(2, 10, task);
    expect(task).toHaveBeenCalledTimes(2);
  });

  it('stops handing out work after a task rejects, waits for running ones, then rejects with that error', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const boom = new Error('boom');
    await expect(
      runPool(100, 2, async (i) => {
        started.push(i);
        if (i === 3) throw boom;
        await tick(2);
        finished.push(i);
      }),
    ).rejects.toBe(boom);
    expect(started.length).toBeLessThan(10);
    expect(finished.sort((a, b) => a - b)).toEqual(started.filter((i) => i !== 3).sort((a, b) => a - b));
  });

  it.each([
    [-1, 1],
    [1.5, 1],
    [Number.NaN, 1],
    [1, 0],
    [1, 2.5],
    [1, Number.POSITIVE_INFINITY],
  ])('refuses total=%p concurrency=%p', async (total, concurrency) => {
    await expect(runPool(total, concurrency, async () => undefined)).rejects.toThrow(RangeError);
  });
});
