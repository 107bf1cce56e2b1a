/**
 * The Quiet-Hours Gate example users import: loaded as shipped, with Node-RED's own inject and
 * comment nodes, its debug nodes swapped for test helpers, and driven by its inject buttons at
 * instants the test chooses (Date alone is faked).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import smsProvider from '../../node-red/sms-provider';
import smsQuietHours from '../../node-red/sms-quiet-hours';
import smsSend from '../../node-red/sms-send';
import smsStore from '../../node-red/sms-store';
import { fakeDateOnly, helper, type Msg } from './sms-quiet-hours-flow';

/* eslint-disable @typescript-eslint/no-require-imports */
const inject = require('@node-red/nodes/core/common/20-inject.js');
const comment = require('@node-red/nodes/core/common/90-comment.js');
/* eslint-enable @typescript-eslint/no-require-imports */

type FlowNode = Record<string, unknown> & { id: string; type: string };
const shipped = JSON.parse(readFileSync(join(__dirname, '..', '..', 'examples', 'quiet-hours-gate.json'), 'utf8')) as FlowNode[];

/** Tuesday 2026-03-10, noon in New York. */
const NY_NOON = '2026-03-10T16:00:00Z';
/** Monday 2026-03-09, 23:00 in New York. */
const NY_LATE = '2026-03-10T03:00:00Z';
/** 01:00 in Los Angeles. */
const LA_NIGHT = '2026-03-10T08:00:00Z';

let userDir: string;

async function load(at: string): Promise<void> {
  fakeDateOnly(at);
  userDir = mkdtempSync(join(tmpdir(), 'a2p-qh-example-'));
  helper.settings({ userDir });
  const flow = shipped.map((n) => (n.type === 'debug' ? { id: n.id, type: 'helper', z: n.z, x: n.x, y: n.y, wires: [] } : n));
  await helper.load([smsProvider, smsSend, smsStore, smsQuietHours, inject, comment], flow);
}

afterEach(async () => {
  await helper.unload();
  jest.useRealTimers();
  rmSync(userDir, { recursive: true, force: true });
});

function next(id: string): Promise<Msg> {
  return new Promise((resolve) => helper.getNode(id).once('input', resolve));
}

function click(id: string): void {
  helper.getNode(id).receive({});
}

/** The gate's last status text. */
function statusOf(id: string): string | undefined {
  const spy = (require('@node-red/runtime/lib/nodes/Node') as { prototype: { status: { getCalls(): { thisValue: { id: string }; args: [{ text?: string }] }[] } } })
    .prototype.status;
  return spy
    .getCalls()
    .filter((c) => c.thisValue.id === id)
    .at(-1)?.args[0].text;
}

async function statusBecomes(id: string, text: RegExp): Promise<void> {
  for (let i = 0; i < 500 && !text.test(statusOf(id) ?? ''); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(statusOf(id)).toMatch(text);
}

describe('examples/quiet-hours-gate.json', () => {
  it('sends the New York promotion at noon through the sandbox', async () => {
    await load(NY_NOON);
    const sent = next('a2p-qh-sent');
    click('a2p-qh-inject-ny');
    expect((await sent).payload).toMatchObject({ provider: 'sandbox', to: '+12125550100', status: 'queued' });
  });

  it('defers it at 23:00 New York time, to 08:00 there', async () => {
    await load(NY_LATE);
    const deferred = next('a2p-qh-deferred');
    click('a2p-qh-inject-ny');
    expect((await deferred).quietHours).toMatchObject({ allowed: false, timezone: 'America/New_York', nextAllowedAt: '2026-03-10T12:00:00.000Z' });
  });

  it('lets the one-time password through at night', async () => {
    await load(NY_LATE);
    const sent = next('a2p-qh-sent');
    click('a2p-qh-inject-otp');
    const msg = await sent;
    expect(msg.payload).toMatchObject({ to: '+12125550100' });
    expect(msg.quietHours).toMatchObject({ allowed: true, reason: 'exempt' });
  });

  it('defers the Alaska promotion until it is 08:00 in Adak too', async () => {
    await load('2026-03-10T16:30:00Z'); // 08:30 in Anchorage, 07:30 in Adak
    const deferred = next('a2p-qh-deferred');
    click('a2p-qh-inject-alaska');
    expect((await deferred).quietHours).toMatchObject({ timezone: 'America/Adak', nextAllowedAt: '2026-03-10T17:00:00.000Z' });
  });

  it('holds the Los Angeles promotion at night, sends it on "release all held now", and discards on "discard all held"', async () => {
    await load(LA_NIGHT);
    click('a2p-qh-inject-hold');
    await statusBecomes('a2p-qh-hold', /^held 1 · next Tue 08:00 PDT$/);

    const sent = next('a2p-qh-sent');
    click('a2p-qh-inject-flush');
    const msg = await sent;
    expect(msg.payload).toMatchObject({ provider: 'sandbox', to: '+14155550100' });
    expect(msg.quietHours).toMatchObject({ released: true, forced: true });

    click('a2p-qh-inject-hold');
    await statusBecomes('a2p-qh-hold', /^held 1/);
    click('a2p-qh-inject-reset');
    await statusBecomes('a2p-qh-hold', /^discarded 1$/);
  });
});
