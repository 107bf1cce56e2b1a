/**
 * sms-inbound in a running Node-RED, over HTTP: what it emits and answers, what it refuses and
 * keeps, and auto-replies. Its endpoint's life (redeploys, duplicate paths, settings) is in
 * sms-inbound-endpoint.test.ts.
 */
import { createHash } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { useNock } from '../support/nock';
import { ACCOUNT, ALICE, SECRET, SHOP, TWILIO, VONAGE, WebhookFlow, dlrNode, helper, inboundNode, sendNode, settle, sign, twilioSignature, until } from './webhook-flow';

useNock();

let flow: WebhookFlow | undefined;
afterEach(async () => {
  await flow?.stop();
  flow = undefined;
});

const sms = (text: string, messageId: string) => ({ from: ALICE, to: SHOP, text, messageId });

describe('sms-inbound: what it emits', () => {
  it('emits a received SMS with the request headers (lower-case) and topic "inbound"', async () => {
    flow = await WebhookFlow.start(inboundNode());
    const got = flow.collect('in-out');
    const body = JSON.stringify(sms('Is my order on its way?', 'in-1'));
    const res = await request(flow.httpNode).post('/sms/in').set('Content-Type', 'application/json').set('X-Sandbox-Signature', sign(body)).set('X-Trace-Id', 'Abc-1').send(body);
    expect(res.status).toBe(200);
    await until(() => got.length === 1);
    const msg = got[0]!;
    expect(msg.topic).toBe('inbound');
    expect(msg.payload).toMatchObject({ provider: 'sandbox', messageId: 'in-1', from: ALICE, to: SHOP, text: 'Is my order on its way?', keyword: null, duplicate: false });
    // Headers only: the node has answered already, there is no response to hand on.
    expect(Object.keys(msg.req as object)).toEqual(['headers']);
    const headers = (msg.req as { headers: Record<string, string> }).headers;
    expect(headers).toMatchObject({ 'x-trace-id': 'Abc-1', 'content-type': 'application/json' });
    expect(Object.keys(headers).every((k) => k === k.toLowerCase())).toBe(true);
    expect(flow.lastStatus('in')).toEqual({ fill: 'green', shape: 'dot', text: 'received 1' });
  });

  it('records STOP and counts it; the next sms-send to that number is refused OPTED_OUT', async () => {
    flow = await WebhookFlow.start([...inboundNode(), ...sendNode()]);
    const got = flow.collect('in-out');
    expect((await flow.post('/sms/in', sms('STOP', 'in-2'))).status).toBe(200);
    await until(() => got.length === 1);
    expect(got[0]?.payload).toMatchObject({ text: 'STOP', keyword: { intent: 'opt-out' }, consentRecorded: 'opt-out' });
    expect(flow.lastStatus('in')).toMatchObject({ fill: 'green', text: 'received 1 · stop 1' });
    expect(flow.rows('consent_events')).toBe(1);

    const failed = flow.collect('send-out1');
    const caught = flow.collect('caught');
    helper.getNode('send').receive({ to: ALICE, payload: 'Weekend sale!' });
    await until(() => failed.length === 1 && caught.length === 1);
    expect(failed[0]).toMatchObject({ payload: 'Weekend sale!', error: { code: 'OPTED_OUT' } });
  });

  it('drops a repeat the provider sends again; with "Drop repeats" off it goes on, flagged', async () => {
    flow = await WebhookFlow.start([...inboundNode(), ...inboundNode({ path: '/sms/all', dedupe: false }, 'all')]);
    const got = flow.collect('in-out');
    const all = flow.collect('all-out');
    for (let i = 0; i < 2; i++) {
      expect((await flow.post('/sms/in', sms('hello', 'rep-1'))).status).toBe(200);
      expect((await flow.post('/sms/all', sms('hello', 'rep-2'))).status).toBe(200);
    }
    await until(() => all.length === 2);
    await settle();
    expect(got).toHaveLength(1);
    expect(all.map((m) => (m.payload as { duplicate: boolean }).duplicate)).toEqual([false, true]);
  });

  it('keeps STOP / START / HELP to itself when asked, still recording consent', async () => {
    flow = await WebhookFlow.start(inboundNode({ emitKeywordMessages: false }));
    const got = flow.collect('in-out');
    for (const [text, id] of [['STOP', 'k-1'], ['HELP', 'k-2'], ['START', 'k-3'], ['thanks', 'k-4']] as const) {
      expect((await flow.post('/sms/in', sms(text, id))).status).toBe(200);
    }
    await until(() => got.length === 1);
    await settle();
    expect(got.map((m) => (m.payload as { text: string }).text)).toEqual(['thanks']);
    expect(flow.rows('consent_events')).toBe(2);
  });

  it('takes GET webhooks where the provider uses them (a signed Vonage inbound SMS)', async () => {
    flow = await WebhookFlow.start(inboundNode({ provider: ACCOUNT.vonage, method: 'GET' }));
    const got = flow.collect('in-out');
    const params: Record<string, string> = { msisdn: '14155550100', to: '14155550199', messageId: '0B00000012345678', text: 'Hello there', type: 'text', 'message-timestamp': '2026-11-02 10:00:00' };
    const signed = Object.keys(params).sort().map((k) => `&${k}=${params[k]!.replace(/[&=]/g, '_')}`).join('');
    const sig = createHash('md5').update(signed + VONAGE.signatureSecret).digest('hex');
    const query = new URLSearchParams({ ...params, sig }).toString();
    expect((await request(flow.httpNode).get(`/sms/in?${query}`)).status).toBe(200);
    expect((await request(flow.httpNode).post('/sms/in').send(query)).status).toBe(404);
    await until(() => got.length === 1);
    expect(got[0]?.payload).toMatchObject({ provider: 'vonage', from: ALICE, text: 'Hello there' });
    const forged = new URLSearchParams({ ...params, text: 'STOP', sig }).toString();
    expect((await request(flow.httpNode).get(`/sms/in?${forged}`)).status).toBe(401);
  });
});

