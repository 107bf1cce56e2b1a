import { openStore } from '../store';
import { useTempStore } from '../../test/support/temp-store';
import { SANDBOX_SECRET, TWILIO_TOKEN, sandboxRequest as signed, twilioRequest } from '../../test/webhook/requests';
import { failing, storeRows } from '../../test/webhook/store-state';
import type { DeliveryReport, SendResult } from '../types';
import { handleStatus } from './handle-status';
import type { RawWebhookRequest, WebhookContext } from './types';

const temp = useTempStore('a2p-status-');
const ALICE = '+14155550100';

function ctx(extra: Partial<WebhookContext> = {}): WebhookContext & { lines: string[] } {
  const lines: string[] = [];
  return { provider: 'sandbox', credentials: { webhookSecret: SANDBOX_SECRET }, store: temp.store, log: (_l, m) => lines.push(m), lines, ...extra };
}

function report(messageId: string, status: DeliveryReport['status'], extra: Partial<DeliveryReport> = {}): DeliveryReport {
  const final = !['scheduled', 'queued', 'sent'].includes(status);
  return { provider: 'sandbox', messageId, status, final, providerStatus: status, to: ALICE, occurredAt: '2026-11-02T10:00:00.000Z', ...extra };
}

const twilioCtx = () => ctx({ provider: 'twilio', credentials: { accountSid: 'AC1', authToken: TWILIO_TOKEN } });
const twilioReport = (sid: string, status: string, extra: Record<string, string> = {}) =>
  twilioRequest({ MessageSid: sid, MessageStatus: status, To: ALICE, ...extra }, 'https://hooks.example.com/twilio-dlr');

describe('handleStatus: merging and emitting', () => {
  it('merges a report into the message log and emits it with the message status', async () => {
    const r = await handleStatus(signed(report('m-1', 'delivered')), ctx());
    expect(r.reply).toEqual({ status: 200 });
    expect(r.events).toEqual([expect.objectContaining({ messageId: 'm-1', status: 'delivered', messageStatus: 'delivered', duplicate: false })]);
    expect(await temp.store.getMessage('m-1')).toMatchObject({ status: 'delivered', final: true });
  });

  it('updates the record of a send, so getMessage by idempotency key shows the latest status', async () => {
    await temp.store.claimSend('key-1', { provider: 'sandbox', to: ALICE });
    const sent: SendResult = { provider: 'sandbox', messageId: 'm-k', status: 'queued', to: ALICE, segments: 1, encoding: 'GSM-7', idempotencyKey: 'key-1' };
    await temp.store.completeSend('key-1', sent);
    await handleStatus(signed(report('m-k', 'undelivered')), ctx());
    expect(await temp.store.getMessage('key-1')).toMatchObject({ messageId: 'm-k', status: 'undelivered', final: true });
  });

  it('emits a late report with the status the message keeps: a final status is never left', async () => {
    await handleStatus(signed(report('m-2', 'delivered')), ctx());
    const late = await handleStatus(signed(report('m-2', 'sent')), ctx());
    expect(late.events).toEqual([expect.objectContaining({ status: 'sent', messageStatus: 'delivered', duplicate: false })]);
  });

  it('does not emit a repeated report; with dedupe off it is emitted flagged as a duplicate', async () => {
    expect((await handleStatus(signed(report('m-3', 'delivered')), ctx())).events).toHaveLength(1);
    expect((await handleStatus(signed(report('m-3', 'delivered')), ctx())).events).toEqual([]);
    const off = await handleStatus(signed(report('m-3', 'delivered')), ctx(), { dedupe: false });
    expect(off.events).toEqual([expect.objectContaining({ duplicate: true, messageStatus: 'delivered' })]);
    expect(storeRows(temp.file).delivery_reports).toBe(1);
  });

  it('settles 1,000 concurrent duplicate and reordered reports: one final state per message, each report emitted once', async () => {
    const reports: DeliveryReport[] = [];
    for (let m = 0; m < 100; m++) {
      const final = m % 4 === 0 ? 'failed' : 'delivered';
      reports.push(report(`bulk-${m}`, 'queued'), report(`bulk-${m}`, 'sent'), report(`bulk-${m}`, final));
    }
    // A stride coprime with 300 visits the reports out of order; 1,000 requests repeat most of them.
    const requests: DeliveryReport[] = [];
    for (let i = 0; i < 1000; i++) requests.push(reports[(i * 7919) % reports.length] as DeliveryReport);
    const c = ctx();
    const results = await Promise.all(requests.map((r) => handleStatus(signed(r), c)));
    expect(results.every((r) => r.reply.status === 200)).toBe(true);
    const emitted = results.flatMap((r) => r.events.map((e) => `${e.messageId}:${e.providerStatus}`));
    expect(new Set(emitted).size).toBe(emitted.length);
    expect(emitted.sort()).toEqual(reports.map((r) => `${r.messageId}:${r.providerStatus}`).sort());
    for (let m = 0; m < 100; m++) {
      expect(await temp.store.getMessage(`bulk-${m}`)).toMatchObject({ status: m % 4 === 0 ? 'failed' : 'delivered', final: true });
    }
    expect(storeRows(temp.file)).toMatchObject({ messages: 100, delivery_reports: 300 });
  });
});

