/**
 * A running Node-RED flow around one sms-quiet-hours node: a helper node on each output, a Catch
 * and a Complete node, in a user directory of its own (so each flow has its own store) unless one
 * is given — the same directory again is a restart on the same held messages.
 *
 * Time: the suites fake `Date` only (jest's other timers stay real), so the node judges the
 * instant a test chooses while Node-RED and the hold timer run on real timers.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import helper = require('node-red-node-test-helper');
import { openSqliteStore } from '../../core/store';
import smsQuietHours from '../../node-red/sms-quiet-hours';
import smsStore, { STORE_FILE } from '../../node-red/sms-store';

helper.init(require.resolve('node-red'));

export { helper };

export type Msg = Record<string, unknown> & { _msgid?: string; payload?: unknown; quietHours?: Record<string, unknown>; error?: Record<string, unknown> };

export const GATE = 'gate';

/** Every jest fake but Date: Node-RED, SQLite and the hold timer keep real time. */
export function fakeDateOnly(at: string | number): void {
  jest.useFakeTimers({
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'requestAnimationFrame',
      'cancelAnimationFrame',
      'requestIdleCallback',
      'cancelIdleCallback',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
    now: typeof at === 'string' ? Date.parse(at) : at,
  });
}

export function setNow(at: string | number): void {
  jest.setSystemTime(typeof at === 'string' ? Date.parse(at) : at);
}

export interface GateFlowOptions {
  /** sms-quiet-hours settings, as the editor stores them. */
  gate?: Record<string, unknown>;
  /** An existing user directory, left in place on stop. */
  userDir?: string;
  /** Also deploy an sms-store config node (id `store`) with this path setting. */
  storePath?: string;
}

/** What became of one input message. */
export interface Outcome {
  now: Msg | null;
  deferred: Msg | null;
  caught: Msg | null;
}

const WAIT_MS = 10_000;

