/** What n8n's editor and loader read from the Check Consent node: outputs, parameters, codex, icon. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NodeHelpers, Workflow, type INode, type INodeProperties, type INodeTypes } from 'n8n-workflow';
import { CheckConsent } from '../../nodes/CheckConsent/CheckConsent.node';
import { PACKAGE_NAME } from './harness';
import { builtAssetSource } from './icons';

const nodeType = new CheckConsent();
const { description } = nodeType;
const codex = JSON.parse(readFileSync(join(__dirname, '..', '..', 'nodes', 'CheckConsent', 'CheckConsent.node.json'), 'utf8'));

function walk(properties: INodeProperties[]): INodeProperties[] {
  return properties.flatMap((p) => [p, ...walk((p.options ?? []).filter((o): o is INodeProperties => 'type' in o))]);
}

/** The outputs n8n's editor and engine compute for a node with these parameters. */
function outputsFor(parameters: INode['parameters'], onError?: INode['onError']): unknown {
  const node: INode = { id: 'n', name: 'Check Consent', type: `${PACKAGE_NAME}.checkConsent`, typeVersion: 1, position: [0, 0], parameters };
  if (onError) node.onError = onError;
  const nodeTypes = { getByName: () => nodeType, getByNameAndVersion: () => nodeType, getKnownTypes: () => ({}) } as unknown as INodeTypes;
  const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
  return NodeHelpers.getNodeOutputs(workflow, workflow.getNode(node.name)!, description);
}

it('Check has the outputs Allowed and Blocked (the default operation); the other operations one', () => {
  const checkOutputs = [
    { type: 'main', displayName: 'Allowed' },
    { type: 'main', displayName: 'Blocked' },
  ];
  expect(outputsFor({})).toEqual(checkOutputs);
  expect(outputsFor({ operation: 'check' })).toEqual(checkOutputs);
  for (const operation of ['optIn', 'optOut', 'history', 'import']) expect(outputsFor({ operation })).toEqual([{ type: 'main' }]);
  // n8n adds its error output after them.
  expect(outputsFor({ operation: 'check' }, 'continueErrorOutput')).toEqual([...checkOutputs, expect.objectContaining({ category: 'error' })]);
});

it('offers the five operations, Check first and by default', () => {
  const operation = description.properties.find((p) => p.name === 'operation')!;
  expect(operation.default).toBe('check');
  expect((operation.options ?? []).map((o) => ('value' in o ? o.value : undefined))).toEqual(['check', 'history', 'import', 'optIn', 'optOut']);
});

it('defaults the topic as the core does: marketing to check, every topic (*) to record', () => {
  const topicFor = (operation: string) =>
    description.properties.find((p) => p.name === 'topic' && (p.displayOptions?.show?.operation as string[]).includes(operation))!.default;
  expect(topicFor('check')).toBe('marketing');
  expect(topicFor('optIn')).toBe('*');
  expect(topicFor('optOut')).toBe('*');
  expect(topicFor('import')).toBe('*');
  expect(topicFor('history')).toBe('*');
});

it('describes every parameter and option', () => {
  for (const p of walk(description.properties)) {
    if (p.type === 'notice') continue;
    expect({ name: p.name, described: typeof p.description === 'string' && p.description.length > 10 }).toEqual({ name: p.name, described: true });
  }
});

it('offers the Store Path option the other nodes share, and explains Require Opt-In', () => {
  const options = description.properties.find((p) => p.name === 'options')!;
  expect(walk([options]).map((p) => p.name)).toContain('storePath');
  const requireOptIn = description.properties.find((p) => p.name === 'requireOptIn')!;
  expect(requireOptIn.default).toBe(false);
  expect(requireOptIn.description).toMatch(/marketing/i);
});

it('is usable as an AI tool, with a subtitle, and has an icon n8n finds once built and a Communication codex', () => {
  expect(description).toMatchObject({ name: 'checkConsent', usableAsTool: true, inputs: ['main'] });
  expect(description.subtitle).toContain('$parameter["operation"]');
  expect(existsSync(builtAssetSource('dist/nodes/CheckConsent', String(description.icon)))).toBe(true);
  expect(codex).toMatchObject({ node: `${PACKAGE_NAME}.checkConsent`, categories: ['Communication'] });
  expect(JSON.stringify(codex)).not.toMatch(/Logic|Flow/);
});
