/**
 * The n8n example workflow users import must keep working: its Send SMS node, with the items its
 * Code node produces, runs through WorkflowExecute with the example's own parameters.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IDataObject, INodeParameters, OnError } from 'n8n-workflow';
import { PACKAGE_NAME } from './harness';
import { sendSms, tempStorePath } from './fixtures';

interface WorkflowNode {
  name: string;
  type: string;
  parameters: INodeParameters;
  onError?: OnError;
}

const workflow = JSON.parse(readFileSync(join(__dirname, '..', '..', 'examples', 'n8n', 'send-sms-sandbox.json'), 'utf8')) as {
  nodes: WorkflowNode[];
};
const node = (type: string): WorkflowNode => {
  const found = workflow.nodes.find((n) => n.type === type);
  if (!found) throw new Error(`the example has no ${type} node`);
  return found;
};

describe('examples/n8n/send-sms-sandbox.json', () => {
  it('uses the node type a community-package install gives', () => {
    expect(node(`${PACKAGE_NAME}.sendSms`).name).toBe('Send SMS');
  });

  it('sends the two valid orders and routes the invalid number to the error output', async () => {
    // The Code node's script is plain JavaScript returning the items.
    const items = (new Function(node('n8n-nodes-base.code').parameters.jsCode as string)() as { json: IDataObject }[]).map((i) => i.json);
    const send = node(`${PACKAGE_NAME}.sendSms`);
    const parameters = { ...send.parameters, options: { ...(send.parameters.options as IDataObject), storePath: tempStorePath() } };

    const { outputs, error } = await sendSms(parameters, items, { onError: send.onError });

    expect(error).toBeUndefined();
    const [sent, failed] = outputs;
    expect(sent.map((i) => [i.json.to, i.json.provider])).toEqual([
      ['+14155550100', 'sandbox'],
      ['+33612345678', 'sandbox'],
    ]);
    expect(sent[1].json.analysis).toMatchObject({ encoding: 'UCS-2' });
    expect(failed.map((i) => (i.json.error as IDataObject).code)).toEqual(['INVALID_PHONE']);
  });
});
