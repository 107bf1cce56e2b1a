import { thrown } from '../../test/support/sms-error';
import { PROVIDER_IDS, getProvider, listProviders } from './registry';

const ALL = ['twilio', 'vonage', 'infobip', 'plivo', 'sinch', 'telnyx', 'afilnet', 'sandbox'];

// DESIGN.md §3, credential table: the names n8n credentials, Node-RED config nodes and
// ctx.credentials share. `true` marks a required field.
const DESIGN_FIELDS: Record<string, Record<string, boolean>> = {
  twilio: { accountSid: true, authToken: true, messagingServiceSid: false },
  vonage: { apiKey: true, apiSecret: true, signatureSecret: false, signatureMethod: false },
  infobip: { baseUrl: true, apiKey: true, webhookToken: false },
  plivo: { authId: true, authToken: true },
  // The region has a default (us), so it need not be filled in.
  sinch: { servicePlanId: true, apiToken: true, region: false, webhookSecret: false },
  telnyx: { apiKey: true, publicKey: false },
  afilnet: { user: true, password: true },
  sandbox: {},
};
const SECRET_FIELDS = ['authToken', 'apiSecret', 'signatureSecret', 'apiToken', 'webhookSecret', 'password', 'webhookToken'];

const unknown = (id: unknown) => thrown(() => getProvider(id as string));

describe('provider registry', () => {
  it('lists the eight providers, sandbox last', () => {
    expect(PROVIDER_IDS).toEqual(ALL);
    expect(listProviders().map((p) => p.id)).toEqual(ALL);
  });

  it.each(ALL)('getProvider(%s) is the adapter with that id, ready to send', (id) => {
    const p = getProvider(id);
    expect(p.id).toBe(id);
    expect(typeof p.send).toBe('function');
    expect(p.displayName).toEqual(expect.any(String));
    expect(listProviders()).toContain(p);
  });

  it.each(ALL)('%s declares the credential fields of DESIGN §3, secrets as secrets', (id) => {
    const fields = getProvider(id).credentialFields;
    const names = fields.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    for (const [name, required] of Object.entries(DESIGN_FIELDS[id])) {
      expect(fields.find((f) => f.name === name)).toMatchObject({ name, required });
    }
    for (const f of fields) if (SECRET_FIELDS.includes(f.name)) expect(f).toMatchObject({ secret: true });
  });

  it('every provider that calls an API has an https default and takes a baseUrl', () => {
    for (const p of listProviders().filter((x) => x.id !== 'sandbox')) {
      expect(p.defaultBaseUrl).toMatch(/^https:\/\/[a-z0-9.-]+$/);
      expect(p.credentialFields.map((f) => f.name)).toContain('baseUrl');
    }
  });

  it('ignores case and surrounding blanks', () => {
    expect(getProvider(' Sinch ').id).toBe('sinch');
    expect(getProvider('TWILIO').id).toBe('twilio');
  });

  it('hands out a copy of the list, so callers cannot change the registry', () => {
    const list = listProviders();
    list.pop();
    list.reverse();
    expect(listProviders().map((p) => p.id)).toEqual(ALL);
    expect(() => (PROVIDER_IDS as string[]).push('x')).toThrow(TypeError);
  });

  it.each([['nope'], ['twilio2'], ['__proto__'], ['constructor'], ['toString'], ['hasOwnProperty']])(
    'an unknown id (%s) is UNKNOWN_PROVIDER naming the valid ids',
    (id) => {
      const err = unknown(id);
      expect(err.code).toBe('UNKNOWN_PROVIDER');
      expect(err.message).toContain(`"${id}"`);
      expect(err.message).toContain(ALL.join(', '));
    },
  );

  it.each([[''], ['   '], [undefined], [null], [42], [{ id: 'twilio' }], [['twilio']]])('%p is UNKNOWN_PROVIDER', (id) => {
    const err = unknown(id);
    expect(err.code).toBe('UNKNOWN_PROVIDER');
    expect(err.message).toContain(ALL.join(', '));
  });

  it('keeps a hostile id out of the message but for a short, one-line excerpt', () => {
    const err = unknown(`evil\r\n${'x'.repeat(100_000)}`);
    expect(err.code).toBe('UNKNOWN_PROVIDER');
    expect(err.message).not.toMatch(/[\r\n]/);
    expect(err.message.length).toBeLessThan(200);
  });
});
