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
    let written = false;
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
        res.on('error', (e) => reject(asTransport(e, true)));
        res.on('end', () => {
          const out: Record<string, string | undefined> = {};
          for (const [k, v] of Object.entries(res.headers)) out[k] = Array.isArray(v) ? v.join(', ') : v;
          resolve({ status: res.statusCode ?? 0, headers: out, body: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    r.setTimeout(timeoutMs, () => {
      r.destroy(new HttpTransportError(`no answer within ${timeoutMs} ms`, written ? 'in-flight' : 'connect', 'ETIMEDOUT'));
    });
    r.on('error', (e) => reject(asTransport(e, written)));
    r.on('finish', () => {
      written = true;
    });
    r.end(req.body);
  });
}

function asTransport(e: unknown, written: boolean): HttpTransportError {
  if (e instanceof HttpTransportError) return e;
  const err = e as NodeJS.ErrnoException;
  const connectCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
  const phase = err.code && connectCodes.has(err.code) ? 'connect' : written ? 'in-flight' : 'connect';
  return new HttpTransportError(err.message, phase, err.code);
}
