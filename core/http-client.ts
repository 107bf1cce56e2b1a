/**
 * The default HttpFunction: node:http/https with keep-alive agents, so a batch of thousands of
 * sends reuses a few sockets instead of a TLS handshake per message.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { HttpFunction, HttpRequest, HttpResponse } from './types';

/** Why a request got no HTTP answer. `phase` tells whether the request may have reached the server. */
export class HttpTransportError extends Error {
  readonly phase: 'connect' | 'in-flight';
  readonly code?: string;
  constructor(message: string, phase: 'connect' | 'in-flight', code?: string) {
    super(message);
    this.name = 'HttpTransportError';
    this.phase = phase;
    if (code !== undefined) this.code = code;
  }
}

const MAX_RESPONSE_BYTES = 5 * 1024 * 1024;
const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 64 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 64 }),
};

export function createHttpClient(opts: { defaultTimeoutMs?: number } = {}): HttpFunction {
  const defaultTimeoutMs = opts.defaultTimeoutMs ?? 30_000;
  return (req) => send(req, req.timeoutMs ?? defaultTimeoutMs);
}

export const defaultHttp: HttpFunction = createHttpClient();

function send(req: HttpRequest, timeoutMs: number): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      reject(new HttpTransportError(`invalid URL`, 'connect', 'ERR_INVALID_URL'));
      return;
    }
    const isHttps = url.protocol === 'https:';
    if (!isHttps && url.protocol !== 'http:') {
      reject(new HttpTransportError(`unsupported protocol ${url.protocol}`, 'connect', 'ERR_INVALID_PROTOCOL'));
      return;
    }
    const headers: Record<string, string | number> = { ...req.headers };
    if (req.body !== undefined) headers['content-length'] = Buffer.byteLength(req.body);
    const mod = isHttps ? https : http;
    // How far the request got: until its socket is connected (TCP, then TLS for https) no byte of
    // it can have reached the server. `unknown`: a socket found connected already, but not as a
    // reused keep-alive one — nothing proves the request did not leave.
    let wire: 'no-socket' | 'connecting' | 'connected' | 'unknown' = 'no-socket';
    const r = mod.request(
      url,
      { method: req.method, headers, agent: isHttps ? agents.https : agents.http },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_RESPONSE_BYTES) {
            res.destroy(new HttpTransportError('response too large', 'in-flight', 'ERESPONSETOOLARGE'));
            return;
          }
          chunks.push(c);
        });
        res.on('error', (e) => reject(asTransport(e, false)));
        res.on('end', () => {
          const out: Record<string, string | undefined> = {};
          for (const [k, v] of Object.entries(res.headers)) out[k] = Array.isArray(v) ? v.join(', ') : v;
          resolve({ status: res.statusCode ?? 0, headers: out, body: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    r.on('socket', (socket) => {
      if (r.reusedSocket) wire = 'connected';
      else if (socket.connecting) {
        wire = 'connecting';
        socket.once(isHttps ? 'secureConnect' : 'connect', () => {
          wire = 'connected';
        });
      } else wire = 'unknown';
    });
    const notConnected = (): boolean => wire === 'no-socket' || wire === 'connecting';
    // A deadline for the whole exchange, not the socket's idle timeout: a server trickling bytes
    // must not hold a batch slot forever.
    const deadline = setTimeout(() => {
      const phase = notConnected() ? 'connect' : 'in-flight';
      const what = phase === 'connect' ? `could not connect within ${timeoutMs} ms` : `no answer within ${timeoutMs} ms`;
      r.destroy(new HttpTransportError(what, phase, 'ETIMEDOUT'));
    }, timeoutMs);
    deadline.unref();
    r.on('close', () => clearTimeout(deadline));
    r.on('error', (e) => reject(asTransport(e, notConnected())));
    r.end(req.body);
  });
}

/**
 * Only a failure to reach the server proves the request was not received: a connect failure by
 * its code, or any error before the socket connected (for https: before the TLS handshake ended,
 * since the request is written only after it). Anything later (reset, timeout, broken answer)
 * may follow a request the provider acted on.
 */
export function asTransport(e: unknown, beforeConnect: boolean): HttpTransportError {
  if (e instanceof HttpTransportError) return e;
  const err = (typeof e === 'object' && e !== null ? e : new Error(String(e))) as NodeJS.ErrnoException;
  const code = typeof err.code === 'string' ? err.code : undefined;
  const phase = beforeConnect || (code !== undefined && CONNECT_FAILURES.has(code)) ? 'connect' : 'in-flight';
  return new HttpTransportError(typeof err.message === 'string' ? err.message : String(e), phase, code);
}

/** Error codes that prove the request never reached the server (also read by nodes/shared/n8n-http.ts). */
export const CONNECT_FAILURES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_INVALID_URL',
  // The server's certificate was refused during the handshake, before the request was written.
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
