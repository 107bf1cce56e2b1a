/**
 * The parameters that hold for the whole run: provider, message mode and the batch options.
 * They are read once (at item 0), because all items go out in one batch with one concurrency,
 * rate limit and store. Each is read on its own, so an Options expression that fails on item 0
 * (a per-item field such as Client Reference) cannot take the batch settings down with it.
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import type { DispatchOptions } from '../../../core/dispatch';
import { DEFAULT_CHECK_TOPIC } from '../../../core/consent/ledger';
import { SmsError } from '../../../core/errors';
import type { ProviderId } from '../../../core/types';
import type { MessageMode } from './read-item';

export interface BatchSettings {
  provider: ProviderId;
  mode: MessageMode;
  dryRun: boolean;
  /** The "Store Path" option as written; empty means the default file. */
  storePath: string;
  workflowTimeZone: string;
  templateLocale?: string;
  templateTimeZone?: string;
  /** Passed to sendBatch as they are; the dispatcher checks types and ranges (INVALID_INPUT). */
  dispatch: Pick<
    DispatchOptions,
    | 'smartEncoding'
    | 'defaultCountry'
    | 'idempotencyScope'
    | 'maxSegments'
    | 'concurrency'
    | 'retries'
    | 'timeoutMs'
    | 'ratePerSecond'
    | 'consent'
  >;
}

export function readBatchSettings(fns: IExecuteFunctions): BatchSettings {
  const param = (name: string, fallback: unknown): unknown => {
    try {
      return fns.getNodeParameter(name, 0, fallback);
    } catch (e) {
      throw new SmsError('INVALID_INPUT', `"${name}": ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  // null, not undefined: n8n throws for an unset parameter without a fallback.
  const option = (name: string): unknown => param(`options.${name}`, null);

  const settings: BatchSettings = {
    provider: param('provider', 'sandbox') as ProviderId,
    mode: param('messageMode', 'text') === 'template' ? 'template' : 'text',
    dryRun: option('dryRun') === true,
    storePath: text(option('storePath')) ?? '',
    workflowTimeZone: fns.getTimezone(),
    dispatch: { smartEncoding: option('smartEncoding') !== false },
  };
  const templateLocale = text(option('templateLocale'));
  if (templateLocale !== undefined) settings.templateLocale = templateLocale;
  const templateTimeZone = text(option('templateTimeZone'));
  if (templateTimeZone !== undefined) settings.templateTimeZone = templateTimeZone;

  const { dispatch } = settings;
  const defaultCountry = text(option('defaultCountry'));
  if (defaultCountry !== undefined) dispatch.defaultCountry = defaultCountry;
  const scope = text(option('idempotencyScope'));
  if (scope !== undefined) dispatch.idempotencyScope = scope;
  for (const name of ['maxSegments', 'concurrency', 'retries', 'timeoutMs'] as const) {
    const value = option(name);
    if (value !== null) dispatch[name] = value as number;
  }
  const rate = option('ratePerSecond');
  // 0 is the field's "no limit".
  if (rate !== null && rate !== 0) dispatch.ratePerSecond = rate as number;
  const consent = readConsent(param);
  if (consent !== undefined) dispatch.consent = consent;
  return settings;
}

/**
 * On unless turned off. A topic field left empty means the default topic, as in Check Consent;
 * anything else goes to the dispatcher as written, which refuses what is not a topic.
 */
function readConsent(param: (name: string, fallback: unknown) => unknown): DispatchOptions['consent'] {
  const check = param('checkConsent', true);
  if (check === false) return undefined;
  if (check !== true) throw new SmsError('INVALID_INPUT', '"Check Consent" must be true or false');
  const topic = param('consentTopic', DEFAULT_CHECK_TOPIC);
  return {
    topic: typeof topic === 'string' ? (text(topic) ?? DEFAULT_CHECK_TOPIC) : (topic as string),
    requireOptIn: param('requireOptIn', false) as boolean,
  };
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