describe('sms-inbound: what it refuses', () => {
  it('answers 401 to a tampered, unsigned or wrongly signed request: nothing emitted or stored, each logged once without body or secret', async () => {
    flow = await WebhookFlow.start(inboundNode());
    const got = flow.collect('in-out');
    const body = JSON.stringify(sms('STOP secret-plan-42', 'in-x'));
    const tampered = await flow.post('/sms/in', body.replace('in-x', 'in-y'), sign(body));
    const unsigned = await flow.post('/sms/in', body, null);
    const wrongKey = await flow.post('/sms/in', body, sign(body, 'not-the-secret'));
    for (const res of [tampered, unsigned, wrongKey]) {
      expect(res.status).toBe(401);
      expect(res.text).toBe('Unauthorized (INVALID_SIGNATURE)');
    }
    await settle();
    expect(got).toEqual([]);
    expect(flow.rows('consent_events')).toBe(0);
    expect(flow.rows('inbound_messages')).toBe(0);
    const warnings = flow.logged(30).filter((w) => w.id === 'in' && w.msg.includes('401'));
    expect(warnings).toHaveLength(3);
    const log = JSON.stringify(flow.logged(30)) + JSON.stringify(flow.logged(20));
    for (const hidden of [SECRET, 'secret-plan-42', sign(body)]) expect(log).not.toContain(hidden);
    expect(flow.lastStatus('in')).toEqual({ fill: 'red', shape: 'ring', text: 'received 0 · 401×3' });
  });

  it('answers 400 to a malformed body and 413 to one of 1 MB + 1 byte; 1 MB is read whole', async () => {
    flow = await WebhookFlow.start(inboundNode());
    const got = flow.collect('in-out');
    const padded = (bytes: number) => {
      const shell = '{"pad":""}';
      return `{"pad":"${'x'.repeat(bytes - shell.length)}"}`;
    };
    expect((await flow.post('/sms/in', '{"from":')).status).toBe(400);
    expect((await flow.post('/sms/in', '[1, 2')).status).toBe(400);
    // Exactly the limit: read, parsed and verified, then refused as no SMS.
    expect((await flow.post('/sms/in', padded(1024 * 1024))).status).toBe(400);
    const over = await flow.post('/sms/in', padded(1024 * 1024 + 1));
    expect(over.status).toBe(413);
    expect(over.text).toBe('Payload Too Large (PAYLOAD_TOO_LARGE)');
    await settle();
    expect(got).toEqual([]);
    expect(flow.lastStatus('in')).toEqual({ fill: 'red', shape: 'ring', text: 'received 0 · 400×3 · 413×1' });
  });

  it("answers 503 while the store cannot keep anything, and keeps the provider's retry once it can", async () => {
    const blocker = (dir: string) => join(dir, 'blocker');
    // The store's folder is a file for now: the store cannot open.
    const store = { id: 'st', type: 'sms-store', path: 'blocker/a2p.sqlite' };
    flow = await WebhookFlow.start([store, ...inboundNode({ store: 'st' })]);
    writeFileSync(blocker(flow.userDir), 'not a folder');
    const got = flow.collect('in-out');
    const body = sms('STOP', 'in-503');
    const res = await flow.post('/sms/in', body);
    expect(res.status).toBe(503);
    expect(res.text).toBe('Service Unavailable (STORE_ERROR)');
    await settle();
    expect(got).toEqual([]);
    expect(flow.lastStatus('in')).toMatchObject({ fill: 'red', text: 'received 0 · 503×1' });

    rmSync(blocker(flow.userDir));
    expect((await flow.post('/sms/in', body)).status).toBe(200);
    expect((await flow.post('/sms/in', body)).status).toBe(200);
    await until(() => got.length === 1);
    await settle();
    expect(got).toHaveLength(1);
    expect(got[0]?.payload).toMatchObject({ consentRecorded: 'opt-out' });
    expect(flow.lastStatus('in')).toMatchObject({ fill: 'green', text: 'received 1 · stop 1 · 503×1' });
  });

  it('answers 400, not a hang, to a request whose Host is no host name', async () => {
    flow = await WebhookFlow.start([...inboundNode({ publicUrl: 'https://nr.example.com' }), ...inboundNode({ path: '/sms/own' }, 'own')]);
    for (const path of ['/sms/in', '/sms/own']) {
      const body = JSON.stringify(sms('hi', `host-${path}`));
      const res = await request(flow.httpNode).post(path).set('host', 'bad host{}').set('content-type', 'application/json').set('x-sandbox-signature', sign(body)).send(body);
      expect([path, res.status]).toEqual([path, 400]);
    }
  });
});

