/**
 * What a webhook writes to the consent ledger: STOP/START replies, and delivery errors that prove
 * an opt-out. Written BEFORE the store marks the request received, so a request answered 503 and
 * retried never loses an opt-out; a retry finds the decision already made, or its own event in the
 * history, and adds no second row.
 */
import { checkRecipient, recipientHistory, recordRecipient } from '../consent/ledger';
import type { ConsentAction, ProviderId, Store } from '../types';
import type { WebhookContext } from './types';

/** Provider error codes that mean "the recipient opted out" (reference/sms-domain.md §2.3). */
export const OPT_OUT_ERROR_CODES: Readonly<Partial<Record<ProviderId, readonly string[]>>> = {
  twilio: ['21610'],
  telnyx: ['40300'],
  vonage: ['9'],
};

export function provesOptOut(provider: ProviderId, errorCode: string | undefined): boolean {
  return errorCode !== undefined && (OPT_OUT_ERROR_CODES[provider]?.includes(errorCode) ?? false);
}

/**
 * Records `action` for every topic unless the ledger already says so. True when a row was added.
 * A sender that is not a phone number (a short code, an alphanumeric id) has no consent to record.
 */
export async function recordIfChanged(
  store: Store,
  e: { phone: string; action: ConsentAction; source: string; evidence: Record<string, unknown>; defaultCountry?: string },
  log?: WebhookContext['log'],
): Promise<boolean> {
  let current;
  try {
    current = await checkRecipient(store, { phone: e.phone, topic: '*', ...(e.defaultCountry ? { defaultCountry: e.defaultCountry } : {}) });
  } catch (err) {
    if ((err as { code?: string }).code !== 'INVALID_PHONE') throw err;
    // Nothing can be sent to it either (sends refuse it as INVALID_PHONE); said, not silently skipped.
    log?.('warn', `${String(e.evidence.provider)} ${e.action} from a sender that is not a valid phone number: not recorded in the consent ledger`);
    return false;
  }
  if (current.reason === (e.action === 'opt-out' ? 'opted-out' : 'opted-in')) return false;
  // A provider's retry of a STOP that a later START already overrode must not opt the number out
  // again: an event is recorded once per provider message.
  const messageId = e.evidence.messageId;
  if (typeof messageId === 'string') {
    const history = await recipientHistory(store, e.phone, e.defaultCountry ? { defaultCountry: e.defaultCountry } : undefined);
    if (history.some((h) => h.evidence.messageId === messageId && h.evidence.provider === e.evidence.provider && h.source === e.source)) return false;
  }
  await recordRecipient(store, {
    phone: e.phone,
    topic: '*',
    action: e.action,
    source: e.source,
    evidence: e.evidence,
    ...(e.defaultCountry ? { defaultCountry: e.defaultCountry } : {}),
  });
  return true;
}
