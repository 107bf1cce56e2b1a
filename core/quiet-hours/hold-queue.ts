/**
 * A queue of held messages that releases each one at its time: what a Quiet-Hours Gate in
 * hold-and-release mode runs on. Engine-free: the messages live in a `Store` (so a restart or a
 * redeploy loses none), the clock and the timer are injectable, and the engine only supplies the
 * function that emits a released message.
 *
 * Delivery is at least once. A message is emitted first and deleted from the store after: a crash
 * between the two emits it again on the next start, where the opposite order would lose it. Send
 * SMS sees the repeat as the same idempotency key and does not send it twice. Within one process a
 * message emitted but not yet deleted (the delete failed) is never emitted again: only the delete
 * is retried.
 *
 * One timer, set for the earliest release, is re-armed after every change. Release passes,
 * operator commands and re-arming run one at a time, so a message held during a release pass is
 * seen by the re-arm that follows it. A store that fails is retried with exponential backoff and
 * reported through `onError`; a message is never dropped because of an error.
 */
import { isPlainObject } from '../plain-object';
import { SmsError, kindOf, toSmsError } from '../errors';
import type { HeldMessage, Store } from '../types';

/** setTimeout's ceiling: Node fires a longer delay at once, so longer waits are made in hops. */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

const DEFAULT_BATCH = 100;
/** Rows asked of the store in one read, whatever the batch size and the failures to skip. */
const MAX_READ = 10_000;
const DEFAULT_RETRY = { initialMs: 1_000, maxMs: 5 * 60_000 };
/** Values visited before a payload is refused as too large (a megabyte of JSON has fewer). */
const MAX_PAYLOAD_VALUES = 600_000;

export interface HoldQueueTimer {
  set(fire: () => void, delayMs: number): unknown;
  clear(handle: unknown): void;
}

export interface ReleaseInfo {
  /** Released by `releaseAll`: on an operator's word, whatever its time. */
  forced: boolean;
}

/** What a release handler answers to keep a message instead of taking it (a late release). */
export interface HoldAgain {
  /** A future instant: ISO-8601 with a zone, a Date or epoch milliseconds. */
  holdUntil: string | Date | number;
  /** Replaces what is held; default: the same payload. */
  payload?: unknown;
}

/**
 * Emits one released message. Returning normally means it was taken; throwing keeps it for a
 * retry; returning `HoldAgain` keeps it until a later time.
 */
export type ReleaseHandler = (
  payload: unknown,
  held: HeldMessage,
  info: ReleaseInfo,
) => void | HoldAgain | Promise<void | HoldAgain>;

export interface HoldQueueState {
  held: number;
  /** The message released next: the earliest `releaseAt`. */
  next?: HeldMessage;
}

export interface HoldQueueOptions {
  /** The store, or a function that opens it (called for every operation, so it may recover). */
  store: Store | (() => Promise<Store>);
  /** Whose messages these are (a Node-RED node id). */
  queue: string;
  /** Epoch milliseconds; default `Date.now`. */
  now?: () => number;
  /** Default: setTimeout / clearTimeout. */
  timer?: HoldQueueTimer;
  /** A failure of the store or of the release handler; `held` names the message it concerns. */
  onError?: (error: SmsError, held?: HeldMessage) => void;
  /** After every change of what is held, and after every release pass. */
  onChange?: (state: HoldQueueState) => void;
  /** Backoff after failures: doubles from `initialMs` up to `maxMs`. Default 1 s to 5 min. */
  retry?: { initialMs?: number; maxMs?: number };
  /** Messages released per store read; default 100. */
  batchSize?: number;
}

type Outcome = 'released' | 'held-again' | 'failed';

