import { fakeProvider } from '../../test/support/fake-provider';
import { rejected } from '../../test/support/sms-error';
import { useTempStore } from '../../test/support/temp-store';
import type { ConsentAction, Store } from '../types';
import { sendBatch } from './send-batch';
import type { DispatchOptions, SendOutcome } from './types';

const db = useTempStore('a2p-dispatch-consent-');

const ANA = '+14155550123';
const BOB = '+14155550124';

const opts = (provider: DispatchOptions['provider'], over: Partial<DispatchOptions> = {}): DispatchOptions => ({
  provider,
  credentials: {},
  store: db.store,
  consent: { topic: 'marketing' },
  ...over,
});

let clock = Date.parse('2026-01-05T10:00:00Z');
async function record(phone: string, action: ConsentAction, topic = '*'): Promise<string> {
  clock += 1000;
  const at = new Date(clock).toISOString();
  await db.store.recordConsent({ phone, topic, action, source: 'sms', at, evidence: { text: action === 'opt-out' ? 'STOP' : 'START' } });
  return at;
}

const codes = (outcomes: SendOutcome[]) => outcomes.map((o) => (o.ok ? 'sent' : o.error.code));

/** The real store with its consent reads counted, or replaced. */
function spied(store: Store, over: Partial<Pick<Store, 'checkConsent' | 'consentHistory'>> = {}) {
  const counts = { checkConsent: 0, consentHistory: 0, claimSend: 0 };
  const wrapped: Store = Object.create(store) as Store;
  wrapped.checkConsent = async (q) => {
    counts.checkConsent++;
    return over.checkConsent ? over.checkConsent(q) : store.checkConsent(q);
  };
  wrapped.consentHistory = async (p) => {
    counts.consentHistory++;
    return over.consentHistory ? over.consentHistory(p) : store.consentHistory(p);
  };
  wrapped.claimSend = async (k, i) => {
    counts.claimSend++;
    return store.claimSend(k, i);
  };
  return { store: wrapped, counts };
}

