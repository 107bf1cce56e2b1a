/**
 * Bad input and provider failures inside n8n-core's WorkflowExecute: each becomes a coded error
 * on its own item while the other items still go out; how that surfaces depends on the node's
 * "On Error" setting (continue, error output, or stop with a NodeOperationError).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nock from 'nock';
import { useNock } from '../support/nock';
import type { IDataObject, INodeParameters } from 'n8n-workflow';
import { logs } from './harness';
import { TWILIO_API, TWILIO_CREDENTIALS, TWILIO_MESSAGES_PATH, expectPairedInOrder, sendSms, tempStorePath, twilioCreated } from './fixtures';

useNock();

const GOOD = '+14155550123';

/** Runs [good, bad, good] and returns the three output items (continue on fail). */
async function middleItemFails(parameters: INodeParameters, bad: IDataObject, opts: Parameters<typeof sendSms>[2] = {}) {
  const items = [{ to: GOOD, text: 'first' }, bad, { to: GOOD, text: 'third' }];
  const run = await sendSms(
    { provider: 'sandbox', to: '={{ $json.to }}', text: '={{ $json.text }}', ...parameters, options: { storePath: tempStorePath(), ...(parameters.options as object) } },
    items,
    { onError: 'continueRegularOutput', ...opts },
  );
  expect(run.error).toBeUndefined();
  const [main] = run.outputs;
  expect(main).toHaveLength(3);
  expectPairedInOrder(main);
  expect(main[0].json).toMatchObject({ provider: 'sandbox', to: GOOD });
  expect(main[2].json).toMatchObject({ provider: 'sandbox', to: GOOD });
  return main[1].json as { error: { code: string; message: string }; details?: { analysis: IDataObject } };
}

describe('bad items fail alone, with a code (continue on fail)', () => {
  it.each([
    ['letters', 'call-me-maybe', 'INVALID_PHONE'],
    ['an invalid number', '+1 123', 'INVALID_PHONE'],
    ['an empty number', '', 'INVALID_PHONE'],
    ['a megabyte of digits', '9'.repeat(1024 * 1024), 'INVALID_PHONE'],
  ])('recipient: %s', async (_label, to, code) => {
    const failed = await middleItemFails({}, { to, text: 'hello' });
    expect(failed.error.code).toBe(code);
    expect(failed.error.message.length).toBeLessThan(500);
  });

  it('a recipient that is an object, not text', async () => {
    const failed = await middleItemFails({}, { to: { number: GOOD }, text: 'hello' });
    expect(failed.error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('"To" must be text') });
  });

  it.each([
    ['empty', ''],
    ['blank', ' \n\t\u200B '],
  ])('message: %s', async (_label, text) => {
    const failed = await middleItemFails({}, { to: GOOD, text });
    expect(failed.error.code).toBe('EMPTY_MESSAGE');
  });

  it('message: over the maximum segments, with the analysis that explains why', async () => {
    const failed = await middleItemFails({ options: { maxSegments: 1 } }, { to: GOOD, text: 'x'.repeat(161) });
    expect(failed.error.code).toBe('SEGMENT_LIMIT');
    expect(failed.details?.analysis).toMatchObject({ encoding: 'GSM-7', segments: 2, units: 161 });
  });

  it('template: a variable the item lacks', async () => {
    const run = await sendSms(
      { provider: 'sandbox', to: GOOD, messageMode: 'template', template: 'Hi {{customer.first_name}}', options: { storePath: tempStorePath() } },
      [{ customer: { first_name: 'Ana' } }, { customer: {} }, { customer: { first_name: 'Cy' } }],
      { onError: 'continueRegularOutput' },
    );
    const [main] = run.outputs;
    expectPairedInOrder(main);
    expect(main.map((i) => (i.json.analysis as IDataObject | undefined)?.text)).toEqual(['Hi Ana', undefined, 'Hi Cy']);
    expect(main[1].json.error).toMatchObject({ code: 'TEMPLATE_ERROR', message: expect.stringContaining('customer.first_name') });
  });

  it('template: one that does not compile fails every item alike', async () => {
    const run = await sendSms(
      { provider: 'sandbox', to: GOOD, messageMode: 'template', template: 'Hi {{#if name}}', options: { storePath: tempStorePath() } },
      [{ name: 'a' }, { name: 'b' }],
      { onError: 'continueRegularOutput' },
    );
    expect(run.outputs[0].map((i) => (i.json.error as IDataObject).code)).toEqual(['TEMPLATE_ERROR', 'TEMPLATE_ERROR']);
  });

  it('an expression that fails on one item', async () => {
    const run = await sendSms(
      { provider: 'sandbox', to: GOOD, text: '={{ $json.ok ? $json.text : $("No Such Node").item.json.text }}', options: { storePath: tempStorePath() } },
      [{ ok: true, text: 'fine' }, { ok: false }],
      { onError: 'continueRegularOutput' },
    );
    expect(run.outputs[0][0].json).toMatchObject({ analysis: { text: 'fine' } });
    expect(run.outputs[0][1].json).toEqual({ error: expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringContaining('"text"') }) });
  });

  it('an expression reading data the item lacks: n8n makes it empty, so EMPTY_MESSAGE', async () => {
    const failed = await middleItemFails({ text: '={{ $json.text ?? $json.customer.name.toUpperCase() }}' }, { to: GOOD, customer: {} });
    expect(failed.error.code).toBe('EMPTY_MESSAGE');
  });

  it('a send time that is not a date', async () => {
    const failed = await middleItemFails({ options: { sendAt: '={{ $json.at }}' } }, { to: GOOD, text: 'x', at: 'next tuesday' });
    expect(failed.error.code).toBe('INVALID_INPUT');
  });
});

