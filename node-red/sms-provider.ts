/**
 * `sms-provider`: the config node that holds one provider account. Every credential field is a
 * Node-RED credential (kept out of exported flows, account ids included); secrets are `password`
 * credentials the editor never reads back. The field list is the core registry's, served to the
 * editor on an admin route, so a provider added to the core appears here without editing this node.
 */
import { SmsError } from '../core/errors';
import { getProvider, listProviders } from '../core/providers/registry';
import type { CredentialField, ProviderCredentials, ProviderId, SmsProvider } from '../core/types';
import type { CredentialType, Node, NodeAPI, NodeDef } from './node-red-api';

export const PROVIDER_NODE_TYPE = 'sms-provider';
export const PROVIDERS_ROUTE = '/sms-provider/providers';
export const READ_PERMISSION = 'sms-provider.read';

interface SmsProviderDef extends NodeDef {
  provider?: string;
  /** Messages per second, as the editor stores it: text, possibly empty. */
  rate?: string | number;
}

/** What a sending node needs from the config node: the provider, its credentials and limit. */
export interface ProviderConnection {
  provider: SmsProvider;
  credentials: ProviderCredentials;
  ratePerSecond?: number;
}

export interface SmsProviderNode extends Node {
  /** Throws an SmsError (UNKNOWN_PROVIDER, MISSING_CREDENTIALS, INVALID_INPUT) when unusable. */
  connection(): ProviderConnection;
}

const BASE_URL_FIELD: CredentialField = {
  name: 'baseUrl',
  displayName: 'Base URL',
  secret: false,
  required: false,
  description: 'Replaces the provider\'s public API (regional endpoint, proxy, mock server)',
};

/** The fields the editor shows for a provider: its own, plus the base URL every HTTP provider takes. */
export function providerFields(provider: SmsProvider): CredentialField[] {
  const fields = [...provider.credentialFields];
  if (provider.defaultBaseUrl && !fields.some((f) => f.name === BASE_URL_FIELD.name)) fields.push(BASE_URL_FIELD);
  return fields;
}

/**
 * Node-RED stores only declared credentials, so the declaration is the union of every provider's
 * fields. A name that is secret for any provider is a password for all: the editor never shows it.
 */
export function credentialDefinitions(providers: SmsProvider[]): Record<string, { type: CredentialType }> {
  const out: Record<string, { type: CredentialType }> = {};
  for (const p of providers) {
    for (const f of providerFields(p)) {
      if (f.secret || out[f.name] === undefined) out[f.name] = { type: f.secret ? 'password' : 'text' };
    }
  }
  return out;
}

/** The admin route's answer: what the editor renders. Holds no credential values. */
export function describeProviders(providers: SmsProvider[]) {
  return providers.map((p) => ({
    id: p.id,
    displayName: p.displayName,
    defaultBaseUrl: p.defaultBaseUrl,
    fields: providerFields(p),
  }));
}

export function parseRate(value: unknown): number | undefined {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : Number.NaN;
  if (!Number.isFinite(n) || n < 0) {
    throw new SmsError('INVALID_INPUT', 'the rate limit must be a number of messages per second (empty: no limit)');
  }
  return n === 0 ? undefined : n;
}

/** Only the selected provider's fields, trimmed; empty ones left out. */
export function connectionOf(def: SmsProviderDef, stored: Record<string, string | undefined> | undefined): ProviderConnection {
  const id = typeof def.provider === 'string' ? def.provider.trim() : '';
  if (!id) throw new SmsError('UNKNOWN_PROVIDER', 'no provider selected in the sms-provider config node');
  const provider = getProvider(id as ProviderId);
  const credentials: ProviderCredentials = {};
  const missing: string[] = [];
  for (const field of providerFields(provider)) {
    const raw = stored?.[field.name];
    const value = typeof raw === 'string' ? raw.trim() : '';
    if (value) credentials[field.name] = value;
    else if (field.required) missing.push(field.displayName);
  }
  if (missing.length) {
    throw new SmsError('MISSING_CREDENTIALS', `${provider.displayName}: fill in ${missing.join(', ')} in the sms-provider config node`, {
      provider: provider.id,
    });
  }
  const connection: ProviderConnection = { provider, credentials };
  const rate = parseRate(def.rate);
  if (rate !== undefined) connection.ratePerSecond = rate;
  return connection;
}

export default function register(RED: NodeAPI): void {
  const providers = listProviders();

  function SmsProviderConfig(this: SmsProviderNode, def: SmsProviderDef): void {
    RED.nodes.createNode(this, def);
    // Resolved once per deploy: credentials only change by redeploying the config node.
    let resolved: ProviderConnection | SmsError;
    try {
      resolved = connectionOf(def, this.credentials);
    } catch (e) {
      resolved = e instanceof SmsError ? e : new SmsError('INVALID_INPUT', String(e));
      // warn, not error: a config node's error is delegated to the Catch nodes of its users.
      this.warn(resolved.message);
    }
    this.connection = () => {
      if (resolved instanceof SmsError) throw resolved;
      return resolved;
    };
  }

  RED.nodes.registerType(PROVIDER_NODE_TYPE, SmsProviderConfig, {
    credentials: credentialDefinitions(providers),
  });

  const body = describeProviders(providers);
  RED.httpAdmin.get(PROVIDERS_ROUTE, RED.auth.needsPermission(READ_PERMISSION), (_req, res) => res.json(body));
}
