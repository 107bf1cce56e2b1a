/**
 * The seven provider credentials: their fields are the core's (DESIGN.md §3), secrets are
 * password fields, and "Test credential" calls a cheap authenticated endpoint of the provider
 * with the right authentication — run the way n8n runs it, against nock.
 */
import { existsSync } from 'node:fs';

import nock from 'nock';
import { useNock } from '../support/nock';
import type { ICredentialDataDecryptedObject, ICredentialType } from 'n8n-workflow';
import { A2pAfilnetApi } from '../../credentials/A2pAfilnetApi.credentials';
import { A2pInfobipApi } from '../../credentials/A2pInfobipApi.credentials';
import { A2pPlivoApi } from '../../credentials/A2pPlivoApi.credentials';
import { A2pSinchApi } from '../../credentials/A2pSinchApi.credentials';
import { A2pTelnyxApi } from '../../credentials/A2pTelnyxApi.credentials';
import { A2pTwilioApi } from '../../credentials/A2pTwilioApi.credentials';
import { A2pVonageApi } from '../../credentials/A2pVonageApi.credentials';
import { DELIVERY_REPORT_URL_FIELD } from '../../credentials/shared/provider-properties';
import { getProvider } from '../../core/providers/registry';
import type { ProviderId } from '../../core/types';
import { SendSms } from '../../nodes/SendSms/SendSms.node';
import { CREDENTIAL_TYPES } from '../../nodes/shared/provider-credentials';
import { testCredential } from './credential-tester';
import type { Intercepted } from './fixtures';
import { builtAssetSource } from './icons';

useNock();

