/**
 * History: one output item per input item, carrying `consent: { phone, topic, history }` with the
 * number's events oldest first. One item per number rather than one per event: a number with no
 * events still comes out (with an empty history) instead of vanishing, and items stay paired with
 * the input. n8n's Split Out node on `consent.history` gives one item per event when wanted.
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { recipientHistory } from '../../../core/consent/ledger';
import { normalizePhone } from '../../../core/phone';
import { CONSENT_NODE, readDefaultCountry, readPhone, readTopic } from './params';
import { runPerItem } from '../../shared/run-per-item';

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
  return await runPerItem(this, {
    ...CONSENT_NODE,
    outputs: ['histories'],
    failureOutput: 0,
    passThrough: true,
    doneBefore: () => 'Reading a history records nothing: running again is safe.',
    handle: async (store, i, item) => {
      const defaultCountry = readDefaultCountry(this, i);
      const phone = normalizePhone(readPhone(this, i), defaultCountry === undefined ? {} : { defaultCountry }).e164;
      const topic = readTopic(this, i)?.trim() || '*';
      const history = await recipientHistory(store, phone, { topic });
      return { output: 0, json: { ...item.json, consent: { phone, topic, history: history.map((r) => ({ ...r })) } } };
    },
  });
}
