/**
 * Where delivery reports of a send go when the item's Status Callback URL option is empty: the
 * credential's Delivery Report URL (credentials/shared/provider-properties.ts), i.e. the DLR
 * Webhook's Production URL pasted once per account. The option, when set, wins and is sent as
 * written, as before this setting existed.
 *
 * The credential URL goes through the core's statusCallbackUrlFor, which checks it (absolute
 * http(s), no query) and, for Infobip, adds the Webhook Token as `?token=` — the only thing that
 * authenticates Infobip's unsigned reports at the DLR Webhook.
 */
import { SmsError, toSmsError } from '../../../core/errors';
import type { ProviderCredentials, ProviderId } from '../../../core/types';
import { statusCallbackUrlFor } from '../../../core/webhook/request';
import { readProviderAccount, type CredentialContext } from '../../shared/provider-credentials';

export interface SendCredentials {
  /** The provider's fields only: what the core is given. */
  credentials: ProviderCredentials;
  /** The URL the items without their own Status Callback URL get, or why they cannot be sent. */
  defaultStatusCallback?: string | SmsError;
}

/** Throws MISSING_CREDENTIALS when the node has no credential of the provider's type selected. */
export async function readSendCredentials(fns: CredentialContext, provider: ProviderId): Promise<SendCredentials> {
  const { credentials, deliveryReportUrl: url } = await readProviderAccount(fns, provider);
  if (url === undefined) return { credentials };
  let defaultStatusCallback: string | SmsError;
  try {
    defaultStatusCallback = statusCallbackUrlFor(provider, url, credentials);
  } catch (e) {
    const error = toSmsError(e, 'INVALID_INPUT');
    // Worded for this field: the core's words name the webhook nodes' "Public URL" option.
    const reason = error.message.replace(/^webhook: /, '').replace(/\bthe (Public )?URL\b/g, 'it');
    defaultStatusCallback = new SmsError(error.code, `the credential's Delivery Report URL: ${reason}`, error.provider === undefined ? {} : { provider: error.provider });
  }
  return { credentials, defaultStatusCallback };
}
