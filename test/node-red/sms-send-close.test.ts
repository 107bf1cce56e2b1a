/**
 * sms-send stopping in the middle of a bulk (redeploy, shutdown, node deleted): its batches start
 * no further sends, what is on the wire finishes, and nothing leaves the node once it has stopped.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import type { DispatchOptions } from '../../core/dispatch/types';
import { useNock } from '../support/nock';
import { closeWaitMs } from '../../node-red/close-after-work';
import { TestFlow, TWILIO_CREDENTIALS, TWILIO_HOST, TWILIO_PATH, usNumber, type Msg } from './harness';

// The options each batch was started with, to see the abort signal the node hands the core.
const batches: DispatchOptions[] = [];
jest.mock('../../core/dispatch', () => {
  const actual = jest.requireActual<typeof import('../../core/dispatch')>('../../core/dispatch');
  return {
    ...actual,
    sendBatch: (requests: Parameters<typeof actual.sendBatch>[0], opts: DispatchOptions) => {
      batches.push(opts);
      return actual.sendBatch(requests, opts);
    },
  };
});

let flow: TestFlow | undefined;

beforeEach(() => {
  batches.length = 0;
});
afterEach(async () => {
  await flow?.stop();
  flow = undefined;
});
// After the flow's hook, so that the flow stops before its pending requests are cut.
useNock();

/** A Twilio that takes `delayMs` to answer each send, and counts the sends it got. */
function slowTwilio(delayMs: number) {
  const seen: string[] = [];
  nock(TWILIO_HOST)
    .post(TWILIO_PATH)
    .delay(delayMs)
    .reply(201, (_uri, body) => {
      const form = new URLSearchParams(String(body));
      seen.push(form.get('To')!);
      return { sid: `SM${seen.length}`, status: 'queued', to: form.get('To'), from: form.get('From'), num_segments: '1' };
    })
    .persist();
  return seen;
}

async function twilioFlow(send: Record<string, unknown> = {}): Promise<TestFlow> {
  return TestFlow.start({
    provider: 'twilio',
    credentials: { ...TWILIO_CREDENTIALS },
    send: { from: '+15005550006', fromType: 'str', ...send },
  });
}

function bulk(count: number, tag = 'x'): Msg {
  return { payload: Array.from({ length: count }, (_, i) => ({ to: usNumber(i), text: `Sale ${tag} #${i}` })) };
}

/** Waits, polling, until `condition` holds; fails the test after a few seconds. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`never happened: ${what}`);
}

/** The test helper reports a node's calls on the next tick; let those reports arrive. */
function nextTicks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Everything the node did through Node-RED from now on: sends, status updates, Catch reports. */
function recordFrom(f: TestFlow) {
  const events: string[] = [];
  f.node.on('call:send', () => events.push('send'));
  f.node.on('call:status', (call) => events.push(`status ${JSON.stringify(call.args[0])}`));
  f.node.on('call:error', () => events.push('error'));
  return events;
}

