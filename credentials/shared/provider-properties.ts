/**
 * A credential's fields, made from the provider's `credentialFields` in the core registry: the
 * names, labels, secrecy and choices are defined once and are the same in n8n credentials,
 * Node-RED config nodes and `ctx.credentials` (DESIGN.md §3).
 */
import type { INodeProperties } from 'n8n-workflow';
import { getProvider } from '../../core/providers/registry';
import type { CredentialField, ProviderId } from '../../core/types';

export function providerProperties(id: ProviderId): INodeProperties[] {
  const provider = getProvider(id);
  return provider.credentialFields.map((field) => toProperty(field, provider.defaultBaseUrl));
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
