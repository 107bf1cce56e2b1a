/**
 * sms-consent inside a real Node-RED runtime (node-red-node-test-helper): every operation against
 * the SQLite ledger of a fresh user directory.
 */
import { NodeFlow, usNumber, type Answer, type NodeFlowOptions, type Msg } from './node-flow';

let flow: NodeFlow | undefined;

afterEach(async () => {
  await flow?.stop();
  flow = undefined;
});

/** One node of each operation, all on the default store. */
function everyOperation(settings: Record<string, unknown> = {}): NodeFlowOptions['nodes'] {
  return [
    { id: 'check', operation: 'check', ...settings },
    { id: 'optIn', operation: 'opt-in', ...settings },
    { id: 'optOut', operation: 'opt-out', ...settings },
    { id: 'history', operation: 'history', ...settings },
    { id: 'import', operation: 'import', ...settings },
  ];
}

async function start(nodes: NodeFlowOptions['nodes'] = everyOperation()): Promise<NodeFlow> {
  flow = await NodeFlow.start({ nodes });
  return flow;
}

/** The message that left on the given output, failing the test when it left elsewhere. */
function on(answer: Answer, port: number): Msg {
  expect(answer.caught).toBeNull();
  const msg = answer.ports?.[port];
  if (!msg) throw new Error(`nothing on output ${port + 1}: ${JSON.stringify(answer.ports)}`);
  answer.ports?.forEach((m, i) => i !== port && expect(m).toBeNull());
  return msg;
}

const ALLOWED = 0;
const BLOCKED = 1;

