/**
 * sms-send with an array payload: good items go out, bad ones come back coded, Catch hears one
 * summary, and a bulk run twice reaches the provider once per item.
 */
import nock from 'nock';
import { useNock } from '../support/nock';
import { TestFlow, TWILIO_CREDENTIALS, TWILIO_HOST, TWILIO_PATH, usNumber, type Msg } from './harness';

let flow: TestFlow | undefined;

afterEach(async () => {
  await flow?.stop();
  flow = undefined;
});
// After the flow's hook, so that the flow stops before its pending requests are cut.
useNock();

/** A Twilio mock that answers every send with a fresh sid and counts the requests it got. */
function countingTwilio() {
  const seen: Record<string, string>[] = [];
  nock(TWILIO_HOST)
    .post(TWILIO_PATH)
    .reply(201, (_uri, body) => {
      const form = Object.fromEntries(new URLSearchParams(String(body)));
      seen.push(form);
      return { sid: `SM${seen.length}`, status: 'queued', to: form.To, from: form.From, num_segments: '1' };
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

interface Failure {
  index: number;
  input: unknown;
  error: { code: string; message: string };
}

describe('sms-send bulk', () => {
  it('sends the good items, returns the bad ones with codes, and tells Catch once', async () => {
    flow = await twilioFlow();
    const seen = countingTwilio();
    const items = [
      { to: usNumber(1), text: 'good one', clientRef: 'a' },
      { to: '12', text: 'too short a number' },
      { to: '', text: 'no number' },
      { to: 'abcdefghij', text: 'letters' },
      { to: '9'.repeat(1 << 20), text: 'a megabyte of digits' },
      { to: usNumber(2), text: '' },
      { to: usNumber(3), text: 'x'.repeat(153 * 10 + 1) },
      { to: usNumber(4), text: 'good two', clientRef: 'b' },
      'not an object',
      null,
    ];
    const run = await flow.send({ payload: items, topic: 'campaign' });

    expect(seen.map((f) => f.Body)).toEqual(['good one', 'good two']);
    expect(run.sent?.topic).toBe('campaign');
    expect(run.sent?.payload).toEqual([
      expect.objectContaining({ provider: 'twilio', to: usNumber(1), clientRef: 'a' }),
      expect.objectContaining({ provider: 'twilio', to: usNumber(4), clientRef: 'b' }),
    ]);
    // msg.sms shows each item as read, the node's From filled in.
    expect(run.sent?.sms).toEqual([items[0], items[7]].map((item) => ({ ...(item as object), from: '+15005550006' })));

    const failures = run.failed?.payload as Failure[];
    expect(failures.map((f) => [f.index, f.error.code])).toEqual([
      [1, 'INVALID_PHONE'],
      [2, 'INVALID_PHONE'],
      [3, 'INVALID_PHONE'],
      [4, 'INVALID_PHONE'],
      [5, 'EMPTY_MESSAGE'],
      [6, 'SEGMENT_LIMIT'],
      [8, 'INVALID_INPUT'],
      [9, 'INVALID_INPUT'],
    ]);
    expect(failures[0]!.input).toEqual({ ...(items[1] as object), from: '+15005550006' });
    expect(failures[6]!.input).toBe('not an object');
    expect(run.failed?.sms).toEqual(failures.map((f) => f.input));
    expect(run.failed?.topic).toBe('campaign');

    // One error for the whole bulk, with its most frequent code and the counts.
    expect(run.caught?.error).toMatchObject({ code: 'INVALID_PHONE' });
    expect(String(run.caught?.error?.message)).toBe(
      'SmsError: 8 of 10 SMS failed (INVALID_PHONE 4, INVALID_INPUT 2, EMPTY_MESSAGE 1, SEGMENT_LIMIT 1)',
    );
    expect(run.failed?.error).toMatchObject({ code: 'INVALID_PHONE' });
    expect(flow.statuses.at(-1)).toEqual({ fill: 'yellow', shape: 'dot', text: 'sent 2, failed 8' });
    expect(flow.statuses.map((s) => s.text)).toContain('sent 2/10, 8 failed');
  });

  it('fails only the items a template cannot render', async () => {
    flow = await twilioFlow({ mode: 'template', template: 'Hi {{payload.name}}, see you {{day}}' });
    const seen = countingTwilio();
    const run = await flow.send({
      day: 'Monday',
      payload: [{ to: usNumber(10), name: 'Ada' }, { to: usNumber(11) }, { to: usNumber(12), name: 'Lin', text: 'own text wins' }],
    });
    expect(seen.map((f) => f.Body)).toEqual(['Hi Ada, see you Monday', 'own text wins']);
    expect((run.failed?.payload as Failure[]).map((f) => [f.index, f.error.code])).toEqual([[1, 'TEMPLATE_ERROR']]);
    expect(run.caught?.error).toMatchObject({ code: 'TEMPLATE_ERROR' });
  });

  it('fails every item of a template with broken syntax, and sends nothing', async () => {
    flow = await twilioFlow({ mode: 'template', template: 'Hi {{#if payload.name}' });
    const seen = countingTwilio();
    const run = await flow.send({ payload: [{ to: usNumber(13), name: 'Ada' }, { to: usNumber(14), name: 'Bo' }] });
    expect(seen).toHaveLength(0);
    expect(run.sent).toBeNull();
    expect((run.failed?.payload as Failure[]).map((f) => f.error.code)).toEqual(['TEMPLATE_ERROR', 'TEMPLATE_ERROR']);
    expect(flow.statuses.at(-1)).toMatchObject({ fill: 'red', text: 'sent 0, failed 2 (TEMPLATE_ERROR)' });
  });

  it('answers an empty array on the sent output with no results', async () => {
    flow = await twilioFlow();
    const run = await flow.send({ payload: [] });
    expect(run.sent).toMatchObject({ payload: [], sms: [] });
    expect(run.failed).toBeNull();
  });

  it('sends a 1,000-item bulk once, and answers the second run from the message log', async () => {
    flow = await twilioFlow({ concurrency: '20' });
    const seen = countingTwilio();
    const bulk = (): Msg => ({ payload: Array.from({ length: 1000 }, (_, i) => ({ to: usNumber(i), text: `Sale ends soon (#${i})` })) });

    const first = await flow.send(bulk());
    expect(first.failed).toBeNull();
    expect(seen).toHaveLength(1000);
    const firstResults = first.sent?.payload as { messageId: string; to: string; duplicate?: boolean }[];
    expect(firstResults).toHaveLength(1000);
    expect(firstResults.every((r, i) => r.to === usNumber(i) && r.duplicate === undefined)).toBe(true);
    expect(new Set(firstResults.map((r) => r.messageId)).size).toBe(1000);
    expect(flow.statuses.at(-1)).toEqual({ fill: 'green', shape: 'dot', text: 'sent 1000' });
    expect(flow.statuses).toContainEqual({ fill: 'blue', shape: 'ring', text: 'sent 1000/1000' });

    const second = await flow.send(bulk());
    expect(seen).toHaveLength(1000);
    expect(second.failed).toBeNull();
    const secondResults = second.sent?.payload as typeof firstResults;
    expect(secondResults.every((r) => r.duplicate === true)).toBe(true);
    expect(secondResults.map((r) => r.messageId)).toEqual(firstResults.map((r) => r.messageId));
    expect(flow.statuses.at(-1)).toEqual({ fill: 'green', shape: 'dot', text: 'sent 0, dup 1000' });
  });

  it('fails every item with the provider error, without stopping at the first', async () => {
    flow = await twilioFlow();
    let calls = 0;
    nock(TWILIO_HOST)
      .post(TWILIO_PATH)
      .reply(401, () => {
        calls++;
        return { code: 20003, message: 'Authenticate' };
      })
      .persist();
    const run = await flow.send({ payload: [usNumber(20), usNumber(21), usNumber(22)].map((to) => ({ to, text: 'hi' })) });
    expect(calls).toBe(3);
    expect((run.failed?.payload as Failure[]).map((f) => f.error.code)).toEqual(['AUTH_FAILED', 'AUTH_FAILED', 'AUTH_FAILED']);
    expect(run.caught?.error).toMatchObject({ code: 'AUTH_FAILED' });
    expect(String(run.caught?.error?.message)).toBe('SmsError: 3 of 3 SMS failed (AUTH_FAILED 3)');
    expect(JSON.stringify([run, flow.errors.map(String)]) + flow.logText()).not.toContain(TWILIO_CREDENTIALS.authToken);
  });
});
