import { createHmac } from 'node:crypto';
import nock from 'nock';
import { sendBatch } from '../dispatch';
import { SmsError } from '../errors';
import { openStore } from '../store';
import { useNock } from '../../test/support/nock';
import { ledgerRowCount, useTempStore } from '../../test/support/temp-store';
import type { DeliveryReport, Store } from '../types';
import { handleInbound } from './handle-inbound';
import { handleStatus } from './handle-status';
import type { RawWebhookRequest, WebhookContext } from './types';

useNock();
const temp = useTempStore('a2p-webhook-');
const SECRET = 'sandbox-hook-secret-1';
const ALICE = '+14155550100';
const SHOP = '+14155550199';

function signed(body: unknown, secret = SECRET, url = 'https://hooks.example.com/sms'): RawWebhookRequest {
  const raw = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  return {
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', 'x-sandbox-signature': createHmac('sha256', secret).update(raw).digest('hex') },
    rawBody: raw,
  };
}

function ctx(extra: Partial<WebhookContext> = {}): WebhookContext & { lines: string[] } {
  const lines: string[] = [];
  return { provider: 'sandbox', credentials: { webhookSecret: SECRET }, store: temp.store, log: (_l, m) => lines.push(m), lines, ...extra };
}

function report(messageId: string, status: DeliveryReport['status'], extra: Partial<DeliveryReport> = {}): DeliveryReport {
  const final = !['scheduled', 'queued', 'sent'].includes(status);
  return { provider: 'sandbox', messageId, status, final, providerStatus: status, to: ALICE, occurredAt: '2026-11-02T10:00:00.000Z', ...extra };
}

async function inboundRows(store: Store, id: string): Promise<boolean> {
  // recordInbound answers "seen before" without changing what a first receipt recorded.
  const [seen] = await store.recordInbound([{ provider: 'sandbox', messageId: id, from: ALICE, to: SHOP, text: '', receivedAt: new Date().toISOString(), keyword: null, raw: null }]);
  return seen === true;
}

