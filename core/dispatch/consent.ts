/**
 * The consent gate of a send (DispatchOptions.consent): after the recipient is normalised and
 * before its idempotency key is claimed, the consent ledger decides whether the item may go out.
 *
 * - Opted out of the topic, or of everything (a STOP is topic `*`): OPTED_OUT.
 * - No opt-in on record while `requireOptIn` is set: NO_CONSENT.
 * Both are final for the item (not retryable): asking again gives the same answer until someone
 * records new consent.
 *
 * The gate answers with the recipient's standing now, also for a message an earlier run sent
 * before the opt-out: nothing is sent either way, and a flow re-run after a STOP learns of the STOP
 * rather than of a send it already knew about. The earlier send stays in the message log.
 *
 * A ledger that cannot be read fails the item with STORE_ERROR: a send is never let through
 * unchecked. Without a store (allowed in dry runs only) the ledger is empty: nobody has opted out,
 * nobody has opted in — what a first real run against a new store would find.
 */
import { everyTopic } from '../consent/ledger';
import { SmsError } from '../errors';
import type { ConsentDecision, Store } from '../types';

export interface ConsentRule {
  /** Trimmed; `*` asks whether every topic may be sent. */
  topic: string;
  requireOptIn: boolean;
}

/** The store methods the gate reads. */
export const CONSENT_STORE_METHODS = ['checkConsent', 'consentHistory'] as const;

const EMPTY_LEDGER_OPT_IN: ConsentDecision = { allowed: false, reason: 'no-consent' };
const EMPTY_LEDGER: ConsentDecision = { allowed: true, reason: 'not-required' };

async function decide(store: Store | undefined, phone: string, rule: ConsentRule): Promise<ConsentDecision> {
  if (store === undefined) return rule.requireOptIn ? EMPTY_LEDGER_OPT_IN : EMPTY_LEDGER;
  // `*` is judged over the history (core/consent/ledger.ts), as the Check Consent nodes judge it,
  // so both nodes give one recipient the same answer.
  if (rule.topic === '*') return everyTopic(await store.consentHistory(phone), rule.requireOptIn);
  return store.checkConsent({ phone, topic: rule.topic, requireOptIn: rule.requireOptIn });
}

function checked(topic: string): string {
  return topic === '*' ? 'checked for every topic' : `checked for topic "${topic}"`;
}

/**
 * Null when `phone` (E.164) may be sent `rule.topic`; otherwise the item's error. Never rejects.
 * Messages name the topic and the date of the deciding event, never the number.
 */
export async function consentRefusal(store: Store | undefined, phone: string, rule: ConsentRule): Promise<SmsError | null> {
  let decision: ConsentDecision;
  try {
    decision = await decide(store, phone, rule);
  } catch (e) {
    // A coded error from the store (STORE_ERROR, INVALID_INPUT) keeps its code, as in deliver.ts.
    if (e instanceof SmsError) return e;
    const detail = e instanceof Error ? e.message : String(e);
    return new SmsError('STORE_ERROR', `the consent ledger could not be read, so nothing was sent: ${detail}`, { cause: e });
  }
  if (typeof decision !== 'object' || decision === null) {
    return new SmsError('STORE_ERROR', 'the consent ledger gave no decision, so nothing was sent');
  }
  if (decision.allowed === true) return null;
  const since = typeof decision.since === 'string' ? ` since ${decision.since}` : '';
  if (decision.reason === 'opted-out') {
    return new SmsError('OPTED_OUT', `the recipient has opted out${since} (${checked(rule.topic)}); nothing was sent`);
  }
  if (decision.reason === 'no-consent') {
    return new SmsError(
      'NO_CONSENT',
      store === undefined
        ? 'opt-in is required and a dry run without a store has no consent ledger to find one in; nothing was sent'
        : `opt-in is required and none is recorded for the recipient (${checked(rule.topic)}); nothing was sent`,
    );
  }
  return new SmsError('STORE_ERROR', 'the consent ledger refused the recipient without a known reason, so nothing was sent');
}
