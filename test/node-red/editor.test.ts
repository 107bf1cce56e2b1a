/**
 * The editor side of the nodes: what the .html files register, their help, and the icon.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSettings } from '../../node-red/sms-send';
import { editorDefinition, readNodeHtml } from './editor-script';

function defaultsOf(def: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(def.defaults as Record<string, { value: unknown }>).map(([k, v]) => [k, v.value]));
}

function help(file: string, type: string): string {
  const match = new RegExp(`<script type="text/html" data-help-name="${type}">([\\s\\S]*?)</script>`).exec(readNodeHtml(file));
  if (!match) throw new Error(`${file} has no help for ${type}`);
  return match[1]!.trim();
}

describe('sms-send in the editor', () => {
  const { type, def } = editorDefinition('sms-send.html');

  it('has one input and two labelled outputs, sent and failed', () => {
    expect(type).toBe('sms-send');
    expect(def).toMatchObject({ category: 'sms', inputs: 1, outputs: 2, outputLabels: ['sent', 'failed'], icon: 'sms-send.svg' });
    expect((def.defaults as Record<string, unknown>).provider).toMatchObject({ type: 'sms-provider', required: true });
  });

  it('starts from settings the runtime accepts: text from msg.payload to msg.to, 10 segments, 10 in flight', () => {
    const settings = parseSettings({ id: 'n', type: 'sms-send', ...defaultsOf(def) });
    expect(settings).toEqual({
      to: { value: 'to', type: 'msg' },
      from: { value: '', type: 'str' },
      message: { value: 'payload', type: 'msg' },
      scope: { value: '', type: 'str' },
      dispatch: { smartEncoding: true, dryRun: false, maxSegments: 10, concurrency: 10, consent: { topic: 'marketing', requireOptIn: false } },
    });
  });

  it('stores a type beside every typed input', () => {
    const defaults = defaultsOf(def);
    for (const field of ['to', 'from', 'message', 'idempotencyScope']) expect(defaults).toHaveProperty(`${field}Type`);
  });

  it("has an icon in Node-RED's style: white on transparent, 2:3", () => {
    const svg = readFileSync(join(__dirname, '..', '..', 'icons', 'sms-send.svg'), 'utf8');
    expect(svg).toMatch(/viewBox="0 0 40 60"/);
    expect([...svg.matchAll(/fill="([^"]+)"/g)].map((m) => m[1])).toEqual(['#fff']);
  });
});

describe('help text', () => {
  it.each([
    ['sms-send.html', 'sms-send', ['Inputs', 'Outputs', 'Details', 'References']],
    ['sms-provider.html', 'sms-provider', ['Details', 'References']],
  ])('%s opens with a summary paragraph and keeps the section order of Node-RED help', (file, type, sections) => {
    const text = help(file, type);
    expect(text.startsWith('<p>')).toBe(true);
    expect([...text.matchAll(/<h3>([^<]+)<\/h3>/g)].map((m) => m[1])).toEqual(sections);
  });

  it('describes both outputs of sms-send with message properties', () => {
    const text = help('sms-send.html', 'sms-send');
    expect(text).toContain('<dl class="message-properties">');
    const ports = /<ol class="node-ports">([\s\S]*?)<\/ol>/.exec(text)?.[1] ?? '';
    expect([...ports.matchAll(/<li>\s*(\w+)/g)].map((m) => m[1])).toEqual(['sent', 'failed']);
  });
});
