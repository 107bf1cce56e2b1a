import nock from 'nock';
import { useNock } from '../../test/support/nock';
import { rejected } from '../../test/support/sms-error';
import { defaultHttp } from '../http-client';
import type { ProviderContext, ProviderId } from '../types';
import { inboundRegistration, type InboundRegistration } from './registration';

useNock();

const OURS = 'https://n8n.example.com/webhook/3f0c/webhook';
const THEIRS = 'https://crm.example.com/sms/in';

const ctx = (credentials: Record<string, string | undefined>): ProviderContext => ({ credentials, http: defaultHttp });

function registrationOf(provider: ProviderId): InboundRegistration {
  const r = inboundRegistration(provider);
  if (r === undefined) throw new Error(`${provider} has no registration`);
  return r;
}

describe('inboundRegistration', () => {
  it.each(['infobip', 'sinch', 'sandbox', 'afilnet'] as const)('has none for %s: its node shows the URL to paste', (provider) => {
    expect(inboundRegistration(provider)).toBeUndefined();
  });

  it('has none for ids that are not providers, prototype keys included', () => {
    for (const id of ['__proto__', 'constructor', 'toString', '', 'TWILIO']) expect(inboundRegistration(id as ProviderId)).toBeUndefined();
  });

  it('names the target each provider needs; Vonage is account-wide', () => {
    expect((['twilio', 'telnyx', 'plivo', 'vonage'] as const).map((p) => [p, registrationOf(p).targetName, registrationOf(p).targetRequired])).toEqual([
      ['twilio', 'Phone Number', true],
      ['telnyx', 'Messaging Profile ID', true],
      ['plivo', 'Application ID', true],
      ['vonage', '', false],
    ]);
    for (const p of ['twilio', 'telnyx', 'plivo', 'vonage'] as const) expect(registrationOf(p).targetDescription.length).toBeGreaterThan(40);
  });
});

