/**
 * Maps each provider's delivery-report vocabulary onto the normalised statuses
 * (DESIGN §3, sms-domain.md §2.2–2.3). Matching ignores case and surrounding blanks (Sinch
 * capitalises, Infobip shouts). A word no table knows is an INVALID_INPUT naming the provider and
 * the word, so a status a provider adds later is noticed instead of being guessed at.
 */
import { SmsError } from '../errors';
import { clip } from '../providers/http';
import type { NormalizedStatus, ProviderId } from '../types';
import { NORMALIZED_STATUSES, isFinal } from './status';

/** What a mapping needs beyond the status word. Fields another provider's mapping uses are ignored. */
export interface NormalizeExtra {
  /** Vonage: the API that sent the report. Omitted: either, as the two vocabularies agree where they overlap. */
  api?: 'sms' | 'messages';
  /** Vonage SMS API `err-code`; decides `permanent` on a failure (2, 7 and 8 are worth a retry). */
  errCode?: number | string;
  /** Infobip `status.groupId` (0 ACCEPTED … 5 REJECTED). */
  groupId?: number | string;
  /** Infobip `status.groupName`. */
  groupName?: string;
  /** Infobip `status.id` (2 DELIVERED_TO_OPERATOR, 5 DELIVERED_TO_HANDSET). */
  statusId?: number | string;
}

export interface StatusDescription {
  status: NormalizedStatus;
  final: boolean;
  /** On a failure, whether a retry can never succeed; absent when the report does not say. */
  permanent?: boolean;
  /** The recipient read the message (Twilio, Plivo, Vonage Messages `read`). */
  read?: boolean;
  /** Twilio `partially_delivered`. */
  partial?: boolean;
}

type Mapping = Pick<StatusDescription, 'status' | 'read' | 'partial'>;

// Longer than any provider's status word; anything beyond is not a status.
const MAX_STATUS_LENGTH = 64;

function table(rows: Record<string, NormalizedStatus | Mapping>): ReadonlyMap<string, Mapping> {
  return new Map(
    Object.entries(rows).map(([word, m]) => [word.toLowerCase(), typeof m === 'string' ? { status: m } : m]),
  );
}

const TWILIO = table({
  accepted: 'queued',
  queued: 'queued',
  sending: 'queued',
  scheduled: 'scheduled',
  canceled: 'canceled',
  sent: 'sent',
  delivered: 'delivered',
  read: { status: 'delivered', read: true },
  partially_delivered: { status: 'delivered', partial: true },
  undelivered: 'undelivered',
  failed: 'failed',
});

const VONAGE_SMS = table({
  accepted: 'sent',
  buffered: 'sent',
  delivered: 'delivered',
  expired: 'expired',
  // SMS API `failed` is the carrier's non-delivery; `rejected` is a refusal before it.
  failed: 'undelivered',
  rejected: 'failed',
  unknown: 'unknown',
});

const VONAGE_MESSAGES = table({
  submitted: 'sent',
  delivered: 'delivered',
  read: { status: 'delivered', read: true },
  rejected: 'failed',
  undeliverable: 'failed',
});

const PLIVO = table({
  queued: 'queued',
  sent: 'sent',
  delivered: 'delivered',
  // §2.1 lists `read`; §2.2 folds read into delivered.
  read: { status: 'delivered', read: true },
  undelivered: 'undelivered',
  failed: 'failed',
  rejected: 'failed',
});

const SINCH = table({
  Queued: 'queued',
  Dispatched: 'sent',
  Delivered: 'delivered',
  Failed: 'undelivered',
  Deleted: 'undelivered',
  Expired: 'expired',
  Aborted: 'failed',
  Rejected: 'failed',
  Cancelled: 'canceled',
  Unknown: 'unknown',
});

const TELNYX = table({
  queued: 'queued',
  sending: 'queued',
  sent: 'sent',
  delivered: 'delivered',
  sending_failed: 'failed',
  delivery_failed: 'undelivered',
  delivery_unconfirmed: 'unknown',
  expired: 'expired',
  // §2.1: present in some payload types.
  scheduled: 'scheduled',
});

// The sandbox reports in our own vocabulary.
const SANDBOX = table(Object.fromEntries(NORMALIZED_STATUSES.map((s) => [s, s])));

// Afilnet documents `deliverystatus` as a field of `getdeliverystatus` but not its values
// (sms-domain.md §1.9, afilnet.com sms.getdeliverystatus), so no word is mapped rather than guessed.
const AFILNET = table({});

