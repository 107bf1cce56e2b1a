/**
 * One provider request to the Inbound SMS Trigger or the DLR Webhook, from n8n's request object to
 * the answer: n8n's request becomes the core's RawWebhookRequest, the core decides everything
 * (core/webhook: limits, signature, parsing, consent, de-duplication, status codes), and its reply
 * is written to n8n's response by the node itself.
 *
 * - Raw bytes: n8n reads a webhook's body once into `req.rawBody` (its raw-body middleware; for a
 *   version-1 node every body but multipart is read before `webhook()` runs) and parses a copy into
 *   `req.body`. Signatures are over `req.rawBody`; the parsed body is never re-serialised.
 * - URL: the node's own URL as n8n reports it (the Test URL while listening for a test event), or
 *   the Public URL option, plus the request's query string.
 * - Answer: the node writes status, headers and body (TwiML for Twilio) and returns
 *   `noWebhookResponse`, so n8n adds nothing; `workflowData` only when there are events, so a
 *   refused request, a retry or a keyword kept out of the flow starts no execution.
 * - After answering: the auto-replies the provider's HTTP answer cannot carry (`followUp`), then the
 *   store lease is given back.
 */
import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { SmsError, toSmsError } from '../../core/errors';
import { unavailableStore } from '../../core/store/unavailable';
import type { HttpReply, ProviderCredentials, ProviderId, Store } from '../../core/types';
import { refusal } from '../../core/webhook/receive';
import { publicRequestUrl } from '../../core/webhook/request';
import type { RawWebhookRequest, WebhookContext, WebhookResult } from '../../core/webhook/types';
import { n8nHttp } from './n8n-http';
import { readProviderCredentials } from './provider-credentials';
import { n8nStore, storePath } from './store';
import { NO_WEBHOOKS_MESSAGE, WEBHOOK_PROVIDERS } from './webhook-description';

export type WebhookKind = 'inbound' | 'status';

type Handler<E> = (raw: RawWebhookRequest, ctx: WebhookContext) => Promise<WebhookResult<E>>;

/** Reads the node's options and returns the core handler for them; throws INVALID_INPUT for unusable options. */
export type PrepareHandler<E> = () => Handler<E>;

/** What n8n's request object carries beyond express's (packages/cli body-parser middleware). */
interface N8nRequest {
  method: string;
  url?: string;
  originalUrl?: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody?: unknown;
}

