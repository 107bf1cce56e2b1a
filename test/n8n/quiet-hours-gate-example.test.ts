/**
 * examples/n8n/quiet-hours-gate.json keeps working: its Quiet-Hours Gate, fed the Code node's
 * items, routes them as the sticky note says; its Wait node's Date and Time expression, evaluated
 * by n8n's own expression engine over the Deferred items and parsed as the Wait node parses it,
 * names the earliest nextAllowedAt; and handing the items back to the gate at that instant lets
 * out exactly those whose window has opened. (n8n-nodes-base, home of the Wait and Code nodes, is
 * not installed here: the Wait node is stood in for by a probe with the same parameter.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  NodeConnectionTypes,
  tryToParseDateTime,
  type IDataObject,
  type IExecuteFunctions,
  type INodeExecutionData,
  type INodeParameters,
  type INodeType,
  type INodeTypeDescription,
  type OnError,
} from 'n8n-workflow';
import { PACKAGE_NAME, runNode } from './harness';
import { sendSms, tempStorePath } from './fixtures';
import { judgedAt, quietHoursOf, runGate } from './quiet-hours-gate-fixtures';

interface WorkflowNode {
  name: string;
  type: string;
  typeVersion: number;
  parameters: INodeParameters;
  onError?: OnError;
}

interface Connection {
  node: string;
  index: number;
}

const workflow = JSON.parse(readFileSync(join(__dirname, '..', '..', 'examples', 'n8n', 'quiet-hours-gate.json'), 'utf8')) as {
  nodes: WorkflowNode[];
  connections: Record<string, { main: Connection[][] }>;
};
const node = (type: string): WorkflowNode => {
  const found = workflow.nodes.find((n) => n.type === type);
  if (!found) throw new Error(`the example has no ${type} node`);
  return found;
};
const gate = node(`${PACKAGE_NAME}.quietHoursGate`);
const wait = node('n8n-nodes-base.wait');
const send = node(`${PACKAGE_NAME}.sendSms`);
const targets = (from: string): string[][] => workflow.connections[from]!.main.map((output) => output.map((c) => c.node));

/** Evaluates the Wait node's Date and Time over its input items and parses it as the Wait node does. */
class WaitProbe implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Wait Probe',
    name: 'waitProbe',
    group: ['transform'],
    version: 1,
    description: 'Resolves the Wait node’s Date and Time parameter without waiting',
    defaults: { name: 'Wait Probe' },
    inputs: [NodeConnectionTypes.Main],
    outputs: [NodeConnectionTypes.Main],
    properties: [
      { displayName: 'Resume', name: 'resume', type: 'string', default: '' },
      { displayName: 'Date and Time', name: 'dateTime', type: 'dateTime', default: '' },
    ],
  };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    // As n8n's Wait node (1.1) does: the parameter of item 0, in the workflow's zone, to UTC.
    const waitTill = tryToParseDateTime(this.getNodeParameter('dateTime', 0), this.getTimezone()).toUTC().toISO();
    return [[{ json: { resume: this.getNodeParameter('resume', 0) as string, waitTill }, pairedItem: { item: 0 } }]];
  }
}

async function waitTill(items: INodeExecutionData[]): Promise<IDataObject> {
  const { outputs, error } = await runNode({ nodeType: new WaitProbe(), parameters: wait.parameters, items: items.map((i) => i.json) });
  expect(error).toBeUndefined();
  return outputs[0]![0]!.json;
}

const campaign = (): IDataObject[] =>
  (new Function(node('n8n-nodes-base.code').parameters.jsCode as string)() as { json: IDataObject }[]).map((i) => i.json);

describe('examples/n8n/quiet-hours-gate.json', () => {
  it('wires Send Now to Send SMS, Deferred to a Wait node that loops back, failures to the error output', () => {
    expect(gate).toMatchObject({ name: 'Quiet-Hours Gate', typeVersion: 1, onError: 'continueErrorOutput' });
    expect(targets(gate.name)).toEqual([[send.name], [wait.name], ['Numbers to fix']]);
    expect(targets(wait.name)).toEqual([[gate.name]]);
    expect(wait.parameters).toMatchObject({ resume: 'specificTime' });
    expect(wait.parameters.dateTime).toContain('quietHours.nextAllowedAt');
  });

  it('routes the campaign by each recipient’s local time, waits for the earliest window, and lets each out in turn', async () => {
    // 08:30 in New York, 05:30 in Los Angeles, 13:30 in Paris, 04:30 in Anchorage (03:30 in Adak).
    const first = await runGate(judgedAt('2026-03-10T12:30:00Z', gate.parameters), campaign(), { onError: gate.onError });
    expect(first.error).toBeUndefined();
    expect(first.sendNow.map((i) => i.json.name)).toEqual(['Ava', 'Chloé']);
    expect(first.deferred.map((i) => [i.json.name, quietHoursOf(i).nextAllowedAt])).toEqual([
      ['Liam', '2026-03-10T15:00:00.000Z'],
      ['Kai', '2026-03-10T17:00:00.000Z'],
    ]);
    expect(first.errors.map((i) => [i.json.name, (i.json.error as IDataObject).code])).toEqual([['Bo', 'INVALID_PHONE']]);

    // The Wait node resumes at the earliest of the deferred items' times, not at the first item's.
    const firstWait = await waitTill([...first.deferred].reverse());
    expect(firstWait).toEqual({ resume: 'specificTime', waitTill: '2026-03-10T15:00:00.000Z' });

    // Back in the gate at 08:00 in Los Angeles: Liam goes, Kai waits for 08:00 in Adak.
    const second = await runGate(judgedAt(firstWait.waitTill as string, gate.parameters), first.deferred.map((i) => i.json), { onError: gate.onError });
    expect(second.sendNow.map((i) => i.json.name)).toEqual(['Liam']);
    expect(second.deferred.map((i) => i.json.name)).toEqual(['Kai']);
    const secondWait = await waitTill(second.deferred);
    expect(secondWait.waitTill).toBe('2026-03-10T17:00:00.000Z');

    const third = await runGate(judgedAt(secondWait.waitTill as string, gate.parameters), second.deferred.map((i) => i.json), { onError: gate.onError });
    expect(third.sendNow.map((i) => i.json.name)).toEqual(['Kai']);
    expect(third.deferred).toEqual([]);
  });

  it('sends what the gate lets through with the example’s Send SMS settings', async () => {
    const { sendNow } = await runGate(judgedAt('2026-03-10T12:30:00Z', gate.parameters), campaign(), { onError: gate.onError });
    const parameters = { ...send.parameters, options: { ...(send.parameters.options as IDataObject), storePath: tempStorePath() } };
    const { outputs, error } = await sendSms(parameters, sendNow.map((i) => i.json));
    expect(error).toBeUndefined();
    expect(outputs[0]!.map((i) => [i.json.to, i.json.status, (i.json.analysis as IDataObject).text])).toEqual([
      ['+12125550123', expect.any(String), 'Hi Ava, spring sale: 20% off with code SPRING20. Reply STOP to opt out.'],
      ['+33612345678', expect.any(String), 'Hi Chloé, spring sale: 20% off with code PRINTEMPS20. Reply STOP to opt out.'],
    ]);
  });
});
