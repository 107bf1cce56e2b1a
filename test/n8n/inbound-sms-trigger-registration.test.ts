/**
 * The Inbound SMS Trigger's webhook lifecycle as n8n runs it on activation and deactivation
 * (checkExists, create, delete through n8n-core's HookContext, once per registered method), with
 * the provider's API mocked by nock: "Register Webhook Automatically" points the number at the
 * node and clears it again, never touching a URL someone else set.
 */
import type { ICredentialDataDecryptedObject, INodeParameters } from 'n8n-workflow';
import nock from 'nock';
import request from 'supertest';
import { InboundSmsTrigger } from '../../nodes/InboundSmsTrigger/InboundSmsTrigger.node';
import { useNock } from '../support/nock';
import { useTempDir } from '../support/temp-store';
import { logs } from './harness';
import { PRODUCTION_PATH, PRODUCTION_URL, ServedWebhookNode } from './webhook-harness';
import { twilioSignature } from './webhook-signing';

useNock();
const dir = useTempDir('a2p-n8n-register-');

const SID = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'tw-auth-token-0123456789';
const TWILIO = { a2pTwilioApi: { accountSid: SID, authToken: TOKEN } };
const SHOP = '+14155550199';
const THEIRS = 'https://crm.example.com/sms/in';
const API = 'https://api.twilio.com';
const LIST = `/2010-04-01/Accounts/${SID}/IncomingPhoneNumbers.json`;
const NUMBER_SID = 'PN0123456789abcdef0123456789abcdef';
const UPDATE = `/2010-04-01/Accounts/${SID}/IncomingPhoneNumbers/${NUMBER_SID}.json`;

function trigger(parameters: INodeParameters, credentials: Record<string, ICredentialDataDecryptedObject> = TWILIO): ServedWebhookNode {
  return new ServedWebhookNode(new InboundSmsTrigger(), { parameters: { ...parameters, options: { storePath: dir.testFile(), ...((parameters.options as object) ?? {}) } }, credentials });
}

const registering = (over: INodeParameters = {}) => trigger({ provider: 'twilio', registerWebhook: true, registrationTarget: SHOP, ...over });

/** The number's webhook as the listing shows it, once. */
const numberPointsTo = (smsUrl: string) =>
  nock(API)
    .get(LIST)
    .query({ PhoneNumber: SHOP })
    .reply(200, { incoming_phone_numbers: [{ sid: NUMBER_SID, phone_number: SHOP, sms_url: smsUrl, sms_method: 'POST' }] });

