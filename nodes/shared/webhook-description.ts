/**
 * The editor side the Inbound SMS Trigger and the DLR Webhook share: which providers they offer,
 * the credential shown per provider, the HTTP methods n8n registers, and the common options.
 */
import type { INodeCredentialDescription, INodeProperties, IWebhookDescription } from 'n8n-workflow';
import { listProviders } from '../../core/providers/registry';
import type { ProviderId } from '../../core/types';
import { STORE_PATH_OPTION } from './common-options';
import { CREDENTIAL_TYPES } from './provider-credentials';

/** Afilnet calls no webhook (its delivery status is polled): the webhook nodes do not offer it. */
export const NO_WEBHOOKS_MESSAGE = 'afilnet has no webhooks (delivery status is polled)';

export const WEBHOOK_PROVIDERS: readonly ProviderId[] = listProviders()
  .map((p) => p.id)
  .filter((id) => id !== 'afilnet');

/** Providers whose console lets the user pick GET for their callbacks; the rest always POST. */
export const GET_PROVIDERS: readonly ProviderId[] = ['twilio', 'vonage', 'plivo'];

export const webhookCredentials: INodeCredentialDescription[] = Object.entries(CREDENTIAL_TYPES)
  .filter(([provider]) => WEBHOOK_PROVIDERS.includes(provider as ProviderId))
  .map(([provider, name]) => ({ name, required: true, displayOptions: { show: { provider: [provider] } } }));

/**
 * One webhook, `default`, on one path. n8n reads its httpMethod as a comma-separated list and
 * registers the path once per method (the Webhook node's "multiple methods" works the same way),
 * so GET is open only for providers that can call with it. checkExists / create / delete then run
 * once per method: they are idempotent.
 */
export const webhookDescriptions: IWebhookDescription[] = [
  {
    name: 'default',
    httpMethod: `={{ ${JSON.stringify(GET_PROVIDERS)}.includes($parameter["provider"]) ? "POST,GET" : "POST" }}`,
    responseMode: 'onReceived',
    path: 'webhook',
  },
];

/** The Provider field, the setup notices and what each provider needs said before it works. */
export function providerProperties(what: 'incoming messages' | 'delivery reports'): INodeProperties[] {
  return [
    {
      displayName: 'Provider',
      name: 'provider',
      type: 'options',
      noDataExpression: true,
      default: 'twilio',
      options: listProviders()
        .filter((p) => WEBHOOK_PROVIDERS.includes(p.id))
        .map((p) => ({
          name: p.displayName,
          value: p.id,
          description: p.id === 'sandbox' ? 'Unsigned test requests; no account or credentials needed' : `${p.displayName} posts ${what} here`,
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
      description: `Whose ${what} this node receives; its credential verifies the signatures`,
    },
    {
      displayName:
        'Infobip does not sign webhooks: add ?token= and the credential\'s Webhook Token to the URL you give Infobip (or use Basic auth with the token as password). Requests without it are refused.',
      name: 'infobipNotice',
      type: 'notice',
      default: '',
      displayOptions: { show: { provider: ['infobip'] } },
    },
    {
      displayName: 'The sandbox posts unsigned requests: anyone who knows this URL can post to it. For trying out flows only.',
      name: 'sandboxNotice',
      type: 'notice',
      default: '',
      displayOptions: { show: { provider: ['sandbox'] } },
    },
    {
      displayName: 'Signature verification is off: anyone who knows this URL can post fake messages, reports and opt-outs. Use this only for local tests.',
      name: 'verifyOffNotice',
      type: 'notice',
      default: '',
      displayOptions: { show: { 'options.verifySignature': [false] } },
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
  placeholder: 'https://sms.example.com/hooks/inbound',
  description:
    "The URL configured at the provider when it is not this node's Production URL (a reverse proxy or tunnel in front of n8n), without query. Signatures are computed over it. Empty: the Production URL (the Test URL while listening for a test event).",
};

export const DEDUPE_OPTION: INodeProperties = {
  displayName: 'De-Duplicate',
  name: 'dedupe',
  type: 'boolean',
  default: true,
  description: 'Whether to answer a request the provider sends again (a retry) without starting the workflow twice',
};

export { STORE_PATH_OPTION };
