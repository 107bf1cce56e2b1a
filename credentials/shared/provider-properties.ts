/**
 * A credential's fields, made from the provider's `credentialFields` in the core registry: the
 * names, labels, secrecy and choices are defined once and are the same in n8n credentials,
 * Node-RED config nodes and `ctx.credentials` (DESIGN.md §3).
 *
 * One field is n8n's own: the Delivery Report URL, the n8n answer to "a shared setting" for
 * status callbacks. A credential is what every Send SMS node of an account already shares, so the
 * DLR Webhook's URL is pasted there once instead of into each node. It is not a provider
 * credential: the core never sees it (Send SMS takes it out before calling the core), and
 * Node-RED has its own way (sms-send picks an sms-dlr node).
 */
import type { INodeProperties } from 'n8n-workflow';
import { getProvider } from '../../core/providers/registry';
import type { CredentialField, ProviderId } from '../../core/types';

/** The credential field holding the default status callback URL. */
export const DELIVERY_REPORT_URL_FIELD = 'statusCallbackUrl';

/** Afilnet posts no delivery reports (they are polled) and refuses a status callback URL. */
const POSTS_DELIVERY_REPORTS = (id: ProviderId): boolean => id !== 'afilnet';

const deliveryReportUrl: INodeProperties = {
  displayName: 'Delivery Report URL',
  name: DELIVERY_REPORT_URL_FIELD,
  type: 'string',
  default: '',
  placeholder: 'https://n8n.example.com/webhook/…/webhook',
  description:
    "The Production URL of your DLR Webhook node. Send SMS nodes using this credential ask the provider to post delivery reports there, unless their own Status Callback URL option is set (the option wins). Infobip: the Webhook Token is added to it as ?token=… automatically.",
};

export function providerProperties(id: ProviderId): INodeProperties[] {
  const provider = getProvider(id);
  const fields = provider.credentialFields.map((field) => toProperty(field, provider.defaultBaseUrl));
  return POSTS_DELIVERY_REPORTS(id) ? [...fields, { ...deliveryReportUrl }] : fields;
}

function toProperty(field: CredentialField, defaultBaseUrl: string): INodeProperties {
  const property: INodeProperties = {
    displayName: field.displayName,
    name: field.name,
    type: field.options ? 'options' : 'string',
    required: field.required,
    default: field.default ?? field.options?.[0] ?? '',
  };
  if (field.options) property.options = field.options.map((value) => ({ name: value, value }));
  if (field.secret) property.typeOptions = { password: true };
  if (field.description) property.description = field.description;
  if (field.name === 'baseUrl') property.placeholder = defaultBaseUrl;
  return property;
}