describe('sms-send closing mid-batch', () => {
  it('gives each message its own abort signal and aborts them all when the node closes', async () => {
    flow = await twilioFlow({ concurrency: '1' });
    slowTwilio(100);
    void flow.send(bulk(5, 'a')).catch(() => undefined);
    void flow.send(bulk(5, 'b')).catch(() => undefined);
    await until(() => batches.length === 2, 'both batches started');
    const [first, second] = batches.map((b) => b.signal);
    expect(first).toBeInstanceOf(AbortSignal);
    expect(second).toBeInstanceOf(AbortSignal);
    expect(first).not.toBe(second);
    expect([first!.aborted, second!.aborted]).toEqual([false, false]);

    const closed = flow.node.close(false);
    expect([first!.aborted, second!.aborted]).toEqual([true, true]);
    await closed;
  });

  it('a 200-item bulk closed mid-way: only the sends already started reach the provider, the rest fail as CANCELED', async () => {
    flow = await twilioFlow({ concurrency: '2' });
    const seen = slowTwilio(100);
    const items = bulk(200).payload as { to: string; text: string }[];
    // Seen as it happens: the helper's own call events come a tick late.
    const order: string[] = [];
    const node = flow.node as unknown as { send: (...args: unknown[]) => void };
    const send = node.send;
    node.send = function (this: unknown, ...args: unknown[]) {
      order.push('output');
      send.apply(this, args);
    };
    const run = flow.send({ payload: items, topic: 'spring sale' });
    await until(() => seen.length >= 4, 'a few sends');
    const startedAtClose = seen.length;
    await flow.node.close(false).then(() => order.push('closed'));
    const { sent, failed, caught } = await run;

    // Under way at the close: at most one more per concurrency slot, then nothing.
    expect(seen.length).toBeLessThanOrEqual(startedAtClose + 2);
    expect(seen.length).toBeLessThan(20);
    const results = sent?.payload as { to: string }[];
    expect(results.map((r) => r.to).sort()).toEqual([...seen].sort());

    const failures = failed?.payload as { index: number; input: unknown; error: { code: string; retryable: boolean } }[];
    expect(failures).toHaveLength(200 - seen.length);
    expect(failures.every((f) => f.error.code === 'CANCELED' && f.error.retryable)).toBe(true);
    expect(failures.map((f) => f.input)).toEqual(failures.map((f) => ({ ...items[f.index], from: '+15005550006' })));
    expect(failed?.topic).toBe('spring sale');
    expect(caught?.error).toMatchObject({ code: 'CANCELED' });
    // The outcome left the node while it was stopping, not after it had stopped.
    expect(order).toEqual(['output', 'closed']);
    await nextTicks();
    expect(flow.statuses.at(-1)).toEqual({});
  });

  it('a bulk resent after the redeploy sends only what the close held back', async () => {
    const userDir = mkdtempSync(join(tmpdir(), 'a2p-nr-redeploy-'));
    try {
      const start = () =>
        TestFlow.start({
          provider: 'twilio',
          credentials: { ...TWILIO_CREDENTIALS },
          send: { from: '+15005550006', fromType: 'str', concurrency: '2' },
          userDir,
        });
      flow = await start();
      const seen = slowTwilio(50);
      const run = flow.send(bulk(30, 'resend'));
      await until(() => seen.length >= 2, 'a few sends');
      await flow.node.close(false);
      const sentFirst = ((await run).sent?.payload as unknown[]).length;
      await flow.stop();

      // The redeployed node, on the same message log.
      flow = await start();
      const again = await flow.send(bulk(30, 'resend'));
      expect(again.failed).toBeNull();
      expect(seen).toHaveLength(30);
      expect((again.sent?.payload as { duplicate?: boolean }[]).filter((r) => r.duplicate)).toHaveLength(sentFirst);
    } finally {
      await flow?.stop();
      flow = undefined;
      rmSync(userDir, { recursive: true, force: true });
    }
  });

  it('shows no progress while stopping and clears its status last', async () => {
    flow = await twilioFlow({ concurrency: '1' });
    const seen = slowTwilio(50);
    void flow.send(bulk(6)).catch(() => undefined);
    await until(() => seen.length >= 1, 'the first send');
    const events = recordFrom(flow);
    await flow.node.close(false);
    await nextTicks();
    const statuses = events.filter((e) => e.startsWith('status'));
    expect(statuses).toEqual(['status {}']);
    expect(events.at(-1)).toBe('status {}');
  });

  it("stops within Node-RED's close timeout, and a request answered after that sends nothing out", async () => {
    flow = await TestFlow.start({
      provider: 'twilio',
      credentials: { ...TWILIO_CREDENTIALS },
      send: { from: '+15005550006', fromType: 'str' },
      settings: { nodeCloseTimeout: 500 },
    });
    // The provider gets the request at once and answers it 3 s later.
    let received = 0;
    nock(TWILIO_HOST)
      .post(TWILIO_PATH)
      .delay(3_000)
      .reply(201, () => {
        received++;
        return { sid: 'SMlate', status: 'queued', to: usNumber(1), num_segments: '1' };
      });
    const events = recordFrom(flow);
    flow.node.receive({ payload: 'answered late', to: usNumber(1) });
    await until(() => received === 1, 'the request on the wire');
    await flow.node.close(false);
    await nextTicks();
    expect(events).toEqual(['status {}']);
    expect(flow.logText()).not.toContain('before it could report');

    // The answer arrives after the node stopped: logged, not sent on.
    await until(() => flow!.logText().includes('had stopped before it could report'), 'the late answer');
    expect(flow.logText()).toContain('had stopped before it could report: 1 SMS: sent 1');
    await nextTicks();
    expect(events).toEqual(['status {}']);
  });

  it('when deleted from the flow, sends on neither output nor to Catch, and logs what became of the bulk', async () => {
    flow = await twilioFlow({ concurrency: '1' });
    const seen = slowTwilio(50);
    void flow.send(bulk(4)).catch(() => undefined);
    await until(() => seen.length >= 1, 'the first send');
    const events = recordFrom(flow);
    await flow.node.close(true);
    await nextTicks();
    expect(events.filter((e) => e === 'send' || e === 'error')).toEqual([]);
    expect(flow.logText()).toMatch(/sms-send was removed before it could report: 4 SMS: sent \d/);
  });
});

describe('closeWaitMs', () => {
  it("waits most of Node-RED's close timeout, whatever settings.js holds", () => {
    expect(closeWaitMs(undefined)).toBe(12_000);
    expect(closeWaitMs(5_000)).toBe(4_000);
    for (const odd of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, '5000', null, {}, [5000]]) expect(closeWaitMs(odd)).toBe(12_000);
    // setTimeout takes at most a 32-bit delay; more would fire at once.
    expect(closeWaitMs(Number.MAX_SAFE_INTEGER)).toBeLessThan(2 ** 31);
  });
});
