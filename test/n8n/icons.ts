import { join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');

/**
 * The source file of an icon as n8n resolves `file:` icons: relative to the folder of the
 * compiled node or credential file (under dist/). The build copies icons/ to dist/icons/ and
 * SVGs under nodes/ and credentials/ beside their compiled files, so dist/x maps back to x.
 */
export function builtAssetSource(compiledDir: string, icon: string): string {
  const built = resolve(ROOT, compiledDir, icon.replace(/^file:/, ''));
  return join(ROOT, relative(join(ROOT, 'dist'), built));
}