export async function runWebhook<E extends object>(fns: IWebhookFunctions, kind: WebhookKind, prepare: PrepareHandler<E>): Promise<IWebhookResponseData> {
  const res = fns.getResponseObject();
  const options = fns.getNodeParameter('options', {}) as IDataObject;
  const lease = n8nStore(storePath(typeof options.storePath === 'string' ? options.storePath : ''));
  let leaseHandedOn = false;
  try {
    const result = await received(fns, kind, options, () => lease.store, prepare);
    answer(res, result.reply);
    if (result.followUp !== undefined) {
      const followUp = result.followUp;
      leaseHandedOn = true;
      void followUp()
        .finally(() => lease.release())
        .catch((e: unknown) => fns.logger.warn(`SMS webhook: the store was not released: ${toSmsError(e, 'STORE_ERROR').message}`));
    }
    if (result.events.length === 0) return { noWebhookResponse: true };
    return { noWebhookResponse: true, workflowData: [result.events.map((e) => ({ json: e as unknown as IDataObject }))] };
  } catch (e) {
    // The core answers every outcome itself; reaching this is a bug, still answered so the provider retries.
    fns.logger.error(`SMS webhook failed: ${toSmsError(e).message}`);
    if (!res.headersSent) answer(res, { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Internal Server Error' });
    return { noWebhookResponse: true };
  } finally {
    if (!leaseHandedOn) await lease.release();
  }
}

async function received<E>(
  fns: IWebhookFunctions,
  kind: WebhookKind,
  options: IDataObject,
  openStore: () => Promise<Store>,
  prepare: PrepareHandler<E>,
): Promise<WebhookResult<E>> {
  const log = (level: 'info' | 'warn' | 'error', message: string): void => fns.logger[level](message);
  // A node setting every request trips over: 500, so the provider retries once it is fixed.
  const misconfigured = (error: SmsError): WebhookResult<E> => {
    const result = refusal<E>(error, undefined, kind, 500);
    log('error', `SMS ${kind} webhook answered 500 ${error.code}: ${error.message}`);
    return result;
  };

  const provider = fns.getNodeParameter('provider', '') as ProviderId;
  if (!WEBHOOK_PROVIDERS.includes(provider)) {
    return misconfigured(new SmsError('INVALID_INPUT', provider === 'afilnet' ? NO_WEBHOOKS_MESSAGE : 'the node has no known provider selected'));
  }
  let handle: Handler<E>;
  try {
    handle = prepare();
  } catch (e) {
    return misconfigured(toSmsError(e, 'INVALID_INPUT'));
  }
  const req = fns.getRequestObject() as unknown as N8nRequest;
  const rawBody = rawBodyOf(req);
  if (rawBody === undefined) {
    return misconfigured(
      new SmsError('INVALID_INPUT', 'n8n passed no raw request body (a multipart/form-data request?); signatures are checked over the exact bytes, so the body is not re-serialised'),
    );
  }
  let url: string;
  try {
    url = publicRequestUrl(publicUrlOption(options), ownUrl(fns) + queryOf(req));
  } catch (e) {
    return misconfigured(toSmsError(e, 'INVALID_INPUT'));
  }

  let credentials: ProviderCredentials = {};
  try {
    credentials = await readProviderCredentials(fns, provider);
  } catch (e) {
    // Verifying needs them and answers 500 MISSING_CREDENTIALS; with verification off only auto-replies do.
    log('warn', toSmsError(e).message);
  }
  let store: Store;
  try {
    store = await openStore();
  } catch (e) {
    store = unavailableStore(e);
  }
  const ctx: WebhookContext = {
    provider,
    credentials,
    store,
    http: n8nHttp(fns),
    verifySignature: options.verifySignature !== false,
    log,
  };
  return await handle({ method: req.method, url, headers: req.headers, rawBody }, ctx);
}

/** The bytes n8n read; an empty body when the request has none; undefined when n8n kept them from us. */
function rawBodyOf(req: N8nRequest): Buffer | undefined {
  if (Buffer.isBuffer(req.rawBody)) return req.rawBody;
  const length = req.headers['content-length'];
  const hasBody = req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
  return hasBody ? undefined : Buffer.alloc(0);
}

/** The URL n8n serves this request on: the Test URL for a test event, else the Production URL. */
function ownUrl(fns: IWebhookFunctions): string {
  // getWebhookResourceUrl knows test from production; getNodeWebhookUrl always answers production.
  const url = typeof fns.getWebhookResourceUrl === 'function' ? fns.getWebhookResourceUrl('default') : fns.getNodeWebhookUrl('default');
  if (url === undefined) throw new SmsError('INVALID_INPUT', 'n8n reports no URL for this webhook');
  return url;
}

/** The request's query string as received, `?` included (signatures cover it byte for byte). */
function queryOf(req: N8nRequest): string {
  const path = req.originalUrl ?? req.url ?? '';
  const q = path.indexOf('?');
  return q < 0 ? '' : path.slice(q);
}

function publicUrlOption(options: IDataObject): string | undefined {
  const value = options.publicUrl;
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new SmsError('INVALID_INPUT', 'the Public URL option must be text');
  return value;
}

/** Status, headers and body, on any Node.js response (n8n's is express's). */
function answer(res: ReturnType<IWebhookFunctions['getResponseObject']>, reply: HttpReply): void {
  res.statusCode = reply.status;
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  res.end(reply.body ?? '');
}
