// Child process of sqlite-two-process.spec.ts: one of two processes hammering one store file.
// Loads the store from its TypeScript source (tests run from source, dist/ may be stale or
// absent): `.ts` files are transpiled with the project's own TypeScript on require.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');
const ts = require('typescript');

require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  module._compile(outputText, filename);
};

const { openSqliteStore } = require(path.join(__dirname, '..', 'sqlite'));

async function main() {
  const [file, worker, keyCount] = process.argv.slice(2);
  const store = await openSqliteStore(file);
  process.stdout.write('ready\n');
  // Start only when the parent says so, so both processes contend from the first key.
  const lines = readline.createInterface({ input: process.stdin });
  await new Promise((resolve) => lines.once('line', resolve));
  lines.close();

  const claimed = [];
  let events = 0;
  for (let i = 0; i < Number(keyCount); i++) {
    const key = `key-${i}`;
    const to = `+1415555${String(i).padStart(4, '0')}`;
    const claim = await store.claimSend(key, { provider: 'sandbox', to });
    if (claim.claimed) {
      claimed.push(key);
      await store.completeSend(key, {
        provider: 'sandbox', messageId: `${worker}-${i}`, status: 'queued', to, segments: 1, encoding: 'GSM-7',
      });
    }
    await store.recordConsent({
      phone: to, topic: 'marketing', action: i % 2 ? 'opt-in' : 'opt-out', source: 'api', evidence: { worker, i },
    });
    events++;
  }
  await store.close();
  process.stdout.write(`${JSON.stringify({ worker, claimed, events })}\n`);
}

main().catch((e) => {
  process.stderr.write(`${e && e.code ? `${e.code}: ` : ''}${e && e.message ? e.message : String(e)}\n`);
  process.exit(1);
});
