/**
 * Runs the editor script of a node's .html file against a stand-in `RED` and returns what it
 * registered: the editor-side definition Node-RED would use.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';

export const NODE_RED_DIR = join(__dirname, '..', '..', 'node-red');

export function readNodeHtml(file: string): string {
  return readFileSync(join(NODE_RED_DIR, file), 'utf8');
}

export function editorDefinition(file: string): { type: string; def: Record<string, unknown> } {
  const script = /<script type="text\/javascript">([\s\S]*?)<\/script>/.exec(readNodeHtml(file))?.[1];
  if (!script) throw new Error(`${file} has no editor script`);
  const registered: { type: string; def: Record<string, unknown> }[] = [];
  const validator = () => () => true;
  runInNewContext(script, {
    RED: {
      nodes: { registerType: (type: string, def: Record<string, unknown>) => registered.push({ type, def }) },
      validators: { number: validator, regex: validator },
    },
  });
  if (registered.length !== 1) throw new Error(`${file} registered ${registered.length} types`);
  return registered[0]!;
}