describe('Register Webhook Automatically (Twilio)', () => {
  it('activation points the number at the Production URL; deactivation clears it; the GET registration finds it done', async () => {
    const hook = registering();
    numberPointsTo(THEIRS);
    numberPointsTo(THEIRS);
    const set = nock(API).post(UPDATE, { SmsUrl: PRODUCTION_URL, SmsMethod: 'POST' }).reply(200, {});
    numberPointsTo(PRODUCTION_URL);
    await hook.activate();
    expect(set.isDone()).toBe(true);
    expect(hook.hookCalls).toEqual([
      { method: 'checkExists', httpMethod: 'POST', answer: false },
      { method: 'create', httpMethod: 'POST', answer: true },
      { method: 'checkExists', httpMethod: 'GET', answer: true },
    ]);
    expect(logs.some((l) => l.level === 'info' && l.message.includes(`now points to ${PRODUCTION_URL}`))).toBe(true);

    // Registered, the node takes the number's messages.
    nock.enableNetConnect('127.0.0.1');
    const params = { MessageSid: 'SM0001', From: '+14155550100', To: SHOP, Body: 'Hi' };
    const res = await request(hook.app)
      .post(PRODUCTION_PATH)
      .set('content-type', 'application/x-www-form-urlencoded')
      .set('x-twilio-signature', twilioSignature(TOKEN, PRODUCTION_URL, params))
      .send(new URLSearchParams(params).toString());
    expect(res.status).toBe(200);

    numberPointsTo(PRODUCTION_URL);
    const cleared = nock(API).post(UPDATE, { SmsUrl: '' }).reply(200, {});
    numberPointsTo('');
    await hook.deactivate();
    expect(cleared.isDone()).toBe(true);
    expect(hook.hookCalls.slice(3)).toEqual([
      { method: 'delete', httpMethod: 'POST', answer: true },
      { method: 'delete', httpMethod: 'GET', answer: true },
    ]);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('registers the Public URL when one is set (a proxy in front of n8n)', async () => {
    const publicUrl = 'https://sms.example.com/hooks/inbound';
    const hook = registering({ options: { publicUrl } });
    numberPointsTo(THEIRS);
    numberPointsTo(THEIRS);
    const set = nock(API).post(UPDATE, { SmsUrl: publicUrl, SmsMethod: 'POST' }).reply(200, {});
    numberPointsTo(publicUrl);
    await hook.activate();
    expect(set.isDone()).toBe(true);
  });

  it('deactivation leaves a URL someone else set since alone', async () => {
    const hook = registering();
    numberPointsTo(THEIRS);
    numberPointsTo(THEIRS);
    await hook.deactivate();
    expect(hook.hookCalls.map((c) => c.answer)).toEqual([true, true]);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('wrong credentials fail the activation with AUTH_FAILED, never showing the token', async () => {
    const hook = registering();
    nock(API).get(LIST).query(true).reply(401, { code: 20003, message: 'Authenticate' });
    const err = await hook.activate().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(/^AUTH_FAILED: twilio: HTTP 401/);
    expect(JSON.stringify(err) + String(err?.message)).not.toContain(TOKEN);
  });

  it('a number the account does not have fails the activation naming it', async () => {
    const hook = registering();
    nock(API).get(LIST).query(true).reply(200, { incoming_phone_numbers: [] });
    await expect(hook.activate()).rejects.toThrow(`INVALID_INPUT: twilio: the account has no phone number ${SHOP}`);
  });

  it('no number set: the activation says what to fill in', async () => {
    await expect(registering({ registrationTarget: '' }).activate()).rejects.toThrow(/Set the Phone Number whose webhook to register/);
  });

  it('a provider that cannot be reached on deactivation: logged, the workflow still stops', async () => {
    const hook = registering();
    nock(API).get(LIST).query(true).times(2).reply(503, { code: 20503, message: 'Service Unavailable' });
    logs.length = 0;
    await expect(hook.deactivate()).resolves.toBeUndefined();
    expect(hook.hookCalls.map((c) => [c.method, c.answer])).toEqual([
      ['delete', false],
      ['delete', false],
    ]);
    expect(logs.filter((l) => l.level === 'warn' && l.message.includes('not unregistered at the provider (PROVIDER_ERROR)'))).toHaveLength(2);
  });
});

describe('when nothing is registered', () => {
  it('off (the default): activation and deactivation call no provider API', async () => {
    // nock refuses every host: a call would fail the lifecycle.
    const hook = trigger({ provider: 'twilio', registrationTarget: SHOP });
    await hook.activate();
    await hook.deactivate();
    expect(hook.hookCalls.map((c) => c.answer)).toEqual([true, true, true, true]);
  });

  it('listening for a test event never changes the provider\'s settings', async () => {
    logs.length = 0;
    const hook = registering();
    await hook.activate({ test: true });
    await hook.deactivate({ test: true });
    expect(hook.hookCalls.map((c) => c.answer)).toEqual([true, true, true, true]);
    expect(logs.some((l) => l.message.includes('listening for a test event registers nothing'))).toBe(true);
  });

  it.each([
    ['infobip', { a2pInfobipApi: { baseUrl: 'https://x.api.infobip.com', apiKey: 'k', webhookToken: 't' } }],
    ['sinch', { a2pSinchApi: { servicePlanId: 'p', apiToken: 't', region: 'us', webhookSecret: 's' } }],
    ['sandbox', {}],
  ])('%s has no registration API: the URL is pasted, nothing is called', async (provider, credentials) => {
    const hook = trigger({ provider, registerWebhook: true, registrationTarget: 'x' }, credentials as Record<string, ICredentialDataDecryptedObject>);
    await hook.activate();
    await hook.deactivate();
    expect(hook.hookCalls.every((c) => c.answer)).toBe(true);
  });

  it('afilnet is refused at activation: it has no webhooks', async () => {
    const hook = trigger({ provider: 'afilnet' }, { a2pAfilnetApi: { user: 'u', password: 'p' } });
    await expect(hook.activate()).rejects.toThrow('afilnet has no webhooks (delivery status is polled)');
  });
});

describe('Register Webhook Automatically (Vonage, account-wide)', () => {
  it('sets the account\'s inbound URL without a target', async () => {
    const hook = trigger({ provider: 'vonage', registerWebhook: true }, { a2pVonageApi: { apiKey: 'k1', apiSecret: 'vonage-secret-1' } });
    const settings = (mo: string) => ({ 'mo-callback-url': mo, 'dr-callback-url': '' });
    nock('https://rest.nexmo.com').post('/account/settings', '').times(2).reply(200, settings(''));
    const set = nock('https://rest.nexmo.com').post('/account/settings', { moCallBackUrl: PRODUCTION_URL }).reply(200, settings(PRODUCTION_URL));
    nock('https://rest.nexmo.com').post('/account/settings', '').reply(200, settings(PRODUCTION_URL));
    await hook.activate();
    expect(set.isDone()).toBe(true);
    expect(hook.hookCalls.map((c) => [c.method, c.httpMethod, c.answer])).toEqual([
      ['checkExists', 'POST', false],
      ['create', 'POST', true],
      ['checkExists', 'GET', true],
    ]);
  });
});