describe('sendBatch with consent checking (SQLite ledger)', () => {
  it('refuses a recipient who replied STOP with OPTED_OUT: nothing sent, nothing claimed', async () => {
    const since = await record(ANA, 'opt-out');
    const fake = fakeProvider();
    const [refused, sent] = await sendBatch(
      [
        { to: ANA, text: 'Spring sale', idempotencyKey: 'sale-ana' },
        { to: BOB, text: 'Spring sale', idempotencyKey: 'sale-bob' },
      ],
      opts(fake.provider),
    );
    expect(sent).toMatchObject({ ok: true, result: { to: BOB } });
    expect(refused).toMatchObject({ ok: false, error: { code: 'OPTED_OUT', retryable: false, inDoubt: false } });
    expect(refused?.ok === false && refused.analysis?.segments).toBe(1);
    expect(fake.calls.map((m) => m.to)).toEqual([BOB]);
    expect(await db.store.getMessage('sale-ana')).toBeNull();
    const message = refused?.ok === false ? refused.error.message : '';
    expect(message).toContain(since);
    expect(message).toContain('"marketing"');
    expect(message).not.toContain('4155550123');
  });

  it('judges the normalised number: a national-format recipient meets its E.164 opt-out', async () => {
    await record(ANA, 'opt-out');
    const fake = fakeProvider();
    const out = await sendBatch([{ to: '(415) 555-0123', text: 'hi' }], opts(fake.provider, { defaultCountry: 'US' }));
    expect(codes(out)).toEqual(['OPTED_OUT']);
    expect(fake.calls).toHaveLength(0);
  });

  it('lets a topic opt-out block that topic only, while a STOP blocks every topic', async () => {
    await record(ANA, 'opt-out', 'marketing');
    const fake = fakeProvider();
    const run = (topic: string) => sendBatch([{ to: ANA, text: `about ${topic}` }], opts(fake.provider, { consent: { topic } }));
    expect(codes(await run('marketing'))).toEqual(['OPTED_OUT']);
    expect(codes(await run('transactional'))).toEqual(['sent']);
    await record(ANA, 'opt-out');
    expect(codes(await run('appointments'))).toEqual(['OPTED_OUT']);
    expect(fake.calls).toHaveLength(1);
  });

  it('checks "*" as "may every topic be sent": any standing opt-out refuses', async () => {
    const fake = fakeProvider();
    const everything = () => sendBatch([{ to: ANA, text: 'x', idempotencyKey: `k${clock}` }], opts(fake.provider, { consent: { topic: '*' } }));
    expect(codes(await everything())).toEqual(['sent']);
    await record(ANA, 'opt-out', 'marketing');
    const [refused] = await everything();
    expect(refused).toMatchObject({ ok: false, error: { code: 'OPTED_OUT', message: expect.stringContaining('every topic') } });
    await record(ANA, 'opt-in');
    expect(codes(await everything())).toEqual(['sent']);
  });

  it('with requireOptIn: NO_CONSENT until an opt-in is recorded, OPTED_OUT after a later STOP', async () => {
    const fake = fakeProvider();
    const run = () => sendBatch([{ to: ANA, text: 'Weekly deals', idempotencyKey: `deals-${clock}` }], opts(fake.provider, { consent: { topic: 'marketing', requireOptIn: true } }));
    const [none] = await run();
    expect(none).toMatchObject({ ok: false, error: { code: 'NO_CONSENT', retryable: false, message: expect.stringContaining('"marketing"') } });
    await record(ANA, 'opt-in', 'transactional');
    expect(codes(await run())).toEqual(['NO_CONSENT']);
    await record(ANA, 'opt-in', 'marketing');
    expect(codes(await run())).toEqual(['sent']);
    await record(ANA, 'opt-out');
    expect(codes(await run())).toEqual(['OPTED_OUT']);
    await record(ANA, 'opt-in');
    expect(codes(await run())).toEqual(['sent']);
    expect(fake.calls).toHaveLength(2);
  });

  it('refuses a re-run after a STOP although the first run sent the message; the log keeps that send', async () => {
    const fake = fakeProvider();
    const batch = [{ to: ANA, text: 'Order 7 shipped', idempotencyKey: 'order-7' }];
    expect(codes(await sendBatch(batch, opts(fake.provider)))).toEqual(['sent']);
    await record(ANA, 'opt-out');
    expect(codes(await sendBatch(batch, opts(fake.provider)))).toEqual(['OPTED_OUT']);
    expect(fake.calls).toHaveLength(1);
    expect(await db.store.getMessage('order-7')).toMatchObject({ state: 'sent', messageId: 'm-1' });
  });

  it('refuses both twins of an opted-out recipient in one batch', async () => {
    await record(ANA, 'opt-out');
    const fake = fakeProvider();
    const out = await sendBatch([{ to: ANA, text: 'same' }, { to: ANA, text: 'same' }], opts(fake.provider));
    expect(codes(out)).toEqual(['OPTED_OUT', 'OPTED_OUT']);
    expect(fake.calls).toHaveLength(0);
  });

  it('reports refusals in progress as failed, in input order', async () => {
    await record(BOB, 'opt-out');
    const fake = fakeProvider();
    const progress: { sent: number; failed: number }[] = [];
    const out = await sendBatch(
      [ANA, BOB, ANA].map((to, i) => ({ to, text: `m${i}` })),
      opts(fake.provider, { onProgress: (p) => progress.push(p) }),
    );
    expect(codes(out)).toEqual(['sent', 'OPTED_OUT', 'sent']);
    expect(out.map((o) => o.index)).toEqual([0, 1, 2]);
    expect(progress.at(-1)).toMatchObject({ done: 3, sent: 2, failed: 1 });
  });

  it('refuses invalid items before consent: the ledger is not asked about a number that is not one', async () => {
    const spy = spied(db.store);
    const out = await sendBatch([{ to: 'call me', text: 'x' }, { to: ANA, text: '' }], opts(fakeProvider().provider, { store: spy.store }));
    expect(codes(out)).toEqual(['INVALID_PHONE', 'EMPTY_MESSAGE']);
    expect(spy.counts.checkConsent).toBe(0);
  });

  it('asks the ledger once per item and claims only the allowed ones (10,000 items)', async () => {
    const optedOut = Array.from({ length: 50 }, (_, i) => `+1415555${String(2000 + i * 7)}`);
    await db.store.importConsent(optedOut.map((phone) => ({ phone, topic: '*', action: 'opt-out' as const, source: 'import' })));
    const refusedSet = new Set(optedOut);
    const phones = Array.from({ length: 10_000 }, (_, i) => `+1415555${String(1000 + (i % 9000)).padStart(4, '0')}`);
    const spy = spied(db.store);
    const out = await sendBatch(
      phones.map((to, i) => ({ to, text: 'Flash sale', idempotencyKey: `flash-${i}` })),
      opts(fakeProvider().provider, { store: spy.store, dryRun: true, concurrency: 50 }),
    );
    expect(spy.counts).toEqual({ checkConsent: 10_000, consentHistory: 0, claimSend: 0 });
    const expected = phones.map((p) => (refusedSet.has(p) ? 'OPTED_OUT' : 'sent'));
    expect(codes(out)).toEqual(expected);
  });
});

describe('dry runs', () => {
  it('with a store: refuses as a real send would, and claims and sends nothing', async () => {
    await record(ANA, 'opt-out');
    const fake = fakeProvider();
    const out = await sendBatch(
      [
        { to: ANA, text: 'x', idempotencyKey: 'dry-ana' },
        { to: BOB, text: 'x', idempotencyKey: 'dry-bob' },
      ],
      opts(fake.provider, { dryRun: true }),
    );
    expect(out).toMatchObject([
      { ok: false, error: { code: 'OPTED_OUT' } },
      { ok: true, dryRun: true, result: { to: BOB, messageId: '' } },
    ]);
    expect(fake.calls).toHaveLength(0);
    expect(await db.store.getMessage('dry-bob')).toBeNull();
  });

  it('without a store: reads an empty ledger — allowed unless opt-in is required', async () => {
    const fake = fakeProvider();
    const dry = (requireOptIn: boolean) =>
      sendBatch([{ to: ANA, text: 'x' }], { provider: fake.provider, credentials: {}, dryRun: true, consent: { topic: 'marketing', requireOptIn } });
    expect(codes(await dry(false))).toEqual(['sent']);
    const [refused] = await dry(true);
    expect(refused).toMatchObject({ ok: false, error: { code: 'NO_CONSENT', message: expect.stringContaining('without a store') } });
  });
});

