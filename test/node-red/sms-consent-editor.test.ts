/**
 * The editor side of sms-consent: what its .html registers, its help, and its icon.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONSENT_OPERATIONS, parseConsentSettings } from '../../node-red/sms-consent';
import { editorDefinition, readNodeHtml } from './editor-script';

const { type, def } = editorDefinition('sms-consent.html');
const defaults = Object.fromEntries(Object.entries(def.defaults as Record<string, { value: unknown }>).map(([k, v]) => [k, v.value]));

function help(): string {
  const match = /<script type="text\/html" data-help-name="sms-consent">([\s\S]*?)<\/script>/.exec(readNodeHtml('sms-consent.html'));
  if (!match) throw new Error('sms-consent.html has no help');
  return match[1]!.trim();
}

function template(): string {
  const match = /<script type="text\/html" data-template-name="sms-consent">([\s\S]*?)<\/script>/.exec(readNodeHtml('sms-consent.html'));
  if (!match) throw new Error('sms-consent.html has no edit form');
  return match[1]!;
}

describe('sms-consent in the editor', () => {
  it('registers in the sms category with one input, two outputs for the default check, and its icon', () => {
    expect(type).toBe('sms-consent');
    expect(def).toMatchObject({ category: 'sms', inputs: 1, outputs: 2, icon: 'sms-consent.svg' });
    expect((def.defaults as Record<string, unknown>).store).toMatchObject({ type: 'sms-store', required: false });
  });

  it('starts from settings the runtime accepts: a check of marketing, opt-in not required', () => {
    expect(parseConsentSettings({ id: 'n', type: 'sms-consent', ...defaults })).toEqual({ operation: 'check', requireOptIn: false });
    expect(defaults.outputs).toBe(2);
  });

  it('offers exactly the operations the runtime knows', () => {
    const offered = [...template().matchAll(/<option value="([^"]+)"/g)].map((m) => m[1]);
    expect(offered).toEqual([...CONSENT_OPERATIONS]);
    const validate = (def.defaults as Record<string, { validate: (v: unknown) => boolean }>).operation.validate;
    for (const op of CONSENT_OPERATIONS) expect(validate(op)).toBe(true);
    expect(validate('delete')).toBe(false);
    expect(validate('__proto__')).toBe(false);
  });

  it.each([
    ['check', ['allowed', 'blocked'], 'consent: check'],
    ['opt-in', ['recorded', undefined], 'consent: record opt-in'],
    ['opt-out', ['recorded', undefined], 'consent: record opt-out'],
    ['history', ['history', undefined], 'consent: history'],
    ['import', ['imported', undefined], 'consent: import list'],
  ])('labels a %s node and its outputs', (operation, labels, label) => {
    const node = { ...defaults, operation };
    const outputLabel = def.outputLabels as (this: unknown, i: number) => string | undefined;
    expect([0, 1].map((i) => outputLabel.call(node, i))).toEqual(labels);
    expect((def.label as (this: unknown) => string).call(node)).toBe(label);
    expect((def.label as (this: unknown) => string).call({ ...node, name: 'Gate' })).toBe('Gate');
  });

  it('has an edit field for every setting the runtime reads', () => {
    const form = template();
    for (const field of ['operation', 'store', 'topic', 'requireOptIn', 'source', 'column', 'defaultCountry', 'name', 'outputs']) {
      expect(form).toContain(`id="node-input-${field}"`);
      expect(defaults).toHaveProperty(field);
    }
  });

  it("has an icon in Node-RED's style: white on transparent, 2:3", () => {
    const svg = readFileSync(join(__dirname, '..', '..', 'icons', 'sms-consent.svg'), 'utf8');
    expect(svg).toMatch(/viewBox="0 0 40 60"/);
    expect([...svg.matchAll(/fill="([^"]+)"/g)].map((m) => m[1])).toEqual(['#fff']);
  });
});

describe('sms-consent help', () => {
  const text = help();

  it('opens with a summary paragraph and keeps the section order of Node-RED help', () => {
    expect(text.startsWith('<p>')).toBe(true);
    expect([...text.matchAll(/<h3>([^<]+)<\/h3>/g)].map((m) => m[1])).toEqual(['Inputs', 'Outputs', 'Details', 'References']);
  });

  it('explains every operation in its own section', () => {
    const sections = [...text.matchAll(/<h4>([^<]+)<\/h4>/g)].map((m) => m[1]);
    expect(sections).toEqual(expect.arrayContaining(['Check', 'Record an opt-in / opt-out', 'History', 'Import a suppression list', 'Errors']));
  });

  it('documents the message properties the runtime reads', () => {
    for (const prop of ['to', 'payload', 'consentTopic', 'evidence']) expect(text).toMatch(new RegExp(`<dt[^>]*>${prop} <span`));
    const ports = /<ol class="node-ports">([\s\S]*?)<\/ol>/.exec(text)?.[1] ?? '';
    expect([...ports.matchAll(/<li>\s*(\w+)/g)].map((m) => m[1])).toEqual(['allowed', 'blocked']);
  });
});
