import { fakeProvider } from '../../test/support/fake-provider';
import { SmsError } from '../errors';
import type { SmsProvider, Store } from '../types';
import { sendBatch } from './send-batch';
import type { DispatchOptions, SendOutcome } from './types';

const number = (i: number) => `+1415555${String(1000 + i)}`;

const opts = (provider: SmsProvider, over: Partial<DispatchOptions> = {}): DispatchOptions => ({
  provider,
  credentials: {},
  sleep: async () => undefined,
  ...over,
});

function errorCode(o: SendOutcome | undefined): string | undefined {
  return o && !o.ok ? o.error.code : undefined;
}

describe('sendBatch: order and concurrency', () => {
  it('returns one outcome per request in input order despite random latencies', async () => {
    const { provider } = fakeProvider({ latencyMs: () => Math.floor(Math.random() * 8) });
    const requests = Array.from({ length: 60 }, (_, i) => ({ to: number(i), text: `message ${i}` }));
    const out = await sendBatch(requests, opts(provider, { concurrency: 7 }));
    expect(out).toHaveLength(60);
    out.forEach((o, i) => {
      expect(o.index).toBe(i);
      expect(o.ok && o.result.to).toBe(number(i));
    });
  });

  it('never has more than `concurrency` provider calls in flight', async () => {
    const fake = fakeProvider({ latencyMs: () => 1 + Math.floor(Math.random() * 4) });
    const requests = Array.from({ length: 40 }, (_, i) => ({ to: number(i), text: 'hi' }));
    await sendBatch(requests, opts(fake.provider, { concurrency: 3 }));
    expect(fake.calls).toHaveLength(40);
    expect(fake.state.peak).toBe(3);
  });

  it('sends one at a time with concurrency 1', async () => {
    const fake = fakeProvider({ latencyMs: () => 1 });
    await sendBatch(
      Array.from({ length: 10 }, (_, i) => ({ to: number(i), text: 'hi' })),
      opts(fake.provider, { concurrency: 1 }),
    );
    expect(fake.state.peak).toBe(1);
    expect(fake.calls.map((m) => m.to)).toEqual(Array.from({ length: 10 }, (_, i) => number(i)));
  });

  it('answers an empty batch with an empty array', async () => {
    const fake = fakeProvider();
    await expect(sendBatch([], opts(fake.provider))).resolves.toEqual([]);
  });
});

