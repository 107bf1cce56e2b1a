/**
 * Every provider adapter by id: what nodes, credentials and the dispatcher look providers up in.
 */
import { SmsError } from '../errors';
import type { ProviderId, SmsProvider } from '../types';
import { afilnet } from './afilnet';
import { clip } from './http';
import { infobip } from './infobip';
import { plivo } from './plivo';
import { sandbox } from './sandbox';
import { sinch } from './sinch';
import { telnyx } from './telnyx';
import { twilio } from './twilio';
import { vonage } from './vonage';

// The order users see in provider pickers: the sandbox last, after the real ones.
const PROVIDERS: readonly SmsProvider[] = [twilio, vonage, infobip, plivo, sinch, telnyx, afilnet, sandbox];
const BY_ID = new Map<string, SmsProvider>(PROVIDERS.map((p) => [p.id, p]));

export const PROVIDER_IDS: readonly ProviderId[] = Object.freeze(PROVIDERS.map((p) => p.id));

/** The adapter for an id (case and surrounding blanks ignored); UNKNOWN_PROVIDER names the valid ids. */
export function getProvider(id: string): SmsProvider {
  const provider = typeof id === 'string' ? BY_ID.get(id.trim().toLowerCase()) : undefined;
  if (provider) return provider;
  const shown = typeof id === 'string' ? clip(id, 40) : undefined;
  throw new SmsError(
    'UNKNOWN_PROVIDER',
    `${shown === undefined ? 'No provider given' : `Unknown provider "${shown}"`}; valid ids: ${PROVIDER_IDS.join(', ')}`,
  );
}

/** Every adapter, in picker order. A new array each call: callers may sort or filter it. */
export function listProviders(): SmsProvider[] {
  return [...PROVIDERS];
}