describe('check', () => {
  it('allows a number with no record, passing msg on unchanged but for msg.consent', async () => {
    const f = await start();
    const input = { to: '+1 (415) 555-1000', payload: { text: 'Spring sale' }, topic: 'mqtt/whatever', campaign: 'spring' };
    const out = on(await f.run('check', input), ALLOWED);
    const { consent, _msgid, ...rest } = out;
    expect(rest).toEqual(input);
    expect(consent).toEqual({ allowed: true, reason: 'not-required', phone: '+14155551000', topic: 'marketing' });
    expect(f.lastStatus('check')).toEqual({ fill: 'green', shape: 'dot', text: 'allowed 1 · blocked 0' });
  });

  it('reads the number from msg.payload.to when msg.to is not set, national formats with the country', async () => {
    const f = await start([{ id: 'check', operation: 'check', defaultCountry: 'FR' }]);
    const out = on(await f.run('check', { payload: { to: '06 12 34 56 78', text: 'Bonjour' } }), ALLOWED);
    expect(out.consent).toMatchObject({ phone: '+33612345678' });
  });

  it('checks msg.payload.to before msg.to, the number sms-send will text', async () => {
    const f = await start();
    const out = on(await f.run('check', { to: usNumber(1), payload: { to: usNumber(2) } }), ALLOWED);
    expect(out.consent).toMatchObject({ phone: usNumber(2) });
  });

  it('refuses a bulk array: one check cannot speak for many recipients', async () => {
    const f = await start();
    const answer = await f.run('check', { to: usNumber(1), payload: [{ to: usNumber(2) }] });
    expect(answer.ports).toBeNull();
    expect(answer.caught?.error).toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('follows STOP, then START, then STOP', async () => {
    const f = await start();
    const to = usNumber(3);
    const steps: [string, number, string][] = [
      ['optOut', BLOCKED, 'opted-out'],
      ['optIn', ALLOWED, 'opted-in'],
      ['optOut', BLOCKED, 'opted-out'],
    ];
    for (const [record, port, reason] of steps) {
      const recorded = on(await f.run(record, { to }), 0).consent as { at: string };
      const checked = on(await f.run('check', { to }), port);
      expect(checked.consent).toEqual({ allowed: port === ALLOWED, reason, since: recorded.at, phone: to, topic: 'marketing' });
    }
    expect(f.lastStatus('check')).toEqual({ fill: 'green', shape: 'dot', text: 'allowed 1 · blocked 2' });
    expect(f.lastStatus('optOut')).toEqual({ fill: 'green', shape: 'dot', text: 'recorded 2' });
  });

  it('keeps topics apart, and an opt-out of * blocks every topic', async () => {
    const f = await start([
      { id: 'check', operation: 'check', topic: 'marketing' },
      { id: 'checkTx', operation: 'check', topic: 'transactional' },
      { id: 'optOutMarketing', operation: 'opt-out', topic: 'marketing' },
      { id: 'optOut', operation: 'opt-out' },
    ]);
    const to = usNumber(4);
    on(await f.run('optOutMarketing', { to }), 0);
    on(await f.run('check', { to }), BLOCKED);
    on(await f.run('checkTx', { to }), ALLOWED);

    const all = on(await f.run('optOut', { to }), 0);
    expect(all.consent).toMatchObject({ topic: '*', action: 'opt-out' });
    expect(on(await f.run('checkTx', { to }), BLOCKED).consent).toMatchObject({ reason: 'opted-out', topic: 'transactional' });
  });

  it('checks the topic in msg.consentTopic, never the one in msg.topic', async () => {
    const f = await start([
      { id: 'check', operation: 'check' },
      { id: 'optOut', operation: 'opt-out', topic: 'promotions' },
    ]);
    const to = usNumber(5);
    on(await f.run('optOut', { to }), 0);
    on(await f.run('check', { to, topic: 'promotions' }), ALLOWED);
    const blocked = on(await f.run('check', { to, topic: 'marketing', consentTopic: 'promotions' }), BLOCKED);
    expect(blocked.consent).toMatchObject({ topic: 'promotions' });
  });

  it('with Require opt-in, blocks a number with no record until it opts in', async () => {
    const f = await start([
      { id: 'check', operation: 'check', requireOptIn: true },
      { id: 'optIn', operation: 'opt-in', topic: 'marketing' },
    ]);
    const to = usNumber(6);
    expect(on(await f.run('check', { to }), BLOCKED).consent).toEqual({ allowed: false, reason: 'no-consent', phone: to, topic: 'marketing' });
    on(await f.run('optIn', { to }), 0);
    expect(on(await f.run('check', { to }), ALLOWED).consent).toMatchObject({ allowed: true, reason: 'opted-in' });
  });
});

describe('opt-in and opt-out', () => {
  it('records the event with source node-red, topic *, msg.evidence and which node recorded it', async () => {
    const f = await start();
    const evidence = { text: 'STOP', messageId: 'SM123', recordedBy: 'a forged name' };
    const input = { to: usNumber(10), payload: 'STOP', evidence };
    const out = on(await f.run('optOut', input), 0);
    expect(out.payload).toBe('STOP');
    expect(out.consent).toEqual({
      id: expect.any(Number),
      phone: usNumber(10),
      topic: '*',
      action: 'opt-out',
      source: 'node-red',
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      evidence: { text: 'STOP', messageId: 'SM123', recordedBy: { engine: 'node-red', node: 'optOut', flow: 'tab' } },
    });
  });

  it('takes the Source, Topic and Country of the node', async () => {
    const f = await start([{ id: 'optIn', operation: 'opt-in', source: 'web form', topic: 'newsletter', defaultCountry: 'GB', name: 'Sign-up' }]);
    const out = on(await f.run('optIn', { to: '07400 123456' }), 0);
    expect(out.consent).toMatchObject({
      phone: '+447400123456',
      topic: 'newsletter',
      action: 'opt-in',
      source: 'web form',
      evidence: { recordedBy: { engine: 'node-red', node: 'optIn', flow: 'tab', name: 'Sign-up' } },
    });
  });
});

describe('history', () => {
  it('puts the events of the number in msg.payload, oldest first, filtered by topic when one is set', async () => {
    const f = await start([
      ...everyOperation(),
      { id: 'historyMarketing', operation: 'history', topic: 'marketing' },
      { id: 'optInNews', operation: 'opt-in', topic: 'newsletter' },
    ]);
    const to = usNumber(20);
    on(await f.run('optOut', { to }), 0);
    on(await f.run('optInNews', { to }), 0);
    on(await f.run('optIn', { to }), 0);
    on(await f.run('optIn', { to: usNumber(21) }), 0);

    const all = on(await f.run('history', { payload: { to } }), 0).payload as { topic: string; action: string; id: number }[];
    expect(all.map((e) => [e.topic, e.action])).toEqual([
      ['*', 'opt-out'],
      ['newsletter', 'opt-in'],
      ['*', 'opt-in'],
    ]);
    expect(all.map((e) => e.id)).toEqual([...all.map((e) => e.id)].sort((a, b) => a - b));

    const marketing = on(await f.run('historyMarketing', { to }), 0).payload as { topic: string }[];
    expect(marketing.map((e) => e.topic)).toEqual(['*', '*']);

    const none = on(await f.run('history', { to: usNumber(22) }), 0);
    expect(none.payload).toEqual([]);
    expect(f.lastStatus('history')).toEqual({ fill: 'green', shape: 'dot', text: 'looked up 2' });
  });
});

describe('import', () => {
  const DIRTY_CSV = [
    'Name;Phone;Note',
    'Ada; +1 415 555 3000 ;vip',
    'Bob;(415) 555-3001;',
    'Cy;415.555.3001;same as Bob',
    'Dee;call me maybe;junk',
    '',
    'Eve;"+1 (415) 555-3002";quoted',
    'Fay;;no number',
  ].join('\r\n');

  it('imports a dirty CSV: normalised, de-duplicated, junk rows reported, not fatal', async () => {
    const f = await start(everyOperation({ defaultCountry: 'US' }));
    const out = on(await f.run('import', { payload: DIRTY_CSV, evidence: { file: 'crm-export.csv' } }), 0);
    expect(out.payload).toEqual({
      recorded: 3,
      unchanged: 0,
      duplicates: 1,
      rejected: [
        { row: 5, value: 'call me maybe', code: 'INVALID_PHONE', message: expect.any(String) },
        { row: 6, value: '', code: 'INVALID_INPUT', message: expect.any(String) },
        { row: 8, value: '', code: 'INVALID_INPUT', message: expect.any(String) },
      ],
      total: 7,
    });
    expect(f.lastStatus('import')).toEqual({ fill: 'yellow', shape: 'dot', text: 'imported 3, 3 rejected' });

    const blocked = on(await f.run('check', { to: '+14155553001' }), BLOCKED);
    expect(blocked.consent).toMatchObject({ reason: 'opted-out' });
    const [event] = on(await f.run('history', { to: '+14155553000' }), 0).payload as { source: string; topic: string; evidence: Record<string, unknown> }[];
    expect(event).toMatchObject({
      source: 'import',
      topic: '*',
      evidence: { file: 'crm-export.csv', recordedBy: { engine: 'node-red', node: 'import', flow: 'tab' }, import: { row: 2 } },
    });
  });

  it('counts a second import of the same list as unchanged', async () => {
    const f = await start(everyOperation({ defaultCountry: 'US' }));
    on(await f.run('import', { payload: DIRTY_CSV }), 0);
    const again = on(await f.run('import', { payload: Buffer.from(DIRTY_CSV, 'utf8') }), 0);
    expect(again.payload).toMatchObject({ recorded: 0, unchanged: 3, duplicates: 1, total: 7 });
    expect(f.lastStatus('import')).toEqual({ fill: 'yellow', shape: 'dot', text: 'imported 6, 6 rejected' });
  });

  it('imports an array of numbers and objects, with the Column, Topic and Source of the node', async () => {
    const f = await start([
      { id: 'import', operation: 'import', column: 'mobile', topic: 'marketing', source: 'crm', defaultCountry: 'US' },
      { id: 'check', operation: 'check' },
      { id: 'checkTx', operation: 'check', topic: 'transactional' },
    ]);
    const payload = ['+14155553010', 14155553011, { mobile: '+14155553012', phone: 'not this one' }, { name: 'no number' }];
    const out = on(await f.run('import', { payload }), 0);
    expect(out.payload).toMatchObject({ recorded: 3, unchanged: 0, duplicates: 0, total: 4, rejected: [{ row: 4, code: 'INVALID_INPUT' }] });
    on(await f.run('check', { to: '+14155553012' }), BLOCKED);
    on(await f.run('checkTx', { to: '+14155553012' }), ALLOWED);
  });

  it('answers an empty list with nothing recorded', async () => {
    const f = await start();
    const out = on(await f.run('import', { payload: '' }), 0);
    expect(out.payload).toEqual({ recorded: 0, unchanged: 0, duplicates: 0, rejected: [], total: 0 });
    expect(f.lastStatus('import')).toEqual({ fill: 'green', shape: 'dot', text: 'imported 0, 0 rejected' });
  });
});