describe('a ledger that cannot answer', () => {
  it('fails each item with STORE_ERROR and sends nothing (never lets a send through unchecked)', async () => {
    const spy = spied(db.store, {
      checkConsent: async () => {
        throw new Error('disk I/O error');
      },
    });
    const fake = fakeProvider();
    const out = await sendBatch([{ to: ANA, text: 'x' }, { to: BOB, text: 'y' }], opts(fake.provider, { store: spy.store }));
    expect(out).toMatchObject([
      { ok: false, error: { code: 'STORE_ERROR', message: expect.stringContaining('disk I/O error') } },
      { ok: false, error: { code: 'STORE_ERROR' } },
    ]);
    expect(fake.calls).toHaveLength(0);
    expect(spy.counts.claimSend).toBe(0);
  });

  it.each<[string, unknown]>([
    ['nothing', undefined],
    ['a string', 'allowed'],
    ['allowed as text', { allowed: 'true', reason: 'opted-in' }],
    ['a refusal without a known reason', { allowed: false, reason: 'maybe' }],
  ])('refuses when the store answers %s', async (_label, answer) => {
    const spy = spied(db.store, { checkConsent: async () => answer as never });
    const fake = fakeProvider();
    const out = await sendBatch([{ to: ANA, text: 'x' }], opts(fake.provider, { store: spy.store }));
    expect(codes(out)).toEqual(['STORE_ERROR']);
    expect(fake.calls).toHaveLength(0);
  });

  it('keeps the code of a coded store error', async () => {
    await db.store.close();
    const out = await sendBatch([{ to: ANA, text: 'x' }], opts(fakeProvider().provider));
    expect(codes(out)).toEqual(['STORE_ERROR']);
  });
});

describe('consent option checks (the whole batch is refused with INVALID_INPUT)', () => {
  const provider = fakeProvider().provider;

  it.each<[string, unknown]>([
    ['true', true],
    ['a topic string instead of an object', 'marketing'],
    ['an array', [{ topic: 'marketing' }]],
    ['no topic', {}],
    ['an empty topic', { topic: '' }],
    ['a blank topic', { topic: '   ' }],
    ['a numeric topic', { topic: 7 }],
    ['a topic of 101 characters', { topic: 'm'.repeat(101) }],
    ['a megabyte topic', { topic: 'm'.repeat(1024 * 1024) }],
    ['a topic with a control character', { topic: 'mark\u0000eting' }],
    ['requireOptIn as text', { topic: 'marketing', requireOptIn: 'yes' }],
    ['requireOptIn as a number', { topic: 'marketing', requireOptIn: 1 }],
  ])('%s', async (_label, consent) => {
    const fake = fakeProvider();
    const err = await rejected(sendBatch([{ to: ANA, text: 'x' }], opts(fake.provider, { consent: consent as never })));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toMatch(/^consent/);
    expect(err.message.length).toBeLessThan(300);
    expect(fake.calls).toHaveLength(0);
  });

  it('accepts a topic of 100 characters, trims it, and takes null as "no check"', async () => {
    await record(ANA, 'opt-out', 'alerts');
    expect(codes(await sendBatch([{ to: ANA, text: 'a' }], opts(provider, { consent: { topic: ' alerts ' } })))).toEqual(['OPTED_OUT']);
    expect(codes(await sendBatch([{ to: ANA, text: 'b' }], opts(provider, { consent: { topic: 'a'.repeat(100), requireOptIn: null as never } })))).toEqual(['sent']);
    expect(codes(await sendBatch([{ to: ANA, text: 'c' }], opts(provider, { consent: null as never, store: db.store })))).toEqual(['sent']);
  });

  it('refuses consent checking on a real send without a store', async () => {
    const fake = fakeProvider();
    const err = await rejected(sendBatch([{ to: ANA, text: 'x' }], { provider: fake.provider, credentials: {}, consent: { topic: 'marketing' } }));
    expect(err).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('needs a store') });
    expect(fake.calls).toHaveLength(0);
  });

  it('refuses a store without a consent ledger', async () => {
    const { checkConsent: _dropped, ...rest } = Object.fromEntries(
      ['claimSend', 'completeSend', 'releaseSend', 'consentHistory'].map((m) => [m, async () => undefined]),
    ) as Record<string, unknown>;
    const err = await rejected(sendBatch([{ to: ANA, text: 'x' }], opts(provider, { store: rest as unknown as Store })));
    expect(err).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('checkConsent') });
  });
});
