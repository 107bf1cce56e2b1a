/**
 * A running Node-RED flow of the package's nodes of one type (sms-consent by default, sms-otp):
 * each node's outputs wired to helper nodes, a Catch node for the tab, optional sms-store config
 * nodes, in a fresh user directory (its own store).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { helper, type Msg } from './harness';
import smsConsent from '../../node-red/sms-consent';
import smsStore from '../../node-red/sms-store';

export { helper, type Msg };

/** The node type under test: its module and how many outputs a node of given settings has. */
export interface NodeKind {
  type: string;
  module: unknown;
  outputs(settings: Record<string, unknown>): number;
}

export const CONSENT: NodeKind = {
  type: 'sms-consent',
  module: smsConsent,
  outputs: (n) => ((n.operation ?? 'check') === 'check' ? 2 : 1),
};

export interface NodeFlowOptions {
  /** Default: sms-consent. */
  kind?: NodeKind;
  /** Nodes of that type: an id and the settings the editor would store. */
  nodes: (Record<string, unknown> & { id: string })[];
  /** sms-store config nodes. */
  stores?: { id: string; path?: string }[];
  /** An existing user directory, left in place on stop: a redeploy on the same ledger. */
  userDir?: string;
  /** Extra nodes, and the node modules they need. */
  extra?: { nodes: Record<string, unknown>[]; modules: unknown[] };
  /** Credentials of config nodes by node id (an sms-provider's account). */
  credentials?: Record<string, Record<string, string>>;
}

export interface Answer {
  /** What the node sent, one entry per output (`null` where nothing went); null when it sent nothing. */
  ports: (Msg | null)[] | null;
  /** What the Catch node received, when the node reported an error. */
  caught: Msg | null;
}

const WAIT_MS = 20_000;

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), WAIT_MS);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** The test helper reports a node's calls on the next tick; let those reports arrive. */
export function nextTicks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class NodeFlow {
  /** Status calls per node id, in order. */
  readonly statuses = new Map<string, Record<string, unknown>[]>();
  /** Every message each node sent, by node id, with the output it left on. */
  readonly sent = new Map<string, { port: number; msg: Msg }[]>();

  private constructor(
    readonly userDir: string,
    private readonly ownsUserDir: boolean,
  ) {}

  static async start(opts: NodeFlowOptions): Promise<NodeFlow> {
    const flow =
      opts.userDir === undefined
        ? new NodeFlow(mkdtempSync(join(tmpdir(), 'a2p-nr-flow-')), true)
        : new NodeFlow(opts.userDir, false);
    const kind = opts.kind ?? CONSENT;
    helper.settings({ userDir: flow.userDir });
    // Node-RED takes a node without x/y for a config node (and Catch would then catch nothing).
    const at = { x: 100, y: 100 };
    const nodes: Record<string, unknown>[] = [
      { id: 'tab', type: 'tab', label: kind.type },
      { id: 'catcher', type: 'catch', z: 'tab', ...at, scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper', z: 'tab', ...at, wires: [] },
    ];
    for (const s of opts.stores ?? []) nodes.push({ type: 'sms-store', name: '', path: '', ...s });
    for (const n of opts.nodes) {
      const outputs = kind.outputs(n);
      nodes.push({
        type: kind.type,
        z: 'tab',
        ...at,
        outputs,
        wires: Array.from({ length: outputs }, (_, i) => [`${n.id}-out${i}`]),
        ...n,
      });
      for (let i = 0; i < outputs; i++) nodes.push({ id: `${n.id}-out${i}`, type: 'helper', z: 'tab', ...at, wires: [] });
    }
    nodes.push(...(opts.extra?.nodes ?? []));
    await helper.load([smsStore, kind.module, ...(opts.extra?.modules ?? [])], nodes, opts.credentials ?? {});
    for (const n of opts.nodes) {
      const node = helper.getNode(n.id);
      const statuses: Record<string, unknown>[] = [];
      const sent: { port: number; msg: Msg }[] = [];
      flow.statuses.set(n.id, statuses);
      flow.sent.set(n.id, sent);
      node.on('call:status', (call) => statuses.push(call.args[0] as Record<string, unknown>));
      node.on('call:send', (call) => {
        const out = call.args[0] as Msg | (Msg | null)[];
        (Array.isArray(out) ? out : [out]).forEach((msg, port) => msg && sent.push({ port, msg }));
      });
    }
    return flow;
  }

  /**
   * Feeds `msg` to node `id` and waits for its answer: the `send` call that carries it, or the
   * error it reported and the Catch node's copy. Told apart by `_msgid`, which copies keep.
   */
  async run(id: string, msg: Msg): Promise<Answer> {
    const node = helper.getNode(id);
    const caughtNode = helper.getNode('caught');
    const msgid = randomUUID();
    const mine = (m: unknown): boolean => (m as Msg | null)?._msgid === msgid;
    let onSend: (call: { args: unknown[] }) => void = () => undefined;
    let onCaught: (m: Msg) => void = () => undefined;
    const answered = new Promise<Answer>((resolve) => {
      onSend = (call) => {
        const out = call.args[0] as Msg | (Msg | null)[];
        const ports = Array.isArray(out) ? out : [out];
        if (ports.some(mine)) resolve({ ports, caught: null });
      };
      onCaught = (m) => {
        if (mine(m)) resolve({ ports: null, caught: m });
      };
    });
    node.on('call:send', onSend);
    caughtNode.on('input', onCaught);
    node.receive({ ...msg, _msgid: msgid });
    try {
      const answer = await withTimeout(answered, `an answer from ${id}`);
      // Let a second report (a send after a failure, or the other way round) show in `sent`.
      await nextTicks();
      return answer;
    } finally {
      node.off('call:send', onSend);
      caughtNode.off('input', onCaught);
    }
  }

  /** Every message node `id` sent for a given `_msgid`. */
  sentFor(id: string, msgid: unknown): { port: number; msg: Msg }[] {
    return (this.sent.get(id) ?? []).filter((s) => s.msg._msgid === msgid);
  }

  lastStatus(id: string): Record<string, unknown> | undefined {
    return this.statuses.get(id)?.at(-1);
  }

  logText(): string {
    return JSON.stringify(helper.log().args);
  }

  async stop(): Promise<void> {
    await helper.unload();
    if (this.ownsUserDir) rmSync(this.userDir, { recursive: true, force: true });
  }
}

/** A valid US number, distinct for i < 9000. */
export function usNumber(i: number): string {
  return `+1415555${String(1000 + i).padStart(4, '0')}`;
}