const realTimer: HoldQueueTimer = {
  set: (fire, delayMs) => setTimeout(fire, delayMs),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export class HoldQueue {
  readonly queue: string;
  private readonly now: () => number;
  private readonly timer: HoldQueueTimer;
  private readonly batch: number;
  private readonly retry: { initialMs: number; maxMs: number };
  private handler: ReleaseHandler | undefined;
  private stopped = false;
  private timerHandle: unknown;
  private armed = false;
  /** Every pass, command and re-arm runs after the one before it. */
  private chain: Promise<unknown> = Promise.resolve();
  private refreshQueued = false;
  private readFailures = 0;
  /** Messages whose release failed, with when to try again. */
  private readonly failures = new Map<string, { attempts: number; retryAt: number }>();
  /** Emitted, not yet deleted from the store: on a retry only the delete is repeated. */
  private readonly emitted = new Set<string>();

  constructor(private readonly opts: HoldQueueOptions) {
    if (typeof opts.queue !== 'string' || opts.queue.trim() === '') {
      throw new SmsError('INVALID_INPUT', `the hold queue needs a name; got ${kindOf(opts.queue)}`);
    }
    this.queue = opts.queue;
    this.now = opts.now ?? Date.now;
    this.timer = opts.timer ?? realTimer;
    this.batch = positiveInteger(opts.batchSize, DEFAULT_BATCH, 'batchSize');
    this.retry = {
      initialMs: positiveInteger(opts.retry?.initialMs, DEFAULT_RETRY.initialMs, 'retry.initialMs'),
      maxMs: positiveInteger(opts.retry?.maxMs, DEFAULT_RETRY.maxMs, 'retry.maxMs'),
    };
  }

  /**
   * Keeps `payload` until `releaseAt`. The payload must be plain JSON data, so that what is
   * released is what was held: a Date, a Buffer, a Map or a class instance is refused rather than
   * turned into something else. An `id` already held in this queue is replaced.
   */
  async hold(payload: unknown, releaseAt: string | Date | number, opts: { id?: string } = {}): Promise<HeldMessage> {
    const at = instant(releaseAt, 'releaseAt');
    const problem = notPlainJson(payload, 'payload');
    if (problem) throw new SmsError('INVALID_INPUT', `${problem}; only JSON data can be held`);
    const held = await (await this.store()).holdMessage({
      queue: this.queue,
      releaseAt: new Date(at).toISOString(),
      payload,
      ...(opts.id !== undefined && { id: opts.id }),
    });
    // A replaced message is a new one: it is emitted even if its predecessor was.
    this.emitted.delete(held.id);
    this.failures.delete(held.id);
    this.schedule();
    return held;
  }

  /**
   * Releases what is due, then keeps releasing each message at its time by calling `onRelease`.
   * Resolves after the first pass.
   */
  start(onRelease: ReleaseHandler): Promise<void> {
    if (this.stopped) return Promise.reject(new SmsError('INVALID_INPUT', 'a stopped hold queue cannot start again'));
    if (this.handler) return Promise.reject(new SmsError('INVALID_INPUT', 'the hold queue is already started'));
    this.handler = onRelease;
    return this.enqueue(() => this.pass());
  }

  /** Stops releasing; held messages stay in the store. Resolves when a pass under way has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.disarm();
    await this.chain;
  }

  count(): Promise<number> {
    return this.store().then((s) => s.countHeld(this.queue));
  }

  /**
   * Releases every held message now, due or not (`forced` for the handler). Messages whose
   * release fails stay held and are counted as failed.
   */
  releaseAll(): Promise<{ released: number; failed: number }> {
    return this.enqueue(async () => {
      const handler = this.started();
      let released = 0;
      let failed = 0;
      // Failed and held-again messages stay in the store; they are skipped, not read forever.
      const stuck = new Set<string>();
      while (!this.stopped) {
        const rows = await (await this.store()).heldMessages(this.queue, { limit: Math.min(this.batch + stuck.size, MAX_READ) });
        const fresh = rows.filter((h) => !stuck.has(h.id));
        if (fresh.length === 0) break;
        for (const held of fresh) {
          if (this.stopped) break;
          const outcome = await this.releaseOne(held, handler, { forced: true });
          if (outcome === 'released') released++;
          else stuck.add(held.id);
          if (outcome === 'failed') failed++;
        }
      }
      await this.refresh();
      return { released, failed };
    });
  }

  /** Deletes every held message without releasing it; resolves with how many there were. */
  discardAll(): Promise<number> {
    return this.enqueue(async () => {
      this.started();
      let discarded = 0;
      while (!this.stopped) {
        const store = await this.store();
        const rows = await store.heldMessages(this.queue, { limit: this.batch });
        let progress = false;
        for (const held of rows) {
          if (await store.releaseHeld(this.queue, held.id)) {
            discarded++;
            progress = true;
          }
          this.failures.delete(held.id);
          this.emitted.delete(held.id);
        }
        if (!progress) break;
      }
      await this.refresh();
      return discarded;
    });
  }

  // -------------------------------------------------------------------------------------------

  private started(): ReleaseHandler {
    if (!this.handler) throw new SmsError('INVALID_INPUT', 'the hold queue is not started');
    return this.handler;
  }

  private enqueue<T>(op: () => Promise<T>): Promise<T> {
    const run = this.chain.then(() => {
      if (this.stopped) throw new SmsError('CANCELED', 'the hold queue is stopped', { retryable: true });
      return op();
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async store(): Promise<Store> {
    const s = this.opts.store;
    if (typeof s !== 'function') return s;
    try {
      return await s();
    } catch (e) {
      throw toSmsError(e, 'STORE_ERROR');
    }
  }

  /** A re-arm after a hold; several holds in a row share one. */
  private schedule(): void {
    if (!this.handler || this.stopped || this.refreshQueued) return;
    this.refreshQueued = true;
    this.enqueue(() => this.refresh()).catch(() => undefined);
  }

  /** Releases every due message, then re-arms. Never rejects: failures are reported and retried. */
  private async pass(): Promise<void> {
    const handler = this.started();
    const now = this.now();
    const limit = Math.min(this.batch + this.failures.size, MAX_READ);
    let due: HeldMessage[];
    try {
      due = await (await this.store()).heldMessages(this.queue, { dueBy: new Date(now).toISOString(), limit });
    } catch (e) {
      this.readFailed(e);
      return;
    }
    this.readFailures = 0;
    if (due.length < limit) {
      // Every due message was read: a failure whose message is gone (deleted elsewhere) is over.
      const present = new Set(due.map((h) => h.id));
      for (const id of this.failures.keys()) if (!present.has(id)) this.failures.delete(id);
    }
    for (const held of due) {
      if (this.stopped) return;
      const failure = this.failures.get(held.id);
      if (failure && failure.retryAt > now) continue;
      await this.releaseOne(held, handler, { forced: false });
    }
    // A full batch leaves more due messages: the re-arm finds them due and wakes at once.
    await this.refresh();
  }

  private async releaseOne(held: HeldMessage, handler: ReleaseHandler, info: ReleaseInfo): Promise<Outcome> {
    try {
      if (!this.emitted.has(held.id)) {
        let answer: void | HoldAgain;
        try {
          answer = await handler(held.payload, held, info);
        } catch (e) {
          throw toSmsError(e, 'INVALID_INPUT');
        }
        if (answer !== undefined) {
          await this.holdAgain(held, answer);
          this.failures.delete(held.id);
          return 'held-again';
        }
        this.emitted.add(held.id);
      }
      await (await this.store()).releaseHeld(this.queue, held.id);
      this.emitted.delete(held.id);
      this.failures.delete(held.id);
      return 'released';
    } catch (e) {
      const error = toSmsError(e, 'STORE_ERROR');
      const attempts = (this.failures.get(held.id)?.attempts ?? 0) + 1;
      this.failures.set(held.id, { attempts, retryAt: this.now() + this.backoff(attempts) });
      this.opts.onError?.(error, held);
      return 'failed';
    }
  }

  private async holdAgain(held: HeldMessage, answer: unknown): Promise<void> {
    if (typeof answer !== 'object' || answer === null || !('holdUntil' in answer)) {
      throw new SmsError('INVALID_INPUT', `a release handler returns nothing or { holdUntil }; got ${kindOf(answer)}`);
    }
    const again = answer as HoldAgain;
    const until = instant(again.holdUntil, 'holdUntil');
    // Not later than now would be released again at once, in a loop.
    if (until <= this.now()) throw new SmsError('INVALID_INPUT', 'holdUntil must be in the future');
    const payload = again.payload === undefined ? held.payload : again.payload;
    const problem = notPlainJson(payload, 'payload');
    if (problem) throw new SmsError('INVALID_INPUT', `${problem}; only JSON data can be held`);
    await (await this.store()).holdMessage({ queue: this.queue, id: held.id, releaseAt: new Date(until).toISOString(), payload });
  }

  /** Reads what is held, arms the timer for the next release or retry, and reports the state. */
  private async refresh(): Promise<void> {
    this.refreshQueued = false;
    let earliest: HeldMessage[];
    let count: number;
    try {
      const store = await this.store();
      // The failing messages come first (they are overdue); one more row is the next due one.
      earliest = await store.heldMessages(this.queue, { limit: Math.min(this.failures.size + 1, MAX_READ) });
      count = await store.countHeld(this.queue);
    } catch (e) {
      this.readFailed(e);
      return;
    }
    this.readFailures = 0;
    let wake: number | undefined;
    const next = earliest.find((h) => !this.failures.has(h.id));
    if (next) wake = Date.parse(next.releaseAt);
    for (const f of this.failures.values()) wake = wake === undefined ? f.retryAt : Math.min(wake, f.retryAt);
    if (wake === undefined) this.disarm();
    else this.arm(wake);
    const state: HoldQueueState = { held: count };
    if (earliest[0]) state.next = earliest[0];
    this.opts.onChange?.(state);
  }

  private readFailed(e: unknown): void {
    this.readFailures++;
    this.opts.onError?.(toSmsError(e, 'STORE_ERROR'));
    this.arm(this.now() + this.backoff(this.readFailures));
  }

  private backoff(attempts: number): number {
    return Math.min(this.retry.initialMs * 2 ** (attempts - 1), this.retry.maxMs);
  }

  private arm(at: number): void {
    if (this.stopped) return;
    this.disarm();
    const delay = Math.min(Math.max(0, at - this.now()), MAX_TIMER_DELAY_MS);
    this.armed = true;
    this.timerHandle = this.timer.set(() => {
      this.armed = false;
      this.enqueue(() => this.pass()).catch(() => undefined);
    }, delay);
  }

  private disarm(): void {
    if (!this.armed) return;
    this.armed = false;
    this.timer.clear(this.timerHandle);
  }
}

function positiveInteger(value: unknown, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new SmsError('INVALID_INPUT', `${name} must be a positive integer; got ${kindOf(value)}`);
  }
  return value;
}

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** Epoch milliseconds of an instant given as ISO-8601 with a zone, a Date or epoch ms. */
function instant(value: unknown, name: string): number {
  let ms = Number.NaN;
  if (value instanceof Date) ms = value.getTime();
  else if (typeof value === 'number') ms = value;
  else if (typeof value === 'string' && value.length <= 40 && ISO_WITH_ZONE.test(value)) ms = Date.parse(value);
  if (!Number.isFinite(ms) || Number.isNaN(new Date(ms).getTime())) {
    throw new SmsError('INVALID_INPUT', `${name} must be an ISO-8601 instant with a zone, a Date or epoch milliseconds; got ${kindOf(value)}`);
  }
  return ms;
}

/**
 * Where `value` holds something JSON would change or drop on the way through the store (a Date,
 * a Buffer, a Map, a class instance, a function, NaN, undefined in an array), named by its path;
 * undefined when it is plain JSON data. Cycles are left to the store, which refuses them.
 */
export function notPlainJson(value: unknown, root: string): string | undefined {
  try {
    return firstNonJson(value, root);
  } catch {
    // A getter or a proxy trap that throws: nothing the store could hold either.
    return `${root} cannot be read as data`;
  }
}

function firstNonJson(value: unknown, root: string): string | undefined {
  interface Visit {
    v: unknown;
    parent?: Visit;
    key?: string;
  }
  // Paths are spelled only for the one reported: building them all would cost quadratic memory
  // on a deeply nested payload.
  const pathOf = (visit: Visit): string => {
    const keys: string[] = [];
    for (let at: Visit | undefined = visit; at?.key !== undefined; at = at.parent) keys.push(at.key);
    const path = root + keys.reverse().join('');
    return path.length > 120 ? `${path.slice(0, 60)}…${path.slice(-50)}` : path;
  };
  const stack: Visit[] = [{ v: value }];
  const seen = new WeakSet<object>();
  let visited = 0;
  while (stack.length > 0) {
    const visit = stack.pop()!;
    const v = visit.v;
    if (++visited > MAX_PAYLOAD_VALUES) return `${root} is too large`;
    switch (typeof v) {
      case 'string':
      case 'boolean':
        continue;
      case 'number':
        if (Number.isFinite(v)) continue;
        return `${pathOf(visit)} is not a finite number`;
      case 'undefined':
        return visit.parent ? `${pathOf(visit)} is undefined` : `${root} is missing`;
      case 'object':
        break;
      default:
        return `${pathOf(visit)} holds a ${typeof v}`;
    }
    if (v === null || seen.has(v)) continue;
    seen.add(v);
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], parent: visit, key: `[${i}]` });
      continue;
    }
    if (!isPlainObject(v)) {
      const name = (v as { constructor?: { name?: unknown } }).constructor?.name;
      return `${pathOf(visit)} holds ${typeof name === 'string' && name ? `a ${name.slice(0, 40)}` : 'an object that is not plain data'}`;
    }
    for (const [key, child] of Object.entries(v)) {
      // An undefined property is simply absent once stored: the same to every reader of the msg.
      if (child !== undefined) stack.push({ v: child, parent: visit, key: `.${key.slice(0, 40)}` });
    }
  }
  return undefined;
}
