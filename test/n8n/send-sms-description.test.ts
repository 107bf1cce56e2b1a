/** What n8n's editor and loader read from the Send SMS node: description, codex, icon. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INodeProperties } from 'n8n-workflow';
import { listProviders } from '../../core/providers/registry';
import { SendSms } from '../../nodes/SendSms/SendSms.node';
import { builtAssetSource } from './icons';

const { description } = new SendSms();
const codex = JSON.parse(readFileSync(join(__dirname, '..', '..', 'nodes', 'SendSms', 'SendSms.node.json'), 'utf8'));

function walk(properties: INodeProperties[]): INodeProperties[] {
  return properties.flatMap((p) => [p, ...walk((p.options ?? []).filter((o): o is INodeProperties => 'type' in o))]);
}

it('offers every provider of the registry, the sandbox (no credentials) as default', () => {
  const provider = description.properties.find((p) => p.name === 'provider')!;
  expect((provider.options ?? []).map((o) => ('value' in o ? o.value : undefined)).sort()).toEqual(listProviders().map((p) => p.id).sort());
  expect(provider.default).toBe('sandbox');
  const credentialFor = new Set(description.credentials!.flatMap((c) => c.displayOptions!.show!.provider as string[]));
  expect(credentialFor.has('sandbox')).toBe(false);
  expect(credentialFor.size).toBe(listProviders().length - 1);
});

it('describes every parameter and option', () => {
  for (const p of walk(description.properties)) {
    if (p.type === 'notice') continue;
    expect({ name: p.name, description: typeof p.description === 'string' && p.description.length > 10 }).toEqual({ name: p.name, description: true });
  }
});

it('keeps the template out of n8n’s expression engine', () => {
  const template = description.properties.find((p) => p.name === 'template')!;
  expect(template.noDataExpression).toBe(true);
  expect(template.description).toContain('{{ }}');
});

it('is usable as an AI tool, with a subtitle and one main input and output', () => {
  expect(description).toMatchObject({ name: 'sendSms', usableAsTool: true, inputs: ['main'], outputs: ['main'] });
  expect(description.subtitle).toContain('$parameter["provider"]');
});

it('has an icon n8n finds once built, and a codex in the Communication category', () => {
  expect(existsSync(builtAssetSource('dist/nodes/SendSms', String(description.icon)))).toBe(true);
  expect(codex).toMatchObject({ node: '@a2p-kit/n8n-nodes-sms.sendSms', categories: ['Communication'] });
  expect(JSON.stringify(codex)).not.toMatch(/Logic|Flow/);
});
