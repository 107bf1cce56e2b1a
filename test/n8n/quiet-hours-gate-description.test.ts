/** What n8n's editor and loader read from the Quiet-Hours Gate: description, codex, icon. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { listPresets } from '../../core/quiet-hours';
import { QuietHoursGate } from '../../nodes/QuietHoursGate/QuietHoursGate.node';
import { builtAssetSource } from './icons';

const { description } = new QuietHoursGate();
const codex = JSON.parse(readFileSync(join(__dirname, '..', '..', 'nodes', 'QuietHoursGate', 'QuietHoursGate.node.json'), 'utf8'));
const property = (name: string): INodeProperties => {
  const found = description.properties.find((p) => p.name === name);
  if (!found) throw new Error(`no parameter ${name}`);
  return found;
};

function walk(properties: INodeProperties[]): INodeProperties[] {
  return properties.flatMap((p) => [
    p,
    ...walk((p.options ?? []).flatMap((o) => ('type' in o ? [o as INodeProperties] : 'values' in o ? (o.values as INodeProperties[]) : []))),
  ]);
}

it('offers every preset of the core, with its basis and source, and Custom; us-tcpa by default', () => {
  const options = property('policy').options as INodePropertyOptions[];
  expect(options.map((o) => o.value)).toEqual([...listPresets().map((p) => p.id), 'custom']);
  for (const preset of listPresets()) {
    const option = options.find((o) => o.value === preset.id)!;
    expect(option.name).toBe(preset.label);
    expect(option.description).toContain(preset.sources[0]);
    expect(option.description).toContain(preset.lastReviewed);
  }
  expect(property('policy').default).toBe('us-tcpa');
});

it('reads the number from the item’s "to" by default; judges marketing unless told', () => {
  expect(property('phone').default).toBe('={{ $json.to }}');
  expect(property('messageClass')).toMatchObject({ default: 'marketing' });
  expect((property('messageClass').options as INodePropertyOptions[]).map((o) => o.value)).toEqual(['marketing', 'transactional', 'otp']);
});

it('keeps the policy a node setting, out of reach of item data', () => {
  const policyFields = ['policy', 'windowsMode', 'windowsJson', 'holidayCountry', 'holidayState', 'days', 'from', 'to'];
  const found = walk(description.properties).filter((p) => policyFields.includes(p.name));
  expect(found.map((p) => p.name).sort()).toEqual([...policyFields].sort());
  for (const p of found) expect({ name: p.name, noDataExpression: p.noDataExpression }).toEqual({ name: p.name, noDataExpression: true });
});

it('tells where deferred items go next: Send SMS’s Send At or the Wait node, with the field to use', () => {
  const notice = property('deferredNotice').displayName;
  expect(notice).toContain('Send At');
  expect(notice).toContain('Wait');
  expect(notice).toContain('{{ $json.quietHours.nextAllowedAt }}');
});

it('describes every parameter and option', () => {
  for (const p of walk(description.properties)) {
    if (p.type === 'notice') continue;
    expect({ name: p.name, description: typeof p.description === 'string' && p.description.length > 10 }).toEqual({ name: p.name, description: true });
  }
  const options = property('options').options as INodeProperties[];
  expect(options.map((o) => o.displayName)).toEqual([...options.map((o) => o.displayName)].sort((a, b) => a.localeCompare(b)));
});

it('has two outputs, Send Now and Deferred, and is usable as an AI tool', () => {
  expect(description).toMatchObject({
    name: 'quietHoursGate',
    usableAsTool: true,
    inputs: ['main'],
    outputs: ['main', 'main'],
    outputNames: ['Send Now', 'Deferred'],
  });
  expect(description.subtitle).toContain('$parameter["policy"]');
});

it('has an icon n8n finds once built, and a codex in the Communication category', () => {
  expect(existsSync(builtAssetSource('dist/nodes/QuietHoursGate', String(description.icon)))).toBe(true);
  expect(codex).toMatchObject({ node: '@a2p-kit/n8n-nodes-sms.quietHoursGate', categories: ['Communication'] });
  expect(JSON.stringify(codex)).not.toMatch(/Logic|Flow/);
});
