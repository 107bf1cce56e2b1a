/**
 * sms-quiet-hours in hold-and-release mode: deferred messages are kept in the store and sent on
 * output 1 at their time, across a restart, a redeploy and a removal of the node. `Date` alone is
 * faked: the hold timer is real, so a test either restarts the flow after moving the clock, or
 * holds a message due a few hundred milliseconds later.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeDateOnly, GATE, GateFlow, flowNodes, heldInStore, helper, setNow } from './sms-quiet-hours-flow';

const HOLD = { mode: 'hold' };
const NEW_YORK = '+1 212 555 0100';
/** Monday 2026-03-09, 23:00 in New York (EDT). */
const NY_LATE = '2026-03-10T03:00:00Z';
/** Tuesday 08:00 in New York: the window opens. */
const NY_OPENS = '2026-03-10T12:00:00Z';

let userDir: string;
let flow: GateFlow | undefined;

beforeEach(() => {
  userDir = mkdtempSync(join(tmpdir(), 'a2p-qh-hold-'));
});

afterEach(async () => {
  await flow?.stop();
  flow = undefined;
  jest.useRealTimers();
  rmSync(userDir, { recursive: true, force: true });
});

async function start(gate: Record<string, unknown> = HOLD, storePath?: string): Promise<GateFlow> {
  flow = await GateFlow.start({ gate, userDir, ...(storePath !== undefined && { storePath }) });
  return flow;
}

async function stop(): Promise<void> {
  await flow?.stop();
  flow = undefined;
}

const nothing = { now: null, deferred: null, caught: null };

/** Node-RED's own redeploy: only the nodes that changed are stopped and started again. */
async function redeploy(nodes: Record<string, unknown>[], type: 'nodes' | 'full' = 'nodes'): Promise<void> {
  await (helper as unknown as { setFlows(flow: unknown, type: string): Promise<void> }).setFlows(nodes, type);
}

