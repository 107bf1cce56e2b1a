/**
 * sms-inbound and sms-dlr in a running Node-RED (node-red-node-test-helper), driven over HTTP
 * through supertest on RED.httpNode, the express app their endpoints live on. Each flow gets a
 * fresh user directory (its own store file) and a Catch node on its tab.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import nock from 'nock';
import request from 'supertest';
import { helper } from './harness';
import smsDlr from '../../node-red/sms-dlr';
import smsInbound from '../../node-red/sms-inbound';
import smsProvider from '../../node-red/sms-provider';
import smsSend from '../../node-red/sms-send';
import smsStore from '../../node-red/sms-store';
import type { NodeAPI } from '../../node-red/node-red-api';

export { helper };

export type Msg = Record<string, unknown> & { payload?: unknown; topic?: unknown; req?: unknown; error?: Record<string, unknown> };
export type FlowNode = Record<string, unknown> & { id: string };

export const SECRET = 'nr-sandbox-s3cret';
export const ALICE = '+14155550100';
export const SHOP = '+14155550199';
export const TWILIO = { accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: 'tok-S3cr3t-tw1lio-7Yq' };
/** x/y: Node-RED takes a node without them for a config node, and Catch would then catch nothing. */
export const at = { x: 100, y: 100, z: 'tab' };

let RED: NodeAPI | undefined;
const captureRed = (r: NodeAPI): void => {
  RED = r;
};
const MODULES = [smsStore, smsProvider, smsInbound, smsDlr, smsSend, captureRed];

/**
 * The sms-provider config node of each account every flow has, by name. Ids differ from every
 * property value: Node-RED takes a value equal to a node id for a reference to that node.
 */
export const ACCOUNT = { sandbox: 'acct-sandbox', unsigned: 'acct-unsigned', twilio: 'acct-twilio', vonage: 'acct-vonage', afilnet: 'acct-afilnet' } as const;
const PROVIDERS: FlowNode[] = [
  { id: ACCOUNT.sandbox, type: 'sms-provider', name: 'signed sandbox', provider: 'sandbox' },
  { id: ACCOUNT.unsigned, type: 'sms-provider', name: 'unsigned sandbox', provider: 'sandbox' },
  { id: ACCOUNT.twilio, type: 'sms-provider', name: 'twilio', provider: 'twilio' },
  { id: ACCOUNT.vonage, type: 'sms-provider', name: 'vonage', provider: 'vonage' },
  { id: ACCOUNT.afilnet, type: 'sms-provider', name: 'afilnet', provider: 'afilnet' },
];
export const VONAGE = { apiKey: 'k1', apiSecret: 'vonage-api-s3cret', signatureSecret: 'vonage-sig-s3cret', signatureMethod: 'md5hash' };
const CREDENTIALS: Record<string, Record<string, string>> = {
  [ACCOUNT.sandbox]: { webhookSecret: SECRET, reportDelayMs: '0' },
  [ACCOUNT.unsigned]: { reportDelayMs: '0' },
  [ACCOUNT.twilio]: TWILIO,
  [ACCOUNT.vonage]: VONAGE,
  [ACCOUNT.afilnet]: { user: 'u@example.com', password: 'afilnet-pw' },
};

/** A node and a helper node on each output (`<id>-out`, `<id>-out1`, …). */
export function withOutputs(node: FlowNode, outputs = 1): FlowNode[] {
  const outs = Array.from({ length: outputs }, (_, i) => `${node.id}-out${i === 0 ? '' : i}`);
  return [{ ...at, wires: outs.map((o) => [o]), ...node }, ...outs.map((id) => ({ id, type: 'helper', ...at, wires: [] }))];
}

export function inboundNode(settings: Record<string, unknown> = {}, id = 'in'): FlowNode[] {
  return withOutputs({ id, type: 'sms-inbound', provider: ACCOUNT.sandbox, path: '/sms/in', method: 'POST', verify: true, ...settings });
}

export function dlrNode(settings: Record<string, unknown> = {}, id = 'dlr'): FlowNode[] {
  return withOutputs({ id, type: 'sms-dlr', provider: ACCOUNT.sandbox, path: '/sms/dlr', method: 'POST', verify: true, publicUrl: 'https://nr.example.com', ...settings });
}

export function sendNode(settings: Record<string, unknown> = {}, id = 'send'): FlowNode[] {
  return withOutputs({ id, type: 'sms-send', provider: ACCOUNT.sandbox, to: 'to', toType: 'msg', message: 'payload', messageType: 'msg', ...settings }, 2);
}

