import nock from 'nock';
import { useNock } from '../../test/support/nock';
import { rejected } from '../../test/support/sms-error';
import { defaultHttp } from '../http-client';
import type { DeliveryReport, HttpFunction, HttpRequest, OutboundSms, ProviderContext } from '../types';
import { sandbox } from './sandbox';

const HOOK = 'https://hooks.example.com';
const NOW = Date.parse('2030-01-01T12:00:00Z');

const msg = (over: Partial<OutboundSms> = {}): OutboundSms => ({
  to: '+14155550100',
  text: 'Hello from the sandbox',
  encoding: 'GSM-7',
  segments: 1,
  ...over,
});
const ctx = (creds: Record<string, string | undefined> = {}, over: Partial<ProviderContext> = {}): ProviderContext => ({
  credentials: { ...creds },
  http: defaultHttp,
  ...over,
});

/** An HTTP function that records the reports it is given and answers with `status`. */
function recorder(status = 200): { http: jest.MockedFunction<HttpFunction>; reports: () => DeliveryReport[] } {
  const http = jest.fn(async (_req: HttpRequest) => ({ status, headers: {}, body: '' }));
  return { http, reports: () => http.mock.calls.map(([req]) => JSON.parse(req.body ?? '') as DeliveryReport) };
}

afterEach(() => jest.useRealTimers());
useNock();

describe('sandbox provider', () => {
  it('needs no credentials and calls no API', () => {
    expect(sandbox.id).toBe('sandbox');
    expect(sandbox.credentialFields.filter((f) => f.required)).toEqual([]);
    expect(sandbox.credentialFields.map((f) => [f.name, f.secret])).toEqual([
      ['reportDelayMs', false],
      ['webhookSecret', true],
    ]);
  });
});

