// Child process of sqlite-two-process.spec.ts: applies one fixed set of delivery reports, each
// twice, shuffled with its own seed, through applyReports and applyReport, and prints which
// reports this process was the first to store.
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

/** MSG-m: m % 3 == 0 two finals ordered by sequence (delivered wins), 1 delivered, 2 failed. */
function reports(messages) {
  const out = [];
  const report = (messageId, status, extra = {}) => ({
    provider: 'plivo', messageId, status, final: status === 'delivered' || status === 'failed',
    providerStatus: status, occurredAt: '2025-04-01T10:00:00Z', ...extra,
  });
  for (let m = 0; m < messages; m++) {
    const id = `MSG-${m}`;
    out.push(report(id, 'queued', { sequence: 1 }), report(id, 'sent', { sequence: 2 }));
    if (m % 3 === 0) out.push(report(id, 'failed', { errorCode: '30', sequence: 3 }), report(id, 'delivered', { sequence: 4 }));
    else if (m % 3 === 1) out.push(report(id, 'delivered', { sequence: 3 }));
    else out.push(report(id, 'failed', { errorCode: '1', sequence: 3 }));
  }
  return out;
}

function shuffle(items, seed) {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

async function main() {
  const [file, worker, messages, seed] = process.argv.slice(2);
  const store = await openSqliteStore(file);
  process.stdout.write('ready\n');
  const lines = readline.createInterface({ input: process.stdin });
  await new Promise((resolve) => lines.once('line', resolve));
  lines.close();

  const all = reports(Number(messages));
  const todo = shuffle([...all, ...all], Number(seed));
  const fresh = [];
  for (let i = 0, call = 0; i < todo.length; call++) {
    const size = call % 2 ? 1 : 1 + (call % 5);
    const batch = todo.slice(i, i + size);
    i += size;
    const answers = size === 1 ? [await store.applyReport(batch[0])] : await store.applyReports(batch);
    answers.forEach((a, k) => {
      if (!a.duplicate) fresh.push(`${batch[k].messageId}|${batch[k].providerStatus}|${batch[k].errorCode || ''}`);
    });
  }
  await store.close();
  process.stdout.write(`${JSON.stringify({ worker, fresh, distinct: all.length })}\n`);
}

main().catch((e) => {
  process.stderr.write(`${e && e.code ? `${e.code}: ` : ''}${e && e.message ? e.message : String(e)}\n`);
  process.exit(1);
});
