/**
 * examples/inbound-sms.json as shipped (debug nodes swapped for test helpers), driven as a user
 * would: POSTs to its endpoint, as the curl line of its description does.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import request from 'supertest';
import { helper, type Msg } from './harness';
import smsInbound from '../../node-red/sms-inbound';
import smsProvider from '../../node-red/sms-provider';
import smsStore from '../../node-red/sms-store';
import { useNock } from '../support/nock';
import { ledgerRowCount } from '../support/temp-store';

/* eslint-disable @typescript-eslint/no-require-imports */
const sw = require('@node-red/nodes/core/function/10-switch.js');
const comment = require('@node-red/nodes/core/common/90-comment.js');
/* eslint-enable @typescript-eslint/no-require-imports */

useNock();

type FlowNode = Record<string, unknown> & { id: string; type: string };
type App = Parameters<typeof request>[0];
let httpNode: App;
const captureHttpNode = (RED: { httpNode: App }): void => {
  httpNode = RED.httpNode;
};

const shipped = JSON.parse(readFileSync(join(__dirname, '..', '..', 'examples', 'inbound-sms.json'), 'utf8')) as FlowNode[];

let userDir: string;
beforeEach(async () => {
  nock.enableNetConnect('127.0.0.1');
  userDir = mkdtempSync(join(tmpdir(), 'a2p-nr-inbound-example-'));
  helper.settings({ userDir });
  const flow = shipped.map((n) => (n.type === 'debug' ? { id: n.id, type: 'helper', z: n.z, x: n.x, y: n.y, wires: [] } : n));
  await helper.load([smsStore, smsProvider, smsInbound, sw, comment, captureHttpNode], flow);
});
afterEach(async () => {
  await helper.unload();
  rmSync(userDir, { recursive: true, force: true });
});

function next(id: string): Promise<Msg> {
  return new Promise((resolve) => helper.getNode(id).once('input', resolve));
}

const post = (text: string, messageId: string) =>
  request(httpNode).post('/sms/inbound').set('content-type', 'application/json').send({ from: '+14155550100', to: '+14155550199', text, messageId });

describe('examples/inbound-sms.json', () => {
  it('keeps its ledger in the sms-store it ships with', () => {
    const store = shipped.find((n) => n.type === 'sms-store');
    expect(store).toBeDefined();
    expect(shipped.find((n) => n.type === 'sms-inbound')).toMatchObject({ store: store?.id, provider: 'a2p-inbound-provider' });
  });

  it('routes STOP to "opted out" (recorded, auto-replied), HELP to "asked for help", anything else to "a reply to handle"', async () => {
    const stop = next('a2p-inbound-stop');
    expect((await post('STOP', 'ex-1')).status).toBe(200);
    expect((await stop).payload).toMatchObject({ text: 'STOP', consentRecorded: 'opt-out', autoReply: 'You are unsubscribed. Reply START to subscribe again.' });
    expect(ledgerRowCount(join(userDir, 'a2p-kit.sqlite'))).toBe(1);

    const help = next('a2p-inbound-help');
    expect((await post('help', 'ex-2')).status).toBe(200);
    expect((await help).payload).toMatchObject({ keyword: { intent: 'help' }, autoReply: 'Shop & Co: reply STOP to unsubscribe.' });

    const other = next('a2p-inbound-other');
    expect((await post('Is my order on its way?', 'ex-3')).status).toBe(200);
    expect((await other).payload).toMatchObject({ text: 'Is my order on its way?', keyword: null });
  });
});
