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
import { existsSync } from 'node:fs';
import { sleep, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';
import { sendBatch, type DispatchOptions, type SendOutcome, type SendRequest } from '../../../core/dispatch';
import { toSmsError, type SmsError } from '../../../core/errors';
import { resolveSqlitePath, type StoreLease } from '../../../core/store';
import type { TextAnalysis } from '../../../core/types';
import { n8nHttp } from '../../shared/n8n-http';
import { readProviderCredentials } from '../../shared/provider-credentials';
import { n8nStore, storePath } from '../../shared/store';
import { readBatchSettings, type BatchSettings } from './batch-settings';
import { batchFailure, errorItem, resultItem } from './output';
import { readSendRequest } from './read-item';

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

    const requests: SendRequest[] = [];
    const itemOf: number[] = [];
    for (let i = 0; i < items.length; i++) {
      try {
        requests.push(readSendRequest(this, i, settings));
        itemOf.push(i);
      } catch (e) {
        failures.set(i, { error: toSmsError(e, 'INVALID_INPUT') });
      }
    }
    if (requests.length > 0) {
      const options = await dispatchOptions(this, settings, requests.length);
      const path = storePath(settings.storePath);
      // A dry run claims nothing and creates no file. It reads the consent ledger when there is
      // one; without the file the dispatcher reads an empty ledger, as a first real run would.
      if (!settings.dryRun || (options.consent !== undefined && storeExists(path))) {
        lease = n8nStore(path);
        options.store = await lease.store;
      }
      const outcomes = await sendBatch(requests, options);
      for (const outcome of outcomes) {
        const i = itemOf[outcome.index];
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

function storeExists(path: string): boolean {
  return path === ':memory:' || existsSync(resolveSqlitePath(path));
}

function failureOf(outcome: Extract<SendOutcome, { ok: false }>): Failure {
  return outcome.analysis === undefined ? { error: outcome.error } : { error: outcome.error, analysis: outcome.analysis };
}

async function dispatchOptions(fns: IExecuteFunctions, settings: BatchSettings, total: number): Promise<DispatchOptions> {
  const cancelled = fns.getExecutionCancelSignal();
  const options: DispatchOptions = {
    ...settings.dispatch,
    provider: settings.provider,
    credentials: await readProviderCredentials(fns, settings.provider),
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
