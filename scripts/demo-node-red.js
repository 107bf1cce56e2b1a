#!/usr/bin/env node
// Starts Node-RED with a throwaway user directory (.cache/demo/node-red), the package installed
// into it with `npm install --prefix` (a link to this checkout, as in the README), and the example
// flows of examples/*.json deployed. Ctrl-C stops it.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const http = require('node:http');
const { spawn, execFileSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const port = Number(process.env.PORT || 1880);
const userDir = path.join(root, '.cache', 'demo', 'node-red');
const base = `http://127.0.0.1:${port}`;

fs.rmSync(userDir, { recursive: true, force: true });
fs.mkdirSync(userDir, { recursive: true });
fs.writeFileSync(path.join(userDir, 'package.json'), JSON.stringify({ name: 'a2p-kit-demo', private: true }, null, 2));
fs.writeFileSync(
  path.join(userDir, 'settings.js'),
  `module.exports = ${JSON.stringify(
    {
      uiHost: '127.0.0.1',
      uiPort: port,
      flowFile: 'flows.json',
      credentialSecret: false,
      logging: { console: { level: 'info', metrics: false, audit: false } },
      editorTheme: { tours: false, projects: { enabled: false } },
      diagnostics: { enabled: false },
      telemetry: { enabled: false, updateNotification: false },
      externalModules: { autoInstall: false, palette: { allowInstall: false } },
    },
    null,
    2,
  )};\n`,
);
execFileSync('npm', ['install', '--prefix', userDir, '--no-audit', '--no-fund', '--loglevel=error', root], { stdio: 'inherit' });

const flows = [];
for (const f of fs.readdirSync(path.join(root, 'examples')).filter((n) => n.endsWith('.json')).sort()) {
  flows.push(...JSON.parse(fs.readFileSync(path.join(root, 'examples', f), 'utf8')));
}
fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(flows, null, 2));

const red = spawn(process.execPath, [require.resolve('node-red/red.js'), '-u', userDir], { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => red.kill('SIGINT'));
red.on('exit', (code) => process.exit(code ?? 0));

const started = Date.now();
(function waitReady() {
  http
    .get(`${base}/settings`, (res) => {
      res.resume();
      if (res.statusCode === 200) return announce();
      retry();
    })
    .on('error', retry)
    .setTimeout(1000, function () {
      this.destroy();
    });
  function retry() {
    if (Date.now() - started > 60_000) {
      console.error('Node-RED did not answer within 60 s');
      red.kill('SIGINT');
      return;
    }
    setTimeout(waitReady, 300);
  }
})();

function announce() {
  const order = JSON.stringify({
    name: '#1001',
    customer: { first_name: 'Ada', phone: '(415) 555-0100' },
    fulfillments: [{ tracking_url: 'https://track.example/1Z999' }],
  });
  console.log(`
  A2P Kit demo is running.
    Editor:  ${base}/   (tab "A2P Kit: Send SMS (sandbox)"; results in the debug sidebar)
    Try:     curl -s -X POST ${base}/order -H 'Content-Type: application/json' -d '${order}'
  Ctrl-C stops it.
`);
}
