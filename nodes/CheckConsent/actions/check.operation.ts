/**
 * Check: each item goes to Allowed (output 0) or Blocked (output 1) by the recipient's consent for
 * the topic, with `consent: { allowed, reason, since, phone, topic }` added. An item that cannot be
 * checked (bad number, bad topic) never reaches Allowed: with "Continue On Fail" it goes to Blocked
 * (or to the error output) with its `error`.
 *
 * Run as an AI agent's tool, the node answers with its first output only (n8n-core's tool
 * wrapper): there every item comes out on that one output, in input order, so the agent reads
 * `consent.allowed` for blocked numbers too instead of getting an empty answer.
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { DEFAULT_CHECK_TOPIC, checkRecipient } from '../../../core/consent/ledger';
import { itemParam as param } from '../../shared/item-params';
import { CONSENT_NODE, readDefaultCountry, readPhone, readTopic } from './params';
import { runPerItem } from '../../shared/run-per-item';

const ALLOWED = 0;
const BLOCKED = 1;

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
  const outputs = await runPerItem(this, {
    ...CONSENT_NODE,
    outputs: ['allowed', 'blocked'],
    failureOutput: BLOCKED,
    passThrough: true,
    doneBefore: () => 'A check records nothing: running again is safe.',
    handle: async (store, i, item) => {
      const topic = readTopic(this, i);
      const query: Parameters<typeof checkRecipient>[1] = {
        phone: readPhone(this, i),
        // The core answers INVALID_INPUT for anything but true, false or unset.
        requireOptIn: param(this, 'requireOptIn', i, false) as boolean,
      };
      if (topic !== undefined) query.topic = topic;
      const defaultCountry = readDefaultCountry(this, i);
      if (defaultCountry !== undefined) query.defaultCountry = defaultCountry;

      const decision = await checkRecipient(store, query);
      const consent = {
        allowed: decision.allowed,
        reason: decision.reason,
        since: decision.since ?? null,
        phone: decision.phone,
        topic: topic?.trim() || DEFAULT_CHECK_TOPIC,
      };
      return { output: decision.allowed ? ALLOWED : BLOCKED, json: { ...item.json, consent } };
    },
  });
  if (!this.isToolExecution()) return outputs;
  const inInputOrder = outputs.flat().sort((a, b) => itemOf(a) - itemOf(b));
  return [inInputOrder];
}

function itemOf(item: INodeExecutionData): number {
  const paired = item.pairedItem;
  return typeof paired === 'object' && !Array.isArray(paired) ? paired.item : 0;
}
