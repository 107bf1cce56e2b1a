import { sendBatch } from '../dispatch';
import { openStore } from '../store';
import { useTempStore } from '../../test/support/temp-store';
import { SANDBOX_SECRET, TWILIO_TOKEN, sandboxRequest as signed, twilioRequest } from '../../test/webhook/requests';
import { failing, storeRows } from '../../test/webhook/store-state';
import { handleInbound } from './handle-inbound';
import type { RawWebhookRequest, WebhookContext } from './types';

const temp = useTempStore('a2p-inbound-');
const ALICE = '+14155550100';
const SHOP = '+14155550199';

function ctx(extra: Partial<WebhookContext> = {}): WebhookContext & { lines: string[] } {
  const lines: string[] = [];
  return { provider: 'sandbox', credentials: { webhookSecret: SANDBOX_SECRET }, store: temp.store, log: (_l, m) => lines.push(m), lines, ...extra };
}

const sms = (text: string, messageId: string, extra: Record<string, unknown> = {}) => ({ from: ALICE, to: SHOP, text, messageId, ...extra });

async function sendToAlice(): Promise<{ ok: boolean; error?: { code: string } }> {
  const [out] = await sendBatch([{ to: ALICE, text: 'Promo!' }], { provider: 'sandbox', credentials: {}, store: temp.store, consent: { topic: 'marketing' } });
  return out as { ok: boolean; error?: { code: string } };
}

