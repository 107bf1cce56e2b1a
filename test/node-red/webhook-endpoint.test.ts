/**
 * The dispatcher on its own: the registry, raw-body capture and its limits, httpNodeMiddleware,
 * and the guard against body parsers mounted before httpNode (with the default settings the
 * editor's admin app, at the same root, parses every JSON and form body). An express app stands
 * in for RED.httpNode, as Node-RED's own is one.
 */
import { EventEmitter } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import request from 'supertest';
import { WEBHOOK_MAX_BODY_BYTES } from '../../core/webhook/types';
import type { HttpResponseLike, NodeAPI } from '../../node-red/node-red-api';
import { normalizePath, registerEndpoint, type CapturedRequest, type Endpoint } from '../../node-red/webhook-endpoint';
import { expectCode } from '../support/sms-error';

// express is Node-RED's (RED.httpNode is an express app); the package has no types for it.
type Handler = (req: Req, res: Res, next: (err?: unknown) => void) => void;
interface Req {
  path: string;
  get(name: string): string | undefined;
}
interface Res {
  status(code: number): { send(body: string): void };
}
interface App extends http.RequestListener {
  use(...handlers: unknown[]): void;
  post(path: string, handler: (req: Req, res: Res) => void): void;
}
interface Express {
  (): App;
  json(): Handler;
  urlencoded(opts: { extended: boolean }): Handler;
  text(opts: { type: string }): Handler;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const express = require('express') as Express;

function fakeRed(httpNodeRoot: unknown = '/') {
  const server = new EventEmitter();
  const uses: unknown[] = [];
  const RED = { settings: { httpNodeRoot }, httpNode: { use: (h: unknown) => uses.push(h) }, server } as unknown as NodeAPI;
  const request = (method: string, url: string) => {
    const req: { method: string; url: string; _body?: boolean } = { method, url };
    server.emit('request', req);
    return req;
  };
  return { RED, uses, request };
}

/** A RED whose httpNode is a real express app, and the requests its endpoint got. */
function expressRed(settings: Record<string, unknown> = {}, server?: http.Server) {
  const app = express();
  const RED = { settings: { httpNodeRoot: '/', ...settings }, httpNode: app, ...(server && { server }) } as unknown as NodeAPI;
  return { app, RED };
}

interface Recorder {
  endpoint: Endpoint;
  got: CapturedRequest[];
  refusals: [number, string][];
}

function recorder(path = '/sms/in', method = 'POST', answer = (res: HttpResponseLike, req: CapturedRequest) => res.status(200).send(`got ${req.rawBody.length}`)): Recorder {
  const got: CapturedRequest[] = [];
  const refusals: [number, string][] = [];
  const endpoint: Endpoint = {
    owner: 'n1',
    method,
    path,
    handle: (req, res) => {
      got.push(req);
      answer(res, req);
    },
    refused: (status, reason) => refusals.push([status, reason]),
  };
  return { endpoint, got, refusals };
}

/** `app` on a loopback port for raw sockets (nock, which every suite loads, buffers http.request bodies). */
async function withServer(app: App, run: (port: number) => Promise<void>): Promise<void> {
  const server = http.createServer(app).listen(0, '127.0.0.1');
  try {
    await new Promise((resolve) => server.once('listening', resolve));
    await run((server.address() as AddressInfo).port);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

const noop = (owner: string, path: string): Endpoint => ({ owner, method: 'POST', path, handle: () => undefined, refused: () => undefined });

describe('the registry', () => {
  it('mounts one dispatcher however many nodes register, and refuses a taken path naming its holder', () => {
    const { RED, uses } = fakeRed();
    registerEndpoint(RED, noop('n1', '/a'));
    registerEndpoint(RED, noop('n2', '/b'));
    expect(uses).toHaveLength(1);
    expectCode(() => registerEndpoint(RED, noop('n3', '/a')), 'INVALID_INPUT', /POST \/a is already served by node n1/);
    // The same node again (a restart of the same id) takes its path back.
    expect(() => registerEndpoint(RED, noop('n1', '/a'))).not.toThrow();
    // GET and POST of one path are two endpoints.
    expect(() => registerEndpoint(RED, { ...noop('n3', '/a'), method: 'GET' })).not.toThrow();
  });

  it("frees a path on unregister, and an old node's late unregister does not free its successor's", () => {
    const { RED } = fakeRed();
    const offOld = registerEndpoint(RED, noop('n1', '/a'));
    offOld();
    const offNew = registerEndpoint(RED, noop('n2', '/a'));
    offOld();
    expectCode(() => registerEndpoint(RED, noop('n3', '/a')), 'INVALID_INPUT', /node n2/);
    offNew();
    expect(() => registerEndpoint(RED, noop('n3', '/a'))).not.toThrow();
  });

  it('refuses to serve when Node-RED serves no flow endpoints', () => {
    expectCode(() => registerEndpoint(fakeRed(false).RED, noop('n1', '/a')), 'INVALID_INPUT', /httpNodeRoot/);
    const noApp = { settings: {}, httpNode: undefined } as unknown as NodeAPI;
    expectCode(() => registerEndpoint(noApp, noop('n1', '/a')), 'INVALID_INPUT', /httpNodeRoot/);
  });

  it('normalises paths and refuses malformed ones', () => {
    expect(normalizePath('sms/in/')).toBe('/sms/in');
    expect(normalizePath('  /sms//  ')).toBe('/sms');
    expect(normalizePath('/')).toBe('/');
    for (const bad of ['', '   ', '/a?b', '/a#b', '/a b', '/../x', 'x'.repeat(201), 42, null, undefined, {}, ['/a']]) {
      expectCode(() => normalizePath(bad), 'INVALID_INPUT');
    }
  });
});

describe('the guard against body parsers before httpNode', () => {
  it('marks requests for registered paths as parsed before any other listener sees them, and only those', () => {
    const { RED, request } = fakeRed('/api/');
    const off = registerEndpoint(RED, noop('n1', '/sms/in'));
    expect(request('POST', '/api/sms/in?token=x')._body).toBe(true);
    expect(request('POST', '/api/sms/in/')._body).toBe(true);
    expect(request('GET', '/api/sms/in')._body).toBeUndefined();
    expect(request('POST', '/sms/in')._body).toBeUndefined();
    expect(request('POST', '/api/admin/flows')._body).toBeUndefined();
    expect(request('POST', '')._body).toBeUndefined();
    off();
    expect(request('POST', '/api/sms/in')._body).toBeUndefined();
  });

  it('lets a registered path reach the node raw through a JSON parser mounted in front of httpNode', async () => {
    const outer = express();
    const server = http.createServer(outer);
    const { app, RED } = expressRed({}, server);
    // What Node-RED's admin app does at the same root with the default settings.
    outer.use(express.json(), express.urlencoded({ extended: true }));
    outer.use(app);
    const r = recorder();
    registerEndpoint(RED, r.endpoint);
    const body = '{ "b": 1,   "a": [2] }';
    const res = await request(server).post('/sms/in').set('content-type', 'application/json').send(body);
    expect(res.status).toBe(200);
    expect(r.got[0]?.rawBody.toString()).toBe(body);
  });
});

describe('the dispatcher', () => {
  it('hands over the exact bytes, the absolute URL with its query, the method and the headers', async () => {
    const { app, RED } = expressRed();
    const r = recorder();
    registerEndpoint(RED, r.endpoint);
    const body = Buffer.from([0x61, 0x3d, 0x25, 0x32, 0x42, 0x2b, 0xff, 0x00, 0x0a]);
    const res = await request(app).post('/sms/in/?x=1&x=%20').set('content-type', 'application/octet-stream').set('X-Odd', 'Value').send(body);
    expect(res.status).toBe(200);
    const got = r.got[0]!;
    expect(got.rawBody.equals(body)).toBe(true);
    expect(got.method).toBe('POST');
    expect(got.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/sms\/in\/\?x=1&x=%20$/);
    expect(got.headers['x-odd']).toBe('Value');
  });

  it('passes other paths and methods on to the rest of httpNode', async () => {
    const { app, RED } = expressRed();
    const r = recorder();
    registerEndpoint(RED, r.endpoint);
    app.post('/other', (_req, res) => res.status(202).send('other'));
    expect((await request(app).post('/other').send('x')).status).toBe(202);
    expect((await request(app).get('/sms/in')).status).toBe(404);
    expect((await request(app).post('/sms/inbound')).status).toBe(404);
    expect(r.got).toEqual([]);
  });

  it('reads a body of exactly 1 MB whole, and stops at 1 MB + 1 byte for anything larger', async () => {
    const { app, RED } = expressRed();
    const r = recorder();
    registerEndpoint(RED, r.endpoint);
    await request(app).post('/sms/in').send(Buffer.alloc(WEBHOOK_MAX_BODY_BYTES, 0x61));
    await request(app).post('/sms/in').send(Buffer.alloc(WEBHOOK_MAX_BODY_BYTES + 1, 0x61));
    await request(app).post('/sms/in').send(Buffer.alloc(3 * WEBHOOK_MAX_BODY_BYTES, 0x61));
    expect(r.got.map((g) => g.rawBody.length)).toEqual([WEBHOOK_MAX_BODY_BYTES, WEBHOOK_MAX_BODY_BYTES + 1, WEBHOOK_MAX_BODY_BYTES + 1]);
  });

  it('answers an oversized body before the sender has finished sending it', async () => {
    const { app, RED } = expressRed();
    registerEndpoint(RED, recorder('/sms/in', 'POST', (res) => res.status(413).send('too large')).endpoint);
    await withServer(app, async (port) => {
      const socket = net.connect(port, '127.0.0.1');
      const answer = new Promise<string>((resolve) => socket.once('data', (d) => resolve(d.toString('latin1'))));
      socket.write(`POST /sms/in HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${5 * WEBHOOK_MAX_BODY_BYTES}\r\n\r\n`);
      // Limit + 1 bytes, and the request left open: the answer must not wait for the rest.
      socket.write(Buffer.alloc(WEBHOOK_MAX_BODY_BYTES + 1, 0x61));
      expect(await answer).toMatch(/^HTTP\/1\.1 413 /);
      socket.destroy();
    });
  });

  it('drops the connection of a sender that goes on sending far past the limit', async () => {
    const { app, RED } = expressRed();
    const r = recorder();
    registerEndpoint(RED, r.endpoint);
    const cap = 40 * WEBHOOK_MAX_BODY_BYTES;
    await withServer(app, async (port) => {
      const sent = await new Promise<number>((resolve) => {
        const socket = net.connect(port, '127.0.0.1');
        const chunk = Buffer.alloc(256 * 1024, 0x61);
        const framed = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
        let bytes = 0;
        let closed = false;
        const pump = (): void => {
          // Far past the drain limit: the server must have hung up before.
          while (!closed && bytes < cap) {
            bytes += chunk.length;
            if (!socket.write(framed)) {
              socket.once('drain', pump);
              return;
            }
          }
          if (!closed) resolve(bytes);
        };
        const stop = (): void => {
          closed = true;
          resolve(bytes);
        };
        socket.on('error', stop);
        socket.on('close', stop);
        socket.on('data', () => undefined);
        socket.write('POST /sms/in HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n');
        pump();
      });
      expect(sent).toBeLessThan(cap);
      expect(r.got.map((g) => g.rawBody.length)).toEqual([WEBHOOK_MAX_BODY_BYTES + 1]);
    });
  });

  it('answers 500 and says why when a parser before it consumed the body, instead of hanging', async () => {
    const { app, RED } = expressRed();
    app.use(express.json());
    const r = recorder();
    registerEndpoint(RED, r.endpoint);
    const res = await request(app).post('/sms/in').set('content-type', 'application/json').send('{"secret":"s3cr3t-body"}');
    expect(res.status).toBe(500);
    expect(res.text).not.toContain('s3cr3t-body');
    expect(r.got).toEqual([]);
    expect(r.refusals).toEqual([[500, expect.stringMatching(/read before the node could.*httpNodeMiddleware/)]]);
    // A parser that leaves a body it does not parse alone (a form body here) costs nothing.
    const form = await request(app).post('/sms/in').set('content-type', 'application/x-www-form-urlencoded').send('a=1');
    expect(form.status).toBe(200);
    expect(r.got[0]?.rawBody.toString()).toBe('a=1');
  });
});

describe('httpNodeMiddleware', () => {
  it('runs before the node, as it does before http-in nodes: a middleware that answers ends the request', async () => {
    const seen: string[] = [];
    const guard: Handler = (req, res, next) => {
      seen.push(req.path);
      if (req.get('x-api-key') !== 'k') res.status(403).send('forbidden');
      else next();
    };
    const { app, RED } = expressRed({ httpNodeMiddleware: guard });
    const r = recorder();
    registerEndpoint(RED, r.endpoint);
    expect((await request(app).post('/sms/in').send('x')).status).toBe(403);
    expect(r.got).toEqual([]);
    expect((await request(app).post('/sms/in').set('x-api-key', 'k').send('x')).status).toBe(200);
    expect(r.got).toHaveLength(1);
    expect(seen).toEqual(['/sms/in', '/sms/in']);
  });

  it('takes an array, in order, and hands a middleware error to express', async () => {
    const order: number[] = [];
    const step = (n: number) => (_req: unknown, _res: unknown, next: () => void) => {
      order.push(n);
      next();
    };
    const fail: Handler = (req, _res, next) => next(req.get('x-fail') ? new Error('denied') : undefined);
    const { app, RED } = expressRed({ httpNodeMiddleware: [step(1), [step(2), fail]] });
    const r = recorder();
    registerEndpoint(RED, r.endpoint);
    expect((await request(app).post('/sms/in').send('x')).status).toBe(200);
    expect(order).toEqual([1, 2]);
    expect((await request(app).post('/sms/in').set('x-fail', '1').send('x')).status).toBe(500);
    expect(r.got).toHaveLength(1);
  });

  it('refuses to serve unguarded when the setting is not middleware', async () => {
    for (const setting of ['basic', { user: 'a' }, [() => undefined, 42]]) {
      const { app, RED } = expressRed({ httpNodeMiddleware: setting });
      const r = recorder();
      registerEndpoint(RED, r.endpoint);
      expect([setting, (await request(app).post('/sms/in').send('x')).status]).toEqual([setting, 500]);
      expect(r.got).toEqual([]);
      expect(r.refusals).toEqual([[500, expect.stringContaining('httpNodeMiddleware')]]);
    }
  });

  it('answers 500 and says why when it holds a body parser that consumes the body', async () => {
    const { app, RED } = expressRed({ httpNodeMiddleware: express.text({ type: '*/*' }) });
    const r = recorder();
    registerEndpoint(RED, r.endpoint);
    expect((await request(app).post('/sms/in').set('content-type', 'text/plain').send('hello')).status).toBe(500);
    expect(r.refusals).toHaveLength(1);
  });
});