describe('batch settings', () => {
  it('an option out of range fails every item with INVALID_INPUT naming the option', async () => {
    const run = await sendSms(
      { provider: 'sandbox', to: GOOD, text: 'x', options: { storePath: tempStorePath(), concurrency: 0 } },
      [{}, {}],
      { onError: 'continueRegularOutput' },
    );
    expect(run.outputs[0].map((i) => i.json.error)).toEqual([
      expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringContaining('concurrency') }),
      expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringContaining('concurrency') }),
    ]);
  });

  it('a store that cannot be opened: STORE_ERROR, nothing sent', async () => {
    // A regular file where the store's folder should be.
    const notAFolder = tempStorePath();
    writeFileSync(notAFolder, 'not a folder');
    const storePath = join(notAFolder, 'a.sqlite');
    const run = await sendSms({ provider: 'sandbox', to: GOOD, text: 'x', options: { storePath } }, [{}, {}], { onError: 'continueRegularOutput' });
    expect(run.outputs[0].map((i) => (i.json.error as IDataObject).code)).toEqual(['STORE_ERROR', 'STORE_ERROR']);
    const stopped = await sendSms({ provider: 'sandbox', to: GOOD, text: 'x', options: { storePath } }, [{}]);
    expect(stopped.error?.message).toMatch(/^STORE_ERROR: /);
  });
});

describe('credentials', () => {
  it('missing: every item fails with MISSING_CREDENTIALS', async () => {
    const run = await sendSms(
      { provider: 'twilio', from: '+14155550100', to: GOOD, text: 'x', options: { storePath: tempStorePath() } },
      [{}, {}],
      { onError: 'continueRegularOutput' },
    );
    expect(run.outputs[0].map((i) => (i.json.error as IDataObject).code)).toEqual(['MISSING_CREDENTIALS', 'MISSING_CREDENTIALS']);
  });

  it('an empty field: MISSING_CREDENTIALS names the field', async () => {
    const run = await sendSms(
      { provider: 'twilio', from: '+14155550100', to: GOOD, text: 'x', options: { storePath: tempStorePath() } },
      [{}],
      { onError: 'continueRegularOutput', credentials: { a2pTwilioApi: { accountSid: TWILIO_CREDENTIALS.accountSid, authToken: '' } } },
    );
    expect(run.outputs[0][0].json.error).toMatchObject({ code: 'MISSING_CREDENTIALS', message: expect.stringContaining('authToken') });
  });

  it('without continue on fail: a NodeOperationError', async () => {
    const run = await sendSms({ provider: 'telnyx', from: '+14155550100', to: GOOD, text: 'x', options: { storePath: tempStorePath() } }, [{}]);
    expect(run.error?.message).toMatch(/^MISSING_CREDENTIALS: /);
    expect(run.outputs).toEqual([]);
  });
});

