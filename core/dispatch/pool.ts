/**
 * A fixed number of workers pulling indexes from a shared counter: at most `concurrency` tasks
 * exist at any time, however many items there are (100k items never become 100k promises).
 */

/**
 * Runs `task(i)` for every i in [0, total), at most `concurrency` at once, starting them in index
 * order. Resolves when all have settled. If a task rejects, no new task starts and the pool
 * rejects with that error once the tasks already running have settled.
 */
export async function runPool(total: number, concurrency: number, task: (index: number) => Promise<void>): Promise<void> {
  if (!Number.isInteger(total) || total < 0) throw new RangeError('runPool: total must be a whole number >= 0');
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError('runPool: concurrency must be a whole number >= 1');

  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < total) {
      const index = next++;
      try {
        await task(index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };

  const workers: Promise<void>[] = [];
  for (let w = 0; w < Math.min(concurrency, total); w++) workers.push(worker());
  await Promise.all(workers);
  if (failure !== undefined) throw failure.error;
}