const CREDENTIALS: Record<Exclude<ProviderId, 'sandbox'>, ICredentialType> = {
  twilio: new A2pTwilioApi(),
  vonage: new A2pVonageApi(),
  infobip: new A2pInfobipApi(),
  plivo: new A2pPlivoApi(),
  sinch: new A2pSinchApi(),
  telnyx: new A2pTelnyxApi(),
  afilnet: new A2pAfilnetApi(),
};

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe.each(Object.entries(CREDENTIALS))('%s credential', (provider, credential) => {
  const fields = getProvider(provider).credentialFields;

  it('is the credential type the node selects for this provider, for sending (reads of the message log need none)', () => {
    expect(credential.name).toBe(CREDENTIAL_TYPES[provider as keyof typeof CREDENTIAL_TYPES]);
    expect(new SendSms().description.credentials).toContainEqual({
      name: credential.name,
      required: true,
      displayOptions: { show: { operation: ['send'], provider: [provider] } },
    });
  });

  it('has exactly the core’s fields, secrets as password fields, baseUrl with the default as placeholder', () => {
    // Plus, last, the n8n-only Delivery Report URL (below): not a field of the core's.
    const own = credential.properties.filter((p) => p.name !== DELIVERY_REPORT_URL_FIELD);
    expect(own.map((p) => p.name)).toEqual(fields.map((f) => f.name));
    expect(fields.map((f) => f.name)).not.toContain(DELIVERY_REPORT_URL_FIELD);
    for (const field of fields) {
      const property = credential.properties.find((p) => p.name === field.name)!;
      expect(property.required).toBe(field.required);
      expect(property.typeOptions?.password === true).toBe(field.secret);
    }
    const baseUrl = credential.properties.find((p) => p.name === 'baseUrl');
    expect(baseUrl?.placeholder).toBe(getProvider(provider).defaultBaseUrl);
  });

  it(provider === 'afilnet' ? 'has no Delivery Report URL: Afilnet posts no reports' : 'ends with the optional Delivery Report URL, not a secret', () => {
    const field = credential.properties.find((p) => p.name === DELIVERY_REPORT_URL_FIELD);
    if (provider === 'afilnet') {
      expect(field).toBeUndefined();
      return;
    }
    expect(credential.properties.at(-1)).toBe(field);
    expect(field).toMatchObject({ displayName: 'Delivery Report URL', type: 'string', default: '' });
    expect(field?.required).toBeFalsy();
    expect(field?.typeOptions?.password).toBeUndefined();
  });

  it('has documentation, an icon that exists once built, and a test request', () => {
    expect(credential.documentationUrl).toMatch(/^https:\/\//);
    const icon = String(credential.icon);
    expect(icon).toMatch(/^file:/);
    expect(existsSync(builtAssetSource('dist/credentials', icon))).toBe(true);
    expect(credential.test?.request.url).toBeTruthy();
  });
});

describe('"Test credential" calls an authenticated, sending-free endpoint', () => {
  const cases: Array<{
    provider: keyof typeof CREDENTIALS;
    data: ICredentialDataDecryptedObject;
    host: string;
    method: 'get' | 'post';
    path: string;
    query?: Record<string, string>;
    auth: (headers: Record<string, string | string[] | undefined>, body: string) => boolean;
    ok: object;
  }> = [
    {
      provider: 'twilio',
      data: { accountSid: 'AC123', authToken: 'tw-token' },
      host: 'https://api.twilio.com',
      method: 'get',
      path: '/2010-04-01/Accounts/AC123.json',
      auth: (h) => h.authorization === basic('AC123', 'tw-token'),
      ok: { sid: 'AC123', status: 'active' },
    },
    {
      provider: 'vonage',
      data: { apiKey: 'vk', apiSecret: 'vs' },
      host: 'https://rest.nexmo.com',
      method: 'get',
      path: '/account/get-balance',
      auth: (h) => h.authorization === basic('vk', 'vs'),
      ok: { value: 10.5, autoReload: false },
    },
    {
      provider: 'infobip',
      data: { baseUrl: 'https://abc12.api.infobip.com', apiKey: 'ib-key' },
      host: 'https://abc12.api.infobip.com',
      method: 'get',
      path: '/account/1/balance',
      auth: (h) => h.authorization === 'App ib-key',
      ok: { balance: 47.79, currency: 'EUR' },
    },
    {
      provider: 'plivo',
      data: { authId: 'MA123', authToken: 'pl-token' },
      host: 'https://api.plivo.com',
      method: 'get',
      path: '/v1/Account/MA123/',
      auth: (h) => h.authorization === basic('MA123', 'pl-token'),
      ok: { account_type: 'standard', cash_credits: '12.3' },
    },
    {
      provider: 'sinch',
      data: { servicePlanId: 'plan1', apiToken: 'sn-token', region: 'eu' },
      host: 'https://eu.sms.api.sinch.com',
      method: 'get',
      path: '/xms/v1/plan1/batches',
      query: { page_size: '1' },
      auth: (h) => h.authorization === 'Bearer sn-token',
      ok: { batches: [], count: 0, page: 0, page_size: 1 },
    },
    {
      provider: 'telnyx',
      data: { apiKey: 'KEY0123' },
      host: 'https://api.telnyx.com',
      method: 'get',
      path: '/v2/balance',
      auth: (h) => h.authorization === 'Bearer KEY0123',
      ok: { data: { balance: '300.00', currency: 'USD' } },
    },
    {
      provider: 'afilnet',
      data: { user: 'me@example.com', password: 'af-pass' },
      host: 'https://www.afilnet.com',
      method: 'post',
      path: '/api/http/',
      auth: (_h, body) => {
        const form = new URLSearchParams(body);
        return form.get('user') === 'me@example.com' && form.get('password') === 'af-pass' && form.get('class') === 'user' && form.get('method') === 'getbalance';
      },
      ok: { status: 'SUCCESS', result: { credits: 100 } },
    },
  ];

  it.each(cases)('$provider: accepted credentials → OK', async ({ provider, data, host, method, path, query, auth, ok }) => {
    let authenticated = false;
    const interceptor = nock(host)[method](path);
    const scope = (query ? interceptor.query(query) : interceptor).reply(function (this: Intercepted, _uri: string, body: unknown) {
      authenticated = auth(this.req.headers, typeof body === 'string' ? body : JSON.stringify(body));
      return authenticated ? [200, ok] : [401, { error: 'unauthenticated' }];
    });
    await expect(testCredential(CREDENTIALS[provider], data)).resolves.toEqual({ status: 'OK', message: 'Connection successful!' });
    expect(scope.isDone()).toBe(true);
    expect(authenticated).toBe(true);
  });

  it.each(cases.filter((c) => c.provider !== 'afilnet'))('$provider: refused credentials → Error', async ({ provider, data, host, method, path, query }) => {
    const interceptor = nock(host)[method](path);
    (query ? interceptor.query(query) : interceptor).reply(401, { message: 'Authentication failed' });
    await expect(testCredential(CREDENTIALS[provider], data)).resolves.toMatchObject({ status: 'Error' });
  });

  it('afilnet: a refused password answers 200 with status ERROR → Error', async () => {
    nock('https://www.afilnet.com').post('/api/http/').reply(200, { status: 'ERROR', error: 'INCORRECT_USER_PASSWORD' });
    await expect(testCredential(CREDENTIALS.afilnet, { user: 'me@example.com', password: 'wrong' })).resolves.toEqual({
      status: 'Error',
      message: 'Afilnet refused the user or password',
    });
  });

  it('a base URL in the credential replaces the public API', async () => {
    const scope = nock('https://proxy.example.com').get('/v2/balance').reply(200, { data: {} });
    await expect(testCredential(CREDENTIALS.telnyx, { apiKey: 'k', baseUrl: 'https://proxy.example.com' })).resolves.toMatchObject({ status: 'OK' });
    expect(scope.isDone()).toBe(true);
  });
});
