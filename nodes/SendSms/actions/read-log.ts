/**
 * What Get Status and Delivery Summary share: the store's message log, read once per input item,
 * one output item per input item, paired with it.
 *
 * A read never creates the store. A Store Path naming no file would otherwise answer "not found"
 * and zero counts from a fresh, empty file: a misspelt path would look like a campaign that sent
 * nothing. Such a path, like a store that cannot be opened or fails mid-run, is STORE_ERROR for
 * every item not yet read.
 *
 * Failures follow n8n's convention, as Send does: with "Continue On Fail" a failed item becomes
 * `{ error }` in its place (n8n moves it to the error output when that is chosen); otherwise the
 * first failure stops the run. A read changes nothing, so running again is always safe.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { SmsError, toSmsError } from '../../../core/errors';
import type { StoreLease } from '../../../core/store';
import type { Store } from '../../../core/types';
import { failedItem, itemFailure } from '../../shared/item-error';
import { itemOption, textValue } from '../../shared/item-params';
import { n8nStore, storePath } from '../../shared/store';
import { storeExists } from './store-file';

export async function readPerItem(
  fns: IExecuteFunctions,
  operation: string,
  read: (store: Store, itemIndex: number) => Promise<IDataObject>,
): Promise<INodeExecutionData[][]> {
  const items = fns.getInputData();
  if (items.length === 0) return [[]];
  const label = `Send SMS (${operation})`;
  const continueOnFail = fns.continueOnFail();
  const out: INodeExecutionData[] = [];
  let failed = 0;

  const fail = (itemIndex: number, error: SmsError): void => {
    if (!continueOnFail) {
      const advice =
        error.code === 'STORE_ERROR'
          ? 'The message log could not be opened or read: check the Store Path option (the file your Send SMS and DLR Webhook nodes use), the folder and the disk.'
          : 'Turn on "Continue On Fail" (or route errors to the error output) to get one result per item.';
      throw itemFailure(fns.getNode(), error, itemIndex, `${operation}: item ${itemIndex} of ${items.length} failed. A read changes nothing: running again is safe. ${advice}`);
    }
    failed++;
    out.push(failedItem(fns, error, { item: itemIndex }));
  };

  let lease: StoreLease | undefined;
  try {
    let store: Store | undefined;
    let fatal: SmsError | undefined;
    try {
      const path = storePath(textValue(itemOption(fns, 'storePath', 0), 'Store Path') ?? '');
      if (!storeExists(path)) {
        throw new SmsError('STORE_ERROR', `there is no message log at "${path}": nothing has been sent with this Store Path, or it is misspelt`);
      }
      lease = n8nStore(path);
      store = await lease.store;
    } catch (e) {
      fatal = toSmsError(e, 'STORE_ERROR');
    }
    for (let i = 0; i < items.length; i++) {
      if (store === undefined || fatal !== undefined) {
        fail(i, fatal ?? new SmsError('STORE_ERROR', 'the store is not open'));
        continue;
      }
      try {
        out.push({ json: await read(store, i), pairedItem: { item: i } });
      } catch (e) {
        // Parameters and filters fail coded; anything uncoded came from the store, and a store
        // that failed once is not asked again for the items after.
        const error = toSmsError(e, 'STORE_ERROR');
        if (error.code === 'STORE_ERROR') fatal = error;
        fail(i, error);
      }
    }
  } finally {
    await lease?.release().catch((e: unknown) => {
      fns.logger.warn(`${label}: closing the store: ${toSmsError(e, 'STORE_ERROR').message}`, { node: fns.getNode().name });
    });
  }
  fns.logger.info(`${label}: ${items.length} item(s), ${items.length - failed} read, ${failed} failed`, { node: fns.getNode().name });
  return [out];
}