describe('provider answers', () => {
  const twilioRun = (texts: string[], options: IDataObject = {}) =>
    sendSms(
      { provider: 'twilio', from: '+14155550100', to: GOOD, text: '={{ $json.text }}', options: { storePath: tempStorePath(), retries: 0, ...options } },
      texts.map((text) => ({ text })),
      { onError: 'continueRegularOutput', credentials: { a2pTwilioApi: TWILIO_CREDENTIALS } },
    );

  /** Twilio answers `status`/`body` to the message whose text is "bad", and 201 to the others. */
  function twilioAnswering(status: number, body: string, headers: Record<string, string> = {}) {
    let n = 0;
    return nock(TWILIO_API)
      .post(TWILIO_MESSAGES_PATH)
      .times(3)
      .reply((_uri: string, requestBody: unknown) => {
        const form = new URLSearchParams(String(requestBody));
        if (form.get('Body') === 'bad') return [status, body, headers];
        return [201, twilioCreated(String(requestBody), ++n)];
      });
  }

  it.each([
    [401, { code: 20003, message: 'Authenticate' }, 'AUTH_FAILED', false],
    [400, { code: 21211, message: "The 'To' number is not valid." }, 'INVALID_PHONE', false],
    [400, { code: 21610, message: 'Attempt to send to unsubscribed recipient' }, 'OPTED_OUT', false],
    [429, { code: 20429, message: 'Too Many Requests' }, 'RATE_LIMITED', false],
    [500, { message: 'Internal Server Error' }, 'PROVIDER_ERROR', true],
  ])('HTTP %i %j → that item fails with its code, the others are sent', async (status, body, code, inDoubt) => {
    const scope = twilioAnswering(status, JSON.stringify(body));
    const run = await twilioRun(['first', 'bad', 'third']);
    expect(scope.isDone()).toBe(true);
    const [main] = run.outputs;
    expectPairedInOrder(main);
    expect(main[0].json.messageId).toMatch(/^SM/);
    expect(main[2].json.messageId).toMatch(/^SM/);
    expect(main[1].json.error).toMatchObject({ code, provider: 'twilio', httpStatus: status });
    expect(Boolean((main[1].json.error as IDataObject).inDoubt)).toBe(inDoubt);
  });

  it('a malformed 2xx answer: PROVIDER_ERROR, in doubt (the message may have gone out)', async () => {
    twilioAnswering(201, '{"sid": "SM');
    const run = await twilioRun(['first', 'bad', 'third']);
    expect(run.outputs[0][1].json.error).toMatchObject({ code: 'PROVIDER_ERROR', inDoubt: true });
    expect(run.outputs[0][0].json.messageId).toMatch(/^SM/);
  });

  it('no answer in time: NETWORK_ERROR, in doubt, through n8n’s request helper', async () => {
    nock(TWILIO_API).post(TWILIO_MESSAGES_PATH).delay(2_000).reply(201, {});
    const run = await twilioRun(['slow'], { timeoutMs: 100 });
    expect(run.outputs[0][0].json.error).toMatchObject({ code: 'NETWORK_ERROR', inDoubt: true, retryable: false });
  });

  it('no connection at all: NETWORK_ERROR, safe to retry', async () => {
    nock(TWILIO_API).post(TWILIO_MESSAGES_PATH).replyWithError(Object.assign(new Error('connect ECONNREFUSED 203.0.113.1:443'), { code: 'ECONNREFUSED' }));
    const run = await twilioRun(['refused']);
    expect(run.outputs[0][0].json.error).toMatchObject({ code: 'NETWORK_ERROR', retryable: true });
  });

  it('a 429 with Retry-After is retried and then sent', async () => {
    const scope = nock(TWILIO_API)
      .post(TWILIO_MESSAGES_PATH)
      .reply(429, { code: 20429, message: 'Too Many Requests' }, { 'Retry-After': '0' })
      .post(TWILIO_MESSAGES_PATH)
      .reply(201, (_uri: string, body: unknown) => twilioCreated(String(body), 7));
    const run = await twilioRun(['retry me'], { retries: 2 });
    expect(scope.isDone()).toBe(true);
    expect(run.outputs[0][0].json).toMatchObject({ messageId: 'SM00000000000000000000000000000007' });
  });
});

