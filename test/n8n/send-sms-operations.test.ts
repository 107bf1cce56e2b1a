/**
 * Send SMS's Operation parameter as n8n reads it: Send is the default, so workflows saved before
 * operations existed keep sending unchanged; the reading operations need no provider or
 * credential; and an AI agent is told what each operation does (n8n's tool description).
 */
import { NodeHelpers, type INode, type INodeParameters } from 'n8n-workflow';
import nock from 'nock';
import { useNock } from '../support/nock';
import { SendSms } from '../../nodes/SendSms/SendSms.node';
import { TWILIO_API, TWILIO_CREDENTIALS, TWILIO_MESSAGES_PATH, sendSms, tempStorePath, twilioCreated } from './fixtures';

useNock();

const { description } = new SendSms();

/** The node's parameters as n8n holds them once the workflow is loaded: defaults in, hidden ones out. */
function loaded(parameters: INodeParameters): { node: INode; parameters: INodeParameters } {
  const node: INode = { id: 'n', name: 'Send SMS', type: '@a2p-kit/n8n-nodes-sms.sendSms', typeVersion: 1, position: [0, 0], parameters };
  node.parameters = NodeHelpers.getNodeParameters(description.properties, parameters, true, false, node, description) ?? {};
  return { node, parameters: node.parameters };
}

describe('a workflow saved before Send SMS had operations', () => {
  // Parameters as the examples and users' workflows of version 1 hold them: no operation, no resource.
  const saved = (storePath: string): INodeParameters => ({
    provider: 'twilio',
    from: '+14155550100',
    to: '={{ $json.to }}',
    text: 'Your order has shipped',
    options: { storePath, clientRef: 'order-1' },
  });

  it('loads as Send, with every send parameter kept', () => {
    const { parameters } = loaded(saved('/tmp/x.sqlite'));
    expect(parameters).toMatchObject({ resource: 'message', operation: 'send', provider: 'twilio', to: '={{ $json.to }}', text: 'Your order has shipped' });
    expect(parameters.options).toEqual({ storePath: '/tmp/x.sqlite', clientRef: 'order-1' });
  });

  it('still sends, exactly as with the operation set to Send', async () => {
    const bodies: string[] = [];
    nock(TWILIO_API)
      .post(TWILIO_MESSAGES_PATH)
      .times(2)
      .reply(201, (_uri: string, body: unknown) => {
        bodies.push(String(body));
        // The same answer twice (each run has a store of its own): the outputs must then match.
        return twilioCreated(String(body), 1);
      });
    const run = (parameters: INodeParameters) => sendSms(parameters, [{ to: '+14155550123' }], { credentials: { a2pTwilioApi: TWILIO_CREDENTIALS } });

    const before = await run(saved(tempStorePath()));
    const explicit = await run({ ...saved(tempStorePath()), operation: 'send' });

    expect(before.error).toBeUndefined();
    expect(bodies[0]).toBe(bodies[1]);
    expect(before.outputs).toEqual(explicit.outputs);
    expect(before.outputs[0][0].json).toMatchObject({ provider: 'twilio', to: '+14155550123', clientRef: 'order-1', status: 'queued' });
  });
});

describe('the reading operations', () => {
  it.each(['getStatus', 'deliverySummary'])('%s: no provider, no send parameter, no credential asked for', (operation) => {
    const { node, parameters } = loaded({ operation, provider: 'twilio', to: '+14155550123', text: 'x' });
    expect(Object.keys(parameters)).not.toEqual(expect.arrayContaining(['provider']));
    expect(parameters).not.toHaveProperty('to');
    expect(parameters).not.toHaveProperty('text');
    expect(parameters).toHaveProperty('options');
    const shown = description.credentials!.filter((c) => NodeHelpers.displayParameter(node.parameters, c, node, description));
    expect(shown).toEqual([]);
  });

  it('Send asks for the provider’s credential only', () => {
    const { node } = loaded({ provider: 'telnyx' });
    const shown = description.credentials!.filter((c) => NodeHelpers.displayParameter(node.parameters, c, node, description));
    expect(shown.map((c) => c.name)).toEqual(['a2pTelnyxApi']);
  });

  it('an operation this version does not know stops the run with a clear error', async () => {
    // Past the loader, as from a newer version's workflow.
    const { error } = await sendSms({ operation: 'teleport', options: { storePath: tempStorePath() } }, [{}]);
    expect(error?.message).toContain('The operation "teleport" is not known to this node version');
  });
});

describe('as an AI agent’s tool', () => {
  // n8n describes a tool by the operation's action when its description is left on "Set Automatically".
  it.each([
    [{}, 'Send an SMS in Send SMS'],
    [{ operation: 'getStatus' }, 'Get the status of an SMS in Send SMS'],
    [{ operation: 'deliverySummary' }, 'Get an SMS delivery summary in Send SMS'],
  ])('%j is described as "%s"', (parameters, expected) => {
    const { node } = loaded({ ...parameters, descriptionType: 'auto' });
    expect(NodeHelpers.getToolDescriptionForNode(node, new SendSms())).toBe(expected);
  });

  it('stays usable as a tool, with a node description that names every operation', () => {
    expect(description.usableAsTool).toBe(true);
    expect(description.description).toMatch(/^Send SMS .*delivery status.*delivery summary/);
  });
});

it('points the Status Callback URL option at the DLR Webhook and the credential’s Delivery Report URL', () => {
  const options = description.properties.find((p) => p.name === 'options' && p.displayOptions?.show?.operation?.includes('send'));
  const option = (options?.options ?? []).find((o) => 'name' in o && o.name === 'statusCallbackUrl') as { description?: string } | undefined;
  expect(option?.description).toMatch(/DLR Webhook node's Production URL/);
  expect(option?.description).toMatch(/credential's Delivery Report URL/);
  expect(option?.description).toMatch(/sandbox has no credential/);
});
