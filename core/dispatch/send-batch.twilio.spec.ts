/**
 * End to end through the real Twilio adapter, the default keep-alive HTTP client and a real SQLite
 * store, with Twilio mocked by nock.
 */
import nock from 'nock';
import { useNock } from '../../test/support/nock';
import { useTempStore } from '../../test/support/temp-store';
import { sendBatch } from './send-batch';
import type { DispatchOptions } from './types';

const SID = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'twilio-secret-auth-token-42';
const API = 'https://api.twilio.com';
const PATH = `/2010-04-01/Accounts/${SID}/Messages.json`;
const number = (i: number) => `+1415555${String(1000 + i)}`;

let seq = 0;
const created = () => ({ sid: `SM${String(++seq).padStart(32, '0')}`, account_sid: SID, status: 'queued', num_segments: '1' });

useNock();
const db = useTempStore('a2p-twilio-');

const opts = (over: Partial<DispatchOptions> = {}): DispatchOptions => ({
  provider: 'twilio',
  credentials: { accountSid: SID, authToken: TOKEN },
  store: db.store,
  ...over,
});
const requests = (n: number) => Array.from({ length: n }, (_, i) => ({ to: number(i), from: '+14155550199', text: `Order ${i} is on its way` }));

describe('sendBatch → twilio (nock)', () => {
  it('sends a batch over HTTP, one request per item, and keeps the token out of every outcome', async () => {
    const bodies: Record<string, string>[] = [];
    const scope = nock(API)
      .post(PATH, (form: Record<string, string>) => {
        bodies.push({ ...form });
        return true;
      })
      .times(12)
      .reply(201, () => created());
    const out = await sendBatch(requests(12), opts({ concurrency: 4 }));
    expect(scope.isDone()).toBe(true);
    expect(out.every((o, i) => o.ok && o.result.provider === 'twilio' && o.result.to === number(i) && /^SM/.test(o.result.messageId))).toBe(true);
    expect(bodies.map((b) => b.To).sort()).toEqual(requests(12).map((r) => r.to).sort());
    expect(bodies[0]).toMatchObject({ From: '+14155550199' });
    expect(JSON.stringify(out)).not.toContain(TOKEN);

    // Run again: everything answered from the store, no HTTP at all (nock would refuse it).
    const again = await sendBatch(requests(12), opts({ concurrency: 4 }));
    expect(again.every((o) => o.ok && o.result.duplicate === true)).toBe(true);
  });

  it('waits out a 429 with Retry-After, then sends', async () => {
    const scope = nock(API)
      .post(PATH)
      .reply(429, { code: 20429, message: 'Too Many Requests', status: 429 }, { 'Retry-After': '2' })
      .post(PATH)
      .reply(201, created());
    const sleeps: number[] = [];
    const [o] = await sendBatch(requests(1), opts({ sleep: async (ms) => void sleeps.push(ms), random: () => 0 }));
    expect(scope.isDone()).toBe(true);
    expect(o).toMatchObject({ ok: true, result: { status: 'queued' } });
    expect(sleeps).toEqual([2000]);
  });

  it('does not retry a 401', async () => {
    const scope = nock(API).post(PATH).reply(401, { code: 20003, message: 'Authenticate', status: 401 });
    const sleep = jest.fn(async () => undefined);
    const [o] = await sendBatch(requests(1), opts({ sleep }));
    expect(scope.isDone()).toBe(true);
    expect(o).toMatchObject({ ok: false, error: { code: 'AUTH_FAILED', httpStatus: 401, retryable: false } });
    expect(sleep).not.toHaveBeenCalled();
    expect(JSON.stringify(o)).not.toContain(TOKEN);
  });

  it.each([502, 504])('does not retry a %i: the gateway may have forwarded it, so the next run answers SEND_IN_DOUBT', async (status) => {
    const scope = nock(API).post(PATH).reply(status, '<html>Gateway error</html>');
    const sleep = jest.fn(async () => undefined);
    const [o] = await sendBatch(requests(1), opts({ sleep }));
    expect(scope.isDone()).toBe(true);
    expect(o).toMatchObject({ ok: false, error: { code: 'PROVIDER_ERROR', httpStatus: status, inDoubt: true, retryable: false } });
    expect(sleep).not.toHaveBeenCalled();
    const [again] = await sendBatch(requests(1), opts());
    expect(again).toMatchObject({ ok: false, error: { code: 'SEND_IN_DOUBT' } });
  });

  it('does not retry a timeout; the claim stays in doubt and the next run answers SEND_IN_DOUBT without HTTP', async () => {
    const scope = nock(API).post(PATH).delayBody(10_000).reply(201, created());
    const sleep = jest.fn(async () => undefined);
    const [o] = await sendBatch(requests(1), opts({ timeoutMs: 1000, sleep }));
    expect(scope.isDone()).toBe(true);
    expect(o).toMatchObject({ ok: false, error: { code: 'NETWORK_ERROR', inDoubt: true } });
    expect(sleep).not.toHaveBeenCalled();

    nock.cleanAll();
    const [again] = await sendBatch(requests(1), opts());
    expect(again).toMatchObject({ ok: false, error: { code: 'SEND_IN_DOUBT', retryable: false } });
  });
});
