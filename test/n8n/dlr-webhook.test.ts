/**
 * The DLR Webhook inside n8n-core's WebhookContext, driven over HTTP as n8n serves it
 * (test/n8n/webhook-harness.ts): reports verified per provider (official vectors where they fit),
 * merged into the message log Send SMS writes, emitted once, opt-outs from errors recorded.
 */
import type { ICredentialDataDecryptedObject, IDataObject, INodeParameters } from 'n8n-workflow';
import nock from 'nock';
import request from 'supertest';
import { openStore } from '../../core/store';
import { DlrWebhook } from '../../nodes/DlrWebhook/DlrWebhook.node';
import { SendSms } from '../../nodes/SendSms/SendSms.node';
import { useNock } from '../support/nock';
import { useTempDir } from '../support/temp-store';
import { storeRows } from '../webhook/store-state';
import { runNode } from './harness';
import { PRODUCTION_PATH, PRODUCTION_URL, ServedWebhookNode } from './webhook-harness';
import { nowS, telnyxHeaders, telnyxKeys, twilioSignature, vonageSig } from './webhook-signing';

useNock();
const dir = useTempDir('a2p-n8n-dlr-');
beforeEach(() => nock.enableNetConnect('127.0.0.1'));

const ALICE = '+14155550100';
const TOKEN = 'tw-auth-token-0123456789';
const TWILIO = { a2pTwilioApi: { accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: TOKEN } };
const FORM = 'application/x-www-form-urlencoded';

function dlr(parameters: INodeParameters, credentials: Record<string, ICredentialDataDecryptedObject> = {}, storePath = dir.testFile()) {
  const hook = new ServedWebhookNode(new DlrWebhook(), {
    parameters: { ...parameters, options: { storePath, ...((parameters.options as object | undefined) ?? {}) } },
    credentials,
  });
  return Object.assign(hook, { storePath });
}

function twilioStatus(hook: ServedWebhookNode, params: Record<string, string>, signature = twilioSignature(TOKEN, PRODUCTION_URL, params)) {
  return request(hook.app).post(PRODUCTION_PATH).set('content-type', FORM).set('x-twilio-signature', signature).send(new URLSearchParams(params).toString());
}

const sandboxReport = (messageId: string, status: string, final: boolean, over: IDataObject = {}) => ({
  provider: 'sandbox',
  messageId,
  status,
  final,
  providerStatus: status,
  to: ALICE,
  occurredAt: '2030-01-02T03:04:05.000Z',
  ...over,
});

