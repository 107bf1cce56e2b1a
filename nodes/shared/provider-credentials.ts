/**
 * Which n8n credential type holds each provider's account, and how its decrypted data becomes the
 * core's `ctx.credentials` (DESIGN.md §3: the same field names in every engine).
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { DELIVERY_REPORT_URL_FIELD } from '../../credentials/shared/provider-properties';
import { SmsError } from '../../core/errors';
import type { ProviderCredentials, ProviderId } from '../../core/types';

/** Every provider but the sandbox, which has no account. Exhaustive: a new provider id fails to compile here. */
export const CREDENTIAL_TYPES: Readonly<Record<Exclude<ProviderId, 'sandbox'>, string>> = Object.freeze({
  twilio: 'a2pTwilioApi',
  vonage: 'a2pVonageApi',
  infobip: 'a2pInfobipApi',
  plivo: 'a2pPlivoApi',
  sinch: 'a2pSinchApi',
  telnyx: 'a2pTelnyxApi',
  afilnet: 'a2pAfilnetApi',
});

export function credentialTypeOf(provider: ProviderId): string | undefined {
  return provider === 'sandbox' ? undefined : CREDENTIAL_TYPES[provider];
}

/**
 * Any n8n context that reads a node's credentials: executions (Send SMS), webhooks (a request to
 * the Inbound SMS Trigger or DLR Webhook) and hooks (their checkExists / create / delete).
 */
export interface CredentialContext {
  getCredentials(type: string): Promise<ICredentialDataDecryptedObject>;
}

export interface ProviderAccount {
  /** The provider's fields as strings: what the core is given. */
  credentials: ProviderCredentials;
  /** The credential's Delivery Report URL (n8n's shared status-callback setting), when filled in. */
  deliveryReportUrl?: string;
}

/** The credential's provider fields only; throws MISSING_CREDENTIALS as readProviderAccount does. */
export async function readProviderCredentials(fns: CredentialContext, provider: ProviderId): Promise<ProviderCredentials> {
  return (await readProviderAccount(fns, provider)).credentials;
}

/**
 * n8n stores numbers for number fields and may hand over nested objects for fields this package
 * does not define; only text reaches the core. Throws MISSING_CREDENTIALS when the node has no
 * credential of the provider's type selected.
 */
export async function readProviderAccount(fns: CredentialContext, provider: ProviderId): Promise<ProviderAccount> {
  const type = credentialTypeOf(provider);
  if (type === undefined) return { credentials: {} };
  let data: ICredentialDataDecryptedObject;
  try {
    data = await fns.getCredentials(type);
  } catch (e) {
    // n8n's messages here ("Node does not have any credentials set ...") name types, never values.
    const reason = e instanceof Error ? ` (${e.message})` : '';
    throw new SmsError('MISSING_CREDENTIALS', `${provider}: select a ${type} credential on the node${reason}`, { provider });
  }
  const credentials: ProviderCredentials = {};
  let deliveryReportUrl: string | undefined;
  for (const [name, value] of Object.entries(data ?? {})) {
    const text = typeof value === 'string' ? value : typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
    if (text === undefined) continue;
    if (name === DELIVERY_REPORT_URL_FIELD) deliveryReportUrl = text.trim();
    else credentials[name] = text;
  }
  return deliveryReportUrl ? { credentials, deliveryReportUrl } : { credentials };
}
