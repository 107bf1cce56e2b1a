/**
 * sms-consent given malformed, hostile and oversized input, a broken store or a bad configuration:
 * every failure is a coded error for Catch nodes, and nothing ever leaves on an output.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { NodeFlow, helper, usNumber, type Answer, type Msg } from './node-flow';

/* eslint-disable @typescript-eslint/no-require-imports */
const functionNode = require('@node-red/nodes/core/function/10-function.js');
/* eslint-enable @typescript-eslint/no-require-imports */

let flow: NodeFlow | undefined;

afterEach(async () => {
  await flow?.stop();
  flow = undefined;
});

const NODES = [
  { id: 'check', operation: 'check' },
  { id: 'optOut', operation: 'opt-out' },
  { id: 'history', operation: 'history' },
  { id: 'import', operation: 'import' },
];

async function start(opts: Partial<Parameters<typeof NodeFlow.start>[0]> = {}): Promise<NodeFlow> {
  flow = await NodeFlow.start({ nodes: NODES, ...opts });
  return flow;
}

/** The failure as Catch nodes see it, after checking that nothing left on any output. */
function failed(f: NodeFlow, id: string, answer: Answer, code: string): Msg {
  expect(answer.ports).toBeNull();
  const caught = answer.caught!;
  expect(f.sentFor(id, caught._msgid)).toEqual([]);
  expect(caught.error).toMatchObject({ code, source: { id, type: 'sms-consent' } });
  // What the node put on msg.error, kept by Node-RED beside its own.
  expect(caught._error).toMatchObject({ code, message: expect.any(String), retryable: expect.any(Boolean) });
  expect(caught.consent).toBeUndefined();
  expect(f.lastStatus(id)).toEqual({ fill: 'red', shape: 'ring', text: `failed: ${code}` });
  return caught;
}

const HUGE = 10 * 1024 * 1024;

