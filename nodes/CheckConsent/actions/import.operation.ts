/**
 * Import List: numbers become opt-outs in one store transaction per list (all or nothing), with
 * a summary `{ recorded, unchanged, duplicates, rejected, total }` as output. Junk rows are listed
 * in `rejected` and never stop the import; a bad option or an oversized list stops it before
 * anything is recorded.
 *
 * Where the list is:
 * - One Number per Item (the usual n8n shape: a spreadsheet or database node emits one item per
 *   row): every item's Phone goes into ONE import, and ONE summary comes out, paired with all the
 *   items. Each rejected row also says which `item` it was.
 * - CSV File / List in a Field: each item holds a whole list and gets a summary of its own.
 */
import type { IExecuteFunctions, INodeExecutionData, IPairedItemData } from 'n8n-workflow';
import { IMPORT_LIMITS, importSuppressionList, type ImportSuppressionListOptions, type SuppressionImportResult } from '../../../core/consent/import';
import { SmsError, toSmsError } from '../../../core/errors';
import type { StoreLease } from '../../../core/store';
import { failedItem, itemFailure } from '../../shared/item-error';
import { recordedBy } from './evidence';
import { itemOption as option, itemParam as param, textValue as text } from '../../shared/item-params';
import { CONSENT_NODE, NODE_LABEL, readDefaultCountry, readTopic } from './params';
import { leaseStore, releaseStore, runPerItem } from '../../shared/run-per-item';

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
  const listFrom = param(this, 'listFrom', 0, 'items');
  if (listFrom === 'items') return [await importItems(this)];
  const fromFile = listFrom === 'binary';
  return await runPerItem(this, {
    ...CONSENT_NODE,
    outputs: ['lists imported'],
    failureOutput: 0,
    passThrough: false,
    doneBefore: (handled) => (handled === 0 ? 'Nothing was imported.' : `The ${handled} list(s) before it were imported.`),
    handle: async (store, i) => {
      const list = fromFile ? await csvFile(this, i) : (param(this, 'list', i, null) as string | unknown[]);
      const opts = importOptions(this, i);
      const column = text(option(this, 'column', i), 'Column');
      if (column !== undefined) opts.column = column;
      const result = await importSuppressionList(store, list, opts);
      log(this, result);
      return { output: 0, json: summary(result, false) };
    },
  });
}

/** All items' numbers in one import, one summary out. */
async function importItems(fns: IExecuteFunctions): Promise<INodeExecutionData[]> {
  const items = fns.getInputData();
  if (items.length === 0) return [];
  const pairedItem: IPairedItemData[] = items.map((_, i) => ({ item: i }));
  let itemIndex = 0;
  let lease: StoreLease | undefined;
  try {
    // The core reads each value: text, whole numbers, objects with a phone field; the rest is
    // rejected by row. An expression that throws is a workflow error, reported with its item.
    const phones: unknown[] = [];
    for (; itemIndex < items.length; itemIndex++) phones.push(param(fns, 'phone', itemIndex, ''));
    itemIndex = 0;
    const opts = importOptions(fns, 0);
    lease = leaseStore(fns);
    const result = await importSuppressionList(await lease.store, phones, opts);
    log(fns, result);
    return [{ json: summary(result, true), pairedItem }];
  } catch (e) {
    const error = toSmsError(e, 'STORE_ERROR');
    if (!fns.continueOnFail()) {
      throw itemFailure(fns.getNode(), error, itemIndex, `Nothing was imported: the ${items.length} item(s) form one list, recorded all or nothing.`);
    }
    return [failedItem(fns, error, pairedItem)];
  } finally {
    await releaseStore(fns, lease, NODE_LABEL);
  }
}

function importOptions(fns: IExecuteFunctions, itemIndex: number): ImportSuppressionListOptions {
  const evidence: Record<string, unknown> = { n8n: recordedBy(fns) };
  const listName = text(option(fns, 'listName', itemIndex), 'List Name');
  if (listName !== undefined && listName.trim() !== '') evidence.list = listName;
  const opts: ImportSuppressionListOptions = { evidence };
  const topic = readTopic(fns, itemIndex);
  if (topic !== undefined) opts.topic = topic;
  const source = text(option(fns, 'source', itemIndex), 'Source');
  if (source !== undefined) opts.source = source;
  const defaultCountry = readDefaultCountry(fns, itemIndex);
  if (defaultCountry !== undefined) opts.defaultCountry = defaultCountry;
  return opts;
}

/** The CSV text of an item's binary property. */
async function csvFile(fns: IExecuteFunctions, itemIndex: number): Promise<string> {
  const name = text(param(fns, 'binaryPropertyName', itemIndex, 'data'), 'Input Binary Field')?.trim() || 'data';
  let buffer: Buffer;
  try {
    fns.helpers.assertBinaryData(itemIndex, name);
    buffer = await fns.helpers.getBinaryDataBuffer(itemIndex, name);
  } catch (e) {
    throw new SmsError('INVALID_INPUT', `no CSV file in the binary field "${name}": ${e instanceof Error ? e.message : String(e)}`);
  }
  // Checked before decoding: the core would refuse the text anyway, after it had been built.
  if (buffer.length > IMPORT_LIMITS.bytes) {
    throw new SmsError('INVALID_INPUT', `a suppression list is at most ${IMPORT_LIMITS.bytes / (1024 * 1024)} MB of text`);
  }
  return buffer.toString('utf8');
}

function summary(result: SuppressionImportResult, byItem: boolean) {
  return {
    recorded: result.recorded,
    unchanged: result.unchanged,
    duplicates: result.duplicates,
    // In a list of items, row n is item n - 1 (n8n counts items from 0).
    rejected: result.rejected.map((r) => (byItem ? { item: r.row - 1, ...r } : { ...r })),
    total: result.total,
  };
}

function log(fns: IExecuteFunctions, r: SuppressionImportResult): void {
  fns.logger.info(
    `${NODE_LABEL}: imported ${r.total} row(s): ${r.recorded} recorded, ${r.unchanged} unchanged, ${r.duplicates} duplicates, ${r.rejected.length} rejected`,
    { node: fns.getNode().name },
  );
}
