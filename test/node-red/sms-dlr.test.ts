/**
 * sms-dlr in a running Node-RED: the delivery reports it takes over HTTP, what it emits and keeps,
 * and the commands on its input. (Its endpoint's life is sms-inbound's: node-red/webhook-node.ts,
 * sms-inbound-endpoint.test.ts; sms-send routing its reports here: sms-dlr-send.test.ts.)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { useNock } from '../support/nock';
import { ACCOUNT, ALICE, SECRET, WebhookFlow, dlrNode, helper, sendNode, settle, sign, twilioSignature, until, type Msg } from './webhook-flow';

useNock();

let flow: WebhookFlow | undefined;
afterEach(async () => {
  await flow?.stop();
  flow = undefined;
});

const report = (messageId: string, status: string, final: boolean, extra: Record<string, unknown> = {}) => ({
  provider: 'sandbox',
  messageId,
  status,
  final,
  providerStatus: status,
  to: ALICE,
  occurredAt: '2026-11-02T10:00:00.000Z',
  ...extra,
});

const statuses = (got: Msg[]) => got.map((m) => [(m.payload as { status: string }).status, (m.payload as { messageStatus: string }).messageStatus]);

describe('sms-dlr: reports', () => {
  it('emits each report once with the merged message status, headers and topic "report", and counts them', async () => {
    flow = await WebhookFlow.start(dlrNode());
    const got = flow.collect('dlr-out');
    for (const r of [report('m-1', 'sent', false), report('m-1', 'delivered', true), report('m-1', 'delivered', true), report('m-1', 'queued', false), report('m-2', 'failed', true)]) {
      expect((await flow.post('/sms/dlr', r)).status).toBe(200);
    }
    await until(() => got.length === 4);
    await settle();
    expect(statuses(got)).toEqual([
      ['sent', 'sent'],
      ['delivered', 'delivered'],
      ['queued', 'delivered'],
      ['failed', 'failed'],
    ]);
    expect(got[0]).toMatchObject({ topic: 'report', req: { headers: expect.objectContaining({ 'x-sandbox-signature': expect.any(String) }) } });
    expect(flow.lastStatus('dlr')).toEqual({ fill: 'green', shape: 'dot', text: 'reports 4 · delivered 2 · failed 1' });
  });

  it('with "Drop repeats" off sends a repeat on, flagged; with "final only" only the report that settled a message', async () => {
    flow = await WebhookFlow.start([...dlrNode({ dedupe: false }), ...dlrNode({ path: '/sms/final', onlyFinal: true }, 'final')]);
    const all = flow.collect('dlr-out');
    const final = flow.collect('final-out');
    for (const r of [report('a-1', 'sent', false), report('a-1', 'delivered', true), report('a-1', 'delivered', true)]) await flow.post('/sms/dlr', r);
    for (const r of [report('f-1', 'sent', false), report('f-1', 'delivered', true), report('f-1', 'delivered', true)]) await flow.post('/sms/final', r);
    await until(() => all.length === 3 && final.length === 1);
    await settle();
    expect(all.map((m) => (m.payload as { duplicate: boolean }).duplicate)).toEqual([false, false, true]);
    expect(statuses(final)).toEqual([['delivered', 'delivered']]);
  });

  it('answers 401 to a forged report and keeps nothing of it', async () => {
    flow = await WebhookFlow.start(dlrNode());
    const got = flow.collect('dlr-out');
    const body = JSON.stringify(report('m-forged', 'delivered', true));
    expect((await flow.post('/sms/dlr', body, sign(body, 'guessed'))).status).toBe(401);
    expect((await flow.post('/sms/dlr', body.replace('delivered', 'failed'), sign(body))).status).toBe(401);
    await settle();
    expect(got).toEqual([]);
    expect(flow.rows('messages')).toBe(0);
    expect(flow.rows('delivery_reports')).toBe(0);
    expect(JSON.stringify(flow.logged(30))).not.toContain(SECRET);
    expect(flow.lastStatus('dlr')).toEqual({ fill: 'red', shape: 'ring', text: 'reports 0 · delivered 0 · 401×2' });
  });

  it('records the opt-out a Twilio 21610 error proves: the next sms-send to that number is refused OPTED_OUT', async () => {
    flow = await WebhookFlow.start([...dlrNode({ provider: ACCOUNT.twilio }), ...sendNode()]);
    const got = flow.collect('dlr-out');
    const params = { MessageSid: 'SMaaaabbbbccccddddeeeeffff00001111', MessageStatus: 'undelivered', ErrorCode: '21610', To: ALICE, From: '+14155550199', AccountSid: 'AC0123456789abcdef0123456789abcdef' };
    const res = await request(flow.httpNode)
      .post('/sms/dlr')
      .set('content-type', 'application/x-www-form-urlencoded')
      .set('x-twilio-signature', twilioSignature('https://nr.example.com/sms/dlr', params))
      .send(new URLSearchParams(params).toString());
    expect(res.status).toBe(200);
    await until(() => got.length === 1);
    expect(got[0]?.payload).toMatchObject({ provider: 'twilio', status: 'undelivered', errorCode: '21610', optOutRecorded: true });

    const failed = flow.collect('send-out1');
    helper.getNode('send').receive({ to: ALICE, payload: 'Weekend sale!' });
    await until(() => failed.length === 1);
    expect(failed[0]?.error).toMatchObject({ code: 'OPTED_OUT' });
  });
});

describe('sms-dlr: commands', () => {
  /** Feeds `msg` to the sms-dlr node and waits for its answer or the error a Catch node got. */
  async function command(msg: Record<string, unknown>): Promise<{ answer?: Msg; caught?: Msg }> {
    const id = `cmd-${Math.random()}`;
    const out = flow!.collect('dlr-out');
    const caught = flow!.collect('caught');
    helper.getNode('dlr').receive({ ...msg, _msgid: id });
    await until(() => out.some((m) => m._msgid === id) || caught.some((m) => m._msgid === id));
    return { answer: out.find((m) => m._msgid === id), caught: caught.find((m) => m._msgid === id) };
  }

  it('answers "summary" with counts by status, country and operator, for a campaign or the whole log', async () => {
    flow = await WebhookFlow.start(dlrNode());
    await flow.post('/sms/dlr', report('c-1', 'delivered', true, { clientRef: 'promo-nov-1', mccmnc: '310260' }));
    await flow.post('/sms/dlr', report('c-2', 'failed', true, { clientRef: 'promo-nov-2', to: '+33612345678' }));
    await flow.post('/sms/dlr', report('o-1', 'sent', false, { clientRef: 'otp-1' }));
    const campaign = await command({ topic: 'summary', payload: { clientRefPrefix: 'promo-nov-' } });
    expect(campaign.answer).toMatchObject({ topic: 'summary', payload: { total: 2, final: 2, pending: 0, delivered: 1, deliveryRate: 0.5, byStatus: { delivered: 1, failed: 1 } } });
    const countries = (campaign.answer?.payload as { byCountry: { key: string }[] }).byCountry.map((g) => g.key).sort();
    expect(countries).toEqual(['FR', 'US']);
    expect((campaign.answer?.payload as { byOperator: { key: string }[] }).byOperator.map((g) => g.key).sort()).toEqual(['310260', 'unknown']);
    const everything = await command({ topic: 'summary', payload: '' });
    expect(everything.answer?.payload).toMatchObject({ total: 3, pending: 1 });
  });

  it('answers "status" with the message record, or null for an unknown one', async () => {
    flow = await WebhookFlow.start(dlrNode());
    await flow.post('/sms/dlr', report('s-1', 'delivered', true));
    expect((await command({ topic: 'status', payload: ' s-1 ' })).answer?.payload).toMatchObject({ messageId: 's-1', status: 'delivered', country: 'US' });
    expect((await command({ topic: 'status', payload: 'nobody' })).answer?.payload).toBeNull();
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['no topic', { payload: {} }, /msg.topic must be "summary"/],
    ['an unknown topic', { topic: 'delete', payload: {} }, /msg.topic must be "summary"/],
    ['a filter that is a list', { topic: 'summary', payload: ['promo-'] }, /must be a filter object/],
    ['a filter that is text', { topic: 'summary', payload: 'promo-' }, /must be a filter object/],
    ['an unknown filter field', { topic: 'summary', payload: { campaign: 'promo-' } }, /campaign is not a summary filter/],
    ['a prototype key', { topic: 'summary', payload: JSON.parse('{"__proto__": {"x": 1}}') }, /__proto__ is not a summary filter/],
    ['a filter time that is no time', { topic: 'summary', payload: { since: 'last tuesday' } }, /since/],
    ['a filter prefix that is no text', { topic: 'summary', payload: { clientRefPrefix: 7 } }, /clientRefPrefix/],
    ['a message id that is no text', { topic: 'status', payload: 42 }, /message id or idempotency key/],
    ['an empty message id', { topic: 'status', payload: '  ' }, /message id or idempotency key/],
    ['an oversized message id', { topic: 'status', payload: 'x'.repeat(301) }, /message id or idempotency key/],
  ])('refuses a malformed command to Catch nodes with INVALID_INPUT: %s', async (_name, msg, message) => {
    flow = await WebhookFlow.start(dlrNode());
    const { answer, caught } = await command(msg);
    expect(answer).toBeUndefined();
    expect(caught?.error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(message), source: { id: 'dlr', type: 'sms-dlr' } });
  });

  it('answers commands when its endpoint is not configured, and reports STORE_ERROR when the store cannot open', async () => {
    const store = { id: 'st', type: 'sms-store', path: 'blocker-file/x.sqlite' };
    flow = await WebhookFlow.start([store, ...dlrNode({ provider: '' }), ...dlrNode({ store: 'st', path: '/sms/other' }, 'broken')]);
    expect((await command({ topic: 'summary' })).answer?.payload).toMatchObject({ total: 0 });
    writeFileSync(join(flow.userDir, 'blocker-file'), 'x');
    const out = flow.collect('caught');
    helper.getNode('broken').receive({ topic: 'status', payload: 'm-1' });
    await until(() => out.length === 1);
    expect(out[0]?.error).toMatchObject({ code: 'STORE_ERROR', source: { id: 'broken' } });
  });
});
