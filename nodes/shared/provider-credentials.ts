/**
 * Which n8n credential type holds each provider's account, and how its decrypted data becomes the
 * core's `ctx.credentials` (DESIGN.md §3: the same field names in every engine).
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
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

/**
 * The provider's credential fields as strings. n8n stores numbers for number fields and may hand
 * over nested objects for fields this package does not define; only text reaches the core.
 * Throws MISSING_CREDENTIALS when the node has no credential of the provider's type selected.
 */
export async function readProviderCredentials(fns: CredentialContext, provider: ProviderId): Promise<ProviderCredentials> {
  const type = credentialTypeOf(provider);
  if (type === undefined) return {};
  let data: ICredentialDataDecryptedObject;
  try {
    data = await fns.getCredentials(type);
  } catch (e) {
    // n8n's messages here ("Node does not have any credentials set ...") name types, never values.
    const reason = e instanceof Error ? ` (${e.message})` : '';
    throw new SmsError('MISSING_CREDENTIALS', `${provider}: select a ${type} credential on the node${reason}`, { provider });
  }
  const out: ProviderCredentials = {};
  for (const [name, value] of Object.entries(data ?? {})) {
    if (typeof value === 'string') out[name] = value;
    else if (typeof value === 'number' && Number.isFinite(value)) out[name] = String(value);
  }
  return out;
}
