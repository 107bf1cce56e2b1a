/**
 * examples/inbound-sms.json and examples/dlr-webhook.json as shipped (debug nodes swapped for
 * test helpers), driven as a user would: a POST to the inbound path, the inject buttons, and the
 * sandbox's report POSTed to the DLR path.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import nock from 'nock';
import request from 'supertest';
import { helper, type Msg } from './harness';
import smsDlr from '../../node-red/sms-dlr';
import smsInbound from '../../node-red/sms-inbound';
import smsProvider from '../../node-red/sms-provider';
import smsSend from '../../node-red/sms-send';
import smsStore from '../../node-red/sms-store';

/* eslint-disable @typescript-eslint/no-require-imports */
const inject = require('@node-red/nodes/core/common/20-inject.js');
const sw = require('@node-red/nodes/core/function/10-switch.js');
const comment = require('@node-red/nodes/core/common/90-comment.js');
/* eslint-enable @typescript-eslint/no-require-imports */

type FlowNode = Record<string, unknown> & { id: string; type: string };
type App = Parameters<typeof request>[0];
let httpNode: App;
const captureHttpNode = (RED: { httpNode: App }): void => {
  httpNode = RED.httpNode;
};
const MODULES = [smsStore, smsProvider, smsSend, smsInbound, smsDlr, inject, sw, comment, captureHttpNode];

function shipped(name: string): FlowNode[] {
  const flow = JSON.parse(readFileSync(join(__dirname, '..', '..', 'examples', name), 'utf8')) as FlowNode[];
  return flow.map((n) => (n.type === 'debug' ? { id: n.id, type: 'helper', z: n.z, x: n.x, y: n.y, wires: [] } : n));
}

function next(id: string): Promise<Msg> {
  return new Promise((resolve) => helper.getNode(id).once('input', resolve));
}

let userDir: string;
beforeEach(() => {
  nock.enableNetConnect('127.0.0.1');
  userDir = mkdtempSync(join(tmpdir(), 'a2p-nr-hook-examples-'));
  helper.settings({ userDir });
});
afterEach(async () => {
  await helper.unload();
  nock.cleanAll();
  nock.disableNetConnect();
  rmSync(userDir, { recursive: true, force: true });
});

describe('examples/inbound-sms.json', () => {
  it('routes a STOP to "opted out" and a question to "a reply to handle"', async () => {
    await helper.load(MODULES, shipped('inbound-sms.json'));
    const stop = next('a2p-inbound-stop');
    const post = (text: string) =>
      request(httpNode).post('/sms/inbound').set('content-type', 'application/json').send({ from: '+14155550100', to: '+14155550199', text });
    expect((await post('STOP')).status).toBe(200);
    expect((await stop).payload).toMatchObject({ text: 'STOP', consentRecorded: 'opt-out', autoReply: 'You are unsubscribed. Reply START to subscribe again.' });
    const other = next('a2p-inbound-other');
    expect((await post('Is my order on its way?')).status).toBe(200);
    expect((await other).payload).toMatchObject({ text: 'Is my order on its way?', keyword: null });
  });
});

describe('examples/dlr-webhook.json', () => {
  it('sends a campaign with its reports routed to the DLR node, which applies them and sums them up', async () => {
    await helper.load(MODULES, shipped('dlr-webhook.json'));
    // The sandbox posts its simulated reports to the DLR node's public URL, 127.0.0.1:1880: catch
    // them there and hand them to the node's endpoint as the real Node-RED would.
    const reports: string[] = [];
    nock('http://127.0.0.1:1880')
      .post('/sms/dlr', (b) => {
        reports.push(JSON.stringify(b));
        return true;
      })
      .times(2)
      .reply(200);
    const sent = next('a2p-dlr-sent');
    helper.getNode('a2p-dlr-inject-send').receive({});
    expect((await sent).payload).toHaveLength(2);
    await waitFor(() => reports.length === 2);
    for (const body of reports) {
      expect((await request(httpNode).post('/sms/dlr').set('content-type', 'application/json').send(body)).status).toBe(200);
    }
    const summary = next('a2p-dlr-report');
    helper.getNode('a2p-dlr-inject-summary').receive({});
    let answer = await summary;
    while ((answer.payload as { total?: number }).total === undefined) answer = await next('a2p-dlr-report');
    expect(answer.payload).toMatchObject({ total: 2, delivered: 1, byStatus: { delivered: 1, failed: 1 } });
  });
});

async function waitFor(done: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !done(); i++) await new Promise((r) => setTimeout(r, 50));
  if (!done()) throw new Error('timed out');
}