describe('sendBatch: what reaches the provider', () => {
  it('passes the normalised recipient, final text, encoding, segments, key and optional fields', async () => {
    const fake = fakeProvider();
    const [o] = await sendBatch(
      [
        {
          to: '(415) 555-1000',
          text: 'It’s “ready”',
          from: 'ACME',
          clientRef: 'order-7',
          sendAt: '2030-01-31T10:00:00+01:00',
          validitySeconds: 600,
          statusCallbackUrl: 'https://example.com/dlr',
        },
      ],
      opts(fake.provider, { defaultCountry: 'US' }),
    );
    expect(o?.ok).toBe(true);
    const msg = fake.calls[0]!;
    expect(msg).toMatchObject({
      to: '+14155551000',
      text: 'It\'s "ready"',
      encoding: 'GSM-7',
      segments: 1,
      from: 'ACME',
      clientRef: 'order-7',
      sendAt: '2030-01-31T09:00:00.000Z',
      validitySeconds: 600,
      statusCallbackUrl: 'https://example.com/dlr',
    });
    expect(msg.idempotencyKey).toMatch(/^[0-9a-f]{64}$/);
    expect(o?.ok && o.result).toMatchObject({ idempotencyKey: msg.idempotencyKey, clientRef: 'order-7' });
    expect(o?.ok && o.analysis.replacements.length).toBeGreaterThan(0);
  });

  it('keeps curly quotes (and UCS-2) when smart encoding is off', async () => {
    const fake = fakeProvider();
    await sendBatch([{ to: number(0), text: 'It’s ready' }], opts(fake.provider, { smartEncoding: false }));
    expect(fake.calls[0]).toMatchObject({ text: 'It’s ready', encoding: 'UCS-2' });
  });

  it('uses an explicit idempotency key as given', async () => {
    const fake = fakeProvider();
    await sendBatch([{ to: number(0), text: 'hi', idempotencyKey: 'order-42/shipped' }], opts(fake.provider));
    expect(fake.calls[0]?.idempotencyKey).toBe('order-42/shipped');
  });

  it('derives the same key for text that smart encoding makes identical, different ones per scope', async () => {
    const fake = fakeProvider();
    const twins = await sendBatch(
      [
        { to: number(0), text: 'It’s ready' },
        { to: number(0), text: "It's ready" },
      ],
      opts(fake.provider),
    );
    await sendBatch([{ to: number(0), text: "It's ready" }], opts(fake.provider, { idempotencyScope: 'campaign-2' }));
    // The same key twice in one batch is one send, even without a store.
    expect(twins[1]).toMatchObject({ ok: true, result: { duplicate: true, messageId: 'm-1' } });
    const [a, c] = fake.calls.map((m) => m.idempotencyKey);
    expect(twins[1]?.ok && twins[1].result.idempotencyKey).toBe(a);
    expect(c).not.toBe(a);
  });

  it('derives different keys per account and per scheduled time, the same key after a secret is rotated', async () => {
    const base = fakeProvider();
    const provider: SmsProvider = {
      ...base.provider,
      credentialFields: [
        { name: 'accountSid', displayName: 'Account', secret: false, required: true },
        { name: 'authToken', displayName: 'Token', secret: true, required: true },
      ],
    };
    const item = { to: number(0), text: 'Your weekly reminder' };
    const keyWith = async (credentials: Record<string, string>, sendAt?: string) => {
      const [o] = await sendBatch([sendAt === undefined ? item : { ...item, sendAt }], opts(provider, { credentials, dryRun: true }));
      return o?.ok ? o.result.idempotencyKey : undefined;
    };
    const a = await keyWith({ accountSid: 'AC1', authToken: 'old-token' });
    expect(await keyWith({ accountSid: 'AC1', authToken: 'rotated-token' })).toBe(a);
    expect(await keyWith({ accountSid: 'AC2', authToken: 'old-token' })).not.toBe(a);
    const monday = await keyWith({ accountSid: 'AC1', authToken: 't' }, '2030-01-07T09:00:00Z');
    expect(monday).not.toBe(a);
    expect(await keyWith({ accountSid: 'AC1', authToken: 't' }, '2030-01-08T09:00:00Z')).not.toBe(monday);
  });

  it('passes credentials, timeout and http function through the provider context', async () => {
    const seen: unknown[] = [];
    const http = jest.fn();
    const provider: SmsProvider = {
      ...fakeProvider().provider,
      async send(msg, ctx) {
        seen.push(ctx);
        return { provider: 'sandbox', messageId: 'x', status: 'queued', to: msg.to, segments: 1, encoding: 'GSM-7' };
      },
    };
    await sendBatch([{ to: number(0), text: 'hi' }], opts(provider, { credentials: { apiKey: 'k' }, http, timeoutMs: 1234 }));
    expect(seen[0]).toMatchObject({ credentials: { apiKey: 'k' }, http, timeoutMs: 1234 });
  });
});

describe('sendBatch: a bad item fails alone', () => {
  it('answers each malformed item with its code while the good ones go out', async () => {
    const fake = fakeProvider();
    const requests = [
      { to: number(0), text: 'good 0' },
      { to: 'not a number', text: 'x' },
      { to: '', text: 'x' },
      { to: '1-800-FLOWERS', text: 'x' },
      { to: '+1' + '4'.repeat(1024 * 1024), text: 'x' },
      { to: number(1), text: '' },
      { to: number(2), text: '  \n\u200B ' },
      { to: number(3), text: 'x'.repeat(161 * 10) },
      null,
      'a string item',
      { text: 'no recipient' },
      { to: number(4) },
      { to: 14155551004, text: 'numeric to' },
      { to: number(5), text: 'good 5' },
    ] as unknown as Parameters<typeof sendBatch>[0];
    const out = await sendBatch(requests, opts(fake.provider));
    expect(out.map((o) => (o.ok ? 'ok' : o.error.code))).toEqual([
      'ok',
      'INVALID_PHONE',
      'INVALID_PHONE',
      'INVALID_PHONE',
      'INVALID_PHONE',
      'EMPTY_MESSAGE',
      'EMPTY_MESSAGE',
      'SEGMENT_LIMIT',
      'INVALID_INPUT',
      'INVALID_INPUT',
      'INVALID_INPUT',
      'INVALID_INPUT',
      'INVALID_INPUT',
      'ok',
    ]);
    expect(fake.calls.map((m) => m.text)).toEqual(['good 0', 'good 5']);
    for (const o of out) if (!o.ok) expect(o.error).toBeInstanceOf(SmsError);
  });

  it('reports the analysis with SEGMENT_LIMIT and honours a raised maxSegments', async () => {
    const fake = fakeProvider();
    const text = 'x'.repeat(153 * 3);
    const [limited] = await sendBatch([{ to: number(0), text }], opts(fake.provider, { maxSegments: 2 }));
    expect(limited).toMatchObject({ ok: false, analysis: { segments: 3 } });
    expect(errorCode(limited)).toBe('SEGMENT_LIMIT');
    const [allowed] = await sendBatch([{ to: number(0), text }], opts(fake.provider, { maxSegments: 3 }));
    expect(allowed?.ok).toBe(true);
  });

  it('survives an item whose getters throw', async () => {
    const fake = fakeProvider();
    const hostile = Object.defineProperty({}, 'to', {
      enumerable: true,
      get() {
        throw new Error('gotcha');
      },
    });
    const out = await sendBatch([hostile, { to: number(0), text: 'hi' }] as never, opts(fake.provider));
    expect(errorCode(out[0])).toBe('INVALID_INPUT');
    expect(out[1]?.ok).toBe(true);
  });

  it('turns a provider error into that item\'s failure with the analysis attached', async () => {
    const fake = fakeProvider({
      fail: (msg) => (msg.to === number(1) ? new SmsError('OPTED_OUT', 'replied STOP', { provider: 'sandbox' }) : undefined),
    });
    const out = await sendBatch(
      [0, 1, 2].map((i) => ({ to: number(i), text: 'hi' })),
      opts(fake.provider),
    );
    expect(out.map((o) => o.ok)).toEqual([true, false, true]);
    expect(out[1]).toMatchObject({ ok: false, error: { code: 'OPTED_OUT' }, analysis: { segments: 1 } });
  });
});

