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
        res.on('error', (e) => reject(asTransport(e)));
        res.on('end', () => {
          const out: Record<string, string | undefined> = {};
          for (const [k, v] of Object.entries(res.headers)) out[k] = Array.isArray(v) ? v.join(', ') : v;
          resolve({ status: res.statusCode ?? 0, headers: out, body: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    // A deadline for the whole exchange, not the socket's idle timeout: a server trickling bytes
    // must not hold a batch slot forever.
    const deadline = setTimeout(() => {
      r.destroy(new HttpTransportError(`no answer within ${timeoutMs} ms`, 'in-flight', 'ETIMEDOUT'));
    }, timeoutMs);
    deadline.unref();
    r.on('close', () => clearTimeout(deadline));
    r.on('error', (e) => reject(asTransport(e)));
    r.end(req.body);
  });
}

function asTransport(e: unknown): HttpTransportError {
  if (e instanceof HttpTransportError) return e;
  const err = e as NodeJS.ErrnoException;
  // Only a failure to reach the server proves the request was not received. Anything later
  // (reset, timeout, broken answer) may follow a request the provider acted on.
  const phase = err.code && CONNECT_FAILURES.has(err.code) ? 'connect' : 'in-flight';
  return new HttpTransportError(err.message, phase, err.code);
}

const CONNECT_FAILURES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ERR_INVALID_URL']);
