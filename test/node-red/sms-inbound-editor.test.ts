/**
 * The editor side of sms-inbound and sms-dlr (their .html files share the same fields): what they
 * register, that the editor refuses what the runtime would, their help, and their icons.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inboundOptionsOf, statusOptionsOf, type InboundSettings, type StatusSettings } from '../../core/webhook/options';
import { parseWebhookSettings } from '../../node-red/webhook-node';
import { editorDefinition, readNodeHtml } from './editor-script';

type Field = { value: unknown; validate?: (v: unknown) => boolean | string };

function fields(file: string): Record<string, Field> {
  return editorDefinition(file).def.defaults as Record<string, Field>;
}

function defaultsOf(file: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields(file)).map(([k, v]) => [k, v.value]));
}

function help(file: string, type: string): string {
  const match = new RegExp(`<script type="text/html" data-help-name="${type}">([\\s\\S]*?)</script>`).exec(readNodeHtml(file));
  if (!match) throw new Error(`${file} has no help for ${type}`);
  return match[1]!.trim();
}

function runtimeTakes(parse: () => unknown): boolean {
  try {
    parse();
    return true;
  } catch {
    return false;
  }
}

const NODES = [
  ['sms-inbound.html', 'sms-inbound', { inputs: 0, outputs: 1, icon: 'sms-inbound.svg' }, ['Outputs', 'Details', 'References']],
  ['sms-dlr.html', 'sms-dlr', { inputs: 1, outputs: 1, icon: 'sms-dlr.svg' }, ['Inputs', 'Outputs', 'Details', 'References']],
] as const;

describe.each(NODES)('%s', (file, type, shape, sections) => {
  it('registers the node with its ports, icon and a required provider', () => {
    const { type: registered, def } = editorDefinition(file);
    expect(registered).toBe(type);
    expect(def).toMatchObject({ category: 'sms', ...shape });
    expect(fields(file).provider).toMatchObject({ type: 'sms-provider', required: true });
    expect(fields(file).store).toMatchObject({ type: 'sms-store', required: false });
  });

  it('starts from settings the runtime accepts: POST, signatures verified, repeats dropped', () => {
    const defaults: Record<string, unknown> & { id: string; type: string } = { id: 'n', type, ...defaultsOf(file) };
    expect(parseWebhookSettings(defaults)).toEqual({ path: type === 'sms-inbound' ? '/sms/inbound' : '/sms/dlr', method: 'POST', verify: true });
    if (type === 'sms-inbound') expect(inboundOptionsOf(defaults as InboundSettings)).toMatchObject({ recordConsent: true, emitKeywordMessages: true, dedupe: true, keywords: { mode: 'exact' } });
    else expect(statusOptionsOf(defaults as StatusSettings)).toEqual({ onlyFinal: false, dedupe: true, recordOptOuts: true });
  });

  it('refuses in the editor the paths, methods and Public URLs the runtime refuses', () => {
    const f = fields(file);
    const valid = (name: string, v: unknown) => f[name]!.validate!(v) === true;
    for (const path of ['/sms/in', 'sms/in', '/a/b-c_d.e', '/', '', ' ', '/a?b', '/a#b', '/a b', '/../x', 'x'.repeat(201)]) {
      expect([path, valid('path', path)]).toEqual([path, runtimeTakes(() => parseWebhookSettings({ id: 'n', type, path }))]);
    }
    for (const publicUrl of ['', 'https://nr.example.com', 'http://127.0.0.1:1880', 'https://nr.example.com/base/', 'nr.example.com', 'ftp://nr.example.com', 'https://u:p@nr.example.com', 'https://nr.example.com/?a=1', 'https://nr.example.com/#x']) {
      expect([publicUrl, valid('publicUrl', publicUrl)]).toEqual([publicUrl, runtimeTakes(() => parseWebhookSettings({ id: 'n', type, path: '/a', publicUrl }))]);
    }
    for (const method of ['POST', 'GET', 'PUT', '']) {
      expect([method, valid('method', method)]).toEqual([method, method !== '' && runtimeTakes(() => parseWebhookSettings({ id: 'n', type, path: '/a', method }))]);
    }
  });

  it('opens its help with a summary and keeps the section order of Node-RED help', () => {
    const text = help(file, type);
    expect(text.startsWith('<p>')).toBe(true);
    expect([...text.matchAll(/<h3>([^<]+)<\/h3>/g)].map((m) => m[1])).toEqual(sections);
    expect(text).toContain('<dl class="message-properties">');
    for (const code of ['401', '400', '413', '503', '500', '200']) expect(text).toContain(`<b>${code}</b>`);
  });

  it("has an icon in Node-RED's style: white on transparent, 2:3", () => {
    const svg = readFileSync(join(__dirname, '..', '..', 'icons', shape.icon), 'utf8');
    expect(svg).toMatch(/viewBox="0 0 40 60"/);
    expect([...svg.matchAll(/fill="([^"]+)"/g)].map((m) => m[1])).toEqual(['#fff']);
  });
});
