/**
 * The Quiet-Hours Gate: each item goes to Send Now (output 0) or Deferred (output 1) by the core's
 * checkQuietHours, passed on unchanged but for `quietHours`, the decision (allowed, timezone,
 * timezones, localTime, reason, policy; when deferred also nextAllowedAt, waitMs, waitSeconds).
 * The gate never waits itself (n8n forbids timers in node code): a Wait node or Send SMS's Send At
 * does, from `nextAllowedAt`.
 *
 * Failures, per n8n's "On Error" setting:
 * - stop (the default): the first failure stops the run with a NodeOperationError. The gate has
 *   sent and recorded nothing, so running again after a fix is safe.
 * - continue: a failed item goes to Deferred with its `error` (never to Send Now), or to the error
 *   output. The node never throws then, because n8n would pass the input items on unchanged on
 *   the first output — Send Now.
 * A policy that is not valid is the node's configuration, not an item's: it is checked once,
 * before any item, and stops the run with one message; under "continue" every item fails with it.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { toSmsError, type SmsError } from '../../../core/errors';
import { checkQuietHours } from '../../../core/quiet-hours';
import { failedItem, itemFailure } from '../../shared/item-error';
import { readPolicy } from './read-policy';
import { readGateInput, type GateSettings } from './read-item';

export const SEND_NOW = 0;
export const DEFERRED = 1;
const NODE_LABEL = 'Quiet-Hours Gate';
const SAFE_AGAIN = 'The gate sends and records nothing, so running the workflow again is safe.';

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
  const items = this.getInputData();
  const outputs: INodeExecutionData[][] = [[], []];
  if (items.length === 0) return outputs;
  const continueOnFail = this.continueOnFail();
  const node = this.getNode();

  let settings: GateSettings | undefined;
  let configError: SmsError | undefined;
  try {
    settings = { policy: readPolicy(this), now: Date.now(), workflowTimeZone: this.getTimezone() };
  } catch (e) {
    configError = toSmsError(e, 'INVALID_INPUT');
    if (!continueOnFail) {
      throw itemFailure(node, configError, 0, `The policy is the node's setting, the same for every item: no item was routed. ${SAFE_AGAIN}`);
    }
    this.logger.warn(`${NODE_LABEL}: ${configError.message}; all ${items.length} item(s) fail with it`, { node: node.name });
  }

  let failed = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    try {
      if (settings === undefined) throw configError!;
      const decision = checkQuietHours(readGateInput(this, i, settings));
      const out: INodeExecutionData = {
        json: { ...item.json, quietHours: { ...decision } as unknown as IDataObject },
        pairedItem: { item: i },
      };
      if (item.binary !== undefined) out.binary = item.binary;
      outputs[decision.allowed ? SEND_NOW : DEFERRED]!.push(out);
    } catch (e) {
      const error = toSmsError(e, 'INVALID_INPUT');
      if (!continueOnFail) {
        throw itemFailure(
          node,
          error,
          i,
          `Item ${i} of ${items.length} could not be judged. ${SAFE_AGAIN} Turn on "Continue On Fail" (or route errors to the error output) to get one result per item.`,
        );
      }
      failed++;
      outputs[DEFERRED]!.push(failedItem(this, error, { item: i }, item));
    }
  }

  const deferred = outputs[DEFERRED]!.length - failed;
  this.logger.info(`${NODE_LABEL}: ${items.length} item(s): ${outputs[SEND_NOW]!.length} send now, ${deferred} deferred, ${failed} failed`, {
    node: node.name,
  });
  return outputs;
}
