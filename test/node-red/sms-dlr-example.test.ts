/**
 * examples/dlr-webhook.json as shipped (debug nodes swapped for test helpers), driven as a user
 * would: the inject buttons, and the sandbox's reports POSTed to the DLR node's path.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import request from 'supertest';
import { helper, type Msg } from './harness';
import smsDlr from '../../node-red/sms-dlr';
import smsProvider from '../../node-red/sms-provider';
import smsSend from '../../node-red/sms-send';
import smsStore from '../../node-red/sms-store';
import { useNock } from '../support/nock';

/* eslint-disable @typescript-eslint/no-require-imports */
const inject = require('@node-red/nodes/core/common/20-inject.js');
const comment = require('@node-red/nodes/core/common/90-comment.js');
/* eslint-enable @typescript-eslint/no-require-imports */

useNock();

type FlowNode = Record<string, unknown> & { id: string; type: string };
type App = Parameters<typeof request>[0];
let httpNode: App;
const captureHttpNode = (RED: { httpNode: App }): void => {
  httpNode = RED.httpNode;
};

const shipped = JSON.parse(readFileSync(join(__dirname, '..', '..', 'examples', 'dlr-webhook.json'), 'utf8')) as FlowNode[];

let userDir: string;
beforeEach(async () => {
  nock.enableNetConnect('127.0.0.1');
  userDir = mkdtempSync(join(tmpdir(), 'a2p-nr-dlr-example-'));
  helper.settings({ userDir });
  const flow = shipped.map((n) => (n.type === 'debug' ? { id: n.id, type: 'helper', z: n.z, x: n.x, y: n.y, wires: [] } : n));
  await helper.load([smsStore, smsProvider, smsSend, smsDlr, inject, comment, captureHttpNode], flow);
});
afterEach(async () => {
  await helper.unload();
  rmSync(userDir, { recursive: true, force: true });
});

function next(id: string, accept: (m: Msg) => boolean = () => true): Promise<Msg> {
  return new Promise((resolve) => {
    const listener = (m: Msg) => {
      if (!accept(m)) return;
      helper.getNode(id).off('input', listener);
      resolve(m);
    };
    helper.getNode(id).on('input', listener);
  });
}

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !done(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!done()) throw new Error('timed out');
}

describe('examples/dlr-webhook.json', () => {
  it('keeps its message log in the sms-store it ships with, and sends with its reports routed to its sms-dlr', () => {
    const store = shipped.find((n) => n.type === 'sms-store');
    expect(store).toBeDefined();
    expect(shipped.find((n) => n.type === 'sms-send')).toMatchObject({ store: store?.id, dlrNode: 'a2p-dlr-node' });
    expect(shipped.find((n) => n.type === 'sms-dlr')).toMatchObject({ store: store?.id, path: '/sms/dlr' });
  });

  it('sends the campaign, takes its reports, and sums the campaign up', async () => {
    // The sandbox posts its reports to the DLR node's Public URL, 127.0.0.1:1880: caught there and
    // handed to the node's endpoint, as the real Node-RED listening on 1880 would receive them.
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
    await until(() => reports.length === 2);

    const delivered = next('a2p-dlr-report', (m) => m.topic === 'report');
    for (const body of reports) {
      expect((await request(httpNode).post('/sms/dlr').set('content-type', 'application/json').send(body)).status).toBe(200);
    }
    expect((await delivered).payload).toMatchObject({ provider: 'sandbox', clientRef: expect.stringMatching(/^promo-nov-/) });

    const summary = next('a2p-dlr-report', (m) => m.topic === 'summary');
    helper.getNode('a2p-dlr-inject-summary').receive({});
    expect((await summary).payload).toMatchObject({ filter: { clientRefPrefix: 'promo-nov-' }, total: 2, final: 2, delivered: 1, byStatus: { delivered: 1, failed: 1 } });
  });
});