describe('hostile and malformed messages', () => {
  const to = usNumber(100);
  const cyclic: Record<string, unknown> = { text: 'STOP' };
  cyclic.self = cyclic;

  it.each([
    ['an object in msg.to', 'check', 'INVALID_INPUT', { to: { number: to } }],
    ['a list in msg.to', 'check', 'INVALID_INPUT', { to: [to, usNumber(101)] }],
    ['true in msg.to', 'optOut', 'INVALID_INPUT', { to: true }],
    ['an object in msg.payload.to', 'check', 'INVALID_INPUT', { payload: { to: { e164: to } } }],
    ['no number anywhere', 'check', 'INVALID_PHONE', { payload: 'hello' }],
    ['letters for a number', 'history', 'INVALID_PHONE', { to: 'call me maybe' }],
    ['10 MB of digits in msg.to', 'check', 'INVALID_PHONE', { to: '1'.repeat(HUGE) }],
    ['a number in msg.consentTopic', 'check', 'INVALID_INPUT', { to, consentTopic: 7 }],
    ['an object in msg.consentTopic', 'check', 'INVALID_INPUT', { to, consentTopic: { $ne: null } }],
    ['a line break in msg.consentTopic', 'optOut', 'INVALID_INPUT', { to, consentTopic: 'marketing\nsales' }],
    ['a topic of 1000 characters', 'check', 'INVALID_INPUT', { to, consentTopic: 't'.repeat(1000) }],
    ['an array as evidence', 'optOut', 'INVALID_INPUT', { to, evidence: ['STOP'] }],
    ['text as evidence', 'optOut', 'INVALID_INPUT', { to, evidence: 'STOP' }],
    ['a Date as evidence', 'optOut', 'INVALID_INPUT', { to, evidence: new Date() }],
    ['cyclic evidence', 'optOut', 'INVALID_INPUT', { to, evidence: cyclic }],
    ['evidence with a BigInt', 'optOut', 'INVALID_INPUT', { to, evidence: { n: 10n } }],
    ['20 KB of evidence', 'optOut', 'INVALID_INPUT', { to, evidence: { text: 'x'.repeat(20_000) } }],
    ['10 MB of evidence', 'optOut', 'INVALID_INPUT', { to, evidence: { text: 'x'.repeat(HUGE) } }],
    [
      'evidence that throws when serialised',
      'optOut',
      'INVALID_INPUT',
      {
        to,
        evidence: {
          toJSON() {
            throw new Error('boom');
          },
        },
      },
    ],
    ['an object to import', 'import', 'INVALID_INPUT', { payload: { phone: to } }],
    ['a number to import', 'import', 'INVALID_INPUT', { payload: 14155551000 }],
    ['nothing to import', 'import', 'INVALID_INPUT', {}],
    ['more than 1 KB of evidence on an import', 'import', 'INVALID_INPUT', { payload: to, evidence: { note: 'x'.repeat(2000) } }],
  ])('%s: %s fails with %s', async (_name, id, code, msg: Msg) => {
    const f = await start();
    failed(f, id, await f.run(id, { ...msg, consent: { allowed: true, reason: 'opted-in' } }), code);
  });

  it('checks a message whose payload is 10 MB of text, and passes that payload on as it is', async () => {
    const f = await start();
    const payload = 'x'.repeat(HUGE);
    const answer = await f.run('check', { to: usNumber(102), payload });
    expect(answer.ports?.[0]?.payload).toBe(payload);
  });

  it('imports 10 MB of junk as one rejected row, echoing only its start', async () => {
    const f = await start();
    const answer = await f.run('import', { payload: 'z'.repeat(HUGE) });
    const result = answer.ports?.[0]?.payload as { recorded: number; rejected: { row: number; value: string; code: string }[] };
    expect(result.recorded).toBe(0);
    expect(result.rejected).toHaveLength(1);
    expect(result.rejected[0]).toMatchObject({ row: 1, code: 'INVALID_PHONE' });
    expect(result.rejected[0]!.value.length).toBeLessThan(100);
  });

  it('refuses evidence holding a __proto__ key (engines that copy by assignment would adopt it as a prototype)', async () => {
    const f = await start();
    const evidence = JSON.parse('{"text": "STOP", "nested": {"__proto__": {"polluted": true}}}');
    const caught = failed(f, 'optOut', await f.run('optOut', { to: usNumber(103), evidence }), 'INVALID_INPUT');
    expect(String((caught._error as { message: string }).message)).toMatch(/__proto__/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const history = await f.run('history', { to: usNumber(103) });
    expect(history.ports?.[0]?.payload).toEqual([]);
  });

  it('accepts evidence and lists built by a Function node, whose objects belong to another realm', async () => {
    const foreign = runInNewContext('({ text: "STOP", ip: "203.0.113.7" })') as Record<string, unknown>;
    expect(Object.getPrototypeOf(foreign)).not.toBe(Object.prototype);
    const f = await start({
      extra: {
        modules: [functionNode],
        nodes: [
          {
            id: 'fn',
            type: 'function',
            z: 'tab',
            x: 100,
            y: 100,
            func: 'msg.evidence = { text: msg.payload, via: "function" }; return msg;',
            outputs: 1,
            wires: [['optOut']],
          },
          {
            id: 'fnList',
            type: 'function',
            z: 'tab',
            x: 100,
            y: 100,
            func: 'msg.payload = [{ phone: "+14155551105" }, { phone: "+14155551106" }]; return msg;',
            outputs: 1,
            wires: [['import']],
          },
        ],
      },
    });
    const recorded = nextOn('optOut-out0');
    helper.getNode('fn').receive({ to: usNumber(104), payload: 'STOP' });
    expect((await recorded).consent).toMatchObject({ evidence: { text: 'STOP', via: 'function' } });

    const imported = nextOn('import-out0');
    helper.getNode('fnList').receive({});
    expect((await imported).payload).toMatchObject({ recorded: 2, rejected: [] });

    const direct = await f.run('optOut', { to: usNumber(105), evidence: foreign });
    expect(direct.ports?.[0]?.consent).toMatchObject({ evidence: { text: 'STOP', ip: '203.0.113.7' } });
  });
});

function nextOn(id: string): Promise<Msg> {
  return new Promise((resolve) => helper.getNode(id).once('input', resolve));
}

describe('a store that fails', () => {
  it('answers a check with STORE_ERROR and nothing on allowed, message after message', async () => {
    const f = await start({ stores: [{ id: 'broken', path: 'broken.sqlite' }], nodes: [{ id: 'check', operation: 'check', store: 'broken' }] });
    writeFileSync(join(f.userDir, 'broken.sqlite'), 'this is not a SQLite database '.repeat(200));
    for (let i = 0; i < 2; i++) {
      failed(f, 'check', await f.run('check', { to: usNumber(110), consent: { allowed: true } }), 'STORE_ERROR');
    }
  });

  it('fails every operation with STORE_ERROR when the file cannot be created', async () => {
    const f = await start({
      stores: [{ id: 'blocked', path: join('not-a-folder', 'a2p.sqlite') }],
      nodes: NODES.map((n) => ({ ...n, store: 'blocked' })),
    });
    writeFileSync(join(f.userDir, 'not-a-folder'), 'a file where a folder should be');
    const to = usNumber(111);
    failed(f, 'check', await f.run('check', { to }), 'STORE_ERROR');
    failed(f, 'optOut', await f.run('optOut', { to }), 'STORE_ERROR');
    failed(f, 'history', await f.run('history', { to }), 'STORE_ERROR');
    failed(f, 'import', await f.run('import', { payload: to }), 'STORE_ERROR');
  });

  it('reports the error without what caused it underneath', async () => {
    const f = await start({ stores: [{ id: 'broken', path: 'dir.sqlite' }], nodes: [{ id: 'check', operation: 'check', store: 'broken' }] });
    mkdirSync(join(f.userDir, 'dir.sqlite'));
    const caught = failed(f, 'check', await f.run('check', { to: usNumber(112) }), 'STORE_ERROR');
    expect((caught.error as Record<string, unknown>).cause).toBeUndefined();
  });
});

describe('a bad configuration', () => {
  it.each([
    ['an unknown operation', { operation: 'delete' }, 'the operation must be one of'],
    ['a topic that is not text', { topic: 42 }, 'Topic must be text'],
    ['a country that is not text', { defaultCountry: ['US'] }, 'Country must be text'],
  ])('refuses %s at deploy and fails every message with INVALID_INPUT', async (_name, settings, warning) => {
    flow = await NodeFlow.start({ nodes: [{ id: 'bad', ...settings }] });
    expect(flow.logText()).toContain(warning);
    const answer = await flow.run('bad', { to: usNumber(120) });
    expect(answer.ports).toBeNull();
    expect(answer.caught?.error).toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('fails each message with INVALID_INPUT for a country code that does not exist', async () => {
    flow = await NodeFlow.start({ nodes: [{ id: 'check', operation: 'check', defaultCountry: 'XX' }] });
    failed(flow, 'check', await flow.run('check', { to: '415 555 1000' }), 'INVALID_INPUT');
  });
});
