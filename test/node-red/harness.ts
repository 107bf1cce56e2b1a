/**
 * A running Node-RED flow around one sms-send node: sms-provider config → sms-send → a helper node
 * per output, plus a Catch node, in a fresh user directory (so each flow has its own message log).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import helper = require('node-red-node-test-helper');
import smsProvider from '../../node-red/sms-provider';
import smsSend from '../../node-red/sms-send';

helper.init(require.resolve('node-red'));

export { helper };

export type Msg = Record<string, unknown> & { payload?: unknown; error?: Record<string, unknown> };

export const TWILIO_CREDENTIALS = { accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: 'tok-S3cr3t-tw1lio-7Yq' };
export const TWILIO_HOST = 'https://api.twilio.com';
export const TWILIO_PATH = `/2010-04-01/Accounts/${TWILIO_CREDENTIALS.accountSid}/Messages.json`;

export interface FlowOptions {
  provider?: string;
  credentials?: Record<string, string>;
  rate?: string;
  /** sms-send settings, as the editor would store them. */
  send?: Record<string, unknown>;
  /** An sms-send with no config node selected. */
  noProviderNode?: boolean;
  /** Runtime settings beside userDir, as settings.js would set them. */
  settings?: Record<string, unknown>;
  /** An existing user directory, left in place on stop: a restart on the same message log. */
  userDir?: string;
}

export interface Run {
  sent: Msg | null;
  failed: Msg | null;
  /** What the Catch node received, when the node reported an error. */
  caught: Msg | null;
}

const WAIT_MS = 30_000;

function withTimeout<T>(p: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export class TestFlow {
  readonly statuses: Record<string, unknown>[] = [];
  readonly errors: unknown[][] = [];

  private constructor(
    readonly userDir: string,
    private readonly ownsUserDir: boolean,
  ) {}

  static async start(opts: FlowOptions = {}): Promise<TestFlow> {
    const flow = opts.userDir === undefined ? new TestFlow(mkdtempSync(join(tmpdir(), 'a2p-nr-')), true) : new TestFlow(opts.userDir, false);
    helper.settings({ ...opts.settings, userDir: flow.userDir });
    // Node-RED takes a node without x/y for a config node (and Catch would then catch nothing);
    // ids differ from every property value, which it would read as a config-node reference.
    const at = { x: 100, y: 100 };
    const nodes: Record<string, unknown>[] = [
      { id: 'tab', type: 'tab', label: 'sms' },
      {
        id: 'send',
        type: 'sms-send',
        z: 'tab',
        ...at,
        provider: opts.noProviderNode ? '' : 'account',
        wires: [['sent'], ['failed']],
        ...opts.send,
      },
      { id: 'sent', type: 'helper', z: 'tab', ...at, wires: [] },
      { id: 'failed', type: 'helper', z: 'tab', ...at, wires: [] },
      { id: 'catcher', type: 'catch', z: 'tab', ...at, scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper', z: 'tab', ...at, wires: [] },
    ];
    if (!opts.noProviderNode) {
      nodes.push({ id: 'account', type: 'sms-provider', name: 'SMS account', provider: opts.provider ?? 'sandbox', rate: opts.rate ?? '' });
    }
    await helper.load([smsProvider, smsSend], nodes, opts.credentials ? { account: opts.credentials } : {});
    const send = helper.getNode('send');
    send.on('call:status', (call) => flow.statuses.push(call.args[0] as Record<string, unknown>));
    send.on('call:error', (call) => flow.errors.push(call.args));
    return flow;
  }

  get node(): ReturnType<typeof helper.getNode> {
    return helper.getNode('send');
  }

  /**
   * Feeds `msg` to sms-send and waits for the `send` call that answers it, and for the Catch
   * message when it failed. Messages are told apart by `_msgid`, which Node-RED keeps on copies.
   */
  async send(msg: Msg): Promise<Run> {
    const node = this.node;
    const id = randomUUID();
    const mine = (m: unknown): boolean => (m as Msg | null)?._msgid === id;
    const outputs = new Promise<[Msg | null, Msg | null]>((resolve) => {
      const listener = (call: { args: unknown[] }) => {
        const out = call.args[0] as [Msg | null, Msg | null];
        if (!out.some(mine)) return;
        node.off('call:send', listener);
        resolve(out);
      };
      node.on('call:send', listener);
    });
    const catcher = helper.getNode('caught');
    let stopCatching = (): void => undefined;
    const caught = new Promise<Msg>((resolve) => {
      const listener = (m: Msg) => mine(m) && resolve(m);
      catcher.on('input', listener);
      stopCatching = () => catcher.off('input', listener);
    });
    node.receive({ ...msg, _msgid: id });
    try {
      const [sent, failed] = await withTimeout(outputs, 'sms-send outputs');
      const run: Run = { sent, failed, caught: null };
      if (failed) run.caught = await withTimeout(caught, `the Catch node (failed: ${JSON.stringify(failed.error)})`);
      return run;
    } finally {
      stopCatching();
    }
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

/** Valid US numbers, distinct for i < 9000. */
export function usNumber(i: number): string {
  return `+1415555${String(1000 + i).padStart(4, '0')}`;
}
