/** What the Check Consent suites share: the node run through the harness, and reading its outputs. */
import type { IBinaryKeyData, IDataObject, INodeExecutionData, INodeParameters, OnError } from 'n8n-workflow';
import { BINARY_ENCODING } from 'n8n-workflow';
import { CheckConsent } from '../../nodes/CheckConsent/CheckConsent.node';
import { runNode, type NodeRun } from './harness';

export interface ConsentRunOptions {
  onError?: OnError;
  binary?: (IBinaryKeyData | undefined)[];
}

/** Runs Check Consent with `parameters` (Store Path set to `store`) over `items`. */
export async function checkConsent(store: string, parameters: INodeParameters, items: IDataObject[], opts: ConsentRunOptions = {}): Promise<NodeRun> {
  const options = { ...((parameters.options as IDataObject | undefined) ?? {}), storePath: store };
  return runNode({ nodeType: new CheckConsent(), parameters: { ...parameters, options }, items, ...opts });
}

/** Records one event through the node, as a workflow would, and fails the test if it did not. */
export async function record(store: string, operation: 'optIn' | 'optOut', phone: string, extra: INodeParameters = {}): Promise<IDataObject> {
  const { outputs, error } = await checkConsent(store, { operation, phone, ...extra }, [{}]);
  expect(error).toBeUndefined();
  return outputs[0]![0]!.json.consent as IDataObject;
}

/** A CSV file as n8n keeps binary data in its default mode. */
export function csvBinary(text: string | Buffer, fileName = 'list.csv'): IBinaryKeyData {
  const data = (typeof text === 'string' ? Buffer.from(text, 'utf8') : text).toString(BINARY_ENCODING);
  return { data: { data, mimeType: 'text/csv', fileName, fileExtension: 'csv' } };
}

export function jsonOf(items: INodeExecutionData[] | undefined): IDataObject[] {
  return (items ?? []).map((i) => i.json);
}