describe('each provider\'s signed report is accepted', () => {
  it('sinch\'s official vector (its timestamp, 2025-01-13, taken as now)', async () => {
    const hook = dlr({ provider: 'sinch' }, { a2pSinchApi: { servicePlanId: 'plan', apiToken: 'tok', region: 'us', webhookSecret: 'SMSWebhooksSecret' } });
    const body =
      '{"at":"2025-01-13T09:22:40.914Z","batch_id":"01JHFFHQ0P99JPPNQPJDV7JTBP","client_reference":"a client reference","code":0,"operator_status_at":"2025-01-13T09:22:00Z","recipient":"33662162466","status":"Delivered","type":"recipient_delivery_report_sms"}';
    const post = () =>
      request(hook.app)
        .post(PRODUCTION_PATH)
        .set('content-type', 'application/json')
        .set('x-sinch-webhook-signature', 'ZoHei66PPN/kZjw7hFVfGhJOnml3iGNCMWoyQVcE5o0=')
        .set('x-sinch-webhook-signature-algorithm', 'HmacSHA256')
        .set('x-sinch-webhook-signature-nonce', '01JHFFHWYY7HSS4FWTMDTQEK8V')
        .set('x-sinch-webhook-signature-timestamp', '1736760161')
        .send(body);
    // Today the vector is stale: refused like any replay.
    expect((await post()).status).toBe(401);
    const clock = jest.spyOn(Date, 'now').mockReturnValue(1736760161_000 + 30_000);
    try {
      expect((await post()).status).toBe(200);
    } finally {
      clock.mockRestore();
    }
    expect(hook.started).toEqual([
      [expect.objectContaining({ provider: 'sinch', messageId: '01JHFFHQ0P99JPPNQPJDV7JTBP', status: 'delivered', final: true, to: '+33662162466', clientRef: 'a client reference', duplicate: false })],
    ]);
  });

  it('plivo\'s official V3 vector for a GET, behind the Public URL it was signed for', async () => {
    const hook = dlr({ provider: 'plivo', options: { publicUrl: 'https://example.com/sms/status' } }, { a2pPlivoApi: { authId: 'MAXXXXXXXXXXXXXXXXXX', authToken: 'MAXXXXXXXXXXXXXXXXXX-test-token' } });
    const get = (query: string) =>
      request(hook.app)
        .get(`${PRODUCTION_PATH}?${query}`)
        .set('x-plivo-signature-v3', 'B8DdcRmUp1T7Ow2NnGtTM9ZM/KcTbiD9QzJDB5CQRSk=')
        .set('x-plivo-signature-v3-nonce', '12345678901234567890');
    expect((await get('b=2&a=1&Status=undelivered&MessageUUID=u1')).status).toBe(401);
    expect((await get('b=2&a=1&Status=delivered&MessageUUID=u1')).status).toBe(200);
    expect(hook.started).toEqual([[expect.objectContaining({ provider: 'plivo', messageId: 'u1', status: 'delivered', messageStatus: 'delivered' })]]);
  });

  it('twilio status callback (form POST)', async () => {
    const hook = dlr({ provider: 'twilio' }, TWILIO);
    const res = await twilioStatus(hook, { MessageSid: 'SM0001', MessageStatus: 'delivered', To: ALICE });
    expect([res.status, res.text]).toEqual([200, '']);
    expect(hook.started[0]?.[0]).toMatchObject({ provider: 'twilio', messageId: 'SM0001', status: 'delivered', final: true });
  });

  it('vonage delivery receipt as a signed GET; err-code 9 records the opt-out it proves', async () => {
    const hook = dlr({ provider: 'vonage' }, { a2pVonageApi: { apiKey: 'k1', apiSecret: 's1', signatureSecret: 'vonage-sig-secret', signatureMethod: 'md5hash' } });
    const params = { messageId: '0A0000001234', msisdn: '14155550100', to: 'Shop', status: 'failed', 'err-code': '9', 'message-timestamp': '2030-01-02 03:04:05', timestamp: '1893553445' };
    const query = new URLSearchParams({ ...params, sig: vonageSig(params, 'vonage-sig-secret') }).toString();
    expect((await request(hook.app).get(`${PRODUCTION_PATH}?${query}`)).status).toBe(200);
    expect(hook.started[0]?.[0]).toMatchObject({ provider: 'vonage', messageId: '0A0000001234', status: 'undelivered', errorCode: '9', optOutRecorded: true });
    expect(storeRows(hook.storePath).consent_events).toBe(1);
  });

  it('telnyx message.finalized, one report per recipient', async () => {
    const keys = telnyxKeys();
    const hook = dlr({ provider: 'telnyx' }, { a2pTelnyxApi: { apiKey: 'k', publicKey: keys.publicKey } });
    const body = JSON.stringify({
      data: {
        event_type: 'message.finalized',
        id: 'evt-9',
        occurred_at: '2030-01-02T03:04:05.000+00:00',
        payload: { id: 'tx-out-9', to: [{ phone_number: ALICE, status: 'delivered' }], completed_at: '2030-01-02T03:04:05.000+00:00' },
      },
    });
    const res = await request(hook.app).post(PRODUCTION_PATH).set('content-type', 'application/json').set(telnyxHeaders(keys.privateKey, body, nowS())).send(body);
    expect(res.status).toBe(200);
    expect(hook.started[0]?.[0]).toMatchObject({ provider: 'telnyx', messageId: 'tx-out-9', status: 'delivered', to: ALICE });
  });

  it('infobip results[] with the shared token in the URL, operator and campaign reference kept', async () => {
    const hook = dlr({ provider: 'infobip' }, { a2pInfobipApi: { baseUrl: 'https://x.api.infobip.com', apiKey: 'k', webhookToken: 'ib-token-123' } });
    const body = {
      results: [
        {
          messageId: 'ib-1',
          to: '41793026727',
          doneAt: '2030-01-02T03:04:05.000+0000',
          mccMnc: '22801',
          callbackData: 'promo-nov-1',
          status: { groupId: 3, groupName: 'DELIVERED', id: 5, name: 'DELIVERED_TO_HANDSET' },
          error: { groupId: 0, groupName: 'OK', id: 0, name: 'NO_ERROR', permanent: false },
        },
      ],
    };
    expect((await request(hook.app).post(PRODUCTION_PATH).send(body)).status).toBe(401);
    expect((await request(hook.app).post(`${PRODUCTION_PATH}?token=ib-token-123`).send(body)).status).toBe(200);
    expect(hook.started).toEqual([[expect.objectContaining({ messageId: 'ib-1', status: 'delivered', mccmnc: '22801', clientRef: 'promo-nov-1' })]]);
  });
});

