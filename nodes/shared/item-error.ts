/**
 * Failed items of the package's nodes that pass items through (Check Consent, ...), under n8n's
 * "On Error" setting:
 *
 * - "Continue (using error output)": the item is `{ error }` only. That is the shape n8n moves to
 *   the error output (only the keys error, message, details), and n8n then merges the input item's
 *   fields back in, so the error output holds the input item plus `error`.
 * - "Continue": the input item's fields plus `error`, on the output the node chooses for failures.
 *   A user on the regular output still sees which customer the failure was about.
 * - otherwise the node throws `itemFailure(...)`.
 *
 * Either way `error` is SmsError.toJSON(): code, message, retryable — no stack, no cause.
 */
import {
  NodeOperationError,
  type IDataObject,
  type IExecuteFunctions,
  type INode,
  type INodeExecutionData,
  type IPairedItemData,
} from 'n8n-workflow';
import type { SmsError } from '../../core/errors';

export function failedItem(
  fns: IExecuteFunctions,
  error: SmsError,
  pairedItem: IPairedItemData | IPairedItemData[],
  input?: INodeExecutionData,
): INodeExecutionData {
  const errorJson = error.toJSON() as unknown as IDataObject;
  if (input === undefined || fns.getNode().onError === 'continueErrorOutput') return { json: { error: errorJson }, pairedItem };
  const item: INodeExecutionData = { json: { ...input.json, error: errorJson }, pairedItem };
  if (input.binary !== undefined) item.binary = input.binary;
  return item;
}

/**
 * The error that stops the workflow when "continue on fail" is off. `description` tells what the
 * run did before it stopped (e.g. what was already recorded), which n8n's error view has room for.
 */
export function itemFailure(node: INode, error: SmsError, itemIndex: number, description: string): NodeOperationError {
  const message = `${error.code}: ${error.message}`;
  const nodeError = new NodeOperationError(node, message, { itemIndex, description: `[${error.code}] ${description}` });
  // n8n swaps a message naming ECONNRESET, EEXIST, ... for a generic sentence; ours keeps its code.
  nodeError.message = message;
  nodeError.context.smsError = error.toJSON() as unknown as IDataObject;
  return nodeError;
}