describe('sms-quiet-hours: hold and release', () => {
  it('keeps three messages through a restart and releases each exactly once on output 1', async () => {
    fakeDateOnly(NY_LATE);
    const f = await start();
    for (const n of [1, 2, 3]) expect(await f.input({ to: NEW_YORK, payload: `offer ${n}`, topic: 'spring' })).toEqual(nothing);
    await f.status(/^held 3 · next Tue 08:00 EDT$/);
    expect(f.lastStatus).toMatchObject({ fill: 'blue', shape: 'dot' });
    await stop();
    expect(await heldInStore(userDir)).toBe(3);

    setNow(Date.parse(NY_OPENS) + 5_000);
    const again = await start();
    const released = await again.nowCount(3);
    await again.status(/^released$/);
    expect(again.sentNow).toHaveLength(3);
    expect(released.map((m) => m.payload)).toEqual(['offer 1', 'offer 2', 'offer 3']);
    expect(new Set(released.map((m) => m._msgid)).size).toBe(3);
    for (const m of released) {
      expect(m).toMatchObject({ to: NEW_YORK, topic: 'spring' });
      expect(m.quietHours).toMatchObject({
        allowed: true,
        released: true,
        heldAt: new Date(NY_LATE).toISOString(),
        timezone: 'America/New_York',
        localTime: '2026-03-10T08:00:05.000-04:00',
      });
      expect(m.quietHours).not.toHaveProperty('forced');
    }
    expect(again.sentDeferred).toEqual([]);
    await stop();
    expect(await heldInStore(userDir)).toBe(0);
  });

  it('releases a message on time while running', async () => {
    // 300 ms before the window opens.
    fakeDateOnly(Date.parse(NY_OPENS) - 300);
    const f = await start();
    expect(await f.input({ to: NEW_YORK, payload: 'soon' })).toEqual(nothing);
    await f.status(/^held 1/);
    setNow(Date.parse(NY_OPENS) + 100);
    const [released] = await f.nowCount(1, 5_000);
    expect(released).toMatchObject({ payload: 'soon', quietHours: { released: true, allowed: true } });
  });

  it('sends allowed messages at once in hold mode and never holds a bad number', async () => {
    fakeDateOnly('2026-03-10T16:00:00Z');
    const f = await start();
    const ok = await f.input({ to: NEW_YORK, payload: 'now' });
    expect(ok.now?.quietHours).toMatchObject({ allowed: true });
    expect(ok.now?.quietHours).not.toHaveProperty('released');

    setNow(NY_LATE);
    const bad = await f.input({ to: '+1 000', payload: 'bad' });
    expect(bad.now).toBeNull();
    expect(bad.deferred).toBeNull();
    expect(bad.caught?.error).toMatchObject({ code: 'INVALID_PHONE' });
    await stop();
    expect(await heldInStore(userDir)).toBe(0);
  });

  it('holds on a message released too late, when the window has closed again', async () => {
    fakeDateOnly(NY_LATE);
    const f = await start();
    await f.input({ to: NEW_YORK, payload: 'missed' });
    await stop();

    // Node-RED was down all Tuesday: it starts again at 22:00, in the next quiet hours.
    setNow('2026-03-11T02:00:00Z');
    const again = await start();
    await again.status(/^held 1 · next Wed 08:00 EDT$/);
    expect(again.sentNow).toEqual([]);
    await stop();
    expect(await heldInStore(userDir)).toBe(1);

    setNow('2026-03-11T12:00:00Z');
    const third = await start();
    const [released] = await third.nowCount(1);
    expect(released!.quietHours).toMatchObject({ released: true, heldAt: new Date(NY_LATE).toISOString() });
  });

  it('keeps what it holds through a redeploy of the node', async () => {
    fakeDateOnly(NY_LATE);
    const f = await start();
    await f.input({ to: NEW_YORK, payload: 'a' });
    await f.input({ to: NEW_YORK, payload: 'b' });
    await f.status(/^held 2/);

    await redeploy(flowNodes({ gate: { ...HOLD, name: 'renamed' } }));
    expect(f.warnings.join('\n')).not.toMatch(/removed/);
    await f.status(/^held 2 · next Tue 08:00 EDT$/);
    expect(await heldInStore(userDir)).toBe(2);

    const flushed = await f.input({ flush: true });
    expect(flushed).toEqual(nothing);
    const released = await f.nowCount(2);
    expect(released.map((m) => [m.payload, m.quietHours?.forced, m.quietHours?.allowed])).toEqual([
      ['a', true, false],
      ['b', true, false],
    ]);
    expect(released[0]).not.toHaveProperty('flush');
  });

  it('keeps the messages of a removed node in the store and warns how many', async () => {
    fakeDateOnly(NY_LATE);
    const f = await start();
    await f.input({ to: NEW_YORK, payload: 'orphan' });
    await f.status(/^held 1/);
    await redeploy(
      flowNodes().filter((n) => n.id !== GATE),
      'full',
    );
    expect(f.logText()).toMatch(/removed while holding 1 message: they stay in the store under queue gate/);
    await stop();
    expect(await heldInStore(userDir)).toBe(1);

    // Undoing the delete brings the same node id back, and its messages with it.
    setNow(Date.parse(NY_OPENS) + 1_000);
    const restored = await start();
    expect((await restored.nowCount(1))[0]).toMatchObject({ payload: 'orphan' });
  });

  it('discards everything held on msg.reset and emits nothing', async () => {
    fakeDateOnly(NY_LATE);
    const f = await start();
    await f.input({ to: NEW_YORK, payload: 'x' });
    await f.input({ to: NEW_YORK, payload: 'y' });
    expect(await f.input({ reset: true })).toEqual(nothing);
    await f.status(/^discarded 2$/);
    expect(f.warnings).toContain('msg.reset: discarded 2 held messages');
    expect(f.sentNow).toEqual([]);
    await stop();
    expect(await heldInStore(userDir)).toBe(0);
  });

  it('drops msg.req and msg.res with a warning and releases the rest', async () => {
    fakeDateOnly(Date.parse(NY_OPENS) - 200);
    const f = await start();
    expect(await f.input({ to: NEW_YORK, payload: 'from http', req: { headers: { host: 'x' } }, res: { id: 'r' } })).toEqual(nothing);
    expect(f.warnings.join('\n')).toMatch(/without its msg\.req\/msg\.res/);
    setNow(Date.parse(NY_OPENS) + 100);
    const [released] = await f.nowCount(1, 5_000);
    expect(released).toMatchObject({ payload: 'from http' });
    expect(released).not.toHaveProperty('req');
    expect(released).not.toHaveProperty('res');
  });

  it.each([
    ['a Buffer', { payload: Buffer.from('hello') }, 'msg.payload holds a Buffer'],
    ['a Date', { payload: 'x', sendAt: new Date() }, 'msg.sendAt holds a Date'],
    ['a function', { payload: 'x', callback: () => 1 }, 'msg.callback holds a function'],
  ])('does not hold a message with %s: INVALID_INPUT, out on output 2 and to Catch', async (_what, extra, where) => {
    fakeDateOnly(NY_LATE);
    const f = await start();
    const out = await f.input({ to: NEW_YORK, ...extra });
    expect(out.now).toBeNull();
    expect(out.deferred?.error).toMatchObject({ code: 'INVALID_INPUT' });
    expect(String(out.deferred?.error?.message)).toContain(where);
    expect(out.deferred?.quietHours).toMatchObject({ allowed: false });
    expect(out.caught?.error).toMatchObject({ code: 'INVALID_INPUT' });
    await stop();
    expect(await heldInStore(userDir)).toBe(0);
  });

  it('refuses an oversized message with INVALID_INPUT instead of storing it', async () => {
    fakeDateOnly(NY_LATE);
    const f = await start();
    const out = await f.input({ to: NEW_YORK, payload: 'x'.repeat(2 * 1024 * 1024) });
    expect(out.deferred?.error).toMatchObject({ code: 'INVALID_INPUT' });
    expect(JSON.stringify(out.caught?.error).length).toBeLessThan(2_000);
  });

  it('uses the selected sms-store, and answers a store that cannot open with STORE_ERROR on output 2', async () => {
    fakeDateOnly(NY_LATE);
    const f = await start({ ...HOLD, store: 'store' }, 'held.sqlite');
    await f.input({ to: NEW_YORK, payload: 'kept' });
    await stop();
    expect(await heldInStore(userDir, 'held.sqlite')).toBe(1);

    // A file where the store's folder should be: nothing can be opened there.
    writeFileSync(join(userDir, 'not-a-folder'), '');
    const broken = await start({ ...HOLD, store: 'store' }, join(userDir, 'not-a-folder', 'x.sqlite'));
    const out = await broken.input({ to: NEW_YORK, payload: 'cannot be kept' });
    expect(out.deferred).toMatchObject({ payload: 'cannot be kept', error: { code: 'STORE_ERROR' }, quietHours: { allowed: false } });
    expect(out.caught?.error).toMatchObject({ code: 'STORE_ERROR' });
    expect(broken.lastStatus).toMatchObject({ fill: 'red', shape: 'ring' });
  });

  it('still releases on schedule what hold mode kept after a switch to route mode', async () => {
    fakeDateOnly(NY_LATE);
    const f = await start();
    await f.input({ to: NEW_YORK, payload: 'held before the switch' });
    await stop();
    setNow(Date.parse(NY_OPENS) + 1_000);
    const routed = await start({ mode: 'route' });
    const [released] = await routed.nowCount(1);
    expect(released).toMatchObject({ payload: 'held before the switch', quietHours: { released: true } });
  });

  it('answers a command to a misconfigured node with its configuration error', async () => {
    fakeDateOnly(NY_LATE);
    const f = await start({ ...HOLD, policy: 'nonsense' });
    const out = await f.input({ reset: true });
    expect(out.caught?.error).toMatchObject({ code: 'INVALID_INPUT' });
    expect(f.lastStatus).toEqual({ fill: 'red', shape: 'ring', text: 'configuration error' });
  });
});
