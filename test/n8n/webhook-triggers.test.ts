/**
 * The Inbound SMS Trigger and the DLR Webhook inside n8n-core's WebhookContext, driven over HTTP:
 * what the provider gets answered, what the workflow gets, what the store keeps.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IDataObject, INodeParameters } from 'n8n-workflow';
import nock from 'nock';
import request from 'supertest';
import { InboundSmsTrigger } from '../../nodes/InboundSmsTrigger/InboundSmsTrigger.node';
import { DlrWebhook } from '../../nodes/DlrWebhook/DlrWebhook.node';
import { SendSms } from '../../nodes/SendSms/SendSms.node';
import { useNock } from '../support/nock';
import { ledgerRowCount, useTempDir } from '../support/temp-store';
import { PACKAGE_NAME, runNode } from './harness';
import { PRODUCTION_URL, serveWebhook } from './webhook-harness';

useNock();
const dir = useTempDir('a2p-n8n-hooks-');
const TOKEN = 'tw-auth-token-0123';
const TWILIO = { a2pTwilioApi: { accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: TOKEN } };
const ALICE = '+14155550100';
const SHOP = '+14155550199';

beforeEach(() => nock.enableNetConnect('127.0.0.1'));

function twilioSignature(url: string, params: Record<string, string>): string {
  const data = url + Object.keys(params).sort().map((k) => k + params[k]).join('');
  return createHmac('sha1', TOKEN).update(data).digest('base64');
}

function postTwilio(app: Parameters<typeof request>[0], params: Record<string, string>, signature = twilioSignature(PRODUCTION_URL, params)) {
  return request(app)
    .post('/webhook/x/webhook')
    .set('content-type', 'application/x-www-form-urlencoded')
    .set('x-twilio-signature', signature)
    .send(new URLSearchParams(params).toString());
}

describe('Inbound SMS Trigger', () => {
  it('starts the workflow with the message, records STOP, answers TwiML, and Send SMS then refuses that number', async () => {
    const store = dir.testFile();
    const hook = serveWebhook(new InboundSmsTrigger(), { provider: 'twilio', httpMethod: 'POST', options: { storePath: store, replyStop: 'Unsubscribed.' } }, TWILIO);
    const res = await postTwilio(hook.app, { MessageSid: 'SM1', From: ALICE, To: SHOP, Body: 'STOP' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('<Message>Unsubscribed.</Message>');
    expect(hook.started).toEqual([[expect.objectContaining({ messageId: 'SM1', from: ALICE, consentRecorded: 'opt-out', duplicate: false })]]);

    // The provider's retry: answered, not started again.
    expect((await postTwilio(hook.app, { MessageSid: 'SM1', From: ALICE, To: SHOP, Body: 'STOP' })).status).toBe(200);
    expect(hook.started).toHaveLength(1);
    expect(ledgerRowCount(store)).toBe(1);

    const sent = await runNode({
      nodeType: new SendSms(),
      parameters: { provider: 'sandbox', to: '={{ $json.to }}', text: 'Promo', options: { storePath: store } },
      items: [{ to: ALICE }],
      onError: 'continueRegularOutput',
    });
    expect(sent.outputs[0]?.[0]?.json).toMatchObject({ error: { code: 'OPTED_OUT' } });
  });

  it('answers 401 to a tampered request: nothing started, nothing stored', async () => {
    const store = dir.testFile();
    const hook = serveWebhook(new InboundSmsTrigger(), { provider: 'twilio', httpMethod: 'POST', options: { storePath: store } }, TWILIO);
    const params = { MessageSid: 'SM2', From: ALICE, To: SHOP, Body: 'STOP' };
    const res = await postTwilio(hook.app, { ...params, Body: 'START' }, twilioSignature(PRODUCTION_URL, params));
    expect(res.status).toBe(401);
    expect(res.text).not.toContain(TOKEN);
    expect(hook.started).toEqual([]);
    expect(ledgerRowCount(store)).toBe(0);
  });

  it('verifies over the Public URL option behind a proxy', async () => {
    const hook = serveWebhook(
      new InboundSmsTrigger(),
      { provider: 'twilio', httpMethod: 'POST', options: { storePath: dir.testFile(), publicUrl: 'https://sms.example.com/hooks/in' } },
      TWILIO,
    );
    const params = { MessageSid: 'SM3', From: ALICE, To: SHOP, Body: 'hello' };
    expect((await postTwilio(hook.app, params)).status).toBe(401);
    expect((await postTwilio(hook.app, params, twilioSignature('https://sms.example.com/hooks/in', params))).status).toBe(200);
  });

  it('answers 500 without credentials, 400 to a malformed body, 413 over 1 MB, and 503 when the store cannot open', async () => {
    const noCreds = serveWebhook(new InboundSmsTrigger(), { provider: 'twilio', options: { storePath: dir.testFile() } });
    expect((await postTwilio(noCreds.app, { MessageSid: 'SM4', From: ALICE, To: SHOP, Body: 'x' })).status).toBe(500);
    const sandbox = serveWebhook(new InboundSmsTrigger(), { provider: 'sandbox', options: { storePath: dir.testFile() } });
    const post = (body: string) => request(sandbox.app).post('/webhook/x/webhook').set('content-type', 'application/json').send(body);
    expect((await post('{"from":')).status).toBe(400);
    expect((await post(JSON.stringify({ pad: 'x'.repeat(1024 * 1024) }))).status).toBe(413);
    const broken = serveWebhook(new InboundSmsTrigger(), { provider: 'sandbox', options: { storePath: dir.path } });
    const res = await request(broken.app).post('/webhook/x/webhook').set('content-type', 'application/json').send({ from: ALICE, to: SHOP, text: 'hi' });
    expect(res.status).toBe(503);
    expect(broken.started).toEqual([]);
  });
});

describe('DLR Webhook', () => {
  const report = (id: string, status: string, final: boolean) => ({ provider: 'sandbox', messageId: id, status, final, providerStatus: status, to: ALICE, occurredAt: '2026-11-02T10:00:00.000Z' });

  it('starts the workflow once per report with the merged status; only final ones when asked', async () => {
    const store = dir.testFile();
    const hook = serveWebhook(new DlrWebhook(), { provider: 'sandbox', options: { storePath: store } });
    const post = (body: object) => request(hook.app).post('/webhook/x/webhook').set('content-type', 'application/json').send(body);
    expect((await post(report('m-1', 'sent', false))).status).toBe(200);
    expect((await post(report('m-1', 'delivered', true))).status).toBe(200);
    expect((await post(report('m-1', 'delivered', true))).status).toBe(200);
    expect(hook.started.map((items) => items.map((i) => [i.status, i.messageStatus]))).toEqual([[['sent', 'sent']], [['delivered', 'delivered']]]);

    const finalOnly = serveWebhook(new DlrWebhook(), { provider: 'sandbox', options: { storePath: store, onlyFinal: true } });
    await request(finalOnly.app).post('/webhook/x/webhook').set('content-type', 'application/json').send(report('m-2', 'sent', false));
    await request(finalOnly.app).post('/webhook/x/webhook').set('content-type', 'application/json').send(report('m-2', 'failed', true));
    expect(finalOnly.started).toEqual([[expect.objectContaining({ messageId: 'm-2', status: 'failed' })]]);
  });

  it('records the opt-out a Twilio 21610 report proves', async () => {
    const store = dir.testFile();
    const hook = serveWebhook(new DlrWebhook(), { provider: 'twilio', options: { storePath: store } }, TWILIO);
    const res = await postTwilio(hook.app, { MessageSid: 'SM9', MessageStatus: 'failed', ErrorCode: '21610', To: ALICE });
    expect(res.status).toBe(200);
    expect(hook.started[0]?.[0]).toMatchObject({ errorCode: '21610', optOutRecorded: true, status: 'failed' });
    expect(ledgerRowCount(store)).toBe(1);
  });
});

describe('the n8n example workflows', () => {
  const exampleNode = (file: string, type: string) => {
    const wf = JSON.parse(readFileSync(join(__dirname, '..', '..', 'examples', 'n8n', file), 'utf8')) as { nodes: { type: string; parameters: INodeParameters }[] };
    const node = wf.nodes.find((n) => n.type === `${PACKAGE_NAME}.${type}`);
    if (!node) throw new Error(`${file} has no ${type} node`);
    return node.parameters;
  };

  it('inbound-sms.json: its trigger, as shipped, records a STOP and starts the workflow', async () => {
    const params = exampleNode('inbound-sms.json', 'inboundSmsTrigger');
    const hook = serveWebhook(new InboundSmsTrigger(), { ...params, options: { ...(params.options as IDataObject), storePath: dir.testFile() } });
    const res = await request(hook.app).post('/webhook/x/webhook').set('content-type', 'application/json').send({ from: ALICE, to: SHOP, text: 'STOP' });
    expect(res.status).toBe(200);
    expect(hook.started[0]?.[0]).toMatchObject({ consentRecorded: 'opt-out', autoReply: 'You are unsubscribed. Reply START to subscribe again.' });
  });

  it('dlr-webhook.json: its webhook, as shipped, passes final reports only', async () => {
    const params = exampleNode('dlr-webhook.json', 'dlrWebhook');
    const hook = serveWebhook(new DlrWebhook(), { ...params, options: { ...(params.options as IDataObject), storePath: dir.testFile() } });
    const post = (status: string, final: boolean) =>
      request(hook.app).post('/webhook/x/webhook').set('content-type', 'application/json').send({ provider: 'sandbox', messageId: 'm-9', status, final, providerStatus: status, occurredAt: '2026-11-02T10:00:00Z' });
    await post('sent', false);
    await post('delivered', true);
    expect(hook.started).toEqual([[expect.objectContaining({ messageStatus: 'delivered' })]]);
  });
});