describe('handleStatus: only final', () => {
  it('emits the report that makes a message final, and no other', async () => {
    const c = ctx();
    expect((await handleStatus(signed(report('f-1', 'sent')), c, { onlyFinal: true })).events).toEqual([]);
    expect((await handleStatus(signed(report('f-1', 'failed')), c, { onlyFinal: true })).events).toEqual([expect.objectContaining({ status: 'failed', messageStatus: 'failed' })]);
    // Another final report arrives later: the message stays failed, nothing became final.
    expect((await handleStatus(signed(report('f-1', 'delivered')), c, { onlyFinal: true })).events).toEqual([]);
    expect((await handleStatus(signed(report('f-1', 'failed')), c, { onlyFinal: true, dedupe: false })).events).toEqual([]);
  });

  it('does not emit a second final report of the same status', async () => {
    const c = twilioCtx();
    const first = await handleStatus(twilioReport('SMf2', 'delivered'), c, { onlyFinal: true });
    expect(first.events).toEqual([expect.objectContaining({ providerStatus: 'delivered', messageStatus: 'delivered' })]);
    // Twilio's `read` also means delivered: a distinct report, but the message was final already.
    const read = await handleStatus(twilioReport('SMf2', 'read'), c, { onlyFinal: true });
    expect(read.reply.status).toBe(200);
    expect(read.events).toEqual([]);
    expect(storeRows(temp.file).delivery_reports).toBe(2);
  });

  it('emits one report per message out of 1,000 concurrent duplicate and reordered ones', async () => {
    const reports = Array.from({ length: 100 }, (_, m) => [report(`of-${m}`, 'sent'), report(`of-${m}`, m % 2 === 0 ? 'delivered' : 'undelivered')]).flat();
    const c = ctx();
    const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => handleStatus(signed(reports[(i * 7919) % reports.length]), c, { onlyFinal: true })));
    const emitted = results.flatMap((r) => r.events);
    expect(emitted.map((e) => e.messageId).sort()).toEqual(Array.from({ length: 100 }, (_, m) => `of-${m}`).sort());
    expect(emitted.every((e) => e.status === e.messageStatus && e.final)).toBe(true);
  });

  // Different reports (not duplicates) that settle on the same final status, racing: the store says
  // which one found the message not yet there.
  it('emits one of several concurrent, different reports of the same final status', async () => {
    const c = ctx();
    const variants = Array.from({ length: 20 }, (_, i) => report('of-same', 'delivered', { errorCode: `operator-${i}` }));
    const results = await Promise.all(variants.map((r) => handleStatus(signed(r), c, { onlyFinal: true })));
    expect(results.every((r) => r.reply.status === 200)).toBe(true);
    expect(results.flatMap((r) => r.events)).toHaveLength(1);
    expect(storeRows(temp.file).delivery_reports).toBe(20);
  });

  it('emits the final report of a request that also carries earlier ones', async () => {
    const r = await handleStatus(signed([report('f-3', 'queued'), report('f-3', 'sent'), report('f-3', 'expired')]), ctx(), { onlyFinal: true });
    expect(r.events.map((e) => e.status)).toEqual(['expired']);
  });
});