describe('handleInbound', () => {
  it('emits a message, records STOP in the ledger, and the next send to that number is refused OPTED_OUT', async () => {
    const c = ctx();
    const r = await handleInbound(signed({ from: ALICE, to: SHOP, text: 'STOP', messageId: 'in-1' }), c);
    expect(r.reply.status).toBe(200);
    expect(r.events).toEqual([expect.objectContaining({ messageId: 'in-1', from: ALICE, text: 'STOP', duplicate: false, consentRecorded: 'opt-out', keyword: expect.objectContaining({ intent: 'opt-out' }) })]);
    const [out] = await sendBatch([{ to: ALICE, text: 'Promo!' }], { provider: 'sandbox', credentials: {}, store: temp.store, consent: { topic: 'marketing' } });
    expect(out).toMatchObject({ ok: false, error: { code: 'OPTED_OUT' } });
  });

  it('does not emit, answer again or add a ledger row for a retried STOP', async () => {
    const c = ctx();
    const body = { from: ALICE, to: SHOP, text: 'STOP', messageId: 'in-2' };
    const first = await handleInbound(signed(body), c, { autoReply: { 'opt-out': 'You are unsubscribed.' } });
    const again = await handleInbound(signed(body), c, { autoReply: { 'opt-out': 'You are unsubscribed.' } });
    expect(first.events).toHaveLength(1);
    expect(again.reply.status).toBe(200);
    expect(again.events).toEqual([]);
    expect(again.followUp).toBeUndefined();
    expect(ledgerRowCount(temp.file)).toBe(1);
    const off = await handleInbound(signed(body), c, { dedupe: false });
    expect(off.events).toEqual([expect.objectContaining({ duplicate: true })]);
  });

  it('does not opt out again when a STOP already overridden by START is retried', async () => {
    const c = ctx();
    const stop = { from: ALICE, to: SHOP, text: 'STOP', messageId: 'r-stop' };
    await handleInbound(signed(stop), c);
    await handleInbound(signed({ from: ALICE, to: SHOP, text: 'START', messageId: 'r-start' }), c);
    const retry = await handleInbound(signed(stop), c);
    expect(retry.reply.status).toBe(200);
    expect(ledgerRowCount(temp.file)).toBe(2);
    const [out] = await sendBatch([{ to: ALICE, text: 'Welcome back' }], { provider: 'sandbox', credentials: {}, store: temp.store, consent: { topic: 'marketing' } });
    expect(out?.ok).toBe(true);
  });

  it('records START after STOP, and a second STOP from a new message after that', async () => {
    const c = ctx();
    await handleInbound(signed({ from: ALICE, to: SHOP, text: 'STOP', messageId: 'a' }), c);
    const start = await handleInbound(signed({ from: ALICE, to: SHOP, text: 'start', messageId: 'b' }), c);
    expect(start.events[0]?.consentRecorded).toBe('opt-in');
    const stop = await handleInbound(signed({ from: ALICE, to: SHOP, text: 'Stop', messageId: 'c' }), c);
    expect(stop.events[0]?.consentRecorded).toBe('opt-out');
    expect(ledgerRowCount(temp.file)).toBe(3);
  });

  it('answers HELP with TwiML for Twilio, in the HTTP reply', async () => {
    const token = 'twilio-token-123';
    const url = 'https://hooks.example.com/twilio';
    const params = { MessageSid: 'SM1', From: ALICE, To: SHOP, Body: 'HELP' };
    const data = url + Object.keys(params).sort().map((k) => k + params[k as keyof typeof params]).join('');
    const raw: RawWebhookRequest = {
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': createHmac('sha1', token).update(data).digest('base64') },
      rawBody: Buffer.from(new URLSearchParams(params).toString()),
    };
    const r = await handleInbound(raw, ctx({ provider: 'twilio', credentials: { accountSid: 'AC1', authToken: token } }), { autoReply: { help: 'Shop & Co: reply STOP to opt out' } });
    expect(r.reply).toMatchObject({ status: 200, headers: { 'content-type': 'text/xml' } });
    expect(r.reply.body).toContain('<Message>Shop &amp; Co: reply STOP to opt out</Message>');
    expect(r.events[0]).toMatchObject({ autoReply: 'Shop & Co: reply STOP to opt out', keyword: { intent: 'help' } });
    expect(r.followUp).toBeUndefined();
  });

  it('sends the auto-reply through the API after answering when the provider cannot reply in HTTP', async () => {
    const c = ctx();
    const r = await handleInbound(signed({ from: ALICE, to: SHOP, text: 'HELP', messageId: 'h-1' }), c, { autoReply: { help: 'Help text' } });
    expect(r.reply).toEqual({ status: 200 });
    expect(r.followUp).toBeDefined();
    await r.followUp?.();
    const sent = await temp.store.getMessage((await sendKey(temp.store, 'h-1')) ?? '');
    expect(sent).toMatchObject({ to: ALICE, from: SHOP, state: 'sent' });
  });

  it('keeps keyword messages out of the flow when told to, but still records them', async () => {
    const r = await handleInbound(signed({ from: ALICE, to: SHOP, text: 'STOP', messageId: 'k-1' }), ctx(), { emitKeywordMessages: false });
    expect(r.events).toEqual([]);
    expect(ledgerRowCount(temp.file)).toBe(1);
  });

  it.each([
    ['a tampered body', () => ({ ...signed({ from: ALICE, to: SHOP, text: 'STOP', messageId: 't' }), rawBody: Buffer.from(JSON.stringify({ from: ALICE, to: SHOP, text: 'STOP', messageId: 'u' })) }), 401],
    ['a wrong secret', () => signed({ from: ALICE, to: SHOP, text: 'STOP', messageId: 't' }, 'other'), 401],
    ['a missing signature', () => ({ ...signed({ from: ALICE, to: SHOP, text: 'STOP', messageId: 't' }), headers: { 'content-type': 'application/json' } }), 401],
    ['malformed JSON', () => signed('{"from":'), 400],
    ['a wrong shape', () => signed({ hello: 'world' }), 400],
    ['an unparseable form', () => ({ ...signed('a=%zz'), headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 400],
    ['deep JSON', () => signed('['.repeat(10_000) + ']'.repeat(10_000)), 400],
    ['a body that is not a Buffer', () => ({ ...signed({}), rawBody: '{}' as unknown as Buffer }), 400],
  ])('refuses %s, emitting and storing nothing', async (_name, make, status) => {
    const c = ctx();
    const r = await handleInbound(make(), c);
    expect(r.reply.status).toBe(status);
    expect(r.events).toEqual([]);
    expect(r.reply.body).not.toContain(SECRET);
    expect(ledgerRowCount(temp.file)).toBe(0);
    expect(await inboundRows(temp.store, 't')).toBe(false);
    expect(c.lines).toHaveLength(1);
  });

  it('answers 413 over the limit and accepts exactly the limit', async () => {
    const body = JSON.stringify({ from: ALICE, to: SHOP, text: 'hi', messageId: 'big' });
    const limit = Buffer.byteLength(body);
    expect((await handleInbound(signed(body), ctx({ maxBodyBytes: limit }))).reply.status).toBe(200);
    const over = await handleInbound(signed(`${body} `), ctx({ maxBodyBytes: limit }));
    expect(over.reply.status).toBe(413);
    expect(over.error?.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers 500 when the credentials cannot verify, so the provider retries', async () => {
    const r = await handleInbound(signed({}), ctx({ provider: 'twilio', credentials: {} }));
    expect(r.reply.status).toBe(500);
    expect(r.error?.code).toBe('MISSING_CREDENTIALS');
  });

  it('answers 503 when the store is closed', async () => {
    const closed = await openStore({ kind: 'sqlite', path: `${temp.file}.closed` });
    await closed.close();
    const r = await handleInbound(signed({ from: ALICE, to: SHOP, text: 'hi', messageId: 'c-1' }), ctx({ store: closed }));
    expect(r.reply.status).toBe(503);
    expect(r.error?.code).toBe('STORE_ERROR');
    expect(r.events).toEqual([]);
  });

  it('answers 503 when marking fails, and the retry keeps the one opt-out and is emitted once', async () => {
    const body = { from: ALICE, to: SHOP, text: 'STOP', messageId: 'r-1' };
    const down = await handleInbound(signed(body), ctx({ store: failing(temp.store, 'recordInbound') }));
    expect(down.reply.status).toBe(503);
    expect(down.events).toEqual([]);
    const retry = await handleInbound(signed(body), ctx());
    expect(retry.events).toHaveLength(1);
    expect(ledgerRowCount(temp.file)).toBe(1);
  });
});

/** The store with one method failing as a full disk or a closed file would. */
function failing(store: Store, method: 'recordInbound' | 'applyReports'): Store {
  const broken = Object.create(store) as Store;
  Object.defineProperty(broken, method, { value: () => Promise.reject(new SmsError('STORE_ERROR', 'sqlite: disk I/O error')) });
  return broken;
}

async function sendKey(store: Store, inboundId: string): Promise<string | undefined> {
  const key = `auto-reply:sandbox:${inboundId}`;
  return (await store.getMessage(key)) ? key : undefined;
}

describe('handleStatus', () => {
  it('merges a report into the message log and emits it with the message status', async () => {
    const r = await handleStatus(signed(report('m-1', 'delivered')), ctx());
    expect(r.reply.status).toBe(200);
    expect(r.events).toEqual([expect.objectContaining({ messageId: 'm-1', status: 'delivered', messageStatus: 'delivered', duplicate: false })]);
    expect(await temp.store.getMessage('m-1')).toMatchObject({ status: 'delivered', final: true });
  });

  it('records an opt-out proven by a Twilio 21610 report once', async () => {
    const token = 'twilio-token-123';
    const url = 'https://hooks.example.com/twilio-dlr';
    const twilio = (sid: string) => {
      const params = { MessageSid: sid, MessageStatus: 'failed', ErrorCode: '21610', To: ALICE };
      const data = url + Object.keys(params).sort().map((k) => k + params[k as keyof typeof params]).join('');
      return {
        method: 'POST',
        url,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': createHmac('sha1', token).update(data).digest('base64') },
        rawBody: Buffer.from(new URLSearchParams(params).toString()),
      };
    };
    const c = ctx({ provider: 'twilio', credentials: { accountSid: 'AC1', authToken: token } });
    const first = await handleStatus(twilio('SM1'), c);
    expect(first.events[0]).toMatchObject({ errorCode: '21610', optOutRecorded: true });
    await handleStatus(twilio('SM1'), c);
    await handleStatus(twilio('SM2'), c);
    expect(ledgerRowCount(temp.file)).toBe(1);
  });

  it('emits only final reports when asked', async () => {
    expect((await handleStatus(signed(report('m-2', 'sent')), ctx(), { onlyFinal: true })).events).toEqual([]);
    expect((await handleStatus(signed(report('m-2', 'failed')), ctx(), { onlyFinal: true })).events).toHaveLength(1);
  });

  it('answers 503 and keeps nothing when the store fails; the retry is emitted once', async () => {
    const down = await handleStatus(signed(report('m-3', 'delivered')), ctx({ store: failing(temp.store, 'applyReports') }));
    expect(down.reply.status).toBe(503);
    expect(await temp.store.getMessage('m-3')).toBeNull();
    expect((await handleStatus(signed(report('m-3', 'delivered')), ctx())).events).toHaveLength(1);
    expect((await handleStatus(signed(report('m-3', 'delivered')), ctx())).events).toHaveLength(0);
  });

  it('settles 1,000 concurrent duplicate and reordered reports: one final state per message, each report emitted once', async () => {
    const reports: DeliveryReport[] = [];
    for (let m = 0; m < 100; m++) {
      const final = m % 4 === 0 ? 'failed' : 'delivered';
      reports.push(report(`bulk-${m}`, 'queued'), report(`bulk-${m}`, 'sent'), report(`bulk-${m}`, final));
    }
    const requests: DeliveryReport[] = [];
    for (let i = 0; i < 1000; i++) requests.push(reports[(i * 7919) % reports.length] as DeliveryReport);
    for (const r of reports) if (!requests.includes(r)) requests.push(r);
    const c = ctx();
    const results = await Promise.all(requests.map((r) => handleStatus(signed(r), c)));
    expect(results.every((r) => r.reply.status === 200)).toBe(true);
    const emitted = results.flatMap((r) => r.events.map((e) => `${e.messageId}:${e.providerStatus}`));
    expect(new Set(emitted).size).toBe(emitted.length);
    expect(emitted).toHaveLength(reports.length);
    for (let m = 0; m < 100; m++) {
      expect(await temp.store.getMessage(`bulk-${m}`)).toMatchObject({ status: m % 4 === 0 ? 'failed' : 'delivered', final: true });
    }
  });

  it('refuses tampered and stale requests with 401 and stores nothing', async () => {
    const ok = signed(report('m-4', 'delivered'));
    const r = await handleStatus({ ...ok, rawBody: Buffer.from(JSON.stringify(report('m-4', 'failed'))) }, ctx());
    expect(r.reply.status).toBe(401);
    expect(await temp.store.getMessage('m-4')).toBeNull();
    expect(nock.pendingMocks()).toEqual([]);
  });
});
