/**
 * What sms-inbound and sms-dlr share: the settings every webhook node has, its endpoint's life
 * (register on start, unregister on close, wait for requests in flight), and one request's trip —
 * core handler, answer at once, then one message per event. The decisions (signature, codes,
 * dedupe, consent) are the core's (core/webhook): this file only moves bytes and messages.
 */
import { SmsError, kindOf, toSmsError } from '../core/errors';
import { unavailableStore } from '../core/store/unavailable';
import type { Store } from '../core/types';
import { checkedPublicUrl, publicRequestUrl } from '../core/webhook/request';
import type { RawWebhookRequest, WebhookContext, WebhookResult } from '../core/webhook/types';
import { closeAfterWork } from './close-after-work';
import type { HttpResponseLike, Node, NodeAPI, NodeDef, NodeMessage } from './node-red-api';
import { PROVIDER_NODE_TYPE, type ProviderConnection, type SmsProviderNode } from './sms-provider';
import { storeLeaseFor } from './sms-store';
import { normalizePath, registerEndpoint, type CapturedRequest } from './webhook-endpoint';

export interface WebhookNodeDef extends NodeDef {
  provider?: string;
  store?: string;
  path?: unknown;
  method?: unknown;
  /** Base URL the provider calls, e.g. https://nodered.example.com (reverse proxies). */
  publicUrl?: unknown;
  verify?: unknown;
  dedupe?: unknown;
}

export interface WebhookSettings {
  path: string;
  method: 'POST' | 'GET';
  publicBase?: string;
  verify: boolean;
  dedupe: boolean;
}

export function parseWebhookSettings(def: WebhookNodeDef): WebhookSettings {
  const method = def.method === 'GET' ? 'GET' : def.method === undefined || def.method === '' || def.method === 'POST' ? 'POST' : undefined;
  if (method === undefined) throw new SmsError('INVALID_INPUT', 'the method must be POST or GET');
  const settings: WebhookSettings = { path: normalizePath(def.path), method, verify: def.verify !== false, dedupe: def.dedupe !== false };
  if (def.publicUrl !== undefined && def.publicUrl !== null && def.publicUrl !== '') {
    if (typeof def.publicUrl !== 'string') throw new SmsError('INVALID_INPUT', `the public URL must be text; got ${kindOf(def.publicUrl)}`);
    settings.publicBase = checkedPublicUrl(def.publicUrl.trim().replace(/\/+$/, ''));
  }
  return settings;
}

/** httpNodeRoot + path: where this Node-RED serves the node (default root `/`). */
export function servedPath(RED: NodeAPI, path: string): string {
  const root = typeof RED.settings.httpNodeRoot === 'string' ? RED.settings.httpNodeRoot.replace(/\/+$/, '') : '';
  return `${root}${path}`;
}

/** The URL to give the provider: the public base + httpNodeRoot + path; undefined without a public base. */
export function publicUrlOf(RED: NodeAPI, s: WebhookSettings): string | undefined {
  return s.publicBase === undefined ? undefined : s.publicBase + servedPath(RED, s.path);
}

export function connectionOfNode(RED: NodeAPI, providerNodeId: string | undefined): ProviderConnection {
  const config = providerNodeId ? RED.nodes.getNode(providerNodeId) : null;
  if (!config || config.type !== PROVIDER_NODE_TYPE) {
    throw new SmsError('MISSING_CREDENTIALS', 'select an sms-provider config node: its credentials verify the webhook signatures');
  }
  return (config as SmsProviderNode).connection();
}

export interface WebhookNodeParts<E> {
  kind: 'inbound' | 'status';
  /** The core handler with the node's options applied. */
  handle(raw: RawWebhookRequest, ctx: WebhookContext): Promise<WebhookResult<E>>;
  /** Counts an emitted event for the status text. */
  count(event: E): void;
  statusText(): string;
}

/**
 * Starts the endpoint of a webhook node. Returns the store lease's store (for input commands) and
 * sets up the close handler. A configuration problem is shown on the node and logged once; the
 * node then stays idle rather than answering with a half-configured check.
 */
export function startWebhookNode<E extends object>(RED: NodeAPI, node: Node, def: WebhookNodeDef, parts: WebhookNodeParts<E>): { store: () => Promise<Store> } | undefined {
  let settings: WebhookSettings;
  let connection: ProviderConnection;
  try {
    settings = parseWebhookSettings(def);
    connection = connectionOfNode(RED, def.provider);
    if (connection.provider.id === 'afilnet') throw new SmsError('INVALID_INPUT', 'afilnet has no webhooks (delivery status is polled)');
  } catch (e) {
    node.error(toSmsError(e, 'INVALID_INPUT').message);
    node.status({ fill: 'red', shape: 'ring', text: 'not configured' });
    return undefined;
  }
  const lease = storeLeaseFor(RED, def.store);
  const inFlight = new Set<Promise<unknown>>();
  let refused = 0;
  let stopped = false;
  if (!settings.verify) node.warn('signature verification is OFF: anyone who knows the URL can post to this node');

  const onRequest = (req: CapturedRequest, res: HttpResponseLike): void => {
    const work = (async () => {
      let store: Store;
      try {
        store = await lease.store;
      } catch (e) {
        store = unavailableStore(e);
      }
      const raw: RawWebhookRequest = { ...req, url: urlOf(req.url, settings) };
      const ctx: WebhookContext = {
        provider: connection.provider.id,
        credentials: connection.credentials,
        store,
        verifySignature: settings.verify,
        log: (level, message) => (level === 'info' ? node.log(message) : node.warn(message)),
      };
      const result = await parts.handle(raw, ctx);
      res.status(result.reply.status).set(result.reply.headers ?? {}).send(result.reply.body ?? '');
      if (stopped) return;
      if (result.error !== undefined) {
        refused++;
        node.status({ fill: 'red', shape: 'ring', text: `${parts.statusText()} · ${result.reply.status} ${result.error.code}`.slice(0, 40) });
        return;
      }
      for (const event of result.events) {
        parts.count(event);
        const msg: NodeMessage = { payload: event, topic: parts.kind, req: { headers: lowerCased(req.headers) } };
        node.send(msg);
      }
      node.status({ fill: 'green', shape: 'dot', text: parts.statusText() + (refused > 0 ? ` · refused ${refused}` : '') });
      await result.followUp?.();
    })().catch((e) => node.warn(`webhook request failed: ${toSmsError(e).message}`));
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  };

  let unregister: () => void = () => undefined;
  try {
    unregister = registerEndpoint(RED, node.id, settings.method, settings.path, onRequest);
    node.status({ fill: 'grey', shape: 'ring', text: `${settings.method} ${servedPath(RED, settings.path)}`.slice(0, 40) });
  } catch (e) {
    node.error(toSmsError(e, 'INVALID_INPUT').message);
    node.status({ fill: 'red', shape: 'ring', text: 'path in use' });
  }

  node.on('close', (_removed, done) => {
    // The path stops answering at once; requests already in flight finish and are kept.
    unregister();
    closeAfterWork(
      RED,
      node,
      {
        pending: () => [...inFlight],
        release: () => lease.release(),
        stopped: () => {
          stopped = true;
        },
        what: 'the webhook store',
      },
      done,
    );
  });
  return { store: () => lease.store };
}

function urlOf(seen: string, s: WebhookSettings): string {
  if (s.publicBase === undefined) return seen;
  // The provider called base + root + path; the engine saw the same root + path, maybe on another host.
  const u = new URL(seen);
  return publicRequestUrl(s.publicBase + u.pathname, seen);
}

function lowerCased(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k.toLowerCase()] = v;
  return out;
}
