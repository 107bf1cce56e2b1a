#!/usr/bin/env node
// Runs every benchmark in this folder, one after the other, each in its own process so that one
// bench's sockets, timers and JIT state do not colour the next. Arguments are passed to each.
//
//   node bench/run.js [args…]      (npm run bench builds first)
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const benches = fs
  .readdirSync(__dirname)
  .filter((f) => f.endsWith('.js') && f !== path.basename(__filename))
  .sort();

if (!fs.existsSync(path.join(__dirname, '..', 'dist', 'core'))) {
  console.error('bench: dist/core is missing; run `npm run bench` (it builds first) or `npm run build`');
  process.exit(1);
}

let failed = 0;
for (const file of benches) {
  console.log(`\n=== ${file} ===`);
  const r = spawnSync(process.execPath, [path.join(__dirname, file), ...process.argv.slice(2)], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.error(`${file} exited with ${r.status ?? r.signal}`);
  }
}
if (failed > 0) process.exitCode = 1;