const INFOBIP_GROUPS: readonly (readonly [name: string, status: NormalizedStatus | undefined])[] = [
  ['ACCEPTED', 'queued'],
  ['PENDING', 'sent'],
  ['UNDELIVERABLE', 'undelivered'],
  // Split by status id: operator-level is intermediate, handset-level final.
  ['DELIVERED', undefined],
  ['EXPIRED', 'expired'],
  ['REJECTED', 'failed'],
];
const INFOBIP_TO_OPERATOR = 2;
const INFOBIP_TO_HANDSET = 5;

type Resolver = (word: string, extra: NormalizeExtra, provider: ProviderId) => StatusDescription;

const RESOLVERS: Readonly<Record<ProviderId, Resolver>> = {
  twilio: byTable(TWILIO),
  vonage: vonage,
  infobip: infobip,
  plivo: byTable(PLIVO),
  sinch: byTable(SINCH),
  telnyx: byTable(TELNYX),
  afilnet: byTable(AFILNET),
  sandbox: byTable(SANDBOX),
};
const PROVIDERS = new Map(Object.entries(RESOLVERS) as [ProviderId, Resolver][]);

/** The normalised status of a provider's delivery-report status word. Throws INVALID_INPUT / UNKNOWN_PROVIDER. */
export function normalizeStatus(provider: ProviderId, providerStatus: string, extra?: NormalizeExtra): NormalizedStatus {
  return describeStatus(provider, providerStatus, extra).status;
}

/** `normalizeStatus` with the flags the word or `extra` carries: finality, permanence, read, partial. */
export function describeStatus(provider: ProviderId, providerStatus: string, extra?: NormalizeExtra): StatusDescription {
  const id = typeof provider === 'string' ? provider.trim().toLowerCase() : undefined;
  const resolve = id === undefined ? undefined : PROVIDERS.get(id as ProviderId);
  if (resolve === undefined) {
    const shown = clip(typeof provider === 'string' ? provider : undefined, 40);
    throw new SmsError(
      'UNKNOWN_PROVIDER',
      `${shown === undefined ? 'No provider given' : `Unknown provider "${shown}"`}; valid ids: ${[...PROVIDERS.keys()].join(', ')}`,
    );
  }
  if (typeof providerStatus !== 'string' || providerStatus.trim() === '') {
    throw new SmsError('INVALID_INPUT', `The ${id} delivery status must be a non-empty string; got ${shape(providerStatus)}`, {
      provider: id,
    });
  }
  if (providerStatus.length > MAX_STATUS_LENGTH) {
    throw new SmsError('INVALID_INPUT', `The ${id} delivery status is longer than ${MAX_STATUS_LENGTH} characters`, {
      provider: id,
    });
  }
  if (extra !== undefined && (extra === null || typeof extra !== 'object' || Array.isArray(extra))) {
    throw new SmsError('INVALID_INPUT', `Status details for ${id} must be an object; got ${shape(extra)}`, { provider: id });
  }
  return resolve(providerStatus.trim(), extra ?? {}, id as ProviderId);
}

function byTable(rows: ReadonlyMap<string, Mapping>): Resolver {
  return (word, _extra, provider) => described(lookup(rows, word, provider));
}

function lookup(rows: ReadonlyMap<string, Mapping>, word: string, provider: ProviderId, what = ''): Mapping {
  const found = rows.get(word.toLowerCase());
  if (found === undefined) throw unknownWord(provider, word, what);
  return found;
}

function described(m: Mapping, permanent?: boolean): StatusDescription {
  const out: StatusDescription = { status: m.status, final: isFinal(m.status) };
  if (permanent !== undefined) out.permanent = permanent;
  if (m.read) out.read = true;
  if (m.partial) out.partial = true;
  return out;
}

function vonage(word: string, extra: NormalizeExtra, provider: ProviderId): StatusDescription {
  const api = extra.api;
  if (api !== undefined && api !== 'sms' && api !== 'messages') {
    throw new SmsError('INVALID_INPUT', `Vonage api must be "sms" or "messages"; got ${shape(api)}`, { provider });
  }
  const errCode = intField(extra.errCode, 'Vonage err-code', provider);
  if (errCode !== undefined && api === 'messages') {
    throw new SmsError('INVALID_INPUT', 'Vonage err-code belongs to the SMS API, not to a Messages API report', { provider });
  }
  let m: Mapping;
  if (api === 'sms') m = lookup(VONAGE_SMS, word, provider, ' (SMS API)');
  else if (api === 'messages') m = lookup(VONAGE_MESSAGES, word, provider, ' (Messages API)');
  else m = VONAGE_SMS.get(word.toLowerCase()) ?? lookup(VONAGE_MESSAGES, word, provider);
  const failure = isFinal(m.status) && m.status !== 'delivered';
  const permanent = failure && errCode !== undefined ? ![2, 7, 8].includes(errCode) : undefined;
  return described(m, permanent);
}

