/**
 * Cancelling an execution (the Stop button, a timeout) in the middle of a Send SMS batch: the
 * node hands n8n's cancel signal to the dispatcher, so the batch starts no further messages.
 */
import nock from 'nock';
import type { DispatchOptions, SendOutcome } from '../../core/dispatch/types';
import { useNock } from '../support/nock';
import { TWILIO_API, TWILIO_CREDENTIALS, TWILIO_MESSAGES_PATH, tempStorePath, twilioCreated } from './fixtures';
import { runNode } from './harness';
import { SendSms } from '../../nodes/SendSms/SendSms.node';

// Each batch's options and outcomes, to see the signal the node hands the core.
const batches: { options: DispatchOptions; outcomes: Promise<SendOutcome[]> }[] = [];
jest.mock('../../core/dispatch', () => {
  const actual = jest.requireActual<typeof import('../../core/dispatch')>('../../core/dispatch');
  return {
    ...actual,
    sendBatch: (requests: Parameters<typeof actual.sendBatch>[0], options: DispatchOptions) => {
      const outcomes = actual.sendBatch(requests, options);
      batches.push({ options, outcomes });
      return outcomes;
    },
  };
});

useNock();
beforeEach(() => {
  batches.length = 0;
});

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`never happened: ${what}`);
}

it('hands the execution cancel signal to the batch: after a cancel only what was on the wire reaches the provider', async () => {
  let received = 0;
  nock(TWILIO_API)
    .post(TWILIO_MESSAGES_PATH)
    .delay(200)
    .reply((_uri: string, body: unknown) => {
      received++;
      return [201, twilioCreated(String(body), received)];
    })
    .persist();

  let cancel = (): void => undefined;
  const items = Array.from({ length: 40 }, (_, i) => ({ phone: `+3461${String(i).padStart(7, '0')}` }));
  const storePath = tempStorePath();
  const parameters = () => ({
    nodeType: new SendSms(),
    parameters: {
      provider: 'twilio',
      from: '+14155550100',
      to: '={{ $json.phone }}',
      text: 'Flash sale',
      options: { storePath, concurrency: 2 },
    },
  });
  const execution = runNode({
    ...parameters(),
    items,
    credentials: { a2pTwilioApi: TWILIO_CREDENTIALS },
    onStart: (e) => {
      cancel = () => e.cancel();
    },
  });

  await until(() => received >= 2, 'the first sends');
  expect(batches).toHaveLength(1);
  const { options, outcomes } = batches[0]!;
  expect(options.signal).toBeInstanceOf(AbortSignal);
  expect(options.signal!.aborted).toBe(false);

  cancel();
  expect(options.signal!.aborted).toBe(true);
  const receivedAtCancel = received;
  const settled = await outcomes;
  await execution;

  // Only what was under way when the cancel came (at most one per concurrency slot) went out.
  expect(received).toBeLessThanOrEqual(receivedAtCancel + 2);
  expect(received).toBeLessThan(items.length);
  const sent = settled.filter((o) => o.ok);
  const unsent = settled.filter((o): o is Extract<SendOutcome, { ok: false }> => !o.ok);
  expect(sent).toHaveLength(received);
  expect(unsent).toHaveLength(items.length - received);
  // The requests on the wire were let finish: the provider's answers are results, not doubts.
  for (const o of unsent) expect(o.error).toMatchObject({ code: 'CANCELED', retryable: true, inDoubt: false });

  // So running the workflow again sends exactly the messages the cancel held back.
  const again = await runNode({ ...parameters(), items, credentials: { a2pTwilioApi: TWILIO_CREDENTIALS } });
  expect(again.error).toBeUndefined();
  expect(received).toBe(items.length);
  expect(again.outputs[0]!.filter((i) => i.json.duplicate === true)).toHaveLength(sent.length);
});
