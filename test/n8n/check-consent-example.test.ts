/**
 * The Check Consent example workflow users import must keep working. Its nodes run in the order
 * of its connections, each through WorkflowExecute with the example's own parameters and "On
 * Error" setting and with the items the node before it produced (the Code nodes' scripts are
 * plain JavaScript), all on one store.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IConnections, IDataObject, INodeParameters, OnError } from 'n8n-workflow';
import { CheckConsent } from '../../nodes/CheckConsent/CheckConsent.node';
import { jsonOf } from './consent-fixtures';
import { sendSms, tempStorePath } from './fixtures';
import { PACKAGE_NAME, runNode } from './harness';

interface WorkflowNode {
  name: string;
  type: string;
  parameters: INodeParameters;
  onError?: OnError;
}

const workflow = JSON.parse(readFileSync(join(__dirname, '..', '..', 'examples', 'n8n', 'check-consent.json'), 'utf8')) as {
  nodes: WorkflowNode[];
  connections: IConnections;
};
const node = (name: string): WorkflowNode => {
  const found = workflow.nodes.find((n) => n.name === name);
  if (!found) throw new Error(`the example has no node "${name}"`);
  return found;
};
const targets = (from: string): string[][] => (workflow.connections[from]?.main ?? []).map((out) => (out ?? []).map((c) => c.node));
const withStore = (parameters: INodeParameters, store: string): INodeParameters => ({
  ...parameters,
  options: { ...((parameters.options as IDataObject | undefined) ?? {}), storePath: store },
});
const codeItems = (name: string): IDataObject[] =>
  (new Function(node(name).parameters.jsCode as string)() as { json: IDataObject }[]).map((i) => i.json);

async function runConsentNode(name: string, items: IDataObject[], store: string) {
  const n = node(name);
  expect(n.type).toBe(`${PACKAGE_NAME}.checkConsent`);
  const run = await runNode({ nodeType: new CheckConsent(), parameters: withStore(n.parameters, store), items, ...(n.onError ? { onError: n.onError } : {}) });
  expect(run.error).toBeUndefined();
  return run.outputs;
}

describe('examples/n8n/check-consent.json', () => {
  it('wires Allowed to Send SMS, Blocked to a skip branch and errors to a fix-the-list branch', () => {
    expect(targets('STOP replies')).toEqual([['Record STOP']]);
    expect(targets('Record STOP')).toEqual([['Promotion audience']]);
    expect(targets('Check Consent')).toEqual([['Send SMS'], ['Opted out: skip'], ['Invalid number: fix the list']]);
    expect(node('Check Consent').onError).toBe('continueErrorOutput');
  });

  it('records the STOP, then sends the promotion only to those who did not opt out', async () => {
    const store = tempStorePath();

    const [recorded] = await runConsentNode('Record STOP', codeItems('STOP replies'), store);
    expect(jsonOf(recorded).map((j) => j.consent)).toEqual([
      expect.objectContaining({ phone: '+14155550102', topic: '*', action: 'opt-out', source: 'sms', evidence: expect.objectContaining({ text: 'STOP', messageId: 'SM-inbound-0001' }) }),
    ]);

    const [allowed, blocked, failed] = await runConsentNode('Check Consent', codeItems('Promotion audience'), store);
    expect(jsonOf(allowed).map((j) => [j.name, (j.consent as IDataObject).phone])).toEqual([
      ['Ada', '+14155550100'],
      ['Dee', '+14155550103'],
    ]);
    expect(jsonOf(blocked).map((j) => [j.name, (j.consent as IDataObject).reason])).toEqual([['Cy', 'opted-out']]);
    expect(jsonOf(failed).map((j) => [j.name, (j.error as IDataObject).code])).toEqual([['Bo', 'INVALID_PHONE']]);

    const send = node('Send SMS');
    expect(send.type).toBe(`${PACKAGE_NAME}.sendSms`);
    const sent = await sendSms(withStore(send.parameters, store), jsonOf(allowed));
    expect(sent.error).toBeUndefined();
    expect(jsonOf(sent.outputs[0]).map((j) => [j.to, j.provider, (j.analysis as IDataObject).text])).toEqual([
      ['+14155550100', 'sandbox', 'Hi Ada, 20% off this weekend only. Reply STOP to opt out.'],
      ['+14155550103', 'sandbox', 'Hi Dee, 20% off this weekend only. Reply STOP to opt out.'],
    ]);
  });
});