/**
 * Infobip has dozens of status names (REJECTED_DND, EXPIRED_DLR_UNKNOWN, …) in six stable groups,
 * and the group decides (§2.3). The group comes from `extra`, else from the word being a group
 * name or starting with one. Only the DELIVERED group is split further, by status id or name.
 */
function infobip(word: string, extra: NormalizeExtra, provider: ProviderId): StatusDescription {
  const upper = word.toUpperCase();
  if (upper === 'PENDING_ACCEPTED') return described({ status: 'queued' });

  const byId = intField(extra.groupId, 'Infobip groupId', provider);
  if (byId !== undefined && byId >= INFOBIP_GROUPS.length) {
    throw new SmsError('INVALID_INPUT', `Infobip groupId must be 0–${INFOBIP_GROUPS.length - 1}; got ${byId}`, { provider });
  }
  let byName: number | undefined;
  if (extra.groupName !== undefined) {
    byName = typeof extra.groupName === 'string' ? groupIndex(extra.groupName.trim().toUpperCase()) : -1;
    if (byName < 0) throw unknownWord(provider, String(extra.groupName), ' group');
  }
  if (byId !== undefined && byName !== undefined && byId !== byName) {
    throw new SmsError('INVALID_INPUT', `Infobip groupId ${byId} contradicts groupName ${shape(extra.groupName)}`, { provider });
  }
  const fromWord = INFOBIP_GROUPS.findIndex(([name]) => upper === name || upper.startsWith(`${name}_`));
  const statusId = intField(extra.statusId, 'Infobip status id', provider);
  const deliveredId = statusId === INFOBIP_TO_OPERATOR || statusId === INFOBIP_TO_HANDSET;
  const group = byId ?? byName ?? (fromWord >= 0 ? fromWord : deliveredId ? groupIndex('DELIVERED') : undefined);
  if (group === undefined) throw unknownWord(provider, word, ' (no status group given)');
  if (fromWord >= 0 && fromWord !== group) {
    throw new SmsError('INVALID_INPUT', `Infobip status ${shape(word)} is not in group ${INFOBIP_GROUPS[group]?.[0]}`, { provider });
  }

  const [groupName, status] = INFOBIP_GROUPS[group] as (typeof INFOBIP_GROUPS)[number];
  if (deliveredId && groupName !== 'DELIVERED') {
    throw new SmsError('INVALID_INPUT', `Infobip status id ${statusId} is in the DELIVERED group, not ${groupName}`, { provider });
  }
  if (status !== undefined) return described({ status });

  const toOperator = statusId === INFOBIP_TO_OPERATOR || upper === 'DELIVERED_TO_OPERATOR';
  const toHandset = statusId === INFOBIP_TO_HANDSET || upper === 'DELIVERED_TO_HANDSET';
  if (toOperator === toHandset) {
    throw new SmsError(
      'INVALID_INPUT',
      `Infobip DELIVERED status ${shape(word)}${statusId === undefined ? '' : ` (id ${statusId})`} is neither ` +
        'clearly DELIVERED_TO_OPERATOR (id 2) nor DELIVERED_TO_HANDSET (id 5)',
      { provider },
    );
  }
  return described({ status: toHandset ? 'delivered' : 'sent' });
}

function groupIndex(name: string): number {
  return INFOBIP_GROUPS.findIndex(([n]) => n === name);
}

/** A small non-negative integer given as a number or digits (form-encoded reports send strings). */
function intField(value: unknown, what: string, provider: ProviderId): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d{1,4}\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 9999) {
    throw new SmsError('INVALID_INPUT', `${what} must be an integer 0–9999; got ${shape(value)}`, { provider });
  }
  return n;
}

function unknownWord(provider: ProviderId, word: string, what: string): SmsError {
  return new SmsError('INVALID_INPUT', `Unknown ${provider}${what} delivery status ${shape(word)}`, { provider });
}

function shape(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(clip(value, 40) ?? value.slice(0, 40));
  if (typeof value === 'number') return String(value);
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}
