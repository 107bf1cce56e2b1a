/**
 * Send SMS: every input item becomes one SendRequest, and all of them go to the dispatcher in ONE
 * sendBatch call. That is what gives n8n users concurrency, a rate limit and idempotency across
 * items and runs, instead of one sequential request per item.
 *
 * With "Check Consent" on (the default), a recipient the consent ledger refuses fails like any
 * other item, with OPTED_OUT or NO_CONSENT, and is sent nothing.
 *
 * Failure handling, per n8n convention:
 * - "Continue On Fail" / "Continue (using error output)": each failed item yields an error item
 *   (output.ts) in its place; n8n itself moves those to the error output when that is chosen.
 * - otherwise: the batch still runs to the end, then the first failed item raises a
 *   NodeOperationError (itemIndex set). n8n discards the node's output, but the accepted messages
 *   are in the store, so a re-run or "Retry On Fail" gets them back as duplicates, not resends.
 */
import { sleep, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';
import { sendBatch, type DispatchOptions, type SendOutcome, type SendRequest } from '../../../core/dispatch';
import { toSmsError, type SmsError } from '../../../core/errors';
import type { StoreLease } from '../../../core/store';
import type { ProviderCredentials, ProviderId, TextAnalysis } from '../../../core/types';
import { n8nHttp } from '../../shared/n8n-http';
import { n8nStore, storePath } from '../../shared/store';
import { readBatchSettings, type BatchSettings } from './batch-settings';
import { batchFailure, errorItem, resultItem } from './output';
import { readSendRequest } from './read-item';
import { readSendCredentials } from './status-callback';
import { storeExists } from './store-file';

interface Failure {
  error: SmsError;
  analysis?: TextAnalysis;
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
  const items = this.getInputData();
  if (items.length === 0) return [[]];

  const results: INodeExecutionData[] = new Array(items.length);
  const failures = new Map<number, Failure>();
  let dryRun = false;
  let lease: StoreLease | undefined;
  try {
    const settings = readBatchSettings(this);
    dryRun = settings.dryRun;

    const read: Pending[] = [];
    for (let i = 0; i < items.length; i++) {
      try {
        read.push({ item: i, request: readSendRequest(this, i, settings) });
      } catch (e) {
        failures.set(i, { error: toSmsError(e, 'INVALID_INPUT') });
      }
    }
    const { credentials, pending } = read.length === 0 ? NOTHING_TO_SEND : await withCredentials(this, settings.provider, read, failures);
    if (pending.length > 0) {
      const options = dispatchOptions(this, settings, credentials, pending.length);
      const path = storePath(settings.storePath);
      // A dry run claims nothing and creates no file. It reads the consent ledger when there is
      // one; without the file the dispatcher reads an empty ledger, as a first real run would.
      if (!settings.dryRun || (options.consent !== undefined && storeExists(path))) {
        lease = n8nStore(path);
        options.store = await lease.store;
      }
      const outcomes = await sendBatch(pending.map((p) => p.request), options);
      for (const outcome of outcomes) {
        const i = pending[outcome.index]!.item;
        if (outcome.ok) results[i] = resultItem(outcome, i);
        else failures.set(i, failureOf(outcome));
      }
    }
  } catch (e) {
    // The batch as a whole could not run (settings, credentials, store): every unsettled item shares the reason.
    const error = toSmsError(e, 'INVALID_INPUT');
    for (let i = 0; i < items.length; i++) if (results[i] === undefined && !failures.has(i)) failures.set(i, { error });
  } finally {
    // Every item has settled: no claim is left for the store to complete.
    await lease?.release().catch((e: unknown) => {
      this.logger.warn(`Send SMS: closing the store: ${toSmsError(e, 'STORE_ERROR').message}`, { node: this.getNode().name });
    });
  }

  const succeeded = items.length - failures.size;
  this.logger.info(`Send SMS: ${dryRun ? 'analysed' : 'sent'} ${succeeded} of ${items.length}, ${failures.size} failed`, {
    node: this.getNode().name,
  });

  if (failures.size > 0 && !this.continueOnFail()) {
    let first = 0;
    while (!failures.has(first)) first++;
    throw batchFailure(this.getNode(), failures.get(first)!.error, first, {
      total: items.length,
      sent: succeeded,
      failed: failures.size,
      dryRun,
    });
  }
  for (const [i, failure] of failures) results[i] = errorItem(failure.error, i, failure.analysis);
  return [results];
}

interface Pending {
  item: number;
  request: SendRequest;
}

/** No item could be read: the credentials are not needed, and not asked for. */
const NOTHING_TO_SEND = { credentials: {}, pending: [] as Pending[] };

/**
 * The provider credentials, and the items that can go out with them. Items without a Status
 * Callback URL of their own take the credential's Delivery Report URL; when that one is unusable
 * (malformed, Infobip without a Webhook Token) those items fail with the reason rather than go out
 * without the reports the user set up. Throws MISSING_CREDENTIALS (every item fails alike).
 */
async function withCredentials(
  fns: IExecuteFunctions,
  provider: ProviderId,
  read: Pending[],
  failures: Map<number, Failure>,
): Promise<{ credentials: ProviderCredentials; pending: Pending[] }> {
  const { credentials, defaultStatusCallback: fallback } = await readSendCredentials(fns, provider);
  if (fallback === undefined) return { credentials, pending: read };
  const pending = read.filter((p) => {
    if (p.request.statusCallbackUrl !== undefined) return true;
    if (typeof fallback !== 'string') {
      failures.set(p.item, { error: fallback });
      return false;
    }
    p.request.statusCallbackUrl = fallback;
    return true;
  });
  return { credentials, pending };
}

function failureOf(outcome: Extract<SendOutcome, { ok: false }>): Failure {
  return outcome.analysis === undefined ? { error: outcome.error } : { error: outcome.error, analysis: outcome.analysis };
}

function dispatchOptions(fns: IExecuteFunctions, settings: BatchSettings, credentials: ProviderCredentials, total: number): DispatchOptions {
  const cancelled = fns.getExecutionCancelSignal();
  const options: DispatchOptions = {
    ...settings.dispatch,
    provider: settings.provider,
    credentials,
    http: n8nHttp(fns),
    dryRun: settings.dryRun,
    // n8n's sleep rather than the core's timers, as n8n asks of node code; a cancel ends the
    // wait in the dispatcher.
    sleep: (ms) => sleep(ms),
    onProgress: progressLogger(fns, total),
  };
  // A cancelled execution starts no further messages (they fail as CANCELED, safe to send
  // again); those already on the wire finish and are recorded.
  if (cancelled) options.signal = cancelled;
  return options;
}

/** About ten progress lines per batch, never one per message. */
function progressLogger(fns: IExecuteFunctions, total: number): DispatchOptions['onProgress'] {
  const step = Math.max(1, Math.ceil(total / 10));
  const node = fns.getNode().name;
  return ({ done, sent, failed }) => {
    if (done % step === 0 || done === total) {
      fns.logger.info(`Send SMS: ${done}/${total} done (${sent} sent, ${failed} failed)`, { node });
    }
  };
}