describe('twilio: the number\'s SmsUrl', () => {
  const SID = 'AC0123456789abcdef0123456789abcdef';
  const TOKEN = 'twilio-auth-token-secret';
  const NUMBER = '+14155550199';
  const API = 'https://api.twilio.com';
  const LIST = `/2010-04-01/Accounts/${SID}/IncomingPhoneNumbers.json`;
  const UPDATE = `/2010-04-01/Accounts/${SID}/IncomingPhoneNumbers/PN0123456789abcdef0123456789abcdef.json`;
  const twilio = registrationOf('twilio');
  const c = ctx({ accountSid: SID, authToken: TOKEN });
  const auth = { authorization: `Basic ${Buffer.from(`${SID}:${TOKEN}`).toString('base64')}` };
  const number = (over: Record<string, unknown> = {}) => ({
    sid: 'PN0123456789abcdef0123456789abcdef',
    phone_number: NUMBER,
    sms_url: THEIRS,
    sms_method: 'POST',
    ...over,
  });
  const listing = (...numbers: object[]) =>
    nock(API, { reqheaders: auth }).get(LIST).query({ PhoneNumber: NUMBER }).reply(200, { incoming_phone_numbers: numbers });

  it('checks: true only for our URL with method POST', async () => {
    listing(number({ sms_url: OURS }));
    expect(await twilio.check(c, NUMBER, OURS)).toBe(true);
    listing(number());
    expect(await twilio.check(c, NUMBER, OURS)).toBe(false);
    listing(number({ sms_url: OURS, sms_method: 'GET' }));
    expect(await twilio.check(c, NUMBER, OURS)).toBe(false);
    listing(number({ sms_url: null }));
    expect(await twilio.check(c, NUMBER, OURS)).toBe(false);
  });

  it('reads the number written with spaces as E.164', async () => {
    listing(number({ sms_url: OURS }));
    expect(await twilio.check(c, '+1 415 555 0199', OURS)).toBe(true);
  });

  it('registers: SmsUrl and SmsMethod POST on that number, with the account credentials', async () => {
    listing(number());
    const update = nock(API, { reqheaders: auth }).post(UPDATE, { SmsUrl: OURS, SmsMethod: 'POST' }).reply(200, number({ sms_url: OURS }));
    await twilio.register(c, NUMBER, OURS);
    expect(update.isDone()).toBe(true);
  });

  it('registers nothing when the number already points here', async () => {
    // No update interceptor: a write would fail the test with NETWORK_ERROR.
    listing(number({ sms_url: OURS }));
    await expect(twilio.register(c, NUMBER, OURS)).resolves.toBeUndefined();
  });

  it('picks the exact number out of a listing that matched part of others', async () => {
    listing(number({ sid: 'PN1111', phone_number: '+141555501990' }), number());
    const update = nock(API).post(UPDATE).reply(200, {});
    await twilio.register(c, NUMBER, OURS);
    expect(update.isDone()).toBe(true);
  });

  it('unregisters: clears SmsUrl when it is still ours', async () => {
    listing(number({ sms_url: OURS }));
    const update = nock(API, { reqheaders: auth }).post(UPDATE, { SmsUrl: '' }).reply(200, number({ sms_url: '' }));
    await twilio.unregister(c, NUMBER, OURS);
    expect(update.isDone()).toBe(true);
  });

  it('unregister leaves a URL someone else set alone', async () => {
    listing(number());
    await expect(twilio.unregister(c, NUMBER, OURS)).resolves.toBeUndefined();
  });

  it('wrong credentials: AUTH_FAILED, the token in no message', async () => {
    nock(API).get(LIST).query(true).reply(401, { code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003' });
    const err = await rejected(twilio.check(c, NUMBER, OURS), [TOKEN]);
    expect([err.code, err.httpStatus, err.providerCode]).toEqual(['AUTH_FAILED', 401, '20003']);
  });

  it('a number the account does not have: INVALID_INPUT naming it', async () => {
    listing();
    const err = await rejected(twilio.register(c, NUMBER, OURS));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toContain(NUMBER);
  });

  it('an account that does not exist (404): INVALID_INPUT', async () => {
    nock(API).get(LIST).query(true).reply(404, { code: 20404, message: 'The requested resource was not found' });
    expect((await rejected(twilio.check(c, NUMBER, OURS))).code).toBe('INVALID_INPUT');
  });

  it('throttled and broken answers keep their meaning', async () => {
    nock(API).get(LIST).query(true).reply(429, { code: 20429, message: 'Too Many Requests' }, { 'retry-after': '2' });
    const throttled = await rejected(twilio.check(c, NUMBER, OURS));
    expect([throttled.code, throttled.retryAfterMs]).toEqual(['RATE_LIMITED', 2000]);
    nock(API).get(LIST).query(true).reply(200, '<html>');
    expect((await rejected(twilio.check(c, NUMBER, OURS))).code).toBe('PROVIDER_ERROR');
    nock(API).get(LIST).query(true).reply(200, { incoming_phone_numbers: 'none' });
    expect((await rejected(twilio.check(c, NUMBER, OURS))).code).toBe('PROVIDER_ERROR');
    listing(number({ sms_url: 42 }));
    expect((await rejected(twilio.check(c, NUMBER, OURS))).code).toBe('PROVIDER_ERROR');
    nock.enableNetConnect('127.0.0.1:1');
    const refused = await rejected(twilio.check(ctx({ accountSid: SID, authToken: TOKEN, baseUrl: 'http://127.0.0.1:1' }), NUMBER, OURS), [TOKEN]);
    expect([refused.code, refused.retryable]).toEqual(['NETWORK_ERROR', true]);
  });

  it('refuses bad targets, URLs and credentials before any request', async () => {
    const codes = await Promise.all([
      rejected(twilio.check(c, 'not a number', OURS)),
      rejected(twilio.check(c, '', OURS)),
      rejected(twilio.check(c, undefined as unknown as string, OURS)),
      rejected(twilio.register(c, NUMBER, `${OURS}?x=1`)),
      rejected(twilio.register(c, NUMBER, 'ftp://example.com/x')),
      rejected(twilio.register(c, NUMBER, 'https://user:pw@example.com/x')),
      rejected(twilio.register(c, NUMBER, 'x'.repeat(100_000))),
      rejected(twilio.register(ctx({ accountSid: '../AC', authToken: TOKEN }), NUMBER, OURS)),
      rejected(twilio.register(ctx({ accountSid: SID }), NUMBER, OURS)),
    ]).then((errs) => errs.map((e) => e.code));
    expect(codes).toEqual([
      'INVALID_INPUT',
      'INVALID_INPUT',
      'INVALID_INPUT',
      'INVALID_INPUT',
      'INVALID_INPUT',
      'INVALID_INPUT',
      'INVALID_INPUT',
      'INVALID_INPUT',
      'MISSING_CREDENTIALS',
    ]);
  });

  it('says what a URL it cannot register lacks', async () => {
    const err = await rejected(twilio.register(c, NUMBER, `${OURS}?token=x`));
    expect(err.message).toBe('twilio: the webhook URL to register must be an absolute http(s) URL without query, fragment, user or password');
  });

  it('uses the credential baseUrl (proxies, mock servers)', async () => {
    nock('http://twilio-mock.local').get(LIST).query(true).reply(200, { incoming_phone_numbers: [number({ sms_url: OURS })] });
    expect(await twilio.check(ctx({ accountSid: SID, authToken: TOKEN, baseUrl: 'http://twilio-mock.local/' }), NUMBER, OURS)).toBe(true);
  });
});

describe('telnyx: the messaging profile\'s webhook_url', () => {
  const KEY = 'KEY0123_telnyx_secret_key';
  const ID = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
  const API = 'https://api.telnyx.com';
  const PATH = `/v2/messaging_profiles/${ID}`;
  const telnyx = registrationOf('telnyx');
  const c = ctx({ apiKey: KEY });
  const auth = { authorization: `Bearer ${KEY}` };
  const profile = (webhook_url: unknown) => ({ data: { record_type: 'messaging_profile', id: ID, webhook_url, webhook_api_version: '2' } });

  it('checks the profile\'s URL', async () => {
    nock(API, { reqheaders: auth }).get(PATH).reply(200, profile(OURS));
    expect(await telnyx.check(c, ID, OURS)).toBe(true);
    nock(API).get(PATH).reply(200, profile(THEIRS));
    expect(await telnyx.check(c, ID, OURS)).toBe(false);
    nock(API).get(PATH).reply(200, profile(null));
    expect(await telnyx.check(c, ID, OURS)).toBe(false);
  });

  it('registers with a PATCH of webhook_url, unregisters with null', async () => {
    nock(API).get(PATH).reply(200, profile(THEIRS));
    const set = nock(API, { reqheaders: auth }).patch(PATH, { webhook_url: OURS }).reply(200, profile(OURS));
    await telnyx.register(c, ID, OURS);
    expect(set.isDone()).toBe(true);

    nock(API).get(PATH).reply(200, profile(OURS));
    const cleared = nock(API, { reqheaders: auth }).patch(PATH, { webhook_url: null }).reply(200, profile(null));
    await telnyx.unregister(c, ID, OURS);
    expect(cleared.isDone()).toBe(true);
  });

  it('unregister leaves someone else\'s URL alone', async () => {
    nock(API).get(PATH).reply(200, profile(THEIRS));
    await expect(telnyx.unregister(c, ID, OURS)).resolves.toBeUndefined();
  });

  it('wrong key: AUTH_FAILED; unknown profile: INVALID_INPUT; the key in no message', async () => {
    nock(API).get(PATH).reply(401, { errors: [{ code: '10009', title: 'Authentication failed', detail: 'The API key is invalid' }] });
    const auth401 = await rejected(telnyx.check(c, ID, OURS), [KEY]);
    expect([auth401.code, auth401.providerCode]).toEqual(['AUTH_FAILED', '10009']);
    nock(API).get(PATH).reply(404, { errors: [{ code: '10005', title: 'Resource not found' }] });
    const missing = await rejected(telnyx.register(c, ID, OURS), [KEY]);
    expect(missing.code).toBe('INVALID_INPUT');
    expect(missing.message).toContain(ID);
  });

  it('refuses a profile id that would change the request path', async () => {
    for (const id of ['../messages', 'a/b', '', ' ', 'x'.repeat(101), '%2e%2e']) {
      expect([id, (await rejected(telnyx.check(c, id, OURS))).code]).toEqual([id, 'INVALID_INPUT']);
    }
  });

  it('a profile answer without data is a PROVIDER_ERROR', async () => {
    nock(API).get(PATH).reply(200, { errors: [] });
    expect((await rejected(telnyx.check(c, ID, OURS))).code).toBe('PROVIDER_ERROR');
  });
});

describe('plivo: the application\'s message_url', () => {
  const AUTH_ID = 'MAXXXXXXXXXXXXXXXXXX';
  const TOKEN = 'plivo-auth-token-secret';
  const APP = '20372631212782780';
  const API = 'https://api.plivo.com';
  const PATH = `/v1/Account/${AUTH_ID}/Application/${APP}/`;
  const plivo = registrationOf('plivo');
  const c = ctx({ authId: AUTH_ID, authToken: TOKEN });
  const auth = { authorization: `Basic ${Buffer.from(`${AUTH_ID}:${TOKEN}`).toString('base64')}` };
  const app = (message_url: string, message_method = 'POST') => ({ api_id: 'x', app_id: APP, app_name: 'shop', message_url, message_method });

  it('checks URL and method', async () => {
    nock(API, { reqheaders: auth }).get(PATH).reply(200, app(OURS));
    expect(await plivo.check(c, APP, OURS)).toBe(true);
    nock(API).get(PATH).reply(200, app(OURS, 'GET'));
    expect(await plivo.check(c, APP, OURS)).toBe(false);
    nock(API).get(PATH).reply(200, app(''));
    expect(await plivo.check(c, APP, OURS)).toBe(false);
  });

  it('registers and unregisters with a POST to the application', async () => {
    nock(API).get(PATH).reply(200, app(THEIRS));
    const set = nock(API, { reqheaders: auth }).post(PATH, { message_url: OURS, message_method: 'POST' }).reply(202, { message: 'changed' });
    await plivo.register(c, APP, OURS);
    expect(set.isDone()).toBe(true);

    nock(API).get(PATH).reply(200, app(OURS));
    const cleared = nock(API).post(PATH, { message_url: '' }).reply(202, { message: 'changed' });
    await plivo.unregister(c, APP, OURS);
    expect(cleared.isDone()).toBe(true);
  });

  it('unregister leaves someone else\'s URL alone', async () => {
    nock(API).get(PATH).reply(200, app(THEIRS));
    await expect(plivo.unregister(c, APP, OURS)).resolves.toBeUndefined();
  });

  it('wrong credentials: AUTH_FAILED; unknown application: INVALID_INPUT', async () => {
    nock(API).get(PATH).reply(401, { api_id: 'x', error: 'authentication failed' });
    expect((await rejected(plivo.check(c, APP, OURS), [TOKEN])).code).toBe('AUTH_FAILED');
    nock(API).get(PATH).reply(404, { api_id: 'x', error: 'not found' });
    expect((await rejected(plivo.check(c, APP, OURS), [TOKEN])).code).toBe('INVALID_INPUT');
  });

  it('a server error while writing is in doubt, not retried blindly', async () => {
    nock(API).get(PATH).reply(200, app(THEIRS));
    nock(API).post(PATH).reply(500, { error: 'internal' });
    const err = await rejected(plivo.register(c, APP, OURS));
    expect([err.code, err.inDoubt]).toEqual(['PROVIDER_ERROR', true]);
  });
});

describe('vonage: the account\'s moCallBackUrl', () => {
  const KEY = 'abcd1234';
  const SECRET = 'vonage-api-secret-XYZ';
  const API = 'https://rest.nexmo.com';
  const vonage = registrationOf('vonage');
  const c = ctx({ apiKey: KEY, apiSecret: SECRET });
  const auth = { authorization: `Basic ${Buffer.from(`${KEY}:${SECRET}`).toString('base64')}` };
  const settings = (mo: string) => ({ 'mo-callback-url': mo, 'dr-callback-url': '', 'max-outbound-request': 30, 'max-inbound-request': 30 });

  it('checks with a POST that changes nothing, ignoring the target', async () => {
    nock(API, { reqheaders: auth }).post('/account/settings', '').reply(200, settings(OURS));
    expect(await vonage.check(c, '', OURS)).toBe(true);
    nock(API).post('/account/settings', '').reply(200, settings(THEIRS));
    expect(await vonage.check(c, 'ignored', OURS)).toBe(false);
  });

  it('registers and unregisters moCallBackUrl', async () => {
    nock(API).post('/account/settings', '').reply(200, settings(''));
    const set = nock(API, { reqheaders: auth }).post('/account/settings', { moCallBackUrl: OURS }).reply(200, settings(OURS));
    await vonage.register(c, '', OURS);
    expect(set.isDone()).toBe(true);

    nock(API).post('/account/settings', '').reply(200, settings(OURS));
    const cleared = nock(API).post('/account/settings', { moCallBackUrl: '' }).reply(200, settings(''));
    await vonage.unregister(c, '', OURS);
    expect(cleared.isDone()).toBe(true);
  });

  it('unregister leaves someone else\'s URL alone', async () => {
    nock(API).post('/account/settings', '').reply(200, settings(THEIRS));
    await expect(vonage.unregister(c, '', OURS)).resolves.toBeUndefined();
  });

  it('a URL Vonage did not keep is a PROVIDER_ERROR', async () => {
    nock(API).post('/account/settings', '').reply(200, settings(THEIRS));
    nock(API).post('/account/settings', { moCallBackUrl: OURS }).reply(200, settings(THEIRS));
    expect((await rejected(vonage.register(c, '', OURS), [SECRET])).code).toBe('PROVIDER_ERROR');
  });

  it('wrong credentials: AUTH_FAILED, the secret in no message', async () => {
    nock(API).post('/account/settings').reply(401, { 'error-code': '401', 'error-code-label': `authentication failed for ${SECRET}` });
    const err = await rejected(vonage.check(c, '', OURS), [SECRET]);
    expect(err.code).toBe('AUTH_FAILED');
  });

  it('missing credentials: MISSING_CREDENTIALS', async () => {
    expect((await rejected(vonage.check(ctx({ apiKey: KEY }), '', OURS))).code).toBe('MISSING_CREDENTIALS');
  });
});
