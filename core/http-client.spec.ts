import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { asTransport, createHttpClient, HttpTransportError } from './http-client';

// Real local sockets: nock's interceptor would stand in for the connection whose phase is tested.
beforeAll(() => nock.restore());

const servers: { server: net.Server; sockets: Set<net.Socket> }[] = [];
afterEach(async () => {
  for (const { server, sockets } of servers.splice(0)) {
    // A server closes only once its connections are gone; the tests leave some hanging on purpose.
    sockets.forEach((s) => s.destroy());
    await new Promise((r) => server.close(r));
  }
});

async function listen(server: net.Server): Promise<number> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => void sockets.add(s));
  servers.push({ server, sockets });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

/** Accepts TCP connections and never says a word: no TLS handshake, no HTTP answer. */
function silentServer(): Promise<number> {
  return listen(net.createServer(() => undefined));
}

async function failure(p: Promise<unknown>): Promise<HttpTransportError> {
  const e = await p.then(
    () => new Error('expected a transport error'),
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(HttpTransportError);
  return e as HttpTransportError;
}

const client = createHttpClient();

describe('http client: which phase a deadline fires in', () => {
  it('is connect when the TLS handshake never finished: no byte of the request was written', async () => {
    const port = await silentServer();
    const err = await failure(client({ method: 'POST', url: `https://127.0.0.1:${port}/send`, headers: {}, body: 'x', timeoutMs: 200 }));
    expect(err).toMatchObject({ phase: 'connect', code: 'ETIMEDOUT' });
  });

  it('is in-flight when the connection was up and the request written', async () => {
    const port = await silentServer();
    const err = await failure(client({ method: 'POST', url: `http://127.0.0.1:${port}/send`, headers: {}, body: 'x', timeoutMs: 200 }));
    expect(err).toMatchObject({ phase: 'in-flight', code: 'ETIMEDOUT' });
  });

  it('is in-flight on a reused keep-alive socket, which is connected from the start', async () => {
    let requests = 0;
    const server = http.createServer((_req, res) => {
      // Answers the first request only; the second waits on the same kept-alive socket.
      if (++requests === 1) res.end('ok');
    });
    let connections = 0;
    server.on('connection', () => void connections++);
    const port = await listen(server);
    const url = `http://127.0.0.1:${port}/send`;
    expect(await client({ method: 'POST', url, headers: {}, body: 'a', timeoutMs: 2000 })).toMatchObject({ status: 200, body: 'ok' });
    const err = await failure(client({ method: 'POST', url, headers: {}, body: 'b', timeoutMs: 200 }));
    expect(err.phase).toBe('in-flight');
    expect(connections).toBe(1);
  });
});

describe('asTransport: what a socket error proves', () => {
  it.each([
    'CERT_HAS_EXPIRED',
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'ERR_TLS_CERT_ALTNAME_INVALID',
    'ECONNREFUSED',
    'ENOTFOUND',
  ])('%s is a connect failure: the request never left', (code) => {
    expect(asTransport(Object.assign(new Error(code), { code }), false)).toMatchObject({ phase: 'connect', code });
  });

  it('reads a reset before the connection was up as connect, after it as in-flight', () => {
    const reset = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(asTransport(reset(), true).phase).toBe('connect');
    expect(asTransport(reset(), false).phase).toBe('in-flight');
  });

  it('keeps an HttpTransportError as it is and copes with things thrown that are not errors', () => {
    const own = new HttpTransportError('too large', 'in-flight', 'ERESPONSETOOLARGE');
    expect(asTransport(own, true)).toBe(own);
    expect(asTransport('boom', false)).toMatchObject({ phase: 'in-flight', message: 'boom' });
    expect(asTransport(null, false)).toMatchObject({ phase: 'in-flight', message: 'null' });
    expect(asTransport({ code: 42, message: { nested: true } }, false)).toMatchObject({ phase: 'in-flight', code: undefined });
  });
});