describe('"On Error" settings', () => {
  const items = [{ to: GOOD, name: 'Ana' }, { to: 'nope', name: 'Bob' }, { to: GOOD, name: 'Cy' }, { to: '', name: 'Di' }];
  const parameters = (storePath: string): INodeParameters => ({
    provider: 'sandbox',
    to: '={{ $json.to }}',
    text: '=Hi {{ $json.name }}',
    options: { storePath },
  });

  it('continue (using error output): failures go to the error output with their input fields', async () => {
    const run = await sendSms(parameters(tempStorePath()), items, { onError: 'continueErrorOutput' });
    expect(run.error).toBeUndefined();
    const [success, failed] = run.outputs;
    expect(success.map((i) => i.json.to)).toEqual([GOOD, GOOD]);
    expect(success.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 2 }]);
    expect(failed.map((i) => i.pairedItem)).toEqual([{ item: 1 }, { item: 3 }]);
    expect(failed.map((i) => i.json)).toEqual([
      { to: 'nope', name: 'Bob', error: expect.objectContaining({ code: 'INVALID_PHONE' }) },
      { to: '', name: 'Di', error: expect.objectContaining({ code: 'INVALID_PHONE' }) },
    ]);
  });

  it('stop workflow: the first failed item raises a NodeOperationError after the others were sent', async () => {
    logs.length = 0;
    const run = await sendSms(parameters(tempStorePath()), items);
    expect(run.outputs).toEqual([]);
    expect(run.error).toMatchObject({
      name: 'NodeOperationError',
      message: expect.stringMatching(/^INVALID_PHONE: /),
      description: expect.stringContaining('2 of 4 item(s) failed. First failure: item 1. 2 message(s) were accepted'),
      context: expect.objectContaining({ itemIndex: 1, smsError: expect.objectContaining({ code: 'INVALID_PHONE' }) }),
    });
    expect(logs.map((l) => l.message)).toContain('Send SMS: sent 2 of 4, 2 failed');
  });

  it('stop workflow, then run again: the messages that went out are not sent twice', async () => {
    const storePath = tempStorePath();
    let posts = 0;
    nock(TWILIO_API)
      .post(TWILIO_MESSAGES_PATH)
      .times(10)
      .reply((_uri: string, body: unknown) => [201, twilioCreated(String(body), ++posts)]);
    const twilio = { ...parameters(storePath), provider: 'twilio', from: '+14155550100' };
    const credentials = { a2pTwilioApi: TWILIO_CREDENTIALS };
    const first = await sendSms(twilio, items, { credentials });
    expect(first.error?.message).toMatch(/^INVALID_PHONE/);
    expect(posts).toBe(2);
    const again = await sendSms(twilio, items, { credentials, onError: 'continueRegularOutput' });
    expect(posts).toBe(2);
    expect(again.outputs[0].filter((i) => i.json.duplicate === true)).toHaveLength(2);
  });
});