describe('sms-inbound: auto-replies', () => {
  it('answers a Twilio STOP with TwiML, verifying over Public URL + httpNodeRoot + path + query', async () => {
    flow = await WebhookFlow.start(
      inboundNode({ provider: ACCOUNT.twilio, publicUrl: 'https://nr.example.com/', replyStop: 'Shop: you will get no more messages. Reply START to resume.' }),
      { httpNodeRoot: '/hooks' },
    );
    const got = flow.collect('in-out');
    const params = { MessageSid: 'SM0123456789abcdef0123456789abcdef', AccountSid: TWILIO.accountSid, From: ALICE, To: SHOP, Body: 'STOP' };
    const res = await request(flow.httpNode)
      .post('/sms/in?route=a%20b')
      .set('content-type', 'application/x-www-form-urlencoded')
      .set('x-twilio-signature', twilioSignature('https://nr.example.com/hooks/sms/in?route=a%20b', params))
      .send(new URLSearchParams(params).toString());
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/xml/);
    expect(res.text).toContain('<Message>Shop: you will get no more messages. Reply START to resume.</Message>');
    await until(() => got.length === 1);
    expect(got[0]?.payload).toMatchObject({ provider: 'twilio', consentRecorded: 'opt-out', autoReply: expect.stringContaining('no more messages') });
    expect(flow.rows('consent_events')).toBe(1);
    expect(flow.statuses('in')[0]).toMatchObject({ text: 'POST /hooks/sms/in' });
  });

  it("sends other providers' auto-replies through their API after answering, once per message", async () => {
    flow = await WebhookFlow.start([...inboundNode({ replyHelp: 'Shop & Co: reply STOP to stop.' }), ...dlrNode()]);
    const got = flow.collect('in-out');
    const answers = flow.collect('dlr-out');
    for (let i = 0; i < 2; i++) expect((await flow.post('/sms/in', sms('HELP', 'in-help'))).status).toBe(200);
    await until(() => got.length === 1);
    expect(got[0]?.payload).toMatchObject({ autoReply: 'Shop & Co: reply STOP to stop.' });
    const key = 'auto-reply:sandbox:in-help';
    await until(() => {
      helper.getNode('dlr').receive({ topic: 'status', payload: key });
      return answers.some((a) => a.payload !== null);
    }, 'the auto-reply in the message log');
    const record = answers.find((a) => a.payload !== null)?.payload;
    expect(record).toMatchObject({ to: ALICE, provider: 'sandbox' });
    await settle();
    expect(flow.rows('messages')).toBe(1);
  });
});
