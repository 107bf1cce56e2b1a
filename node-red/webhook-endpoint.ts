/**
 * One dispatcher on RED.httpNode for every sms-inbound and sms-dlr path. Nodes register a path and
 * method when they start and unregister when they close, so a redeploy never leaves an old handler
 * answering and nothing splices express's router stack (the http-in node's way, which reaches into
 * express internals). Being inside RED.httpNode, the dispatcher sits behind what Node-RED puts in
 * front of it (httpNodeAuth); httpNodeMiddleware, which the http-in node applies per route, it
 * applies to our paths the same way.
 *
 * Signatures are over the exact bytes, so the dispatcher reads the raw body itself and no body
 * parser may read it first. With the default settings the editor's admin app is mounted at the
 * same root as httpNode and parses JSON and form bodies of every request passing through it; a
 * listener put first on the HTTP server marks requests for our paths as parsed (`req._body`, the
 * flag body-parser honours) so they reach the dispatcher unread. Where something else still
 * consumed the stream, the dispatcher answers 500 and says so instead of hanging.
 */
import { SmsError, kindOf } from '../core/errors';
import { WEBHOOK_MAX_BODY_BYTES } from '../core/webhook/types';
import type { HttpMiddleware, HttpRequestLike, HttpResponseLike, NodeAPI } from './node-red-api';

export interface CapturedRequest {
  method: string;
  /** Absolute URL as this Node-RED saw it (before any Public URL option). */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** The body's bytes, at most WEBHOOK_MAX_BODY_BYTES + 1 (one more tells the core to answer 413). */
  rawBody: Buffer;
}

export interface Endpoint {
  /** The node holding the path, named in the error a second claimant gets. */
  owner: string;
  method: string;
  /** As normalizePath returns it. */
  path: string;
  handle(req: CapturedRequest, res: HttpResponseLike): void;
  /** A request the dispatcher answered itself, without reaching `handle`: for the node's log and status. */
  refused(status: number, reason: string): void;
}

// After the limit, what a sender goes on sending is discarded; beyond this much the socket is dropped.
const DRAIN_LIMIT_BYTES = 8 * WEBHOOK_MAX_BODY_BYTES;
const registries = new WeakMap<object, Map<string, Endpoint>>();
// Per HTTP server, the route tables its guard consults (one per httpNode app it serves).
const guardedServers = new WeakMap<object, Set<Map<string, Endpoint>>>();

function keyOf(method: string, path: string): string {
  return `${method.toUpperCase()} ${path.length > 1 ? path.replace(/\/+$/, '') : path}`;
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

/** False when this Node-RED serves no HTTP endpoints from flows (`httpNodeRoot: false`). */
export function servesFlowEndpoints(RED: NodeAPI): boolean {
  return RED.httpNode !== undefined && RED.settings.httpNodeRoot !== false;
}

/**
 * Registers `endpoint` and returns the function that removes it. Throws INVALID_INPUT when another
 * node holds that method and path (Node-RED's http-in silently lets one shadow the other), or when
 * this Node-RED serves no flow endpoints.
 */
export function registerEndpoint(RED: NodeAPI, endpoint: Endpoint): () => void {
  const app = RED.httpNode;
  if (app === undefined || !servesFlowEndpoints(RED)) {
    throw new SmsError('INVALID_INPUT', 'this Node-RED serves no HTTP endpoints from flows (httpNodeRoot is false in settings.js)');
  }
  let routes = registries.get(app);
  if (routes === undefined) {
    routes = new Map();
    registries.set(app, routes);
    app.use(dispatcher(RED, routes));
    guardBodies(RED, routes);
  }
  const key = keyOf(endpoint.method, endpoint.path);
  const taken = routes.get(key);
  if (taken !== undefined && taken.owner !== endpoint.owner) {
    throw new SmsError('INVALID_INPUT', `${key} is already served by node ${taken.owner}; give this node another path`);
  }
  routes.set(key, endpoint);
  const map = routes;
  return () => {
    if (map.get(key) === endpoint) map.delete(key);
  };
}

/** Keeps body parsers mounted before httpNode (the admin app's) off the bodies of our paths. */
function guardBodies(RED: NodeAPI, routes: Map<string, Endpoint>): void {
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
    const key = keyOf(req.method ?? '', full.slice(root.length) || '/');
    for (const table of tables) if (table.has(key)) req._body = true;
  });
}

