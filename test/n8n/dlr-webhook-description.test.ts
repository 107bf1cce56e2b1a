/** What n8n's editor, loader and linter read from the DLR Webhook: a webhook trigger, its fields, codex and icon. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NodeHelpers, type INodeParameters, type INodeProperties } from 'n8n-workflow';
import { DlrWebhook } from '../../nodes/DlrWebhook/DlrWebhook.node';
import { PACKAGE_NAME } from './harness';
import { builtAssetSource } from './icons';

const nodeType = new DlrWebhook();
const { description } = nodeType;
const codex = JSON.parse(readFileSync(join(__dirname, '..', '..', 'nodes', 'DlrWebhook', 'DlrWebhook.node.json'), 'utf8'));

function walk(properties: INodeProperties[]): INodeProperties[] {
  return properties.flatMap((p) => [p, ...walk((p.options ?? []).filter((o): o is INodeProperties => 'type' in o))]);
}

const shown = (values: INodeParameters): string[] =>
  description.properties.filter((p) => NodeHelpers.displayParameter(values, p, { typeVersion: 1 }, description)).map((p) => p.name);

it('is a webhook trigger: no inputs, Webhook in its name, the whole lifecycle, no AI-tool flag', () => {
  expect(description).toMatchObject({ name: 'dlrWebhook', displayName: 'DLR Webhook', group: ['trigger'], inputs: [], outputs: ['main'] });
  expect(description).not.toHaveProperty('usableAsTool');
  expect(description.webhooks).toEqual([expect.objectContaining({ name: 'default', path: 'webhook', responseMode: 'onReceived' })]);
  expect(Object.keys(nodeType.webhookMethods.default).sort()).toEqual(['checkExists', 'create', 'delete']);
});

it('tells the user where its URL goes: Send SMS\'s Status Callback URL or the credential\'s Delivery Report URL', () => {
  const notice = description.properties.find((p) => p.name === 'sendSmsNotice')!;
  expect(notice.type).toBe('notice');
  expect(notice.displayName).toMatch(/Status Callback URL/);
  expect(notice.displayName).toMatch(/Delivery Report URL/);
  expect(shown({ provider: 'twilio' })).toContain('sendSmsNotice');
});

it('registers nothing at the provider: no Register Webhook Automatically here', () => {
  expect(walk(description.properties).map((p) => p.name)).not.toContain('registerWebhook');
});

it('offers every provider but Afilnet, and the DLR options with their defaults, each described', () => {
  const provider = description.properties.find((p) => p.name === 'provider')!;
  expect((provider.options ?? []).map((o) => ('value' in o ? o.value : undefined))).not.toContain('afilnet');
  const options = walk([description.properties.find((p) => p.name === 'options')!]).slice(1);
  expect(Object.fromEntries(options.map((o) => [o.name, o.default]))).toEqual({
    dedupe: true,
    onlyFinal: false,
    publicUrl: '',
    recordOptOuts: true,
    storePath: '',
    verifySignature: true,
  });
  for (const p of walk(description.properties)) {
    if (p.type === 'notice') continue;
    expect({ name: p.name, described: typeof p.description === 'string' && p.description.length > 10 }).toEqual({ name: p.name, described: true });
  }
  expect(shown({ provider: 'twilio', options: { verifySignature: false } })).toContain('verifyOffNotice');
});

it('has a Communication codex and a 60x60 SVG icon n8n finds once built', () => {
  expect(codex).toMatchObject({ node: `${PACKAGE_NAME}.dlrWebhook`, categories: ['Communication'] });
  expect(JSON.stringify(codex)).not.toMatch(/Logic|Flow/);
  const icon = builtAssetSource('dist/nodes/DlrWebhook', String(description.icon));
  expect(existsSync(icon)).toBe(true);
  expect(readFileSync(icon, 'utf8')).toMatch(/^<svg [^>]*viewBox="0 0 60 60"/);
});
