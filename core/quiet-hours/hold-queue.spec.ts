import { randomUUID } from 'node:crypto';
import { SmsError } from '../errors';
import { openSqliteStore } from '../store';
import type { HeldMessage, Store } from '../types';
import { HoldQueue, MAX_TIMER_DELAY_MS, notPlainJson, type HoldQueueOptions, type HoldQueueState, type ReleaseHandler } from './hold-queue';
import { rejected, rejectedCode } from '../../test/support/sms-error';
import { useTempDir } from '../../test/support/temp-store';

const T0 = Date.parse('2026-03-07T12:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString();

type HeldMethod = 'holdMessage' | 'heldMessages' | 'releaseHeld' | 'countHeld';

/**
 * The held-message part of a Store, in memory, with the SQLite store's ordering (release time,
 * then hold time, then insertion) and JSON round trip, and failures on demand.
 */
class MemoryStore {
  private rows: (HeldMessage & { seq: number })[] = [];
  private seq = 0;
  private readonly failures: Partial<Record<HeldMethod, number>> = {};
  readonly calls: HeldMethod[] = [];

  constructor(private readonly clock: () => number) {}

  /** The next `times` calls of `method` reject with STORE_ERROR. */
  fail(method: HeldMethod, times = 1): void {
    this.failures[method] = times;
  }

  private enter(method: HeldMethod): void {
    this.calls.push(method);
    const left = this.failures[method] ?? 0;
    if (left > 0) {
      this.failures[method] = left - 1;
      throw new SmsError('STORE_ERROR', `${method} failed`, { retryable: true });
    }
  }

  ids(queue: string): string[] {
    return this.sorted(queue).map((r) => r.id);
  }

  private sorted(queue: string) {
    return this.rows
      .filter((r) => r.queue === queue)
      .sort((a, b) => Date.parse(a.releaseAt) - Date.parse(b.releaseAt) || Date.parse(a.heldAt) - Date.parse(b.heldAt) || a.seq - b.seq);
  }

  readonly store: Store = {
    holdMessage: async (h) => {
      this.enter('holdMessage');
      const existing = this.rows.find((r) => r.queue === h.queue && r.id === h.id);
      const row = {
        id: h.id ?? randomUUID(),
        queue: h.queue,
        releaseAt: h.releaseAt,
        heldAt: iso(this.clock()),
        payload: JSON.parse(JSON.stringify(h.payload)) as unknown,
        seq: existing?.seq ?? ++this.seq,
      };
      this.rows = this.rows.filter((r) => r !== existing).concat(row);
      const { seq: _seq, ...held } = row;
      return held;
    },
    heldMessages: async (queue, opts) => {
      this.enter('heldMessages');
      const due = opts?.dueBy === undefined ? Infinity : Date.parse(opts.dueBy);
      return this.sorted(queue)
        .filter((r) => Date.parse(r.releaseAt) <= due)
        .slice(0, opts?.limit ?? Infinity)
        .map(({ seq: _seq, ...held }) => ({ ...held, payload: JSON.parse(JSON.stringify(held.payload)) as unknown }));
    },
    releaseHeld: async (queue, id) => {
      this.enter('releaseHeld');
      const before = this.rows.length;
      this.rows = this.rows.filter((r) => !(r.queue === queue && r.id === id));
      return this.rows.length < before;
    },
    countHeld: async (queue) => {
      this.enter('countHeld');
      return this.rows.filter((r) => r.queue === queue).length;
    },
    recordConsent: notUsed,
    checkConsent: notUsed,
    consentHistory: notUsed,
    importConsent: notUsed,
    claimSend: notUsed,
    completeSend: notUsed,
    releaseSend: notUsed,
    applyReport: notUsed,
    applyReports: notUsed,
    recordInbound: notUsed,
    collectInboundPart: notUsed,
    deliveryCounts: notUsed,
    getMessage: notUsed,
    close: async () => undefined,
  };
}

async function notUsed(): Promise<never> {
  throw new Error('not part of the hold queue');
}

/** A timer the test fires by hand; it records every delay it was armed with. */
class FakeTimer {
  private armed: { fire: () => void; handle: number } | undefined;
  private handles = 0;
  readonly delays: number[] = [];

  readonly timer = {
    set: (fire: () => void, delayMs: number): unknown => {
      if (this.armed) throw new Error('armed twice without clearing: the queue keeps one timer');
      this.delays.push(delayMs);
      this.armed = { fire, handle: ++this.handles };
      return this.armed.handle;
    },
    clear: (handle: unknown): void => {
      if (this.armed?.handle === handle) this.armed = undefined;
    },
  };

  get isArmed(): boolean {
    return this.armed !== undefined;
  }

  get lastDelay(): number | undefined {
    return this.isArmed ? this.delays.at(-1) : undefined;
  }

  fire(): void {
    const armed = this.armed;
    if (!armed) throw new Error('no timer is armed');
    this.armed = undefined;
    armed.fire();
  }
}

/** Lets every pending store call and queue step run (the memory store never waits on I/O). */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface Rig {
  clock: { now: number };
  mem: MemoryStore;
  timer: FakeTimer;
  errors: SmsError[];
  states: HoldQueueState[];
  released: { payload: unknown; held: HeldMessage; forced: boolean }[];
  queue: HoldQueue;
  /** Release handler recording what it gets. */
  record: ReleaseHandler;
}

function rig(overrides: Partial<HoldQueueOptions> = {}, shared?: { clock: { now: number }; mem: MemoryStore }): Rig {
  const clock = shared?.clock ?? { now: T0 };
  const mem = shared?.mem ?? new MemoryStore(() => clock.now);
  const timer = new FakeTimer();
  const errors: SmsError[] = [];
  const states: HoldQueueState[] = [];
  const released: Rig['released'] = [];
  const queue = new HoldQueue({
    store: mem.store,
    queue: 'gate-1',
    now: () => clock.now,
    timer: timer.timer,
    onError: (e) => errors.push(e),
    onChange: (s) => states.push(s),
    ...overrides,
  });
  const record: ReleaseHandler = (payload, held, info) => {
    released.push({ payload, held, forced: info.forced });
  };
  return { clock, mem, timer, errors, states, released, queue, record };
}

describe('HoldQueue: releasing on time', () => {
  it('releases in release-time order, ties in the order they were held, each once, and empties the store', async () => {
    const r = rig();
    await r.queue.start(r.record);
    await r.queue.hold({ n: 'c' }, T0 + 3_000);
    await r.queue.hold({ n: 'a1' }, T0 + 1_000);
    await r.queue.hold({ n: 'b' }, iso(T0 + 2_000));
    await r.queue.hold({ n: 'a2' }, new Date(T0 + 1_000));
    await settle();
    expect(r.released).toEqual([]);
    expect(r.timer.lastDelay).toBe(1_000);

    r.clock.now = T0 + 10_000;
    r.timer.fire();
    await settle();
    expect(r.released.map((x) => x.payload)).toEqual([{ n: 'a1' }, { n: 'a2' }, { n: 'b' }, { n: 'c' }]);
    expect(r.released.every((x) => !x.forced)).toBe(true);
    expect(r.mem.ids('gate-1')).toEqual([]);
    expect(r.states.at(-1)).toEqual({ held: 0 });
    expect(r.timer.isArmed).toBe(false);
  });

  it('releases only what is due, then waits exactly until the next one', async () => {
    const r = rig();
    await r.queue.start(r.record);
    await r.queue.hold('first', T0 + 1_000);
    await r.queue.hold('second', T0 + 5_000);
    await settle();
    r.clock.now = T0 + 1_500;
    r.timer.fire();
    await settle();
    expect(r.released.map((x) => x.payload)).toEqual(['first']);
    expect(r.timer.lastDelay).toBe(3_500);
    expect(r.states.at(-1)).toMatchObject({ held: 1, next: { payload: 'second', releaseAt: iso(T0 + 5_000) } });
  });

  it('on start releases what fell due while it was stopped and arms for the rest (a restart)', async () => {
    const first = rig();
    await first.queue.start(first.record);
    await first.queue.hold({ n: 1 }, T0 + 60_000);
    await first.queue.hold({ n: 2 }, T0 + 120_000);
    await first.queue.hold({ n: 3 }, T0 + 7_200_000);
    await first.queue.stop();
    expect(first.timer.isArmed).toBe(false);
    expect(first.mem.ids('gate-1')).toHaveLength(3);

    first.clock.now = T0 + 600_000;
    const second = rig({}, first);
    await second.queue.start(second.record);
    expect(second.released.map((x) => x.payload)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(second.timer.lastDelay).toBe(7_200_000 - 600_000);
    expect(first.released).toEqual([]);
  });

  it('keeps one timer, moved earlier by an earlier hold and left alone by a later one', async () => {
    const r = rig();
    await r.queue.start(r.record);
    await r.queue.hold('late', T0 + 50_000);
    await settle();
    expect(r.timer.lastDelay).toBe(50_000);
    await r.queue.hold('early', T0 + 10_000);
    await settle();
    expect(r.timer.lastDelay).toBe(10_000);
    await r.queue.hold('later', T0 + 90_000);
    await settle();
    expect(r.timer.lastDelay).toBe(10_000);
  });

  it('caps a long wait at the largest timer delay and re-arms for the rest when it fires early', async () => {
    const r = rig();
    await r.queue.start(r.record);
    const fortyDays = 40 * 24 * 3_600_000;
    await r.queue.hold('in forty days', T0 + fortyDays);
    await settle();
    expect(r.timer.lastDelay).toBe(MAX_TIMER_DELAY_MS);

    r.clock.now = T0 + MAX_TIMER_DELAY_MS;
    r.timer.fire();
    await settle();
    expect(r.released).toEqual([]);
    expect(r.timer.lastDelay).toBe(fortyDays - MAX_TIMER_DELAY_MS);

    r.clock.now = T0 + fortyDays;
    r.timer.fire();
    await settle();
    expect(r.released.map((x) => x.payload)).toEqual(['in forty days']);
  });

  it('releases a large backlog in batches, without skipping or repeating any', async () => {
    const r = rig({ batchSize: 7 });
    for (let i = 0; i < 50; i++) await r.queue.hold({ i }, T0 - 1_000 + i);
    await r.queue.start(r.record);
    for (let i = 0; i < 10 && r.timer.isArmed; i++) {
      r.timer.fire();
      await settle();
    }
    expect(r.released.map((x) => (x.payload as { i: number }).i)).toEqual(Array.from({ length: 50 }, (_v, i) => i));
    expect(r.mem.ids('gate-1')).toEqual([]);
  });
});

describe('HoldQueue: failures never drop a message', () => {
  it('retries a failed delete with backoff and never emits the message twice', async () => {
    const r = rig();
    await r.queue.hold('m', T0 - 1);
    r.mem.fail('releaseHeld', 3);
    await r.queue.start(r.record);
    expect(r.released).toHaveLength(1);
    expect(r.errors.map((e) => e.code)).toEqual(['STORE_ERROR']);
    expect(r.mem.ids('gate-1')).toHaveLength(1);

    const delays: (number | undefined)[] = [r.timer.lastDelay];
    for (let i = 0; i < 3; i++) {
      r.clock.now += r.timer.lastDelay!;
      r.timer.fire();
      await settle();
      delays.push(r.timer.lastDelay);
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, undefined]);
    expect(r.released).toHaveLength(1);
    expect(r.mem.ids('gate-1')).toEqual([]);
  });

  it('keeps a message whose handler throws, releases the others meanwhile, and retries it', async () => {
    const r = rig();
    await r.queue.hold('poison', T0 - 2);
    await r.queue.hold('fine', T0 - 1);
    let failing = true;
    await r.queue.start((payload, held, info) => {
      if (payload === 'poison' && failing) throw new Error('downstream is down');
      return r.record(payload, held, info);
    });
    expect(r.released.map((x) => x.payload)).toEqual(['fine']);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toBeInstanceOf(SmsError);
    expect(r.mem.ids('gate-1')).toHaveLength(1);

    failing = false;
    r.clock.now += r.timer.lastDelay!;
    r.timer.fire();
    await settle();
    expect(r.released.map((x) => x.payload)).toEqual(['fine', 'poison']);
    expect(r.mem.ids('gate-1')).toEqual([]);
  });

  it('does not let a failing message delay one due later', async () => {
    const r = rig({ retry: { initialMs: 60_000, maxMs: 60_000 } });
    await r.queue.hold('poison', T0 - 1);
    await r.queue.hold('on time', T0 + 5_000);
    await r.queue.start((payload, held, info) => {
      if (payload === 'poison') throw new Error('no');
      return r.record(payload, held, info);
    });
    expect(r.timer.lastDelay).toBe(5_000);
    r.clock.now = T0 + 5_000;
    r.timer.fire();
    await settle();
    expect(r.released.map((x) => x.payload)).toEqual(['on time']);
    // The poison message failed at T0: its retry is a minute after that.
    expect(r.timer.lastDelay).toBe(55_000);
  });

  it('retries a store that cannot be read, backing off up to the cap, and then releases', async () => {
    const r = rig({ retry: { initialMs: 100, maxMs: 300 } });
    await r.queue.hold('m', T0 - 1);
    r.mem.fail('heldMessages', 4);
    await r.queue.start(r.record);
    const delays = [r.timer.lastDelay];
    for (let i = 0; i < 4; i++) {
      r.timer.fire();
      await settle();
      delays.push(r.timer.lastDelay);
    }
    expect(delays).toEqual([100, 200, 300, 300, undefined]);
    expect(r.errors).toHaveLength(4);
    expect(r.errors.every((e) => e.code === 'STORE_ERROR')).toBe(true);
    expect(r.released.map((x) => x.payload)).toEqual(['m']);
  });

  it('opens the store through a function each time, so a store that failed to open recovers', async () => {
    const mem = new MemoryStore(() => T0);
    await mem.store.holdMessage({ queue: 'gate-1', releaseAt: iso(T0 - 1), payload: 'waiting' });
    let opens = 0;
    const r = rig({
      store: async () => {
        if (++opens === 1) throw new Error('database is locked');
        return mem.store;
      },
    });
    await r.queue.start(r.record);
    expect(r.errors.map((e) => [e.code, e.message])).toEqual([['STORE_ERROR', 'database is locked']]);
    r.timer.fire();
    await settle();
    expect(r.released.map((x) => x.payload)).toEqual(['waiting']);
  });

  it('refuses a hold the store cannot take with its error, and holds nothing', async () => {
    const r = rig();
    await r.queue.start(r.record);
    r.mem.fail('holdMessage');
    expect((await rejected(r.queue.hold('m', T0 + 1))).code).toBe('STORE_ERROR');
    expect(r.mem.ids('gate-1')).toEqual([]);
  });
});

describe('HoldQueue: holding again at release', () => {
  it('keeps a message the handler answers with holdUntil, with the new payload, until then', async () => {
    const r = rig();
    await r.queue.hold({ v: 1 }, T0 - 1, { id: 'x' });
    await r.queue.start((payload) => {
      if ((payload as { v: number }).v === 1) return { holdUntil: T0 + 30_000, payload: { v: 2 } };
      r.released.push({ payload, held: undefined as never, forced: false });
      return undefined;
    });
    expect(r.released).toEqual([]);
    expect(r.mem.ids('gate-1')).toEqual(['x']);
    expect(r.timer.lastDelay).toBe(30_000);
    r.clock.now = T0 + 30_000;
    r.timer.fire();
    await settle();
    expect(r.released.map((x) => x.payload)).toEqual([{ v: 2 }]);
  });

  it.each([
    ['a time not in the future', { holdUntil: T0 }],
    ['a time that is not one', { holdUntil: 'after lunch' }],
    ['something else than nothing or { holdUntil }', 'later'],
    ['a payload that is not JSON data', { holdUntil: T0 + 1_000, payload: new Map() }],
  ])('treats %s as a failure: the message stays and is retried', async (_what, answer) => {
    const r = rig();
    await r.queue.hold('m', T0 - 1);
    await r.queue.start(() => answer as never);
    expect(r.errors.map((e) => e.code)).toEqual(['INVALID_INPUT']);
    expect(r.mem.ids('gate-1')).toHaveLength(1);
    expect(r.timer.lastDelay).toBe(1_000);
  });
});

describe('HoldQueue: holds during a release pass', () => {
  it('releases, exactly once, a message held while the pass is emitting', async () => {
    const r = rig();
    await r.queue.hold('first', T0 - 1);
    let heldDuring = false;
    await r.queue.start(async (payload, held, info) => {
      if (!heldDuring) {
        heldDuring = true;
        await r.queue.hold('held during', T0 - 1);
      }
      return r.record(payload, held, info);
    });
    await settle();
    for (let i = 0; i < 3 && r.timer.isArmed && r.timer.lastDelay === 0; i++) {
      r.timer.fire();
      await settle();
    }
    expect(r.released.map((x) => x.payload)).toEqual(['first', 'held during']);
    expect(r.mem.ids('gate-1')).toEqual([]);
  });

  it('arms for a message held while a slow handler runs, even when it is earlier than every other', async () => {
    const r = rig();
    await r.queue.hold('now', T0 - 1);
    await r.queue.hold('much later', T0 + 3_600_000);
    let finish!: () => void;
    const slow = new Promise<void>((resolve) => (finish = resolve));
    const started = r.queue.start(async (payload, held, info) => {
      await slow;
      r.record(payload, held, info);
    });
    await settle();
    await r.queue.hold('soon', T0 + 2_000);
    finish();
    await started;
    await settle();
    expect(r.released.map((x) => x.payload)).toEqual(['now']);
    expect(r.timer.lastDelay).toBe(2_000);
  });
});

describe('HoldQueue: queues and stopping', () => {
  it('keeps two queues on one store apart', async () => {
    const a = rig();
    const b = rig({ queue: 'gate-2' }, a);
    await a.queue.start(a.record);
    await b.queue.start(b.record);
    await a.queue.hold('for a', T0 + 1_000);
    await b.queue.hold('for b', T0 + 1_000);
    await b.queue.hold('also for b', T0 + 9_000);
    expect(await a.queue.count()).toBe(1);
    expect(await b.queue.count()).toBe(2);

    a.clock.now = T0 + 5_000;
    a.timer.fire();
    await settle();
    expect(a.released.map((x) => x.payload)).toEqual(['for a']);
    expect(a.mem.ids('gate-2')).toHaveLength(2);
    expect(await a.queue.discardAll()).toBe(0);
    expect(await b.queue.count()).toBe(2);
    expect(b.released).toEqual([]);
  });

  it('stops without deleting anything, stops a pass between two messages, and cannot start again', async () => {
    const r = rig();
    await r.queue.hold('one', T0 - 2);
    await r.queue.hold('two', T0 - 1);
    await r.queue.start((payload, held, info) => {
      r.record(payload, held, info);
      void r.queue.stop();
    });
    await settle();
    expect(r.released.map((x) => x.payload)).toEqual(['one']);
    expect(r.mem.ids('gate-1')).toHaveLength(1);
    expect(r.timer.isArmed).toBe(false);
    expect(await rejectedCode(r.queue.start(r.record))).toBe('INVALID_INPUT');
    expect(await rejectedCode(r.queue.releaseAll())).toBe('CANCELED');
  });

  it('refuses to start twice', async () => {
    const r = rig();
    await r.queue.start(r.record);
    expect(await rejectedCode(r.queue.start(r.record))).toBe('INVALID_INPUT');
  });
});

describe('HoldQueue: operator commands', () => {
  it('releases everything now, due or not, marked forced, and keeps what fails', async () => {
    const r = rig();
    await r.queue.start((payload, held, info) => {
      if (payload === 'stuck') throw new Error('no');
      r.record(payload, held, info);
    });
    for (const p of ['a', 'stuck', 'b']) await r.queue.hold(p, T0 + 3_600_000);
    expect(await r.queue.releaseAll()).toEqual({ released: 2, failed: 1 });
    expect(r.released.map((x) => [x.payload, x.forced])).toEqual([
      ['a', true],
      ['b', true],
    ]);
    expect(r.mem.ids('gate-1')).toHaveLength(1);
    expect(r.states.at(-1)).toMatchObject({ held: 1 });
  });

  it('stops a release-all at messages the handler holds again instead of looping on them', async () => {
    const r = rig();
    await r.queue.start(() => ({ holdUntil: T0 + 7_200_000 }));
    await r.queue.hold('x', T0 + 3_600_000);
    expect(await r.queue.releaseAll()).toEqual({ released: 0, failed: 0 });
    expect(r.mem.ids('gate-1')).toHaveLength(1);
  });

  it('discards everything without emitting it and disarms the timer', async () => {
    const r = rig({ batchSize: 2 });
    await r.queue.start(r.record);
    for (let i = 0; i < 5; i++) await r.queue.hold({ i }, T0 + 1_000 * (i + 1));
    await settle();
    expect(r.timer.isArmed).toBe(true);
    expect(await r.queue.discardAll()).toBe(5);
    expect(r.released).toEqual([]);
    expect(r.timer.isArmed).toBe(false);
    expect(r.states.at(-1)).toEqual({ held: 0 });
  });

  it('answers commands on a store that fails with its coded error and keeps the messages', async () => {
    const r = rig();
    await r.queue.start(r.record);
    await r.queue.hold('m', T0 + 1_000);
    await settle();
    r.mem.fail('heldMessages');
    expect(await rejectedCode(r.queue.discardAll())).toBe('STORE_ERROR');
    r.mem.fail('heldMessages');
    expect(await rejectedCode(r.queue.releaseAll())).toBe('STORE_ERROR');
    expect(r.mem.ids('gate-1')).toHaveLength(1);
  });
});

describe('HoldQueue: bad input', () => {
  it.each([
    ['a Date', { when: new Date() }, 'payload.when holds a Date'],
    ['a Buffer', { payload: Buffer.from('hi') }, 'payload.payload holds a Buffer'],
    ['a Map', new Map(), 'payload holds a Map'],
    ['a class instance', { x: new (class Widget {})() }, 'payload.x holds a Widget'],
    ['a function', { f: () => 1 }, 'payload.f holds a function'],
    ['a symbol', [Symbol('s')], 'payload[0] holds a symbol'],
    ['a BigInt', { n: 1n }, 'payload.n holds a bigint'],
    ['NaN', { n: Number.NaN }, 'payload.n is not a finite number'],
    ['undefined in an array', [1, undefined], 'payload[1] is undefined'],
    ['nothing', undefined, 'payload is missing'],
  ])('refuses a payload holding %s with INVALID_INPUT naming where', async (_what, payload, message) => {
    const r = rig();
    const err = await rejected(r.queue.hold(payload, T0 + 1));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toContain(message);
    expect(r.mem.calls).toEqual([]);
  });

  it('refuses an oversized and a hostile payload quickly, naming a short path', () => {
    expect(notPlainJson(new Array(700_000).fill(0), 'msg')).toBe('msg is too large');
    let deep: unknown = new Date(0);
    for (let i = 0; i < 50_000; i++) deep = { ['k'.repeat(100)]: deep };
    const deepProblem = notPlainJson(deep, 'msg')!;
    expect(deepProblem).toMatch(/^msg\.k{40}.*holds a Date$/);
    expect(deepProblem.length).toBeLessThan(200);
    const trap = new Proxy(
      {},
      {
        getPrototypeOf() {
          throw new Error('trap');
        },
      },
    );
    expect(notPlainJson({ trap }, 'msg')).toBe('msg cannot be read as data');
    expect(notPlainJson({ a: [1, 'x', true, null, { b: {} }], c: undefined }, 'msg')).toBeUndefined();
    expect(notPlainJson(Object.create(null), 'msg')).toBeUndefined();
  });

  it.each([
    ['words', 'tomorrow'],
    ['a date without a time', '2026-03-08'],
    ['a local time without a zone', '2026-03-08T08:00:00'],
    ['NaN', Number.NaN],
    ['Infinity', Infinity],
    ['a time past the last Date', 8.64e15 + 1],
    ['an object', {}],
    ['null', null],
    ['10,000 digits', '2'.repeat(10_000)],
    ['an invalid Date', new Date(Number.NaN)],
  ])('refuses a release time that is %s with INVALID_INPUT', async (_what, releaseAt) => {
      const r = rig();
    expect(await rejectedCode(r.queue.hold('m', releaseAt as never))).toBe('INVALID_INPUT');
    expect(r.mem.calls).toEqual([]);
  });

  it.each([
    [{ queue: '' }],
    [{ queue: '   ' }],
    [{ queue: 42 as unknown as string }],
    [{ batchSize: 0 }],
    [{ batchSize: 1.5 }],
    [{ retry: { initialMs: -1 } }],
    [{ retry: { maxMs: Number.NaN } }],
  ])('refuses the options %j with INVALID_INPUT', (opts) => {
    const mem = new MemoryStore(() => T0);
    expect(() => new HoldQueue({ store: mem.store, queue: 'q', ...opts })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});

describe('HoldQueue on the SQLite store', () => {
  const dir = useTempDir('a2p-hold-queue-');

  it('survives a restart: three held, the store reopened, all three released once and the store empty', async () => {
    const file = dir.testFile();
    const clock = { now: T0 };
    const store1 = await openSqliteStore(file, { now: () => clock.now });
    const timer1 = new FakeTimer();
    const q1 = new HoldQueue({ store: store1, queue: 'node-1', now: () => clock.now, timer: timer1.timer });
    await q1.start(() => {
      throw new Error('nothing is due before the restart');
    });
    for (const n of [1, 2, 3]) await q1.hold({ payload: `msg ${n}`, _msgid: `m${n}` }, T0 + n * 60_000);
    await q1.stop();
    await store1.close();

    clock.now = T0 + 3_600_000;
    const store2 = await openSqliteStore(file, { now: () => clock.now });
    const released: unknown[] = [];
    const q2 = new HoldQueue({ store: store2, queue: 'node-1', now: () => clock.now, timer: new FakeTimer().timer });
    await q2.start((payload) => {
      released.push(payload);
    });
    expect(released).toEqual([1, 2, 3].map((n) => ({ payload: `msg ${n}`, _msgid: `m${n}` })));
    expect(await q2.count()).toBe(0);
    await q2.stop();
    await store2.close();
  });

  it('gets the coded error of the store for a payload with a cycle', async () => {
    const store = await openSqliteStore(dir.testFile());
    const q = new HoldQueue({ store, queue: 'node-1', timer: new FakeTimer().timer });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(await rejectedCode(q.hold(cyclic, Date.now() + 1_000))).toBe('INVALID_INPUT');
    expect(await q.count()).toBe(0);
    await store.close();
  });
});
