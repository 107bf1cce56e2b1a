/** What n8n's editor, loader and linter read from the Inbound SMS Trigger: a webhook trigger, its fields, codex and icon. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NodeHelpers, type INodeParameters, type INodeProperties } from 'n8n-workflow';
import { InboundSmsTrigger } from '../../nodes/InboundSmsTrigger/InboundSmsTrigger.node';
import { CREDENTIAL_TYPES } from '../../nodes/shared/provider-credentials';
import { PACKAGE_NAME } from './harness';
import { builtAssetSource } from './icons';

const nodeType = new InboundSmsTrigger();
const { description } = nodeType;
const codex = JSON.parse(readFileSync(join(__dirname, '..', '..', 'nodes', 'InboundSmsTrigger', 'InboundSmsTrigger.node.json'), 'utf8'));

function walk(properties: INodeProperties[]): INodeProperties[] {
  return properties.flatMap((p) => [p, ...walk((p.options ?? []).filter((o): o is INodeProperties => 'type' in o))]);
}

/** The top-level fields the editor shows for these parameter values. */
function shown(values: INodeParameters): string[] {
  return description.properties.filter((p) => NodeHelpers.displayParameter(values, p, { typeVersion: 1 }, description)).map((p) => `${p.name}${p.type === 'notice' ? '' : `:${p.displayName}`}`);
}

it('is a webhook trigger as n8n\'s conventions want: no inputs, Trigger in class, name and display name, no AI-tool flag', () => {
  expect(nodeType.constructor.name).toMatch(/Trigger$/);
  expect(description).toMatchObject({ name: 'inboundSmsTrigger', displayName: 'Inbound SMS Trigger', group: ['trigger'], inputs: [], outputs: ['main'] });
  expect(description.name).toMatch(/Trigger$/);
  expect(description).not.toHaveProperty('usableAsTool');
  expect(description.subtitle).toContain('$parameter["provider"]');
});

it('has one webhook with the whole lifecycle n8n asks for', () => {
  expect(description.webhooks).toEqual([expect.objectContaining({ name: 'default', path: 'webhook', responseMode: 'onReceived' })]);
  expect(Object.keys(nodeType.webhookMethods.default).sort()).toEqual(['checkExists', 'create', 'delete']);
});

it('offers every provider but Afilnet (poll-only), with that provider\'s credential', () => {
  const provider = description.properties.find((p) => p.name === 'provider')!;
  expect((provider.options ?? []).map((o) => ('value' in o ? o.value : undefined)).sort()).toEqual(['infobip', 'plivo', 'sandbox', 'sinch', 'telnyx', 'twilio', 'vonage']);
  expect(provider.noDataExpression).toBe(true);
  const credentialShownFor = Object.fromEntries((description.credentials ?? []).map((c) => [c.name, c.displayOptions?.show?.provider]));
  const { afilnet: _afilnet, ...webhookProviders } = CREDENTIAL_TYPES;
  expect(credentialShownFor).toEqual(Object.fromEntries(Object.entries(webhookProviders).map(([p, type]) => [type, [p]])));
});

it('Register Webhook Automatically: offered where a provider API exists, off by default, asking for the right target', () => {
  const register = description.properties.find((p) => p.name === 'registerWebhook')!;
  expect(register.default).toBe(false);
  expect((register.displayOptions?.show?.provider as string[]).sort()).toEqual(['plivo', 'telnyx', 'twilio', 'vonage']);

  expect(shown({ provider: 'twilio', registerWebhook: false })).not.toContain('registrationTarget:Phone Number');
  expect(shown({ provider: 'twilio', registerWebhook: true })).toContain('registrationTarget:Phone Number');
  expect(shown({ provider: 'telnyx', registerWebhook: true })).toContain('registrationTarget:Messaging Profile ID');
  expect(shown({ provider: 'plivo', registerWebhook: true })).toContain('registrationTarget:Application ID');
  expect(shown({ provider: 'vonage', registerWebhook: true })).toEqual(expect.arrayContaining(['vonageRegistrationNotice']));
  expect(shown({ provider: 'vonage', registerWebhook: true }).filter((n) => n.startsWith('registrationTarget'))).toEqual([]);
  for (const provider of ['infobip', 'sinch', 'sandbox']) expect(shown({ provider }).filter((n) => /^regist/.test(n))).toEqual([]);
});

it('notices: Infobip\'s token, the unsigned sandbox, and a warning only while verification is off', () => {
  expect(shown({ provider: 'infobip' })).toContain('infobipNotice');
  expect(shown({ provider: 'twilio' })).not.toContain('infobipNotice');
  expect(shown({ provider: 'sandbox' })).toContain('sandboxNotice');
  expect(shown({ provider: 'twilio', options: {} })).not.toContain('verifyOffNotice');
  expect(shown({ provider: 'twilio', options: { verifySignature: true } })).not.toContain('verifyOffNotice');
  expect(shown({ provider: 'twilio', options: { verifySignature: false } })).toContain('verifyOffNotice');
});

it('has the options of the issue with their defaults, each described', () => {
  const options = walk([description.properties.find((p) => p.name === 'options')!]).slice(1);
  expect(Object.fromEntries(options.map((o) => [o.name, o.default]))).toEqual({
    replyHelp: '',
    replyStart: '',
    replyStop: '',
    dedupe: true,
    defaultCountry: '',
    emitKeywordMessages: true,
    keywordMode: 'exact',
    publicUrl: '',
    recordConsent: true,
    storePath: '',
    verifySignature: true,
  });
  for (const p of walk(description.properties)) {
    if (p.type === 'notice') continue;
    expect({ name: p.name, described: typeof p.description === 'string' && p.description.length > 10 }).toEqual({ name: p.name, described: true });
  }
});

it('has a Communication codex and a 60x60 SVG icon n8n finds once built', () => {
  expect(codex).toMatchObject({ node: `${PACKAGE_NAME}.inboundSmsTrigger`, categories: ['Communication'] });
  expect(JSON.stringify(codex)).not.toMatch(/Logic|Flow/);
  const icon = builtAssetSource('dist/nodes/InboundSmsTrigger', String(description.icon));
  expect(existsSync(icon)).toBe(true);
  expect(readFileSync(icon, 'utf8')).toMatch(/^<svg [^>]*viewBox="0 0 60 60"/);
});
