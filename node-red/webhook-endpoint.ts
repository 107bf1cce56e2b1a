/**
 * One dispatcher on RED.httpNode for every sms-inbound and sms-dlr path. Nodes register a
 * path and method when they start and unregister when they close, so a redeploy never leaves an
 * old handler answering and nothing splices express's router stack (the http-in node's way, which
 * reaches into express internals). The dispatcher reads the raw body itself — signatures are over
 * the exact bytes — so no body parser may read it first. With the default settings the editor's
 * admin app is mounted at the same root as httpNode and parses JSON and form bodies of every
 * request passing through it; a listener put first on the HTTP server marks requests for our paths
 * as parsed (`req._body`, the flag body-parser honours) so they reach the dispatcher unread. Where
 * something else still consumed the stream, the dispatcher answers 500 instead of hanging.
 */
import { SmsError } from '../core/errors';
import { WEBHOOK_MAX_BODY_BYTES } from '../core/webhook/types';
import type { HttpMiddleware, HttpRequestLike, HttpResponseLike, NodeAPI } from './node-red-api';

export interface CapturedRequest {
  method: string;
  /** Absolute URL as this Node-RED saw it (before any Public URL option). */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
}

export type EndpointHandler = (req: CapturedRequest, res: HttpResponseLike) => void;

interface Route {
  owner: string;
  handler: EndpointHandler;
}

// Beyond this much sent, a body over the limit is not drained any more: the socket is dropped.
const DRAIN_LIMIT_BYTES = 8 * WEBHOOK_MAX_BODY_BYTES;
const registries = new WeakMap<object, Map<string, Route>>();
// Per HTTP server, the route tables its guard consults (one per httpNode app it serves).
const guardedServers = new WeakMap<object, Set<Map<string, Route>>>();

function keyOf(method: string, path: string): string {
  return `${method.toUpperCase()} ${path}`;
}

/** A path as the editor stores it: leading `/`, no trailing one, no query. */
export function normalizePath(value: unknown): string {
  const p = typeof value === 'string' ? value.trim() : '';
  if (p === '' || p.length > 200 || /[?#\s]/.test(p) || p.includes('..')) {
    throw new SmsError('INVALID_INPUT', 'the path must be like /sms/inbound (no query, spaces or "..")');
  }
  const withSlash = p.startsWith('/') ? p : `/${p}`;
  return withSlash.length > 1 ? withSlash.replace(/\/+$/, '') : withSlash;
}

/**
 * Registers `handler` for `method path` and returns the function that removes it. Throws
 * INVALID_INPUT when another node holds that path and method (Node-RED's http-in silently lets
 * one shadow the other), or when this Node-RED serves no flow endpoints (httpNodeRoot: false).
 */
export function registerEndpoint(RED: NodeAPI, owner: string, method: string, path: string, handler: EndpointHandler): () => void {
  const app = RED.httpNode;
  if (app === undefined || RED.settings.httpNodeRoot === false) {
    throw new SmsError('INVALID_INPUT', 'this Node-RED serves no HTTP endpoints from flows (httpNodeRoot is false in settings.js)');
  }
  let routes = registries.get(app);
  if (routes === undefined) {
    routes = new Map();
    registries.set(app, routes);
    app.use(dispatcher(routes));
    guardBodies(RED, routes);
  }
  const key = keyOf(method, path);
  const taken = routes.get(key);
  if (taken !== undefined && taken.owner !== owner) {
    throw new SmsError('INVALID_INPUT', `${key} is already served by node ${taken.owner}; give this node another path`);
  }
  const route = { owner, handler };
  routes.set(key, route);
  const map = routes;
  return () => {
    if (map.get(key) === route) map.delete(key);
  };
}

/** Keeps body parsers mounted before httpNode (the admin app's) off the bodies of our paths. */
function guardBodies(RED: NodeAPI, routes: Map<string, Route>): void {
  const server = RED.server;
  if (server === undefined || typeof server.prependListener !== 'function') return;
  const known = guardedServers.get(server);
  if (known !== undefined) {
    known.add(routes);
    return;
  }
  const tables = new Set([routes]);
  guardedServers.set(server, tables);
  const root = typeof RED.settings.httpNodeRoot === 'string' ? RED.settings.httpNodeRoot.replace(/\/+$/, '') : '';
  server.prependListener('request', (req) => {
    const url = typeof req.url === 'string' ? req.url : '';
    const q = url.indexOf('?');
    const full = q < 0 ? url : url.slice(0, q);
    if (!full.startsWith(root)) return;
    const path = full.slice(root.length) || '/';
    const key = keyOf(req.method ?? '', path.length > 1 ? path.replace(/\/+$/, '') : path);
    for (const table of tables) if (table.has(key)) req._body = true;
  });
}

function dispatcher(routes: Map<string, Route>): HttpMiddleware {
  return (req, res, next) => {
    const route = routes.get(keyOf(req.method, req.path.length > 1 ? req.path.replace(/\/+$/, '') : req.path));
    if (route === undefined) {
      next();
      return;
    }
    if (req.readableEnded === true || req.body !== undefined) {
      res.status(500).set({ 'content-type': 'text/plain; charset=utf-8' }).send('Internal Server Error (the body was parsed before the SMS webhook could read it: check httpNodeMiddleware)');
      return;
    }
    readBody(req, (rawBody, overrun) => {
      if (overrun) {
        // The connection is dropped rather than drained: an endless body costs nothing more.
        res.status(413).set({ 'content-type': 'text/plain; charset=utf-8', connection: 'close' }).send('Payload Too Large (PAYLOAD_TOO_LARGE)');
        (req as unknown as { destroy?: () => void }).destroy?.();
        return;
      }
      const url = `${req.protocol}://${req.get('host') ?? 'localhost'}${req.originalUrl}`;
      try {
        route.handler({ method: req.method, url, headers: req.headers, rawBody }, res);
      } catch (e) {
        next(e);
      }
    });
  };
}

/**
 * The body's bytes, at most the limit + 1 (enough for the core to answer 413), the rest drained;
 * `overrun` when the sender went on far past the limit.
 */
function readBody(req: HttpRequestLike, done: (body: Buffer, overrun: boolean) => void): void {
  const chunks: Buffer[] = [];
  let kept = 0;
  let seen = 0;
  let finished = false;
  const finish = (overrun: boolean): void => {
    if (finished) return;
    finished = true;
    done(Buffer.concat(chunks), overrun);
  };
  req.on('data', (chunk: Buffer | string) => {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    seen += b.length;
    if (kept <= WEBHOOK_MAX_BODY_BYTES) {
      const room = WEBHOOK_MAX_BODY_BYTES + 1 - kept;
      const part = b.length > room ? b.subarray(0, room) : b;
      chunks.push(part);
      kept += part.length;
    }
    if (seen > DRAIN_LIMIT_BYTES) {
      req.removeAllListeners('data');
      finish(true);
    }
  });
  req.on('end', () => finish(false));
  req.on('error', () => finish(true));
}