describe('handleInbound: consent from STOP and START', () => {
  it('emits the message, records STOP as an opt-out of every topic, and the next send is refused OPTED_OUT', async () => {
    const r = await handleInbound(signed(sms('STOP', 'in-1')), ctx());
    expect(r.reply.status).toBe(200);
    expect(r.events).toEqual([
      expect.objectContaining({ messageId: 'in-1', from: ALICE, text: 'STOP', duplicate: false, consentRecorded: 'opt-out', keyword: expect.objectContaining({ intent: 'opt-out' }) }),
    ]);
    const [row] = await temp.store.consentHistory(ALICE);
    expect(row).toMatchObject({ topic: '*', action: 'opt-out', source: 'sms', evidence: { messageId: 'in-1', text: 'STOP', provider: 'sandbox' } });
    expect(await sendToAlice()).toMatchObject({ ok: false, error: { code: 'OPTED_OUT' } });
  });

  it('does not emit, answer or record again a retried STOP; with dedupe off it is emitted as a duplicate only', async () => {
    const c = ctx();
    const opts = { autoReply: { 'opt-out': 'You are unsubscribed.' } };
    const first = await handleInbound(signed(sms('STOP', 'in-2')), c, opts);
    const again = await handleInbound(signed(sms('STOP', 'in-2')), c, opts);
    expect(first.events).toHaveLength(1);
    expect(first.followUp).toBeDefined();
    expect(again.reply.status).toBe(200);
    expect(again.events).toEqual([]);
    expect(again.followUp).toBeUndefined();
    const off = await handleInbound(signed(sms('STOP', 'in-2')), c, { ...opts, dedupe: false });
    expect(off.events).toEqual([expect.objectContaining({ messageId: 'in-2', duplicate: true })]);
    expect(off.events[0]).not.toHaveProperty('autoReply');
    expect(off.events[0]).not.toHaveProperty('consentRecorded');
    expect(off.followUp).toBeUndefined();
    expect(storeRows(temp.file)).toMatchObject({ consent_events: 1, inbound_messages: 1 });
  });

  it('adds no row for a second STOP (another message) while the number is opted out', async () => {
    await handleInbound(signed(sms('STOP', 's-1')), ctx());
    const second = await handleInbound(signed(sms('stop', 's-2')), ctx());
    expect(second.events).toEqual([expect.objectContaining({ messageId: 's-2', duplicate: false })]);
    expect(second.events[0]).not.toHaveProperty('consentRecorded');
    expect(storeRows(temp.file).consent_events).toBe(1);
  });

  it('does not opt out again when a STOP already overridden by START is retried', async () => {
    await handleInbound(signed(sms('STOP', 'r-stop')), ctx());
    await handleInbound(signed(sms('START', 'r-start')), ctx());
    const retry = await handleInbound(signed(sms('STOP', 'r-stop')), ctx());
    expect(retry.reply.status).toBe(200);
    expect(storeRows(temp.file).consent_events).toBe(2);
    expect((await sendToAlice()).ok).toBe(true);
  });

  it('records START after STOP, and a new STOP after that', async () => {
    await handleInbound(signed(sms('STOP', 'a')), ctx());
    const start = await handleInbound(signed(sms('start', 'b')), ctx());
    expect(start.events[0]?.consentRecorded).toBe('opt-in');
    expect((await sendToAlice()).ok).toBe(true);
    const stop = await handleInbound(signed(sms('Stop', 'c')), ctx());
    expect(stop.events[0]?.consentRecorded).toBe('opt-out');
    expect((await temp.store.consentHistory(ALICE)).map((e) => e.action)).toEqual(['opt-out', 'opt-in', 'opt-out']);
  });

  it('records nothing when consent recording is off, but still emits the keyword', async () => {
    const r = await handleInbound(signed(sms('STOP', 'off-1')), ctx(), { recordConsent: false });
    expect(r.events).toEqual([expect.objectContaining({ keyword: expect.objectContaining({ intent: 'opt-out' }) })]);
    expect(r.events[0]).not.toHaveProperty('consentRecorded');
    expect(storeRows(temp.file).consent_events).toBe(0);
  });

  it('detects keywords with the node options: "Stop please" is an opt-out only in lenient mode', async () => {
    const exact = await handleInbound(signed(sms('Stop please', 'l-1')), ctx());
    expect(exact.events[0]).toMatchObject({ keyword: null });
    const lenient = await handleInbound(signed(sms('Stop please', 'l-2')), ctx(), { keywords: { mode: 'lenient' } });
    expect(lenient.events[0]).toMatchObject({ keyword: { intent: 'opt-out' }, consentRecorded: 'opt-out' });
  });

  it('keeps keyword messages out of the flow when told to, but still records and answers them', async () => {
    const r = await handleInbound(signed(sms('STOP', 'k-1')), ctx(), { emitKeywordMessages: false, autoReply: { 'opt-out': 'Bye' } });
    expect(r.events).toEqual([]);
    expect(r.followUp).toBeDefined();
    expect(storeRows(temp.file)).toMatchObject({ consent_events: 1, inbound_messages: 1 });
    const plain = await handleInbound(signed(sms('hello', 'k-2')), ctx(), { emitKeywordMessages: false });
    expect(plain.events).toHaveLength(1);
  });

  it('handles several messages of one request, a repeated one emitted once', async () => {
    const r = await handleInbound(signed([sms('one', 'm-1'), sms('two', 'm-2'), sms('one', 'm-1')]), ctx());
    expect(r.events.map((e) => [e.messageId, e.text])).toEqual([
      ['m-1', 'one'],
      ['m-2', 'two'],
    ]);
  });
});

