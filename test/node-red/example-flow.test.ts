/**
 * The example flow users import (and `npm run demo` deploys) must keep working: it is loaded as
 * shipped, with Node-RED's own inject, change and http nodes, its debug nodes swapped for test
 * helpers, and driven like a user would: the inject buttons and a POST to /order.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import request from 'supertest';
import { helper, type Msg } from './harness';
import smsProvider from '../../node-red/sms-provider';
import smsSend from '../../node-red/sms-send';

/* eslint-disable @typescript-eslint/no-require-imports */
const inject = require('@node-red/nodes/core/common/20-inject.js');
const change = require('@node-red/nodes/core/function/15-change.js');
const httpIn = require('@node-red/nodes/core/network/21-httpin.js');
const comment = require('@node-red/nodes/core/common/90-comment.js');
/* eslint-enable @typescript-eslint/no-require-imports */

type FlowNode = Record<string, unknown> & { id: string; type: string };
const shipped = JSON.parse(readFileSync(join(__dirname, '..', '..', 'examples', 'send-sms-sandbox.json'), 'utf8')) as FlowNode[];

type App = Parameters<typeof request>[0];
let httpNode: App;
const captureHttpNode = (RED: { httpNode: App }): void => {
  httpNode = RED.httpNode;
};

let userDir: string;
beforeEach(async () => {
  userDir = mkdtempSync(join(tmpdir(), 'a2p-nr-example-'));
  helper.settings({ userDir });
  const flow = shipped.map((n) => (n.type === 'debug' ? { id: n.id, type: 'helper', z: n.z, x: n.x, y: n.y, wires: [] } : n));
  await helper.load([smsProvider, smsSend, inject, change, httpIn, comment, captureHttpNode], flow);
});
afterEach(async () => {
  await helper.unload();
  rmSync(userDir, { recursive: true, force: true });
});

function next(id: string): Promise<Msg> {
  return new Promise((resolve) => helper.getNode(id).once('input', resolve));
}

describe('examples/send-sms-sandbox.json', () => {
  it('"one SMS" sends one message through the sandbox', async () => {
    const sent = next('a2p-demo-sent');
    helper.getNode('a2p-demo-inject-one').receive({});
    expect((await sent).payload).toMatchObject({ provider: 'sandbox', to: '+14155550100', status: 'queued', encoding: 'GSM-7' });
  });

  it('"bulk of 4" sends three and fails the bad number with INVALID_PHONE', async () => {
    const sent = next('a2p-demo-sent');
    const failed = next('a2p-demo-failed');
    helper.getNode('a2p-demo-inject-bulk').receive({});
    const results = (await sent).payload as { to: string; encoding: string }[];
    expect(results.map((r) => [r.to, r.encoding])).toEqual([
      ['+33612345678', 'GSM-7'],
      ['+14155550101', 'GSM-7'],
      ['+447400123456', 'UCS-2'],
    ]);
    const failures = (await failed).payload as { index: number; error: { code: string } }[];
    expect(failures.map((f) => [f.index, f.error.code])).toEqual([[2, 'INVALID_PHONE']]);
  });

  it('POST /order renders the template and answers with the result; a bad order gets 422 and its code', async () => {
    const order = {
      name: '#1001',
      customer: { first_name: 'Ada', phone: '(415) 555-0100' },
      fulfillments: [{ tracking_url: 'https://track.example/1Z999' }],
    };
    const ok = await request(httpNode).post('/order').send(order).timeout(10_000);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ provider: 'sandbox', to: '+14155550100', segments: 1 });

    const bad = await request(httpNode).post('/order').send({ ...order, fulfillments: [] }).timeout(10_000);
    expect(bad.status).toBe(422);
    expect(bad.body).toMatchObject({ code: 'TEMPLATE_ERROR' });
  });
});
