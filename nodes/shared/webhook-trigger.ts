/**
 * What the Inbound SMS Trigger and the DLR Webhook share: their provider and common parameters,
 * the webhook lifecycle, and one request's trip — n8n's request into the core's raw request
 * (req.rawBody: signatures are over the exact bytes), the core's answer written to n8n's
 * response, the events handed to the workflow. The decisions are the core's (core/webhook).
 */
import type { IDataObject, IHookFunctions, INodeCredentialDescription, INodeProperties, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { SmsError, toSmsError } from '../../core/errors';
import { unavailableStore } from '../../core/store/unavailable';
import { listProviders } from '../../core/providers/registry';
import type { ProviderId, Store } from '../../core/types';
import { publicRequestUrl } from '../../core/webhook/request';
import type { RawWebhookRequest, WebhookContext, WebhookResult } from '../../core/webhook/types';
import { STORE_PATH_OPTION } from './common-options';
import { n8nHttp } from './n8n-http';
import { CREDENTIAL_TYPES, readProviderCredentials } from './provider-credentials';
import { n8nStore, storePath } from './store';

/** Afilnet calls no webhook (delivery status is polled): it is not offered. */
const WEBHOOK_PROVIDERS = listProviders().filter((p) => p.id !== 'afilnet');

export const webhookCredentials: INodeCredentialDescription[] = Object.entries(CREDENTIAL_TYPES)
  .filter(([provider]) => provider !== 'afilnet')
  .map(([provider, name]) => ({ name, required: true, displayOptions: { show: { provider: [provider] } } }));

export function webhookProperties(what: string): INodeProperties[] {
  return [
    {
      displayName: 'Provider',
      name: 'provider',
      type: 'options',
      noDataExpression: true,
      default: 'twilio',
      options: WEBHOOK_PROVIDERS.map((p) => ({ name: p.displayName, value: p.id })).sort((a, b) => a.name.localeCompare(b.name)),
      description: `Whose ${what} this webhook receives; its credential verifies the signatures`,
    },
    {
      displayName: `Paste this node's Production URL (above) at the provider as the ${what} URL. Behind a reverse proxy, set Public URL in the options to that same URL.`,
      name: 'setupNotice',
      type: 'notice',
      default: '',
    },
    {
      displayName: 'HTTP Method',
      name: 'httpMethod',
      type: 'options',
      noDataExpression: true,
      default: 'POST',
      options: [
        { name: 'POST', value: 'POST' },
        { name: 'GET', value: 'GET', description: 'Vonage and Plivo can be set to call with GET' },
      ],
      description: 'The method the provider calls with',
    },
  ];
}

export const VERIFY_OPTION: INodeProperties = {
  displayName: 'Verify Signature',
  name: 'verifySignature',
  type: 'boolean',
  default: true,
  description: 'Whether to refuse (401) requests whose signature is missing, wrong or stale. Turn off only for local tests.',
};

export const PUBLIC_URL_OPTION: INodeProperties = {
  displayName: 'Public URL',
  name: 'publicUrl',
  type: 'string',
  default: '',
  placeholder: 'https://n8n.example.com/webhook/…',
  description: "The URL configured at the provider, when it differs from this node's Production URL (reverse proxies, tunnels). Signatures are computed over it.",
};

export const DEDUPE_OPTION: INodeProperties = {
  displayName: 'De-Duplicate',
  name: 'dedupe',
  type: 'boolean',
  default: true,
  description: 'Whether to drop a request the provider sends again (a retry) instead of starting the workflow twice',
};

export { STORE_PATH_OPTION };

export const webhookDescription = {
  webhooks: [{ name: 'default', httpMethod: '={{$parameter["httpMethod"]}}', responseMode: 'onReceived', path: 'webhook' }],
} as const;

/**
 * The lifecycle n8n asks every webhook node for. Providers that take the URL per message (status
 * callbacks) or in their console need nothing registered: the node shows its URL to paste.
 */
export const webhookMethods = {
  default: {
    async checkExists(this: IHookFunctions): Promise<boolean> {
      return true;
    },
    async create(this: IHookFunctions): Promise<boolean> {
      return true;
    },
    async delete(this: IHookFunctions): Promise<boolean> {
      return true;
    },
  },
};

/** One request, start to answer. */
export async function runWebhook<E extends object>(
  fns: IWebhookFunctions,
  handle: (raw: RawWebhookRequest, ctx: WebhookContext) => Promise<WebhookResult<E>>,
): Promise<IWebhookResponseData> {
  const req = fns.getRequestObject();
  const res = fns.getResponseObject();
  const provider = fns.getNodeParameter('provider') as ProviderId;
  const options = fns.getNodeParameter('options', {}) as IDataObject;
  const lease = n8nStore(storePath(typeof options.storePath === 'string' ? options.storePath : ''));
  let handedOver = false;
  try {
    let result: WebhookResult<E>;
    const rawBody = (req as unknown as { rawBody?: unknown }).rawBody;
    if (!Buffer.isBuffer(rawBody) && (req.headers['content-length'] ?? '0') !== '0') {
      // Re-serialising n8n's parsed body would not give the bytes the provider signed.
      result = { reply: { status: 500, body: 'the raw request body is not available' }, events: [], error: new SmsError('INVALID_INPUT', 'n8n gave no raw body') };
    } else {
      let store: Store;
      try {
        store = await lease.store;
      } catch (e) {
        store = unavailableStore(e);
      }
      const path = req.originalUrl ?? req.url ?? '';
      const q = path.indexOf('?');
      const seen = fns.getNodeWebhookUrl('default') + (q >= 0 ? path.slice(q) : '');
      const publicUrl = typeof options.publicUrl === 'string' && options.publicUrl.trim() !== '' ? options.publicUrl.trim() : undefined;
      const raw: RawWebhookRequest = {
        method: req.method,
        url: publicRequestUrl(publicUrl, seen),
        headers: req.headers,
        rawBody: Buffer.isBuffer(rawBody) ? rawBody : Buffer.alloc(0),
      };
      const ctx: WebhookContext = {
        provider,
        credentials: await readProviderCredentials(fns, provider).catch(() => ({})),
        store,
        http: n8nHttp(fns),
        verifySignature: options.verifySignature !== false,
        log: (level, message) => fns.logger[level === 'info' ? 'info' : 'warn'](message),
      };
      result = await handle(raw, ctx);
    }
    // statusCode, not express's status(): the answer must not depend on which server n8n runs.
    res.statusCode = result.reply.status;
    for (const [name, value] of Object.entries(result.reply.headers ?? {})) res.setHeader(name, value);
    res.end(result.reply.body ?? '');
    // After the answer, without holding up the workflow (followUp never rejects); the store
    // lease is given back once it is done, not before.
    if (result.followUp) {
      const followUp = result.followUp;
      handedOver = true;
      void followUp()
        .finally(() => lease.release())
        .catch(() => undefined);
    }
    if (result.events.length === 0) return { noWebhookResponse: true };
    return { noWebhookResponse: true, workflowData: [result.events.map((e) => ({ json: e as unknown as IDataObject }))] };
  } catch (e) {
    const err = toSmsError(e);
    fns.logger.warn(`${provider} webhook failed: ${err.message}`);
    if (!res.headersSent) {
      res.statusCode = 500;
      res.end('Internal Server Error');
    }
    return { noWebhookResponse: true };
  } finally {
    if (!handedOver) await lease.release();
  }
}
