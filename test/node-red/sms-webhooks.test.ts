/**
 * sms-inbound and sms-dlr in a real Node-RED runtime (node-red-node-test-helper), driven over
 * HTTP through supertest on RED.httpNode, the express app their endpoints live on.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import request from 'supertest';
import helper = require('node-red-node-test-helper');
import smsDlr from '../../node-red/sms-dlr';
import smsInbound from '../../node-red/sms-inbound';
import smsProvider from '../../node-red/sms-provider';
import smsSend from '../../node-red/sms-send';
import smsStore from '../../node-red/sms-store';
import type { NodeAPI } from '../../node-red/node-red-api';
import { useNock } from '../support/nock';
import { ledgerRowCount } from '../support/temp-store';

helper.init(require.resolve('node-red'));
useNock();

const SECRET = 'nr-sandbox-secret';
const ALICE = '+14155550100';
const SHOP = '+14155550199';
const TWILIO = { accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: 'tok-S3cr3t-tw1lio-7Yq' };

let RED: NodeAPI;
const capture = (register: (r: NodeAPI) => void) => (r: NodeAPI) => {
  RED = r;
  register(r);
};
let userDir: string;

type Msg = Record<string, unknown> & { payload?: Record<string, unknown> | null };

function sign(body: string): string {
  return createHmac('sha256', SECRET).update(body).digest('hex');
}

const at = { x: 100, y: 100 };

function flow(extra: Record<string, unknown>[] = [], inbound: Record<string, unknown> = {}, dlr: Record<string, unknown> = {}): Record<string, unknown>[] {
  return [
    { id: 'tab', type: 'tab', label: 'webhooks' },
    { id: 'prov', type: 'sms-provider', name: 'sandbox', provider: 'sandbox' },
    { id: 'tw', type: 'sms-provider', name: 'twilio', provider: 'twilio' },
    { id: 'in', type: 'sms-inbound', z: 'tab', ...at, provider: 'prov', path: '/sms/in', method: 'POST', verify: true, wires: [['in-out']], ...inbound },
    { id: 'in-out', type: 'helper', z: 'tab', ...at, wires: [] },
    { id: 'dlr', type: 'sms-dlr', z: 'tab', ...at, provider: 'prov', path: '/sms/dlr', method: 'POST', verify: true, publicUrl: 'https://nr.example.com', wires: [['dlr-out']], ...dlr },
    { id: 'dlr-out', type: 'helper', z: 'tab', ...at, wires: [] },
    ...extra,
  ];
}

const CREDS = { prov: { webhookSecret: SECRET }, tw: TWILIO };
const MODULES = [smsStore, smsProvider, capture(smsInbound as (r: NodeAPI) => void), smsDlr, smsSend];

function collect(id: string): Msg[] {
  const got: Msg[] = [];
  helper.getNode(id).on('input', (m: Msg) => got.push(m));
  return got;
}

async function post(path: string, body: unknown, signature?: string) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return request(RED.httpNode as never)
    .post(path)
    .set('content-type', 'application/json')
    .set('x-sandbox-signature', signature ?? sign(text))
    .send(text);
}

const settle = () => new Promise((r) => setTimeout(r, 50));

beforeEach(() => {
  // supertest talks to RED.httpNode over loopback; providers stay behind nock.
  nock.enableNetConnect('127.0.0.1');
  userDir = mkdtempSync(join(tmpdir(), 'a2p-nr-hooks-'));
  helper.settings({ userDir });
});

afterEach(async () => {
  await helper.unload();
  rmSync(userDir, { recursive: true, force: true });
});

describe('sms-inbound', () => {
  it('emits a received SMS with headers, records STOP, and the next sms-send to that number is refused OPTED_OUT', async () => {
    const send = { id: 'send', type: 'sms-send', z: 'tab', ...at, provider: 'prov', to: 'to', toType: 'msg', message: 'payload', messageType: 'msg', wires: [['sent'], ['failed']] };
    await helper.load(MODULES, flow([send, { id: 'sent', type: 'helper', z: 'tab', ...at, wires: [] }, { id: 'failed', type: 'helper', z: 'tab', ...at, wires: [] }]), CREDS);
    const got = collect('in-out');
    const res = await post('/sms/in', { from: ALICE, to: SHOP, text: 'STOP', messageId: 'in-1' });
    expect(res.status).toBe(200);
    await settle();
    expect(got).toHaveLength(1);
    expect(got[0]?.payload).toMatchObject({ from: ALICE, text: 'STOP', consentRecorded: 'opt-out', keyword: { intent: 'opt-out' } });
    expect(got[0]?.req).toEqual({ headers: expect.objectContaining({ 'x-sandbox-signature': expect.any(String), 'content-type': 'application/json' }) });
    expect(got[0]?.topic).toBe('inbound');

    const failed = collect('failed');
    helper.getNode('send').receive({ to: ALICE, payload: 'Weekend sale!' });
    await new Promise((r) => setTimeout(r, 300));
    expect(failed[0]).toMatchObject({ payload: 'Weekend sale!', error: { code: 'OPTED_OUT' } });
  });

  it('answers 401 to a tampered request and emits and stores nothing', async () => {
    await helper.load(MODULES, flow(), CREDS);
    const got = collect('in-out');
    const body = JSON.stringify({ from: ALICE, to: SHOP, text: 'STOP', messageId: 'in-2' });
    const res = await post('/sms/in', body.replace('STOP', 'HI'), sign(body));
    expect(res.status).toBe(401);
    expect(res.text).not.toContain(SECRET);
    await settle();
    expect(got).toEqual([]);
    expect(ledgerRowCount(join(userDir, 'a2p-kit.sqlite'))).toBe(0);
  });

  it('answers 400 to a malformed body and 413 to one over 1 MB', async () => {
    await helper.load(MODULES, flow(), CREDS);
    expect((await post('/sms/in', '{"from":')).status).toBe(400);
    expect((await post('/sms/in', JSON.stringify({ pad: 'x'.repeat(1024 * 1024) }))).status).toBe(413);
  });

  it('answers 503 when the store cannot be opened, so the provider retries', async () => {
    // A directory is no SQLite file: the store cannot open.
    const store = { id: 'bad-store', type: 'sms-store', path: userDir };
    await helper.load(MODULES, flow([store], { store: 'bad-store' }), CREDS);
    const got = collect('in-out');
    const res = await post('/sms/in', { from: ALICE, to: SHOP, text: 'hi', messageId: 'in-3' });
    expect(res.status).toBe(503);
    await settle();
    expect(got).toEqual([]);
  });

  it('answers a Twilio HELP with TwiML, verifying over the Public URL', async () => {
    await helper.load(MODULES, flow([], { provider: 'tw', replyHelp: 'Shop: reply STOP to stop', publicUrl: 'https://nr.example.com' }), CREDS);
    const params = { MessageSid: 'SM1', From: ALICE, To: SHOP, Body: 'HELP' };
    const data = 'https://nr.example.com/sms/in' + Object.keys(params).sort().map((k) => k + params[k as keyof typeof params]).join('');
    const res = await request(RED.httpNode as never)
      .post('/sms/in')
      .set('content-type', 'application/x-www-form-urlencoded')
      .set('x-twilio-signature', createHmac('sha1', TWILIO.authToken).update(data).digest('base64'))
      .send(new URLSearchParams(params).toString());
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/xml/);
    expect(res.text).toContain('<Message>Shop: reply STOP to stop</Message>');
  });

  it('frees its path on redeploy and refuses a second node on the same path', async () => {
    const twin = { id: 'in2', type: 'sms-inbound', z: 'tab', ...at, provider: 'prov', path: '/sms/in', method: 'POST', wires: [[]] };
    await helper.load(MODULES, flow([twin]), CREDS);
    const logged = (helper.log() as unknown as { args: { level: number; id: string; msg: unknown }[][] }).args.map((a) => a[0]);
    expect(logged).toContainEqual(expect.objectContaining({ level: 20, id: 'in2', msg: expect.stringContaining('already served by node in') }));
    const got = collect('in-out');
    expect((await post('/sms/in', { from: ALICE, to: SHOP, text: 'a', messageId: 'd-1' })).status).toBe(200);
    await settle();
    expect(got).toHaveLength(1);
    await helper.unload();
    await helper.load(MODULES, flow([], { path: '/sms/other' }), CREDS);
    expect((await post('/sms/in', { from: ALICE, to: SHOP, text: 'b', messageId: 'd-2' })).status).toBe(404);
    expect((await post('/sms/other', { from: ALICE, to: SHOP, text: 'b', messageId: 'd-2' })).status).toBe(200);
  });
});

describe('sms-dlr', () => {
  const report = (id: string, status: string, final: boolean) => ({ provider: 'sandbox', messageId: id, status, final, providerStatus: status, to: ALICE, occurredAt: '2026-11-02T10:00:00.000Z' });

  it('emits each report once, with the merged message status', async () => {
    await helper.load(MODULES, flow(), CREDS);
    const got = collect('dlr-out');
    expect((await post('/sms/dlr', report('m-1', 'sent', false))).status).toBe(200);
    expect((await post('/sms/dlr', report('m-1', 'delivered', true))).status).toBe(200);
    expect((await post('/sms/dlr', report('m-1', 'delivered', true))).status).toBe(200);
    expect((await post('/sms/dlr', report('m-1', 'queued', false))).status).toBe(200);
    await settle();
    expect(got.map((m) => [m.payload?.status, m.payload?.messageStatus])).toEqual([
      ['sent', 'sent'],
      ['delivered', 'delivered'],
      ['queued', 'delivered'],
    ]);
  });

  it('answers summary and status commands on its input', async () => {
    await helper.load(MODULES, flow(), CREDS);
    await post('/sms/dlr', report('m-2', 'delivered', true));
    const got = collect('dlr-out');
    helper.getNode('dlr').receive({ topic: 'status', payload: 'm-2' });
    helper.getNode('dlr').receive({ topic: 'summary', payload: {} });
    await settle();
    expect(got[0]?.payload).toMatchObject({ messageId: 'm-2', status: 'delivered' });
    expect(got[1]?.payload).toMatchObject({ total: 1, delivered: 1, byCountry: [expect.objectContaining({ key: 'US' })] });
  });

  it('gives sms-send its public URL as the status callback', async () => {
    const send = { id: 'send', type: 'sms-send', z: 'tab', ...at, provider: 'tw', dlrNode: 'dlr', from: SHOP, fromType: 'str', to: 'to', toType: 'msg', message: 'payload', messageType: 'msg', checkConsent: false, wires: [['sent'], []] };
    await helper.load(MODULES, flow([send, { id: 'sent', type: 'helper', z: 'tab', ...at, wires: [] }], {}, { provider: 'tw' }), CREDS);
    let callback: string | undefined;
    nock('https://api.twilio.com')
      .post(`/2010-04-01/Accounts/${TWILIO.accountSid}/Messages.json`, (b: Record<string, string>) => {
        callback = b.StatusCallback;
        return true;
      })
      .reply(201, { sid: 'SM9', status: 'queued', num_segments: '1' });
    const sent = collect('sent');
    helper.getNode('send').receive({ to: ALICE, payload: 'Your order shipped' });
    await new Promise((r) => setTimeout(r, 300));
    expect(sent).toHaveLength(1);
    expect(callback).toBe('https://nr.example.com/sms/dlr');
  });
});

