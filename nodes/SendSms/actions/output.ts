/**
 * What Send SMS puts on its outputs. One item per input item, paired with it:
 *
 * - sent (or analysed in a dry run): the SendResult fields at the top level — provider, messageId,
 *   status, to, from, segments, encoding, clientRef, idempotencyKey, price, duplicate, raw — plus
 *   `dryRun: true` when nothing was sent and `analysis` (encoding, units, segments, perSegment,
 *   remaining, the text as sent, smart-encoding replacements, characters that forced UCS-2).
 * - failed: `{ error: { code, message, retryable, inDoubt?, provider?, httpStatus?, providerCode?,
 *   retryAfterMs? } }`, plus `details: { analysis }` when the text was analysed before it failed.
 *   Only the keys `error` and `details` appear, which is what n8n's "continue (using error
 *   output)" setting looks for to move the item to the error output.
 *
 * Credentials never reach these objects: results carry the provider's answer about the message,
 * errors carry SmsError.toJSON(), which drops stack and cause.
 */
import { NodeOperationError, type IDataObject, type INode, type INodeExecutionData } from 'n8n-workflow';
import type { SendOutcome } from '../../../core/dispatch';
import type { SmsError } from '../../../core/errors';
import type { TextAnalysis } from '../../../core/types';

export function resultItem(outcome: Extract<SendOutcome, { ok: true }>, itemIndex: number): INodeExecutionData {
  const json: IDataObject = { ...(outcome.result as unknown as IDataObject) };
  if (outcome.dryRun) json.dryRun = true;
  json.analysis = analysisJson(outcome.analysis);
  return { json, pairedItem: { item: itemIndex } };
}

export function errorItem(error: SmsError, itemIndex: number, analysis?: TextAnalysis): INodeExecutionData {
  const json: IDataObject = { error: error.toJSON() as unknown as IDataObject };
  if (analysis !== undefined) json.details = { analysis: analysisJson(analysis) };
  return { json, pairedItem: { item: itemIndex } };
}

function analysisJson(a: TextAnalysis): IDataObject {
  return {
    encoding: a.encoding,
    segments: a.segments,
    units: a.units,
    perSegment: a.perSegment,
    remaining: a.remaining,
    text: a.text,
    replacements: a.replacements.map((r) => ({ from: r.from, to: r.to })),
    nonGsmChars: [...a.nonGsmChars],
  };
}

export interface BatchSummary {
  total: number;
  sent: number;
  failed: number;
  dryRun: boolean;
}

/**
 * The error that stops the workflow when "continue on fail" is off. It is raised after the whole
 * batch ran, so it says what happened to the other items: n8n drops the node's output on error,
 * and without that line a user would not know that messages did go out.
 */
export function batchFailure(node: INode, error: SmsError, itemIndex: number, summary: BatchSummary): NodeOperationError {
  const others =
    summary.sent === 0
      ? 'No message was sent.'
      : summary.dryRun
        ? `${summary.sent} other item(s) passed the dry run; nothing was sent.`
        : `${summary.sent} message(s) were accepted by the provider and are recorded in the store: running the workflow again does not send them twice.`;
  const description = `[${error.code}] ${summary.failed} of ${summary.total} item(s) failed. First failure: item ${itemIndex}. ${others} Turn on "Continue On Fail" (or route errors to the error output) to get one result per item.`;
  const message = `${error.code}: ${error.message}`;
  const nodeError = new NodeOperationError(node, message, { itemIndex, description });
  // n8n swaps a message naming ECONNRESET, EEXIST, ... for a generic sentence; ours keeps its code.
  nodeError.message = message;
  nodeError.context.smsError = error.toJSON() as unknown as IDataObject;
  return nodeError;
}
