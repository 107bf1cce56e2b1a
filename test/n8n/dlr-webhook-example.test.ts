/**
 * examples/n8n/dlr-webhook.json as a user imports it: the DLR Webhook with its shipped parameters
 * (only the store moved to a temp file) is served as n8n serves it and driven with a message's
 * reports; the example's If expression is evaluated by n8n on the items the node emits.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NodeHelpers, Workflow, type IDataObject, type INode, type INodeTypes } from 'n8n-workflow';
import nock from 'nock';
import request from 'supertest';
import { DlrWebhook } from '../../nodes/DlrWebhook/DlrWebhook.node';
import { useNock } from '../support/nock';
import { useTempDir } from '../support/temp-store';
import { PACKAGE_NAME } from './harness';
import { PRODUCTION_PATH, ServedWebhookNode } from './webhook-harness';

useNock();
const dir = useTempDir('a2p-n8n-dlr-example-');
beforeEach(() => nock.enableNetConnect('127.0.0.1'));

const example = JSON.parse(readFileSync(join(__dirname, '..', '..', 'examples', 'n8n', 'dlr-webhook.json'), 'utf8')) as { nodes: INode[] };
const node = (type: string): INode => {
  const found = example.nodes.find((n) => n.type === type);
  if (!found) throw new Error(`the example has no ${type} node`);
  return found;
};
const dlrNode = node(`${PACKAGE_NAME}.dlrWebhook`);
const nodeType = new DlrWebhook();

function ifLeftValue(item: IDataObject): unknown {
  const ifNode = node('n8n-nodes-base.if');
  const conditions = (ifNode.parameters.conditions as { conditions: { leftValue: string }[] }).conditions;
  const nodeTypes = { getByName: () => nodeType, getByNameAndVersion: () => nodeType, getKnownTypes: () => ({}) } as unknown as INodeTypes;
  const workflow = new Workflow({ nodes: [{ ...ifNode, type: dlrNode.type }], connections: {}, active: false, nodeTypes });
  return workflow.expression.getParameterValue(conditions[0]!.leftValue, null, 0, 0, ifNode.name, [{ json: item }], 'manual', {});
}

it('ships parameters the node knows, for the sandbox', () => {
  const known = NodeHelpers.getNodeParameters(nodeType.description.properties, dlrNode.parameters, false, false, dlrNode, nodeType.description);
  expect(known).toEqual(dlrNode.parameters);
  expect(dlrNode.parameters.provider).toBe('sandbox');
});

it('passes each message once, when it is final, with the status the If node branches on', async () => {
  const hook = new ServedWebhookNode(nodeType, { parameters: { ...dlrNode.parameters, options: { ...(dlrNode.parameters.options as IDataObject), storePath: dir.testFile() } } });
  const report = (messageId: string, status: string, final: boolean) =>
    request(hook.app).post(PRODUCTION_PATH).send({ provider: 'sandbox', messageId, status, final, providerStatus: status, occurredAt: '2030-01-02T03:04:05Z' });
  for (const [id, status, final] of [
    ['m-1', 'sent', false],
    ['m-1', 'delivered', true],
    ['m-2', 'sent', false],
    ['m-2', 'undelivered', true],
    ['m-1', 'delivered', true],
  ] as const) {
    expect((await report(id, status, final)).status).toBe(200);
  }
  const items = hook.started.map((batch) => batch[0]!);
  expect(items.map((i) => [i.messageId, i.messageStatus])).toEqual([
    ['m-1', 'delivered'],
    ['m-2', 'undelivered'],
  ]);
  expect(items.map(ifLeftValue)).toEqual(['delivered', 'undelivered']);
});