function within<T>(p: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Resolves once `ready()` holds, checking every 10 ms on real timers (Date may be frozen). */
function poll(ready: () => boolean, what: () => string, ms = WAIT_MS): Promise<void> {
  return new Promise((resolve, reject) => {
    let waited = 0;
    const check = (): void => {
      if (ready()) resolve();
      else if (waited >= ms) reject(new Error(`timed out waiting for ${what()}`));
      else {
        waited += 10;
        setTimeout(check, 10);
      }
    };
    check();
  });
}

export function flowNodes(opts: GateFlowOptions = {}): Record<string, unknown>[] {
  // Node-RED takes a node without x/y for a config node; ids differ from every property value.
  const at = { x: 100, y: 100 };
  const nodes: Record<string, unknown>[] = [
    { id: 'tab', type: 'tab', label: 'quiet hours' },
    { id: GATE, type: 'sms-quiet-hours', z: 'tab', ...at, wires: [['out-now'], ['out-deferred']], ...opts.gate },
    { id: 'out-now', type: 'helper', z: 'tab', ...at, wires: [] },
    { id: 'out-deferred', type: 'helper', z: 'tab', ...at, wires: [] },
    { id: 'catcher', type: 'catch', z: 'tab', ...at, scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'tab', ...at, wires: [] },
    { id: 'completer', type: 'complete', z: 'tab', ...at, scope: [GATE], uncaught: false, wires: [['completed']] },
    { id: 'completed', type: 'helper', z: 'tab', ...at, wires: [] },
  ];
  if (opts.storePath !== undefined) nodes.push({ id: 'store', type: 'sms-store', name: 'test store', path: opts.storePath });
  return nodes;
}

/**
 * Node-RED's Node prototype, whose methods the test helper replaces with sinon spies for each
 * loaded flow. Their call history is read rather than their `call:` events: a release may happen
 * while the flow is still starting, before a test could attach a listener.
 */
const NodePrototype = (require('@node-red/runtime/lib/nodes/Node') as { prototype: Record<string, unknown> }).prototype;

interface SpyCall {
  thisValue: { id?: string } | undefined;
  args: unknown[];
}

function gateCalls(method: 'send' | 'status' | 'warn'): SpyCall[] {
  const spy = NodePrototype[method] as { getCalls?: () => SpyCall[] };
  return (spy.getCalls?.() ?? []).filter((c) => c.thisValue?.id === GATE);
}

function outputOf(port: 0 | 1): Msg[] {
  const out: Msg[] = [];
  for (const call of gateCalls('send')) {
    const msg = (call.args[0] as (Msg | null)[])[port];
    if (msg) out.push(msg);
  }
  return out;
}

export class GateFlow {
  private constructor(
    readonly userDir: string,
    private readonly ownsUserDir: boolean,
  ) {}

  static async start(opts: GateFlowOptions = {}): Promise<GateFlow> {
    const flow = opts.userDir === undefined ? new GateFlow(mkdtempSync(join(tmpdir(), 'a2p-qh-')), true) : new GateFlow(opts.userDir, false);
    helper.settings({ userDir: flow.userDir });
    await helper.load([smsStore, smsQuietHours], flowNodes(opts));
    return flow;
  }

  /** Everything the gate sent on output 1, in order, released messages included. */
  get sentNow(): Msg[] {
    return outputOf(0);
  }

  get sentDeferred(): Msg[] {
    return outputOf(1);
  }

  get statuses(): Record<string, unknown>[] {
    return gateCalls('status').map((c) => c.args[0] as Record<string, unknown>);
  }

  get warnings(): string[] {
    return gateCalls('warn').map((c) => String(c.args[0]));
  }

  get node(): ReturnType<typeof helper.getNode> {
    return helper.getNode(GATE);
  }

  get lastStatus(): Record<string, unknown> | undefined {
    return this.statuses.at(-1);
  }

  /**
   * Feeds `msg` to the gate and waits until it is done with it (Complete or Catch node); then
   * reports what it sent for that message. Messages are told apart by `_msgid`.
   */
  async input(msg: Msg): Promise<Outcome> {
    const id = randomUUID();
    const mine = (m: unknown): boolean => (m as Msg | null)?._msgid === id;
    const finished = new Promise<Msg | null>((resolve) => {
      const caught = helper.getNode('caught');
      const completed = helper.getNode('completed');
      const onCaught = (m: Msg): void => {
        if (!mine(m)) return;
        cleanup();
        resolve(m);
      };
      const onCompleted = (m: Msg): void => {
        if (!mine(m)) return;
        cleanup();
        resolve(null);
      };
      const cleanup = (): void => {
        caught.off('input', onCaught);
        completed.off('input', onCompleted);
      };
      caught.on('input', onCaught);
      completed.on('input', onCompleted);
    });
    this.node.receive({ ...msg, _msgid: id });
    const caught = await within(finished, 'the gate to finish the message');
    return { now: this.sentNow.find(mine) ?? null, deferred: this.sentDeferred.find(mine) ?? null, caught };
  }

  /** Waits until output 1 has carried `count` messages in all. */
  async nowCount(count: number, ms = WAIT_MS): Promise<Msg[]> {
    await poll(() => this.sentNow.length >= count, () => `${count} messages on output 1 (got ${this.sentNow.length})`, ms);
    return this.sentNow.slice(0, count);
  }

  /** Waits until the last status text matches. */
  async status(text: RegExp): Promise<Record<string, unknown>> {
    await poll(
      () => text.test(String(this.lastStatus?.text ?? '')),
      () => `a status matching ${text} (last: ${JSON.stringify(this.lastStatus)})`,
    );
    return this.lastStatus!;
  }

  /** Every log line Node-RED wrote since the flow was loaded, as text. */
  logText(): string {
    return JSON.stringify(helper.log().args);
  }

  async stop(): Promise<void> {
    await helper.unload();
    if (this.ownsUserDir) rmSync(this.userDir, { recursive: true, force: true });
  }
}

/** How many messages the store file in `userDir` holds for the gate (read with a store of its own). */
export async function heldInStore(userDir: string, file = STORE_FILE, queue = GATE): Promise<number> {
  const store = await openSqliteStore(join(userDir, file));
  try {
    return await store.countHeld(queue);
  } finally {
    await store.close();
  }
}
