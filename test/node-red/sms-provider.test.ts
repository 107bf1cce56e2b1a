/**
 * The sms-provider config node: which credentials it declares, what it hands to sending nodes,
 * and the admin route the editor renders its form from.
 */
import helper = require('node-red-node-test-helper');
import { listProviders } from '../../core/providers/registry';
import type { SmsProvider } from '../../core/types';
import type { ExpressLikeHandler, NodeAPI } from '../../node-red/node-red-api';
import smsProvider, {
  connectionOf,
  credentialDefinitions,
  describeProviders,
  parseRate,
  providerFields,
  PROVIDERS_ROUTE,
  READ_PERMISSION,
  type SmsProviderNode,
} from '../../node-red/sms-provider';
import { thrown } from '../support/sms-error';
import { editorDefinition } from './editor-script';

helper.init(require.resolve('node-red'));

const TOKEN = 'tok-S3cr3t-admin-route';

describe('sms-provider credentials', () => {
  it('declares in the editor exactly the credentials the runtime derives from the provider registry', () => {
    const { type, def } = editorDefinition('sms-provider.html');
    expect(type).toBe('sms-provider');
    expect(def.category).toBe('config');
    expect(def.credentials).toEqual(credentialDefinitions(listProviders()));
  });

  it('makes a field a password when any provider calls it secret', () => {
    const defs = credentialDefinitions(listProviders());
    for (const p of listProviders()) {
      for (const f of p.credentialFields) {
        if (f.secret) expect(defs[f.name]).toEqual({ type: 'password' });
      }
    }
    expect(defs.accountSid).toEqual({ type: 'text' });
    expect(defs.authToken).toEqual({ type: 'password' });
    expect(defs.baseUrl).toEqual({ type: 'text' });
  });

  it('never declares a credential under a name the node already uses for a setting', () => {
    const settings = Object.keys(editorDefinition('sms-provider.html').def.defaults as object);
    for (const name of Object.keys(credentialDefinitions(listProviders()))) expect(settings).not.toContain(name);
  });

  it('adds the optional base URL to an HTTP provider that does not list it, and to nothing else', () => {
    const bare: SmsProvider = { ...listProviders()[0]!, credentialFields: [], defaultBaseUrl: 'https://api.example' };
    expect(providerFields(bare).map((f) => f.name)).toEqual(['baseUrl']);
    expect(providerFields({ ...bare, defaultBaseUrl: '' })).toEqual([]);
    const twilioFields = providerFields(listProviders().find((p) => p.id === 'twilio')!);
    expect(twilioFields.filter((f) => f.name === 'baseUrl')).toHaveLength(1);
  });
});

describe('connectionOf', () => {
  const sid = 'AC0123456789abcdef0123456789abcdef';

  it("gives only the selected provider's fields, trimmed, leaving out empty ones", () => {
    const c = connectionOf(
      { id: 'p', type: 'sms-provider', provider: ' twilio ', rate: '5' },
      { accountSid: ` ${sid} `, authToken: TOKEN, messagingServiceSid: '  ', apiKey: 'vonage-key', baseUrl: 'http://127.0.0.1:9' },
    );
    expect(c.provider.id).toBe('twilio');
    expect(c.credentials).toEqual({ accountSid: sid, authToken: TOKEN, baseUrl: 'http://127.0.0.1:9' });
    expect(c.ratePerSecond).toBe(5);
  });

  it('names the missing fields, never a value', () => {
    const error = thrown(() => connectionOf({ id: 'p', type: 'sms-provider', provider: 'twilio' }, { authToken: TOKEN }));
    expect(error.code).toBe('MISSING_CREDENTIALS');
    expect(error.message).toBe('Twilio: fill in Account SID in the sms-provider config node');
  });

  it.each([
    [{ provider: 'carrier-pigeon' }, 'UNKNOWN_PROVIDER'],
    [{ provider: '' }, 'UNKNOWN_PROVIDER'],
    [{}, 'UNKNOWN_PROVIDER'],
    [{ provider: 42 as unknown as string }, 'UNKNOWN_PROVIDER'],
    [{ provider: 'sandbox', rate: 'fast' }, 'INVALID_INPUT'],
  ])('refuses %j with %s', (settings, code) => {
    expect(() => connectionOf({ id: 'p', type: 'sms-provider', ...settings }, undefined)).toThrow(expect.objectContaining({ code }));
  });

  it('needs no credentials for the sandbox', () => {
    expect(connectionOf({ id: 'p', type: 'sms-provider', provider: 'sandbox' }, undefined).credentials).toEqual({});
  });
});

describe('parseRate', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['  ', undefined],
    ['0', undefined],
    [0, undefined],
    ['2.5', 2.5],
    [30, 30],
  ])('reads %j as %j', (input, expected) => expect(parseRate(input)).toBe(expected));

  it.each(['-1', 'ten', 'Infinity', '1e400', {}, [5]])('refuses %j', (input) => {
    expect(() => parseRate(input)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});

describe('sms-provider in Node-RED', () => {
  afterEach(() => helper.unload());

  it('hands sending nodes its connection', async () => {
    await helper.load(smsProvider, [{ id: 'acc', type: 'sms-provider', provider: 'twilio', rate: '' }], {
      acc: { accountSid: 'AC1', authToken: TOKEN },
    });
    const node = helper.getNode('acc') as unknown as SmsProviderNode;
    expect(node.connection().credentials).toEqual({ accountSid: 'AC1', authToken: TOKEN });
  });

  it('lists every provider and its fields on the admin route, without any credential value', async () => {
    await helper.load(smsProvider, [{ id: 'acc', type: 'sms-provider', provider: 'twilio', rate: '' }], {
      acc: { accountSid: 'AC1', authToken: TOKEN },
    });
    const res = await helper.request().get(PROVIDERS_ROUTE).expect(200).expect('content-type', /json/);
    expect(res.body).toEqual(JSON.parse(JSON.stringify(describeProviders(listProviders()))));
    expect(res.body.map((p: { id: string }) => p.id)).toEqual(listProviders().map((p) => p.id));
    const twilio = res.body.find((p: { id: string }) => p.id === 'twilio');
    expect(twilio.fields.map((f: { name: string }) => f.name)).toEqual(['accountSid', 'authToken', 'messagingServiceSid', 'baseUrl']);
    expect(res.text).not.toContain(TOKEN);
  });

  it(`guards the admin route with ${READ_PERMISSION}`, async () => {
    const asked: string[] = [];
    // Node-RED's own check needs adminAuth and a login; this stand-in grants exactly one permission.
    const guarded = (RED: NodeAPI) => {
      RED.auth = {
        needsPermission: (permission: string): ExpressLikeHandler => {
          asked.push(permission);
          return (req, res, next) =>
            req.headers['x-granted'] === permission ? next() : res.status(401).end();
        },
      };
      return smsProvider(RED);
    };
    await helper.load(guarded, [{ id: 'acc', type: 'sms-provider', provider: 'sandbox', rate: '' }]);
    expect(asked).toEqual([READ_PERMISSION]);
    await helper.request().get(PROVIDERS_ROUTE).expect(401);
    await helper.request().get(PROVIDERS_ROUTE).set('x-granted', 'sms-provider.write').expect(401);
    await helper.request().get(PROVIDERS_ROUTE).set('x-granted', READ_PERMISSION).expect(200);
  });
});