describe('handleInbound: numbers', () => {
  // Twilio passes From and To through as the carrier gave them, which need not be E.164.
  const twilio = () => ctx({ provider: 'twilio', credentials: { accountSid: 'AC1', authToken: TWILIO_TOKEN } });
  const from = (From: string, Body: string, MessageSid: string, To = '36000') => twilioRequest({ MessageSid, From, To, Body });

  it('writes national numbers in E.164 with the default country and keeps short codes and sender ids', async () => {
    const national = await handleInbound(from('06 12 34 56 78', 'hi', 'SMn1'), twilio(), { defaultCountry: 'FR' });
    expect(national.events[0]).toMatchObject({ from: '+33612345678', to: '36000' });
    const sender = await handleInbound(from('ACME', 'hi', 'SMn2', SHOP), twilio());
    expect(sender.events[0]).toMatchObject({ from: 'ACME', to: SHOP });
  });

  it('answers 200 for a STOP from a sender id, records nothing and says so in the log', async () => {
    const c = twilio();
    const r = await handleInbound(from('ACME', 'STOP', 'SMn3'), c);
    expect(r.reply.status).toBe(200);
    expect(r.events).toHaveLength(1);
    expect(storeRows(temp.file).consent_events).toBe(0);
    expect(c.lines).toEqual([expect.stringMatching(/opt-out from a sender that is not a valid phone number/)]);
  });

  it('records the STOP of a national number under its E.164 form', async () => {
    await handleInbound(from('0612345678', 'ARRET', 'SMn4'), twilio(), { defaultCountry: 'FR' });
    expect(await temp.store.consentHistory('+33612345678')).toEqual([expect.objectContaining({ action: 'opt-out' })]);
  });
});

describe('handleInbound: auto-replies', () => {
  it('answers HELP with TwiML in the HTTP reply for Twilio, and sends nothing after', async () => {
    const raw = twilioRequest({ MessageSid: 'SM1', From: ALICE, To: SHOP, Body: 'HELP' });
    const r = await handleInbound(raw, ctx({ provider: 'twilio', credentials: { accountSid: 'AC1', authToken: TWILIO_TOKEN } }), { autoReply: { help: 'Shop & Co: reply STOP to opt out' } });
    expect(r.reply).toMatchObject({ status: 200, headers: { 'content-type': 'text/xml' } });
    expect(r.reply.body).toContain('<Message>Shop &amp; Co: reply STOP to opt out</Message>');
    expect(r.events[0]).toMatchObject({ autoReply: 'Shop & Co: reply STOP to opt out', keyword: { intent: 'help' } });
    expect(r.followUp).toBeUndefined();
  });

  it('answers an empty TwiML response when there is no reply text for the intent', async () => {
    const raw = twilioRequest({ MessageSid: 'SM2', From: ALICE, To: SHOP, Body: 'STOP' });
    const r = await handleInbound(raw, ctx({ provider: 'twilio', credentials: { accountSid: 'AC1', authToken: TWILIO_TOKEN } }), { autoReply: { help: 'Help', 'opt-out': '  ' } });
    expect(r.reply.body).toContain('<Response/>');
    expect(r.events[0]).not.toHaveProperty('autoReply');
  });

  it('sends the reply after answering for other providers: from the number texted, once, even to a number that just opted out', async () => {
    const c = ctx();
    const r = await handleInbound(signed(sms('STOP', 'h-1')), c, { autoReply: { 'opt-out': 'You will get no more messages.' } });
    expect(r.reply).toEqual({ status: 200 });
    expect(r.events[0]).toMatchObject({ autoReply: 'You will get no more messages.' });
    await r.followUp?.();
    await r.followUp?.();
    const sent = await temp.store.getMessage('auto-reply:sandbox:h-1');
    expect(sent).toMatchObject({ to: ALICE, from: SHOP, state: 'sent' });
    expect(storeRows(temp.file).messages).toBe(1);
    expect(c.lines).toEqual([]);
  });

  it('logs a reply that cannot be sent; the follow-up resolves all the same', async () => {
    // The sandbox refuses 555-0193 numbers as invalid recipients.
    const c = ctx();
    const r = await handleInbound(signed({ from: '+14155550193', to: SHOP, text: 'HELP', messageId: 'h-2' }), c, { autoReply: { help: 'Help text' } });
    await expect(r.followUp?.()).resolves.toBeUndefined();
    expect(c.lines).toEqual([expect.stringMatching(/^sandbox auto-reply not sent \(INVALID_PHONE\)/)]);
  });
});

