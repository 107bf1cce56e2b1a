/**
 * What sms-inbound and sms-dlr share: the settings every webhook node has, its endpoint's life
 * (register on start, unregister on close, wait for requests in flight), and one request's trip —
 * core handler, answer at once, then one message per event. The decisions (signature, codes,
 * dedupe, consent) are the core's (core/webhook): this file only moves bytes and messages.
 */
import { SmsError, kindOf, toSmsError } from '../core/errors';
import { unavailableStore } from '../core/store/unavailable';
import type { Store } from '../core/types';
import { refusal } from '../core/webhook/receive';
import { checkedPublicUrl, publicRequestUrl } from '../core/webhook/request';
import type { RawWebhookRequest, WebhookContext, WebhookResult } from '../core/webhook/types';
import { closeAfterWork } from './close-after-work';
import type { HttpResponseLike, Node, NodeAPI, NodeDef, NodeMessage } from './node-red-api';
import { PROVIDER_NODE_TYPE, type ProviderConnection, type SmsProviderNode } from './sms-provider';
import { storeLeaseFor } from './sms-store';
import { normalizePath, registerEndpoint, servesFlowEndpoints, type CapturedRequest } from './webhook-endpoint';

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
}

export function parseWebhookSettings(def: WebhookNodeDef): WebhookSettings {
  const m = typeof def.method === 'string' ? def.method.trim().toUpperCase() : def.method;
  const method = m === undefined || m === '' || m === 'POST' ? 'POST' : m === 'GET' ? 'GET' : undefined;
  if (method === undefined) throw new SmsError('INVALID_INPUT', 'the method must be POST or GET');
  const settings: WebhookSettings = { path: normalizePath(def.path), method, verify: def.verify !== false };
  if (def.publicUrl !== undefined && def.publicUrl !== null && def.publicUrl !== '') {
    if (typeof def.publicUrl !== 'string') throw new SmsError('INVALID_INPUT', `the public URL must be text; got ${kindOf(def.publicUrl)}`);
    const base = def.publicUrl.trim().replace(/\/+$/, '');
    if (base !== '') settings.publicBase = checkedPublicUrl(base);
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
  const connection = (config as SmsProviderNode).connection();
  if (connection.provider.id === 'afilnet') throw new SmsError('INVALID_INPUT', 'afilnet has no webhooks (delivery status is polled)');
  return connection;
}

export interface WebhookNodeParts<E> {
  kind: 'inbound' | 'status';
  /** msg.topic of every emitted event. */
  topic: string;
  /** The core handler with the node's options read; throws INVALID_INPUT for options it cannot use. */
  handler(): (raw: RawWebhookRequest, ctx: WebhookContext) => Promise<WebhookResult<E>>;
  /** Counts an emitted event for the status text. */
  count(event: E): void;
  statusText(): string;
}

export interface WebhookNode {
  /** The store of the node's sms-store (or the default file), for input commands. */
  store(): Promise<Store>;
  /**
   * Where providers reach this node and whose credentials check them. Throws INVALID_INPUT when
   * the node is not receiving (not configured, path taken, no flow endpoints) or has no Public URL.
   */
  reachableAt(): { url: string; connection: ProviderConnection };
}

/**
 * Starts a webhook node: the store lease (always, so input commands work whatever the endpoint's
 * fate), then the endpoint. A configuration problem is shown on the node and logged once; the
 * endpoint then stays unserved rather than answering with a half-configured check.
 */
export function startWebhookNode<E extends object>(RED: NodeAPI, node: Node, def: WebhookNodeDef, parts: WebhookNodeParts<E>): WebhookNode {
  const lease = storeLeaseFor(RED, def.store);
  const inFlight = new Set<Promise<unknown>>();
  let stopped = false;
  let unregister: () => void = () => undefined;
  let notServing = 'is not configured';

  const setup = configure(RED, def, parts);
  if (setup instanceof SmsError) {
    node.error(setup.message);
    node.status({ fill: 'red', shape: 'ring', text: 'not configured' });
  } else if (!servesFlowEndpoints(RED)) {
    notServing = 'cannot receive: httpNodeRoot is false in settings.js';
    node.warn('this Node-RED serves no HTTP endpoints from flows (httpNodeRoot is false in settings.js): the node receives nothing');
    node.status({ fill: 'grey', shape: 'ring', text: 'no HTTP endpoints' });
  } else {
    const { settings, connection, handle } = setup;
    if (!settings.verify) node.warn('signature verification is OFF: anyone who knows the URL can post to this node');
    const refusals = new Map<number, number>();
    const statusLine = (): string =>
      [parts.statusText(), ...[...refusals].sort(([a], [b]) => a - b).map(([code, n]) => `${code}×${n}`)].join(' · ');
    const refused = (status: number): void => {
      if (stopped) return;
      refusals.set(status, (refusals.get(status) ?? 0) + 1);
      node.status({ fill: 'red', shape: 'ring', text: statusLine() });
    };
    const ctxOf = (store: Store): WebhookContext => ({
      provider: connection.provider.id,
      credentials: connection.credentials,
      store,
      verifySignature: settings.verify,
      // Each refused request is logged here once, by the core, without body or secrets.
      log: (level, message) => (level === 'info' ? node.log(message) : node.warn(message)),
    });

    const onRequest = async (req: CapturedRequest, res: HttpResponseLike): Promise<void> => {
      let store: Store;
      try {
        store = await lease.store;
      } catch (e) {
        store = unavailableStore(e);
      }
      const ctx = ctxOf(store);
      let result: WebhookResult<E>;
      try {
        result = await handle({ ...req, url: publicRequestUrl(publicUrlOf(RED, settings), req.url) }, ctx);
      } catch (e) {
        // publicRequestUrl refuses a request URL that is not a URL (a hostile Host header).
        result = refusal(e, ctx, parts.kind);
      }
      res.status(result.reply.status).set(result.reply.headers ?? {}).send(result.reply.body ?? '');
      if (result.error !== undefined) {
        refused(result.reply.status);
        return;
      }
      if (stopped) return;
      for (const event of result.events) {
        parts.count(event);
        node.send({ payload: event, topic: parts.topic, req: { headers: lowerCased(req.headers) } } satisfies NodeMessage);
      }
      node.status({ fill: 'green', shape: 'dot', text: statusLine() });
      await result.followUp?.();
    };

    try {
      unregister = registerEndpoint(RED, {
        owner: node.id,
        method: settings.method,
        path: settings.path,
        handle: (req, res) => {
          const work = onRequest(req, res).catch((e: unknown) => {
            node.warn(`webhook request failed: ${toSmsError(e).message}`);
            if (!res.headersSent) res.status(500).set({ 'content-type': 'text/plain; charset=utf-8' }).send('Internal Server Error');
            refused(500);
          });
          inFlight.add(work);
          void work.finally(() => inFlight.delete(work));
        },
        refused: (status, reason) => {
          node.warn(`${settings.method} ${servedPath(RED, settings.path)} answered ${status}: ${reason}`);
          refused(status);
        },
      });
      notServing = '';
      node.status({ fill: 'grey', shape: 'ring', text: `${settings.method} ${servedPath(RED, settings.path)}` });
    } catch (e) {
      notServing = 'cannot receive: its path is served by another node';
      node.error(toSmsError(e, 'INVALID_INPUT').message);
      node.status({ fill: 'red', shape: 'ring', text: 'path in use' });
    }
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

  const label = `the ${node.type} node "${node.name || node.id}"`;
  return {
    store: () => lease.store,
    reachableAt: () => {
      if (setup instanceof SmsError || notServing !== '') throw new SmsError('INVALID_INPUT', `${label} ${notServing} (see its status)`);
      const url = publicUrlOf(RED, setup.settings);
      if (url === undefined) throw new SmsError('INVALID_INPUT', `${label} has no Public URL: set the base URL the provider can reach it at`);
      return { url, connection: setup.connection };
    },
  };
}

function configure<E>(RED: NodeAPI, def: WebhookNodeDef, parts: WebhookNodeParts<E>) {
  try {
    return { settings: parseWebhookSettings(def), connection: connectionOfNode(RED, def.provider), handle: parts.handler() };
  } catch (e) {
    return toSmsError(e, 'INVALID_INPUT');
  }
}

function lowerCased(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k.toLowerCase()] = v;
  return out;
}