describe('sendBatch: batch-level errors reject', () => {
  it.each<[string, unknown, unknown, string]>([
    ['requests not an array', { to: number(0), text: 'x' }, {}, 'INVALID_INPUT'],
    ['unknown provider', [], { provider: 'carrier-pigeon', credentials: {} }, 'UNKNOWN_PROVIDER'],
    ['concurrency 0', [], { concurrency: 0 }, 'INVALID_INPUT'],
    ['concurrency as text', [], { concurrency: 'ten' }, 'INVALID_INPUT'],
    ['options missing', [], null, 'INVALID_INPUT'],
  ])('%s → %s', async (_name, requests, over, code) => {
    const fake = fakeProvider();
    const o = over === null ? null : { ...opts(fake.provider), ...(over as object) };
    await expect(sendBatch(requests as never, o as never)).rejects.toMatchObject({ name: 'SmsError', code });
    expect(fake.calls).toHaveLength(0);
  });

  it('refuses a runaway sparse array without allocating it', async () => {
    const fake = fakeProvider();
    const huge = [] as unknown[];
    huge.length = 2 ** 31;
    await expect(sendBatch(huge as never, opts(fake.provider))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});

describe('sendBatch: progress and dry run', () => {
  it('reports progress after every item, counting sent and failed', async () => {
    const fake = fakeProvider();
    const progress: { done: number; total: number; sent: number; failed: number }[] = [];
    await sendBatch(
      [{ to: number(0), text: 'a' }, { to: 'bad', text: 'b' }, { to: number(2), text: 'c' }],
      opts(fake.provider, { concurrency: 1, onProgress: (p) => progress.push(p) }),
    );
    expect(progress).toEqual([
      { done: 1, total: 3, sent: 1, failed: 0 },
      { done: 2, total: 3, sent: 1, failed: 1 },
      { done: 3, total: 3, sent: 2, failed: 1 },
    ]);
  });

  it('keeps going when the progress callback throws', async () => {
    const fake = fakeProvider();
    const out = await sendBatch(
      [0, 1].map((i) => ({ to: number(i), text: 'x' })),
      opts(fake.provider, {
        onProgress: () => {
          throw new Error('status display broke');
        },
      }),
    );
    expect(out.every((o) => o.ok)).toBe(true);
  });

  it('dry run validates and analyses, sends nothing and claims nothing', async () => {
    const fake = fakeProvider();
    const store = { claimSend: jest.fn(), completeSend: jest.fn(), releaseSend: jest.fn() } as unknown as Store;
    const out = await sendBatch(
      [{ to: number(0), text: 'It’s ok', from: 'ACME', clientRef: 'r1' }, { to: 'bad', text: 'x' }],
      opts(fake.provider, { dryRun: true, store }),
    );
    expect(fake.calls).toHaveLength(0);
    expect(store.claimSend).not.toHaveBeenCalled();
    expect(out[0]).toMatchObject({
      ok: true,
      dryRun: true,
      analysis: { encoding: 'GSM-7', segments: 1 },
      result: {
        provider: 'sandbox',
        messageId: '',
        status: 'unknown',
        to: number(0),
        from: 'ACME',
        clientRef: 'r1',
        segments: 1,
        encoding: 'GSM-7',
        raw: { dryRun: true },
      },
    });
    expect(out[0]?.ok && out[0].result.idempotencyKey).toMatch(/^[0-9a-f]{64}$/);
    expect(errorCode(out[1])).toBe('INVALID_PHONE');
  });
});
