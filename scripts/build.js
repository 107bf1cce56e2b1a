#!/usr/bin/env node
// Compiles core/ nodes/ credentials/ node-red/ into dist/ and puts every non-TS asset the
// engines load (.html, locales, icons, .node.json codex files) beside the compiled files.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
fs.rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
  cwd: root,
});

const ASSET = /\.(html|json|svg|png)$/;
function copyAssets(from, to) {
  if (!fs.existsSync(from)) return;
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const dst = path.join(to, entry.name);
    if (entry.isDirectory()) copyAssets(src, dst);
    else if (ASSET.test(entry.name) && !entry.name.endsWith('.spec.json')) {
      fs.mkdirSync(to, { recursive: true });
      fs.copyFileSync(src, dst);
    }
  }
}
for (const dir of ['core', 'nodes', 'credentials', 'node-red']) copyAssets(path.join(root, dir), path.join(dist, dir));
// Node-RED looks for icons in icons/ beside the node files; n8n nodes point at dist/icons.
copyAssets(path.join(root, 'icons'), path.join(dist, 'icons'));
copyAssets(path.join(root, 'icons'), path.join(dist, 'node-red', 'icons'));