function dispatcher(RED: NodeAPI, routes: Map<string, Endpoint>): HttpMiddleware {
  return function smsWebhookDispatcher(req, res, next) {
    const endpoint = routes.get(keyOf(req.method, req.path));
    if (endpoint === undefined) {
      next();
      return;
    }
    const chain = nodeMiddleware(RED.settings.httpNodeMiddleware);
    if (chain instanceof SmsError) {
      refuse(endpoint, res, chain.message);
      return;
    }
    runChain(chain, req, res, next, () => {
      if (req.readableEnded === true || req.readableFlowing === true) {
        refuse(endpoint, res, 'the request body was read before the node could (a body parser in httpNodeMiddleware?): signatures need the raw body');
        return;
      }
      readBody(req, (rawBody) => {
        const url = `${req.protocol}://${req.get('host') ?? 'localhost'}${req.originalUrl}`;
        endpoint.handle({ method: req.method, url, headers: req.headers, rawBody }, res);
      });
    });
  };
}

function refuse(endpoint: Endpoint, res: HttpResponseLike, reason: string): void {
  res.status(500).set({ 'content-type': 'text/plain; charset=utf-8' }).send('Internal Server Error (the SMS webhook could not read the request: see the Node-RED log)');
  endpoint.refused(500, reason);
}

/**
 * settings.httpNodeMiddleware as the http-in node takes it: one function or an array of them. It
 * usually guards the endpoints (auth, IP lists), so a value that is neither is refused rather than
 * skipped: the endpoint answers 500 until it is fixed, instead of serving unguarded.
 */
function nodeMiddleware(setting: unknown): HttpMiddleware[] | SmsError {
  if (setting === undefined || setting === null || setting === false) return [];
  const list: unknown[] = Array.isArray(setting) ? setting.flat(Infinity) : [setting];
  const wrong = list.find((m) => typeof m !== 'function');
  if (wrong !== undefined) {
    return new SmsError('INVALID_INPUT', `httpNodeMiddleware in settings.js must be a function or an array of functions; found ${kindOf(wrong)}`);
  }
  return list as HttpMiddleware[];
}

/** Runs express-style middleware in order; an error or a middleware that answers ends the chain. */
function runChain(chain: HttpMiddleware[], req: HttpRequestLike, res: HttpResponseLike, next: (err?: unknown) => void, last: () => void): void {
  let i = 0;
  const step = (err?: unknown): void => {
    if (err !== undefined && err !== null) {
      next(err);
      return;
    }
    const middleware = chain[i++];
    if (middleware === undefined) {
      last();
      return;
    }
    try {
      middleware(req, res, step);
    } catch (e) {
      next(e);
    }
  };
  step();
}

/**
 * Reads the body until it ends or holds WEBHOOK_MAX_BODY_BYTES + 1 bytes, whichever comes first,
 * and hands it over then: an oversized body is answered 413 without waiting for the rest. What
 * the sender goes on sending is discarded, so it can still read that answer, and past
 * DRAIN_LIMIT_BYTES the connection is dropped. A request its sender aborted is handed nowhere.
 */
function readBody(req: HttpRequestLike, done: (body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  const room = WEBHOOK_MAX_BODY_BYTES + 1;
  let kept = 0;
  let discarded = 0;
  let handed = false;
  const handOver = (): void => {
    if (handed) return;
    handed = true;
    done(Buffer.concat(chunks, kept));
    chunks.length = 0;
  };
  req.on('data', (chunk: Buffer | string) => {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (handed) {
      discarded += b.length;
      if (discarded > DRAIN_LIMIT_BYTES) req.destroy();
      return;
    }
    const take = Math.min(b.length, room - kept);
    chunks.push(take === b.length ? b : b.subarray(0, take));
    kept += take;
    discarded += b.length - take;
    if (kept === room) handOver();
  });
  req.on('end', handOver);
  // An aborted request ends in 'error' or 'close' without 'end': there is no one left to answer.
  req.on('error', () => undefined);
}
