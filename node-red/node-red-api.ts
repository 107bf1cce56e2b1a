/**
 * The part of the Node-RED runtime API these nodes use, typed here because the published
 * `@types/node-red` lags Node-RED 4/5 and would add a dependency for a dozen signatures.
 */
/** Express's handler shape, reduced to what an admin route needs. */
export type ExpressLikeHandler = (
  req: { params: Record<string, string>; query: unknown; headers: Record<string, string | string[] | undefined> },
  res: { json(body: unknown): void; status(code: number): { end(): void; json(body: unknown): void } },
  next: (err?: unknown) => void,
) => void;

export interface NodeMessage {
  _msgid?: string;
  payload?: unknown;
  [key: string]: unknown;
}

export interface NodeStatus {
  fill?: 'red' | 'green' | 'yellow' | 'blue' | 'grey';
  shape?: 'ring' | 'dot';
  text?: string;
}

/** What `RED.nodes.createNode` turns the constructor's `this` into. */
export interface Node {
  readonly id: string;
  readonly type: string;
  name?: string;
  credentials?: Record<string, string | undefined>;
  on(event: 'input', handler: (msg: NodeMessage, send: SendFunction, done: DoneFunction) => void): void;
  on(event: 'close', handler: (removed: boolean, done: () => void) => void): void;
  status(status: NodeStatus): void;
  send(msg: NodeMessage | (NodeMessage | null)[]): void;
  error(err: unknown, msg?: NodeMessage): void;
  warn(message: unknown): void;
  log(message: unknown): void;
}

/** One message, or one per output (`null` where an output gets nothing). */
export type SendFunction = (msg: NodeMessage | (NodeMessage | null)[]) => void;
export type DoneFunction = (err?: Error) => void;

/** The properties every node's configuration carries; each node extends it with its own. */
export interface NodeDef {
  id: string;
  type: string;
  name?: string;
  z?: string;
}

export type CredentialType = 'text' | 'password';

export interface NodeAPI {
  nodes: {
    createNode(node: object, def: NodeDef): void;
    registerType<N extends Node, D extends NodeDef>(
      type: string,
      ctor: (this: N, def: D) => void,
      opts?: { credentials?: Record<string, { type: CredentialType }> },
    ): void;
    getNode(id: string): Node | null;
  };
  httpAdmin: { get(path: string, ...handlers: ExpressLikeHandler[]): void };
  auth: { needsPermission(permission: string): ExpressLikeHandler };
  /** The user's settings.js (plus the runtime's own); any of them may be absent or mistyped. */
  settings: { userDir?: string; nodeCloseTimeout?: unknown; httpNodeRoot?: unknown; httpNodeMiddleware?: unknown };
  /** The express app of flow-defined endpoints, mounted at httpNodeRoot (absent when it is false). */
  httpNode?: { use(handler: HttpMiddleware): void };
  /** The HTTP server (absent in some embeddings and test runtimes). */
  server?: { prependListener(event: 'request', listener: (req: { method?: string; url?: string; _body?: boolean }) => void): unknown };
  util: {
    cloneMessage<T extends NodeMessage>(msg: T): T;
    evaluateNodeProperty(
      value: string,
      type: string,
      node: Node,
      msg: NodeMessage,
      callback: (err: Error | null | undefined, result: unknown) => void,
    ): void;
  };
}

/** The parts of express's request and response a webhook endpoint uses. */
export interface HttpRequestLike extends NodeJS.ReadableStream {
  method: string;
  path: string;
  originalUrl: string;
  protocol: string;
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
  readableEnded?: boolean;
  /** True once something reads the stream (null: nothing has yet). */
  readableFlowing?: boolean | null;
  get(name: string): string | undefined;
  destroy(): void;
}

export interface HttpResponseLike {
  headersSent: boolean;
  status(code: number): HttpResponseLike;
  set(headers: Record<string, string>): HttpResponseLike;
  send(body?: string): void;
  end(): void;
}

export type HttpMiddleware = (req: HttpRequestLike, res: HttpResponseLike, next: (err?: unknown) => void) => void;
