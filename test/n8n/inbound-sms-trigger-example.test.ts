/**
 * examples/n8n/inbound-sms.json as a user imports it: the trigger node with its shipped parameters
 * (only the store moved to a temp file) is served as n8n serves it and driven with a STOP and an
 * ordinary reply; the example's If expression is evaluated by n8n on the items the node emits.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NodeHelpers, Workflow, type IDataObject, type INode, type INodeTypes } from 'n8n-workflow';
import nock from 'nock';
import request from 'supertest';
import { InboundSmsTrigger } from '../../nodes/InboundSmsTrigger/InboundSmsTrigger.node';
import { useNock } from '../support/nock';
import { useTempDir } from '../support/temp-store';
import { PACKAGE_NAME } from './harness';
import { PRODUCTION_PATH, ServedWebhookNode } from './webhook-harness';

useNock();
const dir = useTempDir('a2p-n8n-inbound-example-');
beforeEach(() => nock.enableNetConnect('127.0.0.1'));

const example = JSON.parse(readFileSync(join(__dirname, '..', '..', 'examples', 'n8n', 'inbound-sms.json'), 'utf8')) as { nodes: INode[] };
const node = (type: string): INode => {
  const found = example.nodes.find((n) => n.type === type);
  if (!found) throw new Error(`the example has no ${type} node`);
  return found;
};
const triggerNode = node(`${PACKAGE_NAME}.inboundSmsTrigger`);
const nodeType = new InboundSmsTrigger();

/** What the example's If node reads of an item, evaluated by n8n's expression engine. */
function ifLeftValue(item: IDataObject): unknown {
  const ifNode = node('n8n-nodes-base.if');
  const conditions = (ifNode.parameters.conditions as { conditions: { leftValue: string }[] }).conditions;
  const nodeTypes = { getByName: () => nodeType, getByNameAndVersion: () => nodeType, getKnownTypes: () => ({}) } as unknown as INodeTypes;
  const workflow = new Workflow({ nodes: [{ ...ifNode, type: triggerNode.type }], connections: {}, active: false, nodeTypes });
  return workflow.expression.getParameterValue(conditions[0]!.leftValue, null, 0, 0, ifNode.name, [{ json: item }], 'manual', {});
}

it('ships parameters the node knows, for the sandbox (no account needed)', () => {
  const known = NodeHelpers.getNodeParameters(nodeType.description.properties, triggerNode.parameters, false, false, triggerNode, nodeType.description);
  expect(known).toEqual(triggerNode.parameters);
  expect(triggerNode.parameters.provider).toBe('sandbox');
  expect(triggerNode.webhookId).toEqual(expect.any(String));
});

it('records a STOP, confirms it, and routes it as a keyword; a question goes to support', async () => {
  const hook = new ServedWebhookNode(nodeType, { parameters: { ...triggerNode.parameters, options: { ...(triggerNode.parameters.options as IDataObject), storePath: dir.testFile() } } });
  const text = async (t: string, id: string) => (await request(hook.app).post(PRODUCTION_PATH).send({ from: '+14155550100', to: '+14155550199', text: t, messageId: id })).status;
  expect(await text('STOP', 'sb-1')).toBe(200);
  expect(await text('Where is my order?', 'sb-2')).toBe(200);

  const [stop, question] = hook.started.map((items) => items[0]!);
  expect(stop).toMatchObject({ consentRecorded: 'opt-out', autoReply: 'You are unsubscribed. Reply START to subscribe again.' });
  expect(question).toMatchObject({ text: 'Where is my order?', keyword: null });
  // The If node's condition "is empty": true → Hand to support, false → Keyword (already recorded).
  expect(ifLeftValue(stop!)).toBe('opt-out');
  expect(ifLeftValue(question!)).toBeUndefined();
});
