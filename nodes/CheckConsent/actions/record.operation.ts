/**
 * Record Opt-In / Record Opt-Out: one consent event per item, appended to the ledger. The item
 * passes on with `consent`: the stored ConsentRecord (id, phone in E.164, topic, action, source,
 * at, evidence). Topic and source left unset take the core's defaults: `*` (what STOP and START
 * mean) and `api`.
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { recordRecipient } from '../../../core/consent/ledger';
import type { ConsentAction } from '../../../core/types';
import { readEvidence } from './evidence';
import { itemParam as param, textValue as text } from '../../shared/item-params';
import { CONSENT_NODE, readDefaultCountry, readPhone, readTopic } from './params';
import { runPerItem } from '../../shared/run-per-item';

export async function execute(this: IExecuteFunctions, action: ConsentAction): Promise<INodeExecutionData[][]> {
  return await runPerItem(this, {
    ...CONSENT_NODE,
    outputs: [action === 'opt-in' ? 'opt-ins recorded' : 'opt-outs recorded'],
    failureOutput: 0,
    passThrough: true,
    doneBefore: (handled) =>
      handled === 0
        ? 'Nothing was recorded.'
        : `The ${handled} item(s) before it were recorded; running the workflow again records them again (the history then shows both).`,
    handle: async (store, i, item) => {
      const event: Parameters<typeof recordRecipient>[1] = { phone: readPhone(this, i), action, evidence: readEvidence(this, i) };
      const topic = readTopic(this, i);
      if (topic !== undefined) event.topic = topic;
      const source = text(param(this, 'source', i, ''), 'Source');
      if (source !== undefined) event.source = source;
      const defaultCountry = readDefaultCountry(this, i);
      if (defaultCountry !== undefined) event.defaultCountry = defaultCountry;

      const consent = await recordRecipient(store, event);
      return { output: 0, json: { ...item.json, consent: { ...consent } } };
    },
  });
}
