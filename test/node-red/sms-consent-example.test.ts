/**
 * The Check Consent example users import must keep working: loaded as shipped, with Node-RED's own
 * inject and comment nodes and its debug nodes swapped for test helpers, and driven like a user
 * would, with the inject buttons.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { helper, type Msg } from './harness';
import smsConsent from '../../node-red/sms-consent';
import smsProvider from '../../node-red/sms-provider';
import smsSend from '../../node-red/sms-send';
import smsStore from '../../node-red/sms-store';

/* eslint-disable @typescript-eslint/no-require-imports */
const inject = require('@node-red/nodes/core/common/20-inject.js');
const comment = require('@node-red/nodes/core/common/90-comment.js');
/* eslint-enable @typescript-eslint/no-require-imports */

type FlowNode = Record<string, unknown> & { id: string; type: string };
const shipped = JSON.parse(readFileSync(join(__dirname, '..', '..', 'examples', 'check-consent.json'), 'utf8')) as FlowNode[];

let userDir: string;
beforeEach(async () => {
  userDir = mkdtempSync(join(tmpdir(), 'a2p-nr-consent-example-'));
  helper.settings({ userDir });
  const flow = shipped.map((n) => (n.type === 'debug' ? { id: n.id, type: 'helper', z: n.z, x: n.x, y: n.y, wires: [] } : n));
  await helper.load([smsStore, smsProvider, smsSend, smsConsent, inject, comment], flow);
});
afterEach(async () => {
  await helper.unload();
  rmSync(userDir, { recursive: true, force: true });
});

function next(id: string): Promise<Msg> {
  return new Promise((resolve) => helper.getNode(id).once('input', resolve));
}

/** Clicks an inject button and waits for what reaches the debug node `at`. */
async function click(inject: string, at: string): Promise<Msg> {
  const reached = next(at);
  helper.getNode(`a2p-consent-inject-${inject}`).receive({});
  return reached;
}

describe('examples/check-consent.json', () => {
  it('uses only its own nodes and Node-RED core nodes, each consent node on the shared store', () => {
    const types = new Set(shipped.map((n) => n.type));
    expect([...types].sort()).toEqual(['comment', 'debug', 'inject', 'sms-consent', 'sms-provider', 'sms-send', 'sms-store', 'tab']);
    for (const n of shipped.filter((n) => n.type === 'sms-consent')) {
      expect(n.store).toBe('a2p-consent-store');
      expect(n.outputs).toBe(n.operation === 'check' ? 2 : 1);
    }
  });

  it('sends the promotion, blocks it after STOP, and sends it again after START', async () => {
    const first = await click('promo', 'a2p-consent-sent');
    expect(first.payload).toMatchObject({ provider: 'sandbox', to: '+14155550100', status: 'queued' });
    expect(first.consent).toMatchObject({ allowed: true, reason: 'not-required', topic: 'marketing' });

    const stop = await click('stop', 'a2p-consent-recorded');
    expect(stop.consent).toMatchObject({
      phone: '+14155550100',
      topic: '*',
      action: 'opt-out',
      source: 'sms',
      evidence: { text: 'STOP', channel: 'sms', recordedBy: { node: 'a2p-consent-opt-out', flow: 'a2p-consent-tab' } },
    });
    const blocked = await click('promo', 'a2p-consent-blocked');
    expect(blocked.consent).toMatchObject({ allowed: false, reason: 'opted-out' });

    await click('start', 'a2p-consent-recorded');
    const again = await click('promo', 'a2p-consent-sent');
    expect(again.payload).toMatchObject({ to: '+14155550100' });
    // A new message (the idempotency scope is its _msgid), not the first send replayed.
    expect((again.payload as { duplicate?: boolean }).duplicate).toBeUndefined();

    const history = await click('history', 'a2p-consent-history-out');
    expect((history.payload as { action: string }[]).map((e) => e.action)).toEqual(['opt-out', 'opt-in']);
  });

  it('imports the suppression list, reporting the duplicate and the junk row', async () => {
    const imported = await click('import', 'a2p-consent-imported');
    expect(imported.payload).toMatchObject({
      recorded: 2,
      unchanged: 0,
      duplicates: 1,
      total: 4,
      rejected: [{ row: 5, value: 'call me maybe', code: 'INVALID_PHONE' }],
    });
  });
});
