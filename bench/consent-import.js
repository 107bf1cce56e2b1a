#!/usr/bin/env node
// Suppression-list import: a CSV of distinct numbers in mixed national and international formats
// through importSuppressionList (parse, normalise, one store transaction) into a real SQLite
// file, against the baseline of the same events recorded one by one with recordConsent (one
// transaction each), measured in the same run. Also: the import's store half alone (importConsent
// with the events already built), and a re-import of the same file (every row unchanged).
//
//   node bench/consent-import.js [rows]          (or BENCH_IMPORT_ROWS=…; default 100000)
//   BENCH_BASELINE_ROWS=…  events for the one-by-one baseline (default: rows); its rate is
//                          what is compared, and the output says when it used fewer
//
// It measures and prints; nothing here is a pass/fail on time. It exits non-zero only when the
// work itself went wrong (a row rejected, or a count that does not add up).
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { positiveInt } = require('./lib/args');

const dist = path.join(__dirname, '..', 'dist', 'core');
const { importSuppressionList, parseSuppressionList } = require(path.join(dist, 'consent', 'import'));
const { openStore } = require(path.join(dist, 'store'));

const rows = positiveInt(process.argv[2] ?? process.env.BENCH_IMPORT_ROWS, 'rows', 100_000);
const baselineRows = Math.min(rows, positiveInt(process.env.BENCH_BASELINE_ROWS, 'BENCH_BASELINE_ROWS', rows));

// Area codes in use, each with exchanges from 200 up: valid, distinct NANP numbers.
const AREAS = ['201', '202', '212', '213', '303', '305', '312', '404', '415', '617'];

/** A suppression-list export as people have them: a header, a name column, numbers written four ways. */
function csv(n) {
  const lines = ['Name;Mobile Phone;Added'];
  for (let i = 0; i < n; i++) {
    const area = AREAS[i % AREAS.length];
    const k = Math.floor(i / AREAS.length);
    const exchange = String(200 + (Math.floor(k / 10_000) % 800));
    const line = String(k % 10_000).padStart(4, '0');
    const written = [
      `+1${area}${exchange}${line}`,
      `(${area}) ${exchange}-${line}`,
      `${area}.${exchange}.${line}`,
      `"+1 ${area} ${exchange} ${line}"`,
    ][i % 4];
    lines.push(`"Customer ${i}";${written};2025-01-0${(i % 9) + 1}`);
  }
  return `${lines.join('\r\n')}\r\n`;
}

async function withStore(fn) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'a2p-bench-import-'));
  const store = await openStore({ kind: 'sqlite', path: path.join(dir, 'a2p.sqlite') });
  try {
    return await fn(store);
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function timed(fn) {
  const started = process.hrtime.bigint();
  const value = await fn();
  return { value, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

/** Prints one measured run; returns its rate in rows per second. */
function line(label, n, seconds, extra = '') {
  const rate = n / seconds;
  console.log(
    `${label.padEnd(38)} rows ${String(n).padStart(7)}  ${seconds.toFixed(2).padStart(7)} s  ` +
      `${rate.toFixed(0).padStart(9)} rows/s${extra}`,
  );
  return rate;
}

const opts = { defaultCountry: 'US', evidence: { file: 'bench.csv' } };
const event = (phone, i) => ({
  phone,
  topic: '*',
  action: 'opt-out',
  source: 'import',
  evidence: { file: 'bench.csv', import: { row: i + 2, value: phone } },
});

async function main() {
  const text = csv(rows);
  console.log(`consent-import: ${rows} rows, ${(Buffer.byteLength(text) / 1024 / 1024).toFixed(1)} MB of CSV, real SQLite store (WAL)`);
  let ok = true;

  // Warm-up: JIT, libphonenumber's metadata, SQLite's first pages.
  await withStore((store) => importSuppressionList(store, csv(Math.min(rows, 2000)), opts));

  const parsed = await timed(() => parseSuppressionList(text, opts));
  line('parse + normalise only', rows, parsed.seconds);
  const phones = parsed.value.phones;
  if (phones.length !== rows || parsed.value.rejected.length > 0) {
    console.log(`  expected ${rows} numbers; got ${phones.length}, first rejection ${JSON.stringify(parsed.value.rejected[0])}`);
    ok = false;
  }
  const events = phones.map(event);

  const baseline = await withStore(async (store) => {
    const subset = events.slice(0, baselineRows);
    return timed(async () => {
      for (const e of subset) await store.recordConsent(e);
    });
  });
  const baseRate = line('baseline: recordConsent one by one', baselineRows, baseline.seconds);

  const storeOnly = await withStore((store) => timed(() => store.importConsent(events)));
  const storeRate = rows / storeOnly.seconds;
  line('importConsent (events built)', rows, storeOnly.seconds, `  ${(storeRate / baseRate).toFixed(1)}× the baseline`);
  if (storeOnly.value.recorded !== rows) ok = false;

  await withStore(async (store) => {
    const first = await timed(() => importSuppressionList(store, text, opts));
    const rate = rows / first.seconds;
    line('importSuppressionList (CSV → ledger)', rows, first.seconds, `  ${(rate / baseRate).toFixed(1)}× the baseline`);
    const again = await timed(() => importSuppressionList(store, text, opts));
    line('re-import (all unchanged)', rows, again.seconds, `  ${(rows / again.seconds / rate).toFixed(2)}× the first import's rate`);
    const r = first.value;
    const a = again.value;
    if (r.recorded !== rows || r.total !== rows || a.unchanged !== rows || a.recorded !== 0) {
      const counts = (x) => JSON.stringify({ ...x, rejected: x.rejected.length });
      console.log(`  counts do not add up: first ${counts(r)}, again ${counts(a)}`);
      ok = false;
    }
  });

  console.log(`store half alone: one transaction vs one per event: ${(storeRate / baseRate).toFixed(1)}×`);
  if (baselineRows !== rows) {
    console.log(
      `(the baseline recorded ${baselineRows} events, not ${rows}; its rate is what is compared; ` +
        'set BENCH_BASELINE_ROWS to change it)',
    );
  }
  if (!ok) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
