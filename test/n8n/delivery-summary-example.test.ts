/**
 * examples/n8n/delivery-summary.json, run the way it runs in n8n, part by part and with its own
 * parameters: the campaign goes out through the sandbox, the sandbox posts its reports to the
 * status callback URL, the example's DLR Webhook node takes them into the message log, and the
 * Delivery Summary counts the campaign for the report line the last Code node writes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IDataObject, INodeParameters } from 'n8n-workflow';
import nock from 'nock';
import request from 'supertest';
import { DlrWebhook } from '../../nodes/DlrWebhook/DlrWebhook.node';
import { useNock } from '../support/nock';
import { PACKAGE_NAME } from './harness';
import { sendSms, tempStorePath } from './fixtures';
import { deliverySummary } from './message-log-fixtures';
import { PRODUCTION_PATH, ServedWebhookNode } from './webhook-harness';

useNock();
// supertest talks to the webhook node over loopback; providers stay mocked.
beforeEach(() => nock.enableNetConnect('127.0.0.1'));

interface WorkflowNode {
  name: string;
  type: string;
  parameters: INodeParameters;
  webhookId?: string;
  executeOnce?: boolean;
}

const workflow = JSON.parse(readFileSync(join(__dirname, '..', '..', 'examples', 'n8n', 'delivery-summary.json'), 'utf8')) as {
  nodes: WorkflowNode[];
  connections: Record<string, { main: { node: string }[][] }>;
};
const node = (name: string): WorkflowNode => {
  const found = workflow.nodes.find((n) => n.name === name);
  if (!found) throw new Error(`the example has no node "${name}"`);
  return found;
};
const withStore = (parameters: INodeParameters, storePath: string): INodeParameters => ({
  ...parameters,
  options: { ...(parameters.options as IDataObject), storePath },
});
const nextOf = (name: string): string | undefined => workflow.connections[name]?.main[0]?.[0]?.node;

const send = node('Send campaign');
const dlr = node('Delivery reports');
const summary = node('Campaign summary');
const options = send.parameters.options as IDataObject;

describe('examples/n8n/delivery-summary.json', () => {
  it('wires send → reports → summary with the package’s node types', () => {
    expect([send.type, dlr.type, summary.type]).toEqual([`${PACKAGE_NAME}.sendSms`, `${PACKAGE_NAME}.dlrWebhook`, `${PACKAGE_NAME}.sendSms`]);
    expect([nextOf('Send the campaign'), nextOf('Campaign recipients'), nextOf('Every morning'), nextOf('Campaign summary')]).toEqual([
      'Campaign recipients',
      'Send campaign',
      'Campaign summary',
      'Report text',
    ]);
    // Reports are asked for at the DLR Webhook's Production URL (n8n: /webhook/<webhookId>/<path>).
    expect(options.statusCallbackUrl).toBe(`http://localhost:5678/webhook/${dlr.webhookId}/webhook`);
    // The campaign counted is the one the sends are tagged with.
    expect(options.clientRef).toMatch(new RegExp(`^=${summary.parameters.clientRefPrefix as string}\\{\\{`));
    expect(summary.executeOnce).toBe(true);
  });

  it('sends the campaign, records the sandbox’s reports through the DLR Webhook and summarises them', async () => {
    const store = tempStorePath();
    const callback = new URL(options.statusCallbackUrl as string);
    const reports: string[] = [];
    const allReported = new Promise<void>((resolve) => {
      const scope = nock(callback.origin)
        .post(callback.pathname)
        .times(4)
        .reply(200, (_uri: string, body: unknown) => {
          reports.push(JSON.stringify(body));
          return '';
        });
      scope.on('replied', () => {
        if (reports.length === 4) resolve();
      });
    });

    const recipients = (new Function(node('Campaign recipients').parameters.jsCode as string)() as { json: IDataObject }[]).map((i) => i.json);
    const sent = await sendSms(withStore(send.parameters, store), recipients);
    expect(sent.error).toBeUndefined();
    expect(sent.outputs[0].map((i) => i.json.clientRef)).toEqual(['promo-nov-c-101', 'promo-nov-c-102', 'promo-nov-c-103', 'promo-nov-c-104']);

    // What the active workflow's DLR Webhook does with each report the sandbox posts.
    await allReported;
    const hook = new ServedWebhookNode(new DlrWebhook(), { parameters: withStore(dlr.parameters, store) });
    for (const body of reports) {
      await request(hook.app).post(PRODUCTION_PATH).set('content-type', 'application/json').send(body).expect(200);
    }
    expect(hook.started.flat().map((e) => e.messageStatus).sort()).toEqual(['delivered', 'delivered', 'failed', 'undelivered']);

    const { outputs, error } = await deliverySummary(withStore(summary.parameters, store));
    expect(error).toBeUndefined();
    const counted = outputs[0][0].json;
    expect(counted).toMatchObject({
      filter: { clientRefPrefix: 'promo-nov-' },
      total: 4,
      final: 4,
      pending: 0,
      delivered: 2,
      deliveryRate: 0.5,
      byStatus: { delivered: 2, undelivered: 1, failed: 1 },
      byCountry: [
        { key: 'US', total: 3, delivered: 1 },
        { key: 'ES', total: 1, delivered: 1 },
      ],
    });

    const line = new Function('$input', node('Report text').parameters.jsCode as string)({ first: () => ({ json: counted }) }) as { json: IDataObject }[];
    expect(line).toEqual([
      { json: { text: 'promo-nov-: 4 sent, 2 delivered, 0 pending (50% of the settled ones delivered). By country: US 1/3, ES 1/1.' } },
    ]);
  });
});
