/**
 * sms-consent's hold on the store: one lease taken when the node starts, given back when it
 * closes, after the work under way; what was recorded survives a redeploy.
 */
import type { StoreLease } from '../../core/store';
import type { Store } from '../../core/types';
import { NodeFlow, helper, nextTicks, usNumber, type Msg } from './node-flow';

interface LeaseRecord {
  storeNodeId: string | undefined;
  released: number;
}

// Every lease the nodes take, and a log of what happened in order.
const leases: LeaseRecord[] = [];
const events: string[] = [];
/** When set, each consent check waits for it first: work that is under way when the node closes. */
let gate: Promise<void> | undefined;

jest.mock('../../node-red/sms-store', () => {
  const actual = jest.requireActual<typeof import('../../node-red/sms-store')>('../../node-red/sms-store');
  const slow = (store: Store): Store => ({
    ...store,
    checkConsent: async (q) => {
      await gate;
      const decision = await store.checkConsent(q);
      events.push('checked');
      return decision;
    },
  });
  return {
    __esModule: true,
    ...actual,
    storeLeaseFor: (...args: Parameters<typeof actual.storeLeaseFor>): StoreLease => {
      const lease = actual.storeLeaseFor(...args);
      const record: LeaseRecord = { storeNodeId: args[1], released: 0 };
      leases.push(record);
      return {
        get store() {
          return lease.store.then(slow);
        },
        release: async () => {
          record.released++;
          events.push('released');
          await lease.release();
        },
      };
    },
  };
});

let flow: NodeFlow | undefined;

beforeEach(() => {
  leases.length = 0;
  events.length = 0;
  gate = undefined;
});
afterEach(async () => {
  gate = undefined;
  await flow?.stop();
  flow = undefined;
});

function opener(): () => void {
  let open = (): void => undefined;
  gate = new Promise((resolve) => {
    open = resolve;
  });
  return open;
}

describe('sms-consent and its store lease', () => {
  it('takes one lease when deployed, before any message, on the selected store', async () => {
    flow = await NodeFlow.start({
      stores: [{ id: 'ledger', path: 'ledger.sqlite' }],
      nodes: [
        { id: 'check', operation: 'check', store: 'ledger' },
        { id: 'optOut', operation: 'opt-out' },
      ],
    });
    expect(leases).toEqual([
      { storeNodeId: 'ledger', released: 0 },
      { storeNodeId: undefined, released: 0 },
    ]);
  });

  it('gives the lease back once when closed, after the check under way has answered', async () => {
    flow = await NodeFlow.start({ nodes: [{ id: 'check', operation: 'check' }] });
    const node = helper.getNode('check');
    const open = opener();
    const answered = flow.run('check', { to: usNumber(200) });
    await nextTicks();
    const closed = node.close(false);
    await nextTicks();
    expect(leases[0]!.released).toBe(0);
    open();
    const answer = await answered;
    await closed;
    expect(answer.ports?.[0]?.consent).toMatchObject({ allowed: true });
    expect(events).toEqual(['checked', 'released']);
    expect(leases[0]!.released).toBe(1);
    expect(flow.lastStatus('check')).toEqual({});
  });

  it('refuses a message that arrives while it is closing with CANCELED, sending nothing', async () => {
    flow = await NodeFlow.start({ nodes: [{ id: 'check', operation: 'check' }] });
    const node = helper.getNode('check');
    const open = opener();
    const first = flow.run('check', { to: usNumber(201) });
    await nextTicks();
    const closed = node.close(false);
    const late = await flow.run('check', { to: usNumber(202) });
    expect(late.ports).toBeNull();
    expect(late.caught?._error).toMatchObject({ code: 'CANCELED', retryable: true });
    expect(flow.sentFor('check', late.caught?._msgid)).toEqual([]);
    open();
    await first;
    await closed;
  });

  it('keeps what it recorded across a redeploy on the same user directory', async () => {
    flow = await NodeFlow.start({ nodes: [{ id: 'optOut', operation: 'opt-out' }] });
    const userDir = flow.userDir;
    await flow.run('optOut', { to: usNumber(203) });
    await helper.unload();
    expect(leases.map((l) => l.released)).toEqual([1]);

    const again = await NodeFlow.start({ userDir, nodes: [{ id: 'check', operation: 'check' }] });
    const answer = await again.run('check', { to: usNumber(203) });
    expect((answer.ports?.[1] as Msg).consent).toMatchObject({ allowed: false, reason: 'opted-out' });
    await again.stop();
    // The first flow owns the folder and removes it.
    await flow.stop();
    flow = undefined;
  });
});