export class WebhookFlow {
  private constructor(readonly userDir: string) {}

  /** Loads `nodes` (plus the provider config nodes, a tab and a Catch node) in a fresh user directory. */
  static async start(nodes: FlowNode[], settings: Record<string, unknown> = {}): Promise<WebhookFlow> {
    const flow = new WebhookFlow(mkdtempSync(join(tmpdir(), 'a2p-nr-hooks-')));
    helper.settings({ ...settings, userDir: flow.userDir });
    // supertest talks to RED.httpNode over loopback; providers stay behind nock.
    nock.enableNetConnect('127.0.0.1');
    await helper.load(MODULES, WebhookFlow.full(nodes), CREDENTIALS);
    return flow;
  }

  private static full(nodes: FlowNode[]): FlowNode[] {
    return [
      { id: 'tab', type: 'tab', label: 'webhooks' },
      ...PROVIDERS,
      { id: 'catcher', type: 'catch', ...at, scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper', ...at, wires: [] },
      ...nodes,
    ];
  }

  /** A deploy of `nodes` into the running flows, as the editor's Deploy button does (full). */
  async redeploy(nodes: FlowNode[]): Promise<void> {
    const h = helper as unknown as { setFlows(flow: FlowNode[], type: string, credentials: unknown): Promise<void> };
    await h.setFlows(WebhookFlow.full(nodes), 'full', CREDENTIALS);
  }

  get httpNode(): Parameters<typeof request>[0] {
    if (RED === undefined) throw new Error('no flow loaded');
    return RED.httpNode as unknown as Parameters<typeof request>[0];
  }

  /** The messages node `id` receives from now on. */
  collect(id: string): Msg[] {
    const got: Msg[] = [];
    helper.getNode(id).on('input', (m: Msg) => got.push(m));
    return got;
  }

  /** POSTs a sandbox webhook, signed with SECRET unless `signature` says otherwise (null: unsigned). */
  post(path: string, body: unknown, signature?: string | null) {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const req = request(this.httpNode).post(path).set('content-type', 'application/json');
    if (signature !== null) req.set('x-sandbox-signature', signature ?? sign(text));
    return req.send(text);
  }

  /**
   * Every status node `id` showed since the flow was loaded, in order, those set while it started
   * included (the helper's spy on Node.prototype.status records them all).
   */
  statuses(id: string): Record<string, unknown>[] {
    const spy = (helper as unknown as { _NodePrototype: { status: { getCalls(): { thisValue: { id: string }; args: unknown[] }[] } } })._NodePrototype.status;
    return spy
      .getCalls()
      .filter((c) => c.thisValue.id === id)
      .map((c) => c.args[0] as Record<string, unknown>);
  }

  lastStatus(id: string): Record<string, unknown> | undefined {
    return this.statuses(id).at(-1);
  }

  /** Log lines of `level` (20 error, 30 warn, 40 info) since the flow was loaded, with the node id. */
  logged(level: number): { id: string; msg: string }[] {
    const entries = (helper.log().args as { level: number; id?: string; msg?: unknown }[][]).map((a) => a[0]!);
    return entries.filter((e) => e.level === level).map((e) => ({ id: String(e.id), msg: String(e.msg) }));
  }

  /** Rows of `table` in the flow's default store file, read behind the store's back. */
  rows(table: 'consent_events' | 'inbound_messages' | 'messages' | 'delivery_reports'): number {
    const raw = new DatabaseSync(join(this.userDir, 'a2p-kit.sqlite'));
    try {
      return (raw.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    } finally {
      raw.close();
    }
  }

  async stop(): Promise<void> {
    await helper.unload();
    RED = undefined;
    rmSync(this.userDir, { recursive: true, force: true });
  }
}

export function sign(body: string, secret = SECRET): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/** Twilio's X-Twilio-Signature of a form POST to `url`. */
export function twilioSignature(url: string, params: Record<string, string>): string {
  const data = url + Object.keys(params).sort().map((k) => k + params[k]).join('');
  return createHmac('sha1', TWILIO.authToken).update(data).digest('base64');
}

/** Waits until `done()` holds (messages travel through Node-RED asynchronously); fails after 10 s. */
export async function until(done: () => boolean, what = 'the flow'): Promise<void> {
  for (let i = 0; i < 400 && !done(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!done()) throw new Error(`timed out waiting for ${what}`);
}

/** Long enough for a message already sent to have arrived: for asserting that none was. */
export function settle(): Promise<void> {
  return new Promise((r) => setTimeout(r, 100));
}