describe('handleStatus: opt-out evidence', () => {
  it('records an opt-out proven by a Twilio 21610 report once, and flags the event', async () => {
    const c = twilioCtx();
    const first = await handleStatus(twilioReport('SM1', 'failed', { ErrorCode: '21610' }), c);
    expect(first.events[0]).toMatchObject({ errorCode: '21610', optOutRecorded: true });
    const again = await handleStatus(twilioReport('SM1', 'failed', { ErrorCode: '21610' }), c, { dedupe: false });
    expect(again.events[0]).not.toHaveProperty('optOutRecorded');
    await handleStatus(twilioReport('SM2', 'failed', { ErrorCode: '21610' }), c);
    const history = await temp.store.consentHistory(ALICE);
    expect(history).toEqual([expect.objectContaining({ topic: '*', action: 'opt-out', source: 'provider-error', evidence: expect.objectContaining({ messageId: 'SM1', errorCode: '21610' }) })]);
  });

  it('leaves the ledger alone for other errors and when recording is off', async () => {
    await handleStatus(twilioReport('SM3', 'undelivered', { ErrorCode: '30003' }), twilioCtx());
    await handleStatus(twilioReport('SM4', 'failed', { ErrorCode: '21610' }), twilioCtx(), { recordOptOuts: false });
    expect(storeRows(temp.file).consent_events).toBe(0);
  });

  it('takes the recipient from the message log when the report has none, and logs when nobody knows it', async () => {
    await temp.store.claimSend('key-o', { provider: 'twilio', to: ALICE });
    await temp.store.completeSend('key-o', { provider: 'twilio', messageId: 'SMo1', status: 'queued', to: ALICE, segments: 1, encoding: 'GSM-7', idempotencyKey: 'key-o' });
    const c = twilioCtx();
    const known = twilioRequest({ MessageSid: 'SMo1', MessageStatus: 'failed', ErrorCode: '21610' }, 'https://hooks.example.com/twilio-dlr');
    expect((await handleStatus(known, c)).events[0]).toMatchObject({ optOutRecorded: true });
    const unknown = twilioRequest({ MessageSid: 'SMo2', MessageStatus: 'failed', ErrorCode: '21610' }, 'https://hooks.example.com/twilio-dlr');
    const r = await handleStatus(unknown, c);
    expect(r.reply.status).toBe(200);
    expect(c.lines).toEqual([expect.stringMatching(/SMo2: error 21610 proves an opt-out, but the recipient is unknown/)]);
    expect(storeRows(temp.file).consent_events).toBe(1);
  });
});

describe('handleStatus: refusals', () => {
  const ok = () => signed(report('x-1', 'delivered'));
  it.each([
    ['a tampered body', () => ({ ...ok(), rawBody: Buffer.from(JSON.stringify(report('x-1', 'failed'))) }), 401],
    ['a wrong secret', () => signed(report('x-1', 'delivered'), 'another-secret'), 401],
    ['a missing signature header', () => ({ ...ok(), headers: { 'content-type': 'application/json' } }), 401],
    ['malformed JSON', () => signed('{"provider":"sandbox",'), 400],
    ['a report of another shape', () => signed({ ...report('x-1', 'delivered'), status: 'read' }), 400],
    ['a body over the limit', () => signed({ ...report('x-1', 'delivered'), errorMessage: 'x'.repeat(1024 * 1024) }), 413],
  ])('refuses %s and keeps nothing', async (_name, make, status) => {
    const c = ctx();
    const before = storeRows(temp.file);
    const r = await handleStatus(make() as RawWebhookRequest, c);
    expect(r.reply.status).toBe(status);
    expect(r.events).toEqual([]);
    expect(storeRows(temp.file)).toEqual(before);
    expect(await temp.store.getMessage('x-1')).toBeNull();
    expect(c.lines).toHaveLength(1);
  });

  it('answers 500 for a provider the registry does not know', async () => {
    expect((await handleStatus(ok(), ctx({ provider: 'acme' as never }))).reply.status).toBe(500);
  });
});

describe('handleStatus: the store down', () => {
  it('answers 503 with a closed store; the retry is processed once the store is back', async () => {
    const closed = await openStore({ kind: 'sqlite', path: temp.file });
    await closed.close();
    const down = await handleStatus(signed(report('s-1', 'delivered')), ctx({ store: closed }));
    expect(down.reply.status).toBe(503);
    expect(down.error?.code).toBe('STORE_ERROR');
    expect(down.events).toEqual([]);
    expect((await handleStatus(signed(report('s-1', 'delivered')), ctx())).events).toHaveLength(1);
  });

  it('answers 503 and keeps nothing when applying fails; the retry is emitted once', async () => {
    const reports = [report('s-2', 'sent'), report('s-2', 'delivered')];
    const down = await handleStatus(signed(reports), ctx({ store: failing(temp.store, 'applyReports') }));
    expect(down.reply.status).toBe(503);
    expect(down.events).toEqual([]);
    expect(await temp.store.getMessage('s-2')).toBeNull();
    expect((await handleStatus(signed(reports), ctx())).events).toHaveLength(2);
    expect((await handleStatus(signed(reports), ctx())).events).toHaveLength(0);
  });

  it('keeps the opt-out of a request answered 503, and its retry adds no second row', async () => {
    const c = twilioCtx();
    const down = await handleStatus(twilioReport('SMd1', 'failed', { ErrorCode: '21610' }), { ...c, store: failing(temp.store, 'applyReports') });
    expect(down.reply.status).toBe(503);
    expect(storeRows(temp.file)).toMatchObject({ consent_events: 1, delivery_reports: 0 });
    const retry = await handleStatus(twilioReport('SMd1', 'failed', { ErrorCode: '21610' }), c);
    expect(retry.events).toEqual([expect.objectContaining({ duplicate: false })]);
    expect(storeRows(temp.file)).toMatchObject({ consent_events: 1, delivery_reports: 1 });
  });
});
