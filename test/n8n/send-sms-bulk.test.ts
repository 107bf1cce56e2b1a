/**
 * The point of sending all items in one batch: 1,000 items through WorkflowExecute reach the
 * provider exactly 1,000 times, and running the same workflow again sends nothing — every item
 * comes back as the earlier result, marked duplicate.
 */
import nock from 'nock';
import { useNock } from '../support/nock';
import { TWILIO_API, TWILIO_CREDENTIALS, TWILIO_MESSAGES_PATH, expectPairedInOrder, sendSms, tempStorePath, twilioCreated } from './fixtures';

useNock();

it('1,000 items, run twice: 1,000 provider calls, the second run all duplicates', async () => {
  const count = 1_000;
  const items = Array.from({ length: count }, (_, i) => ({ phone: `+3461${String(i).padStart(7, '0')}`, order: 10_000 + i }));
  let calls = 0;
  const recipients = new Set<string>();
  nock(TWILIO_API)
    .post(TWILIO_MESSAGES_PATH)
    .times(2 * count)
    .reply((_uri: string, body: unknown) => {
      calls++;
      recipients.add(new URLSearchParams(String(body)).get('To')!);
      return [201, twilioCreated(String(body), calls)];
    });

  const parameters = {
    provider: 'twilio',
    from: '+14155550100',
    to: '={{ $json.phone }}',
    text: '=Order {{ $json.order }} has shipped',
    options: { storePath: tempStorePath(), concurrency: 20 },
  };
  const credentials = { a2pTwilioApi: TWILIO_CREDENTIALS };

  const first = await sendSms(parameters, items, { credentials });
  expect(first.error).toBeUndefined();
  expect(calls).toBe(count);
  expect(recipients.size).toBe(count);
  const [sent] = first.outputs;
  expect(sent).toHaveLength(count);
  expectPairedInOrder(sent);
  expect(sent.every((i) => typeof i.json.messageId === 'string' && i.json.duplicate !== true)).toBe(true);

  const second = await sendSms(parameters, items, { credentials });
  expect(second.error).toBeUndefined();
  expect(calls).toBe(count);
  const [again] = second.outputs;
  expect(again).toHaveLength(count);
  expectPairedInOrder(again);
  expect(again.every((i) => i.json.duplicate === true)).toBe(true);
  expect(again.map((i) => i.json.messageId)).toEqual(sent.map((i) => i.json.messageId));
});
