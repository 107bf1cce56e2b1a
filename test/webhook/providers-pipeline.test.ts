/**
 * The webhook pipeline through real providers, not the sandbox: Vonage parts reassembled, Vonage
 * auto-replies sent through its API, timestamped signatures (Telnyx) refused when stale, and the
 * provider errors that prove an opt-out (Telnyx 40300, Vonage err-code 9).
 */
import nock from 'nock';
import { sendBatch } from '../../core/dispatch';
import { handleInbound } from '../../core/webhook/handle-inbound';
import { handleStatus } from '../../core/webhook/handle-status';
import type { WebhookContext } from '../../core/webhook/types';
import { useNock } from '../support/nock';
import { useTempStore } from '../support/temp-store';
import { VONAGE_SECRET, telnyxKeys, telnyxRequest, vonageRequest } from './requests';
import { storeRows } from './store-state';

useNock();
const temp = useTempStore('a2p-webhook-providers-');
const ALICE = '+14155550100';
const SHOP = '+14155550199';

function withLog(c: Omit<WebhookContext, 'store'>): WebhookContext & { lines: string[] } {
  const lines: string[] = [];
  return { ...c, store: temp.store, log: (_l, m) => lines.push(m), lines };
}

describe('Vonage', () => {
  const credentials = { apiKey: 'key1', apiSecret: 'api-secret-1', signatureSecret: VONAGE_SECRET, signatureMethod: 'md5hash' };
  const vonage = () => withLog({ provider: 'vonage', credentials });
  const part = (n: number, text: string, extra: Record<string, string> = {}) =>
    vonageRequest({
      msisdn: ALICE.slice(1),
      to: SHOP.slice(1),
      messageId: `part-${n}`,
      text,
      type: 'text',
      'message-timestamp': `2030-01-02 03:04:0${n}`,
      concat: 'true',
      'concat-ref': '77',
      'concat-total': '3',
      'concat-part': String(n),
      ...extra,
    });

  it('reassembles parts received out of order into one message, emitted once', async () => {
    const c = vonage();
    const second = await handleInbound(part(2, 'is the '), c);
    const third = await handleInbound(part(3, 'end. STOP'), c);
    expect([second.reply.status, third.reply.status]).toEqual([200, 200]);
    expect([...second.events, ...third.events]).toEqual([]);
    const first = await handleInbound(part(1, 'This '), c);
    expect(first.events).toEqual([
      expect.objectContaining({
        provider: 'vonage',
        messageId: 'part-1',
        from: ALICE,
        to: SHOP,
        text: 'This is the end. STOP',
        parts: 3,
        receivedAt: '2030-01-02T03:04:03.000Z',
        keyword: null,
        duplicate: false,
      }),
    ]);
    expect(first.events[0]).not.toHaveProperty('concat');
    expect((first.events[0]?.raw as { messageId: string }[]).map((r) => r.messageId)).toEqual(['part-1', 'part-2', 'part-3']);
    // Vonage retries the part that completed the message: nothing new.
    const retried = await handleInbound(part(1, 'This '), c);
    expect(retried.reply.status).toBe(200);
    expect(retried.events).toEqual([]);
    const retriedLast = await handleInbound(part(3, 'end. STOP'), c);
    expect(retriedLast.events).toEqual([]);
    expect(storeRows(temp.file)).toMatchObject({ inbound_messages: 1, inbound_parts: 3 });
  });

  it('detects the keyword on the reassembled text only', async () => {
    const c = vonage();
    const two = (n: number, text: string) => part(n, text, { 'concat-ref': '78', 'concat-total': '2', messageId: `k-${n}` });
    expect((await handleInbound(two(1, 'ST'), c)).events).toEqual([]);
    const whole = await handleInbound(two(2, 'OP'), c);
    expect(whole.events).toEqual([expect.objectContaining({ text: 'STOP', keyword: expect.objectContaining({ intent: 'opt-out' }), consentRecorded: 'opt-out' })]);
    expect((await temp.store.consentHistory(ALICE)).map((e) => e.evidence)).toEqual([expect.objectContaining({ messageId: 'k-1', text: 'STOP', provider: 'vonage' })]);
  });

  it('refuses a part signed with another secret and keeps no part of it', async () => {
    const r = await handleInbound(vonageRequest({ msisdn: '14155550100', to: '14155550199', messageId: 'p', text: 'x', concat: 'true', 'concat-ref': '1', 'concat-total': '2', 'concat-part': '1' }, 'wrong'), vonage());
    expect(r.reply.status).toBe(401);
    expect(storeRows(temp.file).inbound_parts).toBe(0);
  });

  it('sends the HELP auto-reply through the Vonage API after answering, from the number texted, once', async () => {
    const api = nock('https://rest.nexmo.com')
      .post('/sms/json', (body: Record<string, string>) => body.to === ALICE.slice(1) && body.from === SHOP.slice(1) && body.text === 'Reply STOP to opt out')
      .once()
      .reply(200, { 'message-count': '1', messages: [{ status: '0', 'message-id': 'reply-1', to: ALICE.slice(1) }] });
    const c = vonage();
    const help = vonageRequest({ msisdn: ALICE.slice(1), to: SHOP.slice(1), messageId: 'in-help', text: 'HELP', type: 'text' });
    const r = await handleInbound(help, c, { autoReply: { help: 'Reply STOP to opt out' } });
    expect(r.reply).toEqual({ status: 200 });
    expect(api.isDone()).toBe(false);
    await r.followUp?.();
    expect(api.isDone()).toBe(true);
    expect(await temp.store.getMessage('auto-reply:vonage:in-help')).toMatchObject({ messageId: 'reply-1', state: 'sent' });
    // The provider's retry of the same HELP: no second reply (nock would refuse a second call).
    expect((await handleInbound(help, c, { autoReply: { help: 'Reply STOP to opt out' } })).followUp).toBeUndefined();
    expect(c.lines).toEqual([]);
  });

  it('logs an auto-reply the API refuses; the follow-up still resolves', async () => {
    nock('https://rest.nexmo.com').post('/sms/json').reply(401, { type: 'https://developer.nexmo.com/api-errors#unauthorized', title: 'Invalid credentials' });
    const c = vonage();
    const r = await handleInbound(vonageRequest({ msisdn: ALICE.slice(1), to: SHOP.slice(1), messageId: 'in-help-2', text: 'HELP', type: 'text' }), c, { autoReply: { help: 'Help' } });
    await expect(r.followUp?.()).resolves.toBeUndefined();
    expect(c.lines).toEqual([expect.stringMatching(/^vonage auto-reply not sent \(AUTH_FAILED\)/)]);
    expect(c.lines[0]).not.toContain('api-secret-1');
  });

  it('records err-code 9 as an opt-out once; the next send to that number is refused', async () => {
    const receipt = (messageId: string) =>
      vonageRequest({ msisdn: ALICE.slice(1), to: 'Shop', 'network-code': '310260', messageId, status: 'rejected', 'err-code': '9', 'message-timestamp': '2030-01-02 03:04:05' });
    const c = vonage();
    const first = await handleStatus(receipt('v-1'), c);
    expect(first.events).toEqual([expect.objectContaining({ errorCode: '9', optOutRecorded: true, to: ALICE })]);
    await handleStatus(receipt('v-1'), c);
    await handleStatus(receipt('v-2'), c);
    expect(storeRows(temp.file).consent_events).toBe(1);
    const [out] = await sendBatch([{ to: ALICE, text: 'Hi', from: 'Shop' }], { provider: 'sandbox', credentials: {}, store: temp.store, consent: { topic: 'otp' } });
    expect(out).toMatchObject({ ok: false, error: { code: 'OPTED_OUT' } });
  });
});