describe('sandbox.send', () => {
  it('accepts the message with a unique sandbox id and our segments and encoding', async () => {
    const { http } = recorder();
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => sandbox.send(msg({ text: `n° ${i}`, encoding: 'UCS-2', segments: 2 }), ctx({}, { http }))),
    );
    const ids = new Set(results.map((r) => r.messageId));
    expect(ids.size).toBe(200);
    for (const r of results) {
      expect(r.messageId).toMatch(/^sandbox-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(r).toMatchObject({ provider: 'sandbox', status: 'queued', to: '+14155550100', segments: 2, encoding: 'UCS-2' });
    }
    expect(http).not.toHaveBeenCalled();
  });

  it('echoes sender, client reference and idempotency key; reports scheduled only for a future sendAt', async () => {
    const c = ctx({}, { now: () => NOW });
    const r = await sandbox.send(msg({ from: ' Shop ', clientRef: 'o-1', idempotencyKey: 'k-1', sendAt: '2030-01-01T13:00:00Z' }), c);
    expect(r).toMatchObject({ from: 'Shop', clientRef: 'o-1', idempotencyKey: 'k-1', status: 'scheduled' });
    expect((await sandbox.send(msg({ sendAt: '2029-12-31T00:00:00Z' }), c)).status).toBe('queued');
  });

  it('POSTs a delivered report, shaped like a DeliveryReport, to the status callback URL', async () => {
    let report: Record<string, unknown> = {};
    const replied = new Promise<void>((resolve) => {
      nock(HOOK, { reqheaders: { 'content-type': 'application/json' } })
        .post('/dlr?flow=demo', (body: Record<string, unknown>) => {
          report = body;
          return true;
        })
        .reply(204, () => {
          resolve();
          return '';
        });
    });

    const r = await sandbox.send(msg({ clientRef: 'o-2', statusCallbackUrl: `${HOOK}/dlr?flow=demo` }), ctx({ reportDelayMs: '0' }));
    await replied;

    expect(report).toEqual({
      provider: 'sandbox',
      messageId: r.messageId,
      status: 'delivered',
      final: true,
      providerStatus: 'delivered',
      to: '+14155550100',
      occurredAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      clientRef: 'o-2',
    });
  });

  it('sends no report without a callback URL', async () => {
    jest.useFakeTimers();
    const { http } = recorder();
    await sandbox.send(msg(), ctx({ reportDelayMs: '0' }, { http }));
    await jest.runAllTimersAsync();
    expect(http).not.toHaveBeenCalled();
  });

  it('waits reportDelayMs (300 ms by default), and for a scheduled message until its sendAt', async () => {
    jest.useFakeTimers({ now: NOW });
    const { http } = recorder();
    await sandbox.send(msg({ statusCallbackUrl: `${HOOK}/a` }), ctx({}, { http }));
    await jest.advanceTimersByTimeAsync(299);
    expect(http).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(http).toHaveBeenCalledTimes(1);

    await sandbox.send(msg({ statusCallbackUrl: `${HOOK}/b`, sendAt: new Date(NOW + 300 + 60_000).toISOString() }), ctx({ reportDelayMs: '5' }, { http }));
    await jest.advanceTimersByTimeAsync(60_000);
    expect(http).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(5);
    expect(http).toHaveBeenCalledTimes(2);
    expect(http.mock.calls[1][0].url).toBe(`${HOOK}/b`);
  });

  it('never keeps the process alive for a pending report', async () => {
    const spy = jest.spyOn(global, 'setTimeout');
    try {
      await sandbox.send(msg({ statusCallbackUrl: `${HOOK}/x` }), ctx({ reportDelayMs: '60000' }, { http: recorder().http }));
      const timer = spy.mock.results[spy.mock.results.length - 1].value as NodeJS.Timeout;
      expect(timer.hasRef()).toBe(false);
      clearTimeout(timer);
    } finally {
      spy.mockRestore();
    }
  });

  it('swallows a failing callback after two retries, and never throws into the caller', async () => {
    jest.useFakeTimers();
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const failing = recorder(503);
      await sandbox.send(msg({ statusCallbackUrl: `${HOOK}/down` }), ctx({ reportDelayMs: '0' }, { http: failing.http }));
      await jest.runAllTimersAsync();
      expect(failing.http).toHaveBeenCalledTimes(3);
      expect(new Set(failing.reports().map((r) => r.occurredAt)).size).toBe(1);

      const refusing = jest.fn<Promise<never>, [HttpRequest]>(async () => {
        throw new Error('connect ECONNREFUSED');
      });
      await sandbox.send(msg({ statusCallbackUrl: `${HOOK}/refused` }), ctx({ reportDelayMs: '0' }, { http: refusing }));
      const throwing = jest.fn(() => {
        throw new Error('synchronous failure');
      });
      await sandbox.send(msg({ statusCallbackUrl: `${HOOK}/sync` }), ctx({ reportDelayMs: '0' }, { http: throwing as unknown as HttpFunction }));
      const garbage = jest.fn(async () => undefined as unknown as never);
      await sandbox.send(msg({ statusCallbackUrl: `${HOOK}/garbage` }), ctx({ reportDelayMs: '0' }, { http: garbage }));
      await jest.runAllTimersAsync();
      expect(refusing).toHaveBeenCalledTimes(3);
      expect(throwing).toHaveBeenCalledTimes(3);
      expect(garbage).toHaveBeenCalledTimes(3);

      const gone = recorder(404);
      await sandbox.send(msg({ statusCallbackUrl: `${HOOK}/gone` }), ctx({ reportDelayMs: '0' }, { http: gone.http }));
      await jest.runAllTimersAsync();
      expect(gone.http).toHaveBeenCalledTimes(1);

      await Promise.resolve();
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('swallows a callback to a host that refuses the connection (real HTTP client)', async () => {
    nock.enableNetConnect('127.0.0.1:1');
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    const http = jest.fn(defaultHttp);
    try {
      const r = await sandbox.send(msg({ statusCallbackUrl: 'http://127.0.0.1:1/dlr' }), ctx({ reportDelayMs: '0' }, { http }));
      expect(r.status).toBe('queued');
      // Each attempt is real I/O; the pauses between attempts are fake time.
      for (let i = 0; i < 50 && http.mock.calls.length < 3; i++) await jest.advanceTimersByTimeAsync(500);
      for (const attempt of http.mock.results) await expect(attempt.value).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      await jest.advanceTimersByTimeAsync(60_000);
      expect(http).toHaveBeenCalledTimes(3);
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
      nock.disableNetConnect();
    }
  });

  describe('simulated outcomes for +1 NPA 555-0190 … 0194', () => {
    it.each([
      ['+12025550190', 'undelivered'],
      ['+13125550191', 'failed'],
      ['+14155550192', 'expired'],
    ])('%s is accepted, then reported %s', async (to, status) => {
      jest.useFakeTimers();
      const { http, reports } = recorder();
      await sandbox.send(msg({ to, statusCallbackUrl: `${HOOK}/r` }), ctx({ reportDelayMs: '0' }, { http }));
      await jest.runAllTimersAsync();
      expect(reports()[0]).toMatchObject({ status, providerStatus: status, final: true, permanent: true, errorCode: `sandbox-${status}` });
      expect(reports()[0].errorMessage).toMatch(/^Simulated/);
    });

    it('+1 NPA 555-0193 and 0194 are refused at send as invalid and opted out', async () => {
      expect((await rejected(sandbox.send(msg({ to: '+12025550193' }), ctx()))).code).toBe('INVALID_PHONE');
      expect((await rejected(sandbox.send(msg({ to: '+12025550194' }), ctx()))).code).toBe('OPTED_OUT');
    });

    it('the same digits outside +1 555 are delivered', async () => {
      jest.useFakeTimers();
      const { http, reports } = recorder();
      await sandbox.send(msg({ to: '+442075550193', statusCallbackUrl: `${HOOK}/r` }), ctx({ reportDelayMs: '0' }, { http }));
      await sandbox.send(msg({ to: '+12025550189', statusCallbackUrl: `${HOOK}/r` }), ctx({ reportDelayMs: '0' }, { http }));
      await jest.runAllTimersAsync();
      expect(reports().map((r) => r.status)).toEqual(['delivered', 'delivered']);
    });
  });

  it('refuses malformed input with coded errors', async () => {
    for (const reportDelayMs of ['soon', '-1', '1.5', '60001', '1e3x']) {
      expect((await rejected(sandbox.send(msg(), ctx({ reportDelayMs })))).code).toBe('INVALID_INPUT');
    }
    expect((await rejected(sandbox.send(msg({ to: 'not a number' }), ctx()))).code).toBe('INVALID_PHONE');
    expect((await rejected(sandbox.send(msg({ text: '' }), ctx()))).code).toBe('EMPTY_MESSAGE');
    expect((await rejected(sandbox.send(msg({ statusCallbackUrl: 'file:///etc/passwd' }), ctx()))).code).toBe('INVALID_INPUT');
    expect((await rejected(sandbox.send(msg({ statusCallbackUrl: `${HOOK}/${'x'.repeat(5000)}` }), ctx()))).code).toBe('INVALID_INPUT');
    expect((await rejected(sandbox.send(msg({ sendAt: 'next tuesday' }), ctx()))).code).toBe('INVALID_INPUT');
    expect((await rejected(sandbox.send(msg({ clientRef: 'r'.repeat(257) }), ctx()))).code).toBe('INVALID_INPUT');
    expect((await rejected(sandbox.send(undefined as unknown as OutboundSms, ctx()))).code).toBe('INVALID_INPUT');
  });
});