describe('handleInbound: refusals', () => {
  const stop = () => signed(sms('STOP', 't'));
  it.each([
    ['a tampered body', () => ({ ...stop(), rawBody: Buffer.from(JSON.stringify(sms('STOP', 'u'))) }), 401],
    ['a wrong secret', () => signed(sms('STOP', 't'), 'another-secret'), 401],
    ['a missing signature header', () => ({ ...stop(), headers: { 'content-type': 'application/json' } }), 401],
    ['a signature for another body', () => ({ ...stop(), headers: { ...stop().headers, 'x-sandbox-signature': signed('{}').headers['x-sandbox-signature'] } }), 401],
    ['malformed JSON', () => signed('{"from":'), 400],
    ['a wrong shape', () => signed({ hello: 'world' }), 400],
    ['a number for a body', () => signed('42'), 400],
    ['an unparseable form', () => ({ ...signed('a=%zz'), headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 400],
    ['multipart', () => ({ ...signed('--b\r\n'), headers: { 'content-type': 'multipart/form-data; boundary=b' } }), 400],
    ['deep JSON', () => signed('['.repeat(10_000) + ']'.repeat(10_000)), 400],
    ['a body that is not a Buffer', () => ({ ...stop(), rawBody: JSON.stringify(sms('STOP', 't')) as unknown as Buffer }), 400],
    ['a query of 2,000 parameters', () => signed(sms('STOP', 't'), SANDBOX_SECRET, `https://h.example/sms?${'a=1&'.repeat(2_000)}`), 400],
    ['a map of 5,000 headers', () => ({ ...stop(), headers: { ...stop().headers, ...Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`x-h${i}`, 'v'])) } }), 400],
  ])('refuses %s, emitting and storing nothing, with one log line', async (_name, make, status) => {
    const c = ctx();
    const before = storeRows(temp.file);
    const r = await handleInbound(make() as RawWebhookRequest, c);
    expect(r.reply.status).toBe(status);
    expect(r.events).toEqual([]);
    expect(r.followUp).toBeUndefined();
    expect(storeRows(temp.file)).toEqual(before);
    expect(c.lines).toHaveLength(1);
    for (const shown of [r.reply.body ?? '', c.lines[0] ?? '']) {
      expect(shown).not.toContain(SANDBOX_SECRET);
      expect(shown).not.toContain('STOP');
    }
  });

  it('keeps __proto__ keys as data: no prototype is polluted', async () => {
    const body = `{"from":"${ALICE}","to":"${SHOP}","text":"hi","messageId":"p-1","__proto__":{"polluted":true}}`;
    const r = await handleInbound(signed(body), ctx());
    expect([200, 400]).toContain(r.reply.status);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const form = await handleInbound({ ...signed('__proto__[polluted]=1&constructor=x'), headers: { 'content-type': 'application/x-www-form-urlencoded' } }, ctx({ verifySignature: false }));
    expect(form.reply.status).toBe(400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('never throws, whatever the engine hands over', async () => {
    for (const raw of [null, undefined, 42, {}, { method: 'POST' }, { method: 'POST', url: 'https://h.example/x', headers: { 'x-a': 1 }, rawBody: [123, 125] }]) {
      const r = await handleInbound(raw as unknown as RawWebhookRequest, ctx());
      expect(r.reply.status).toBe(400);
    }
    // No headers at all: read as none, so no signature.
    const bare = { method: 'POST', url: 'https://h.example/x', headers: null, rawBody: Buffer.from('{}') };
    expect((await handleInbound(bare as unknown as RawWebhookRequest, ctx())).reply.status).toBe(401);
    const noCtx = await handleInbound(signed(sms('hi', 'x')), undefined as unknown as WebhookContext);
    expect(noCtx.reply.status).toBe(500);
  });

  it('answers 413 one byte over the limit and accepts exactly the limit', async () => {
    const body = JSON.stringify(sms('hi', 'big'));
    const limit = Buffer.byteLength(body);
    const over = await handleInbound(signed(`${body} `), ctx({ maxBodyBytes: limit }));
    expect(over.reply.status).toBe(413);
    expect(over.error?.code).toBe('PAYLOAD_TOO_LARGE');
    expect(storeRows(temp.file).inbound_messages).toBe(0);
    expect((await handleInbound(signed(body), ctx({ maxBodyBytes: limit }))).reply.status).toBe(200);
  });

  it('answers 500 when the credentials cannot verify, so the provider retries', async () => {
    const r = await handleInbound(signed({}), ctx({ provider: 'twilio', credentials: {} }));
    expect(r.reply.status).toBe(500);
    expect(r.error?.code).toBe('MISSING_CREDENTIALS');
  });

  it.each([
    ['a default country that is no country', { defaultCountry: 'UK' }],
    ['keyword options of the wrong kind', { keywords: { extra: { optOut: 'STOP' } } as never }],
  ])('answers 500 for %s (a setting, not the request), storing nothing', async (_name, opts) => {
    const c = ctx();
    const r = await handleInbound(signed(sms('STOP', 'cfg')), c, opts);
    expect(r.reply.status).toBe(500);
    expect(r.error?.code).toBe('INVALID_INPUT');
    expect(storeRows(temp.file)).toMatchObject({ consent_events: 0, inbound_messages: 0 });
    expect(c.lines).toHaveLength(1);
  });

  it('accepts unsigned requests only when verification is off', async () => {
    const unsigned = { ...signed(sms('hi', 'v-1')), headers: { 'content-type': 'application/json' } };
    expect((await handleInbound(unsigned, ctx())).reply.status).toBe(401);
    expect((await handleInbound(unsigned, ctx({ verifySignature: false }))).events).toHaveLength(1);
  });
});

describe('handleInbound: the store down', () => {
  it('answers 503 with a closed store, and the retry is processed once the store is back', async () => {
    const closed = await openStore({ kind: 'sqlite', path: temp.file });
    await closed.close();
    const down = await handleInbound(signed(sms('STOP', 'c-1')), ctx({ store: closed }));
    expect(down.reply.status).toBe(503);
    expect(down.error?.code).toBe('STORE_ERROR');
    expect(down.events).toEqual([]);
    const retry = await handleInbound(signed(sms('STOP', 'c-1')), ctx());
    expect(retry.events).toEqual([expect.objectContaining({ messageId: 'c-1', consentRecorded: 'opt-out' })]);
  });

  it('answers 503 when marking fails after the opt-out is kept; the retry is emitted once and adds no second row', async () => {
    const down = await handleInbound(signed(sms('STOP', 'r-1')), ctx({ store: failing(temp.store, 'recordInbound') }), { autoReply: { 'opt-out': 'Bye' } });
    expect(down.reply.status).toBe(503);
    expect(down.followUp).toBeUndefined();
    expect(storeRows(temp.file)).toMatchObject({ consent_events: 1, inbound_messages: 0 });
    const retry = await handleInbound(signed(sms('STOP', 'r-1')), ctx(), { autoReply: { 'opt-out': 'Bye' } });
    expect(retry.events).toEqual([expect.objectContaining({ duplicate: false, autoReply: 'Bye' })]);
    expect((await handleInbound(signed(sms('STOP', 'r-1')), ctx())).events).toEqual([]);
    expect(storeRows(temp.file)).toMatchObject({ consent_events: 1, inbound_messages: 1 });
  });

  it('answers 503 when the ledger cannot be written, marking nothing', async () => {
    const down = await handleInbound(signed(sms('STOP', 'l-1')), ctx({ store: failing(temp.store, 'recordConsent') }));
    expect(down.reply.status).toBe(503);
    expect(storeRows(temp.file).inbound_messages).toBe(0);
    expect((await handleInbound(signed(sms('STOP', 'l-1')), ctx())).events[0]).toMatchObject({ consentRecorded: 'opt-out' });
  });
});
