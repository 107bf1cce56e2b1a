#!/usr/bin/env node
// Send throughput: the dispatcher at concurrency 1 (what the built-in SMS nodes of both engines
// do: one request after the other) against its defaults, through the real Twilio adapter, the
// keep-alive HTTP client and a real SQLite store, with a mock Twilio on 127.0.0.1 that answers
// every message after a fixed latency.
//
//   node bench/send-throughput.js [items]        (or BENCH_ITEMS=…; default 10000)
//   BENCH_SERIAL_ITEMS=…  items for the concurrency-1 run (default min(items, 400): at 50 ms a
//                         message, 10,000 one at a time would take over 8 minutes)
//   BENCH_LATENCY_MS=…    the mock's answer delay (default 50)
//
// It measures and prints; nothing here is a pass/fail on time. It exits non-zero only when the
// work itself went wrong (failed sends, or the mock saw a different number of requests).
'use strict';

const http = require('node:http');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { positiveInt } = require('./lib/args');

const dist = path.join(__dirname, '..', 'dist', 'core');
const { sendBatch } = require(path.join(dist, 'dispatch'));
const { openStore } = require(path.join(dist, 'store'));

const ACCOUNT_SID = 'AC00000000000000000000000000000000';
const AUTH_TOKEN = 'bench-token-not-a-secret';
const MESSAGES_PATH = `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`;

const items = positiveInt(process.argv[2] ?? process.env.BENCH_ITEMS, 'items', 10_000);
const serialItems = positiveInt(process.env.BENCH_SERIAL_ITEMS, 'BENCH_SERIAL_ITEMS', Math.min(items, 400));
const latencyMs = positiveInt(process.env.BENCH_LATENCY_MS, 'BENCH_LATENCY_MS', 50);

/** A Twilio look-alike: 201 with a Messages resource after `latencyMs`, counting what it receives. */
function startMockTwilio() {
  const state = { received: 0, seq: 0 };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== MESSAGES_PATH) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: 20404, message: 'not found', status: 404 }));
        return;
      }
      state.received++;
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const sid = `SM${String(++state.seq).padStart(32, '0')}`;
      setTimeout(() => {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            sid,
            account_sid: ACCOUNT_SID,
            from: form.get('From'),
            to: form.get('To'),
            body: form.get('Body'),
            status: 'queued',
            num_segments: '1',
            direction: 'outbound-api',
            price: null,
            price_unit: 'USD',
          }),
        );
      }, latencyMs);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ server, state, baseUrl: `http://127.0.0.1:${server.address().port}` }));
  });
}

function requests(n, run) {
  // Distinct recipients and texts: every item is a new message for the idempotency check.
  return Array.from({ length: n }, (_, i) => ({
    to: `+1415555${String(i % 10_000).padStart(4, '0')}`,
    from: '+14155550199',
    text: `Bench ${run} message ${i}: your order has shipped.`,
  }));
}

async function run(label, n, concurrency, mock) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'a2p-bench-'));
  const store = await openStore({ kind: 'sqlite', path: path.join(dir, 'a2p.sqlite') });
  const before = mock.state.received;
  try {
    const opts = {
      provider: 'twilio',
      credentials: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, baseUrl: mock.baseUrl },
      store,
      idempotencyScope: label,
    };
    if (concurrency !== undefined) opts.concurrency = concurrency;
    const started = process.hrtime.bigint();
    const outcomes = await sendBatch(requests(n, label), opts);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const failed = outcomes.filter((o) => !o.ok);
    const effectiveConcurrency = concurrency ?? 10;
    return {
      label,
      items: n,
      concurrency: effectiveConcurrency,
      seconds,
      perSecond: n / seconds,
      littleLimit: effectiveConcurrency / (latencyMs / 1000),
      received: mock.state.received - before,
      failed: failed.length,
      firstError: failed[0] && failed[0].error.toJSON(),
    };
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function report(r) {
  const pct = ((r.perSecond / r.littleLimit) * 100).toFixed(0);
  console.log(
    `${r.label.padEnd(20)} items ${String(r.items).padStart(6)}  concurrency ${String(r.concurrency).padStart(3)}  ` +
      `${r.seconds.toFixed(2).padStart(7)} s  ${r.perSecond.toFixed(1).padStart(8)} msg/s  ` +
      `(Little's law limit ${r.littleLimit.toFixed(0)} msg/s, ${pct}% of it)  mock received ${r.received}` +
      (r.received === r.items ? '' : `  MISMATCH: expected ${r.items}`),
  );
  if (r.failed > 0) console.log(`  ${r.failed} sends failed; first: ${JSON.stringify(r.firstError)}`);
}

async function main() {
  const mock = await startMockTwilio();
  try {
    console.log(`send-throughput: mock Twilio at ${mock.baseUrl}, ${latencyMs} ms per answer, real SQLite store, twilio adapter`);
    console.log(`Little's law: throughput ≤ concurrency ÷ latency (${latencyMs} ms)`);
    const results = [];
    // A short warm-up so neither measured run pays for JIT, socket set-up and SQLite's first pages.
    await run('warm-up', Math.min(50, items), undefined, mock);
    results.push(await run('concurrency 1', serialItems, 1, mock));
    report(results[0]);
    results.push(await run('defaults', items, undefined, mock));
    report(results[1]);
    const [serial, parallel] = results;
    console.log(`defaults vs concurrency 1: ${(parallel.perSecond / serial.perSecond).toFixed(1)}× the throughput`);
    if (serialItems !== items) {
      console.log(
        `(the concurrency-1 run used ${serialItems} items, not ${items}: at ${latencyMs} ms each, ${items} would take ` +
          `about ${Math.round((items * latencyMs) / 1000)} s; set BENCH_SERIAL_ITEMS to change it)`,
      );
    }
    if (results.some((r) => r.failed > 0 || r.received !== r.items)) process.exitCode = 1;
  } finally {
    await new Promise((resolve) => {
      mock.server.closeAllConnections();
      mock.server.close(resolve);
    });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