describe('reports into the message log', () => {
  it('a report for what Send SMS sent updates that message: the workflow gets the merged status', async () => {
    const storePath = dir.testFile();
    const sent = await runNode({ nodeType: new SendSms(), parameters: { provider: 'sandbox', to: ALICE, text: 'Your order shipped', options: { storePath } }, items: [{}] });
    const messageId = sent.outputs[0]?.[0]?.json.messageId as string;
    expect(messageId).toEqual(expect.any(String));

    const hook = dlr({ provider: 'sandbox' }, {}, storePath);
    const post = (body: object) => request(hook.app).post(PRODUCTION_PATH).send(body);
    expect((await post(sandboxReport(messageId, 'delivered', true))).status).toBe(200);
    // Reordered: an older "sent" after "delivered" is kept but moves nothing back.
    expect((await post(sandboxReport(messageId, 'sent', false))).status).toBe(200);
    expect(hook.started.map((items) => items.map((i) => [i.status, i.messageStatus]))).toEqual([[['delivered', 'delivered']], [['sent', 'delivered']]]);

    const store = await openStore({ kind: 'sqlite', path: storePath });
    try {
      expect(await store.getMessage(messageId)).toMatchObject({ status: 'delivered', final: true });
    } finally {
      await store.close();
    }
  });

  it('a report sent again is not emitted again; with De-Duplicate off it is, flagged', async () => {
    const hook = dlr({ provider: 'twilio' }, TWILIO);
    const report = { MessageSid: 'SM0002', MessageStatus: 'delivered', To: ALICE };
    expect((await twilioStatus(hook, report)).status).toBe(200);
    expect((await twilioStatus(hook, report)).status).toBe(200);
    expect(hook.started).toHaveLength(1);

    const flagged = dlr({ provider: 'twilio', options: { dedupe: false } }, TWILIO, hook.storePath);
    expect((await twilioStatus(flagged, report)).status).toBe(200);
    expect(flagged.started).toEqual([[expect.objectContaining({ messageId: 'SM0002', duplicate: true })]]);
  });

  it('Only Final Statuses: progress is merged but starts nothing', async () => {
    const hook = dlr({ provider: 'sandbox', options: { onlyFinal: true } });
    const post = (body: object) => request(hook.app).post(PRODUCTION_PATH).send(body);
    await post(sandboxReport('m-1', 'queued', false));
    await post(sandboxReport('m-1', 'sent', false));
    await post(sandboxReport('m-1', 'failed', true, { errorCode: '30003' }));
    expect(hook.started).toEqual([[expect.objectContaining({ messageId: 'm-1', status: 'failed', messageStatus: 'failed' })]]);
    expect(storeRows(hook.storePath).delivery_reports).toBe(3);
  });

  it('Twilio 21610 records the opt-out; with Record Opt-Outs From Errors off it does not', async () => {
    const on = dlr({ provider: 'twilio' }, TWILIO);
    await twilioStatus(on, { MessageSid: 'SM0009', MessageStatus: 'undelivered', ErrorCode: '21610', To: ALICE });
    expect(on.started[0]?.[0]).toMatchObject({ errorCode: '21610', optOutRecorded: true });
    expect(storeRows(on.storePath).consent_events).toBe(1);

    const off = dlr({ provider: 'twilio', options: { recordOptOuts: false } }, TWILIO);
    await twilioStatus(off, { MessageSid: 'SM0010', MessageStatus: 'undelivered', ErrorCode: '21610', To: ALICE });
    expect(off.started[0]?.[0]).not.toHaveProperty('optOutRecorded');
    expect(storeRows(off.storePath).consent_events).toBe(0);
  });
});

describe('refused reports', () => {
  it('a tampered or unsigned report: 401, nothing emitted, nothing stored', async () => {
    const hook = dlr({ provider: 'twilio' }, TWILIO);
    const report = { MessageSid: 'SM0003', MessageStatus: 'failed', ErrorCode: '21610', To: ALICE };
    const tampered = await twilioStatus(hook, { ...report, MessageStatus: 'delivered' }, twilioSignature(TOKEN, PRODUCTION_URL, report));
    const unsigned = await request(hook.app).post(PRODUCTION_PATH).set('content-type', FORM).send(new URLSearchParams(report).toString());
    expect([tampered.status, unsigned.status]).toEqual([401, 401]);
    expect(hook.started).toEqual([]);
    expect(storeRows(hook.storePath)).toMatchObject({ consent_events: 0, messages: 0, delivery_reports: 0 });
  });

  it('503 when the store cannot be opened; 400 for a body that is no report', async () => {
    const broken = dlr({ provider: 'sandbox' }, {}, dir.path);
    expect((await request(broken.app).post(PRODUCTION_PATH).send(sandboxReport('m-2', 'delivered', true))).status).toBe(503);
    const hook = dlr({ provider: 'sandbox' });
    expect((await request(hook.app).post(PRODUCTION_PATH).send({ status: 'delivered' })).status).toBe(400);
    expect([...broken.started, ...hook.started]).toEqual([]);
  });

  it('afilnet: refused at activation and answered 500 (its delivery status is polled)', async () => {
    const hook = dlr({ provider: 'afilnet' }, { a2pAfilnetApi: { user: 'u', password: 'p' } });
    await expect(hook.activate()).rejects.toThrow('afilnet has no webhooks (delivery status is polled)');
    expect((await request(hook.app).post(PRODUCTION_PATH).send({})).status).toBe(500);
  });

  it('the lifecycle registers nothing for a DLR Webhook: the URL goes into Send SMS or the credential', async () => {
    const hook = dlr({ provider: 'twilio', registerWebhook: true, registrationTarget: ALICE }, TWILIO);
    await hook.activate();
    await hook.deactivate();
    expect(hook.hookCalls.every((c) => c.answer)).toBe(true);
  });
});