describe('Telnyx', () => {
  const keys = telnyxKeys();
  const NOW = 1_790_000_000_000;
  const telnyx = () => withLog({ provider: 'telnyx', credentials: { apiKey: 'KEY1', publicKey: keys.publicKey }, now: () => NOW });
  const finalized = (id: string, status: string, errors: unknown[] = []) => ({
    data: { event_type: 'message.finalized', id: `ev-${id}`, occurred_at: '2026-11-02T10:00:00.000+00:00', payload: { id, to: [{ phone_number: ALICE, status }], errors } },
  });
  const inbound = { data: { event_type: 'message.received', occurred_at: '2026-11-02T10:00:00Z', payload: { id: 'tin-1', from: { phone_number: ALICE }, to: [{ phone_number: SHOP }], text: 'STOP' } } };

  it.each([
    ['301 s old', NOW / 1000 - 301],
    ['301 s in the future', NOW / 1000 + 301],
  ])('refuses a signature %s with 401, keeping nothing', async (_name, ts) => {
    const before = storeRows(temp.file);
    const inb = await handleInbound(telnyxRequest(inbound, keys.privateKey, ts), telnyx());
    const dlr = await handleStatus(telnyxRequest(finalized('t-1', 'delivered'), keys.privateKey, ts), telnyx());
    expect([inb.reply.status, dlr.reply.status]).toEqual([401, 401]);
    expect([...inb.events, ...dlr.events]).toEqual([]);
    expect(storeRows(temp.file)).toEqual(before);
  });

  it('accepts the same request inside the window', async () => {
    const r = await handleInbound(telnyxRequest(inbound, keys.privateKey, NOW / 1000 - 299), telnyx());
    expect(r.events).toEqual([expect.objectContaining({ messageId: 'tin-1', consentRecorded: 'opt-out' })]);
  });

  it('records 40300 as an opt-out once', async () => {
    const c = telnyx();
    const r = await handleStatus(telnyxRequest(finalized('t-2', 'delivery_failed', [{ code: 40300, title: 'Blocked due to STOP message' }]), keys.privateKey, NOW / 1000), c);
    expect(r.events).toEqual([expect.objectContaining({ errorCode: '40300', optOutRecorded: true })]);
    await handleStatus(telnyxRequest(finalized('t-2', 'delivery_failed', [{ code: 40300 }]), keys.privateKey, NOW / 1000), c);
    expect(await temp.store.consentHistory(ALICE)).toEqual([expect.objectContaining({ action: 'opt-out', source: 'provider-error' })]);
  });

  // A messaging profile has one webhook URL: messages sent without a per-message webhook_url
  // report their delivery to the inbound URL.
  it('applies a delivery event that reaches the inbound URL to the message log, emits nothing, answers 200', async () => {
    await temp.store.claimSend('k-shared', { provider: 'telnyx', to: ALICE });
    await temp.store.completeSend('k-shared', { provider: 'telnyx', messageId: 't-3', status: 'queued', to: ALICE, segments: 1, encoding: 'GSM-7', idempotencyKey: 'k-shared' });
    const c = telnyx();
    const r = await handleInbound(telnyxRequest(finalized('t-3', 'delivery_failed', [{ code: 40300 }]), keys.privateKey, NOW / 1000), c);
    expect(r.reply.status).toBe(200);
    expect(r.events).toEqual([]);
    expect(await temp.store.getMessage('t-3')).toMatchObject({ status: 'undelivered' });
    expect(await temp.store.consentHistory(ALICE)).toEqual([expect.objectContaining({ action: 'opt-out', source: 'provider-error' })]);
    expect(c.lines.join('\n')).toMatch(/delivery event applied/);
  });

  it('still refuses an event that is neither inbound nor a delivery report with 400', async () => {
    const other = { data: { event_type: 'number_order.complete', payload: { id: 'x' } } };
    const r = await handleInbound(telnyxRequest(other, keys.privateKey, NOW / 1000), telnyx());
    expect(r.reply.status).toBe(400);
    expect(r.events).toEqual([]);
  });
});
