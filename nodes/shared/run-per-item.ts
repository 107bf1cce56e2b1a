/**
 * What the per-item operations of the store-backed nodes (Check Consent, OTP) share: the store
 * lease of the execution, and the loop that puts each input item on exactly one output.
 *
 * The store is leased once per execution and released when it ends, whatever happened. A store
 * that cannot be opened or fails mid-run (STORE_ERROR) is not an item's problem: without
 * "Continue On Fail" it stops the run; with it, every item not yet handled fails with that error
 * instead of being tried. The node never throws while "Continue On Fail" is on, because n8n would
 * then pass the input items on unchanged on the first output — Allowed for a check, Approved for
 * a code check.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { toSmsError, type SmsError } from '../../core/errors';
import type { StoreLease } from '../../core/store';
import type { Store } from '../../core/types';
import { failedItem, itemFailure } from './item-error';
import { itemOption as option, textValue as text } from './item-params';
import { n8nStore, storePath } from './store';

/** Takes this execution's store lease; `lease.store` rejects (STORE_ERROR, INVALID_INPUT) when it cannot open. */
export function leaseStore(fns: IExecuteFunctions): StoreLease {
  // Read once: one execution uses one file.
  return n8nStore(storePath(text(option(fns, 'storePath', 0), 'Store Path') ?? ''));
}

export async function releaseStore(fns: IExecuteFunctions, lease: StoreLease | undefined, label: string): Promise<void> {
  await lease?.release().catch((e: unknown) => {
    fns.logger.warn(`${label}: closing the store: ${toSmsError(e, 'STORE_ERROR').message}`, { node: fns.getNode().name });
  });
}

/** What an operation makes of one item: the output it goes to and the item's new JSON. */
export interface Routed {
  output: number;
  json: IDataObject;
}

export interface PerItemOperation {
  /** The node's name in log lines ("Check Consent"). */
  label: string;
  /** What the store holds for this node, for the error that stops the run ("consent store"). */
  storeName: string;
  /** Output names, for the log line; their number is the node's outputs for the operation. */
  outputs: string[];
  /** Where failed items go with "Continue On Fail": Blocked for a check, so they are never sent. */
  failureOutput: number;
  /**
   * Whether output items are the input items with something added (their fields and binary data
   * kept, failures included) rather than results of their own, such as an import summary.
   */
  passThrough: boolean;
  /** What the items handled before a failure did, for the error that stops the run. */
  doneBefore(handled: number): string;
  handle(store: Store, itemIndex: number, item: INodeExecutionData): Promise<Routed>;
}

export async function runPerItem(fns: IExecuteFunctions, op: PerItemOperation): Promise<INodeExecutionData[][]> {
  const items = fns.getInputData();
  const outputs: INodeExecutionData[][] = op.outputs.map(() => []);
  if (items.length === 0) return outputs;
  const continueOnFail = fns.continueOnFail();
  const routedTo = op.outputs.map(() => 0);
  let handled = 0;

  const fail = (itemIndex: number, error: SmsError): void => {
    if (!continueOnFail) {
      const advice =
        error.code === 'STORE_ERROR'
          ? `The ${op.storeName} could not be opened or written: check the Store Path option, the folder and the disk.`
          : 'Turn on "Continue On Fail" (or route errors to the error output) to get one result per item.';
      throw itemFailure(fns.getNode(), error, itemIndex, `Item ${itemIndex} of ${items.length} failed. ${op.doneBefore(handled)} ${advice}`);
    }
    outputs[op.failureOutput]!.push(failedItem(fns, error, { item: itemIndex }, op.passThrough ? items[itemIndex] : undefined));
  };

  let lease: StoreLease | undefined;
  try {
    let store: Store | undefined;
    let fatal: SmsError | undefined;
    try {
      lease = leaseStore(fns);
      store = await lease.store;
    } catch (e) {
      fatal = toSmsError(e, 'STORE_ERROR');
    }
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      if (store === undefined || fatal !== undefined) {
        fail(i, fatal ?? toSmsError('the store is not open', 'STORE_ERROR'));
        continue;
      }
      try {
        const routed = await op.handle(store, i, item);
        const out: INodeExecutionData = { json: routed.json, pairedItem: { item: i } };
        if (op.passThrough && item.binary !== undefined) out.binary = item.binary;
        outputs[routed.output]!.push(out);
        routedTo[routed.output]!++;
        handled++;
      } catch (e) {
        // Item errors arrive coded (parameters, numbers, topics); anything uncoded came from the
        // store, and is treated as one: the run stops rather than guess.
        const error = toSmsError(e, 'STORE_ERROR');
        if (error.code === 'STORE_ERROR') fatal = error;
        fail(i, error);
      }
    }
  } finally {
    await releaseStore(fns, lease, op.label);
  }

  const counts = op.outputs.map((name, o) => `${routedTo[o]} ${name}`).join(', ');
  fns.logger.info(`${op.label}: ${items.length} item(s): ${counts}, ${items.length - handled} failed`, { node: fns.getNode().name });
  return outputs;
}
