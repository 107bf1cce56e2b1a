/**
 * Get Status: each item's message ID or idempotency key → the message log's record of that send,
 * with its latest delivery status (the send's answer, then every report a DLR Webhook merged in).
 *
 * An unknown message is an answer, not an error: `{ found: false, lookup }`. Polling for a status
 * right after a send, or for a message sent from another store, is a normal question, and an
 * error item would need "Continue On Fail" just to branch on it (Node-RED's sms-dlr answers null).
 * Malformed lookups (empty, not text, over 512 characters, control characters) fail with INVALID_INPUT.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { SmsError } from '../../../core/errors';
import { itemParam, textValue } from '../../shared/item-params';
import { readPerItem } from './read-log';

const FIELD = 'Message ID or Idempotency Key';

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
  return await readPerItem(this, 'Get Status', async (store, i) => {
    const lookup = textValue(itemParam(this, 'messageId', i, ''), FIELD);
    if (lookup === undefined) {
      throw new SmsError('INVALID_INPUT', `"${FIELD}" is empty: map the messageId of a Send result, or give the idempotency key`);
    }
    const record = await store.getMessage(lookup);
    return record === null ? { found: false, lookup } : { found: true, ...(record as unknown as IDataObject) };
  });
}
