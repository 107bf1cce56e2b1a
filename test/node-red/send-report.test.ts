import { SmsError } from '../../core/errors';
import type { SendResult } from '../../core/types';
import { catchError, finalStatus, progressStatus, tally, type ItemOutcome } from '../../node-red/send-report';

const result = (extra: Partial<SendResult> = {}): SendResult => ({
  provider: 'sandbox',
  messageId: 'm',
  status: 'queued',
  to: '+14155551000',
  segments: 1,
  encoding: 'GSM-7',
  ...extra,
});
const ok = (index: number, extra: Partial<SendResult> = {}): ItemOutcome => ({ index, input: {}, ok: true, result: result(extra) });
const bad = (index: number, code: SmsError['code']): ItemOutcome => ({ index, input: {}, ok: false, error: new SmsError(code, code.toLowerCase()) });

describe('tally', () => {
  it('counts sent, duplicate, dry-run and failed items, and orders codes by frequency then first appearance', () => {
    const t = tally([
      ok(0),
      ok(1, { duplicate: true }),
      { ...ok(2), dryRun: true } as ItemOutcome,
      bad(3, 'EMPTY_MESSAGE'),
      bad(4, 'INVALID_PHONE'),
      bad(5, 'INVALID_PHONE'),
      bad(6, 'SEGMENT_LIMIT'),
    ]);
    expect(t).toEqual({
      total: 7,
      sent: 1,
      duplicate: 1,
      checked: 1,
      failed: 4,
      codes: [
        ['INVALID_PHONE', 2],
        ['EMPTY_MESSAGE', 1],
        ['SEGMENT_LIMIT', 1],
      ],
    });
  });

  it('is all zeros for an empty bulk', () => {
    expect(tally([])).toEqual({ total: 0, sent: 0, duplicate: 0, checked: 0, failed: 0, codes: [] });
  });
});

describe('statuses', () => {
  it('shows progress with the failures so far', () => {
    expect(progressStatus({ done: 5, total: 10, sent: 5, failed: 0 })).toEqual({ fill: 'blue', shape: 'ring', text: 'sent 5/10' });
    expect(progressStatus({ done: 7, total: 10, sent: 5, failed: 2 }).text).toBe('sent 5/10, 2 failed');
  });

  it('is green when nothing failed, yellow when some did, red when all did', () => {
    expect(finalStatus(tally([ok(0), ok(1, { duplicate: true })]))).toEqual({ fill: 'green', shape: 'dot', text: 'sent 1, dup 1' });
    expect(finalStatus(tally([ok(0), bad(1, 'INVALID_PHONE')]))).toEqual({ fill: 'yellow', shape: 'dot', text: 'sent 1, failed 1' });
    expect(finalStatus(tally([bad(0, 'AUTH_FAILED')]))).toEqual({ fill: 'red', shape: 'ring', text: 'failed: AUTH_FAILED' });
    expect(finalStatus(tally([bad(0, 'AUTH_FAILED'), bad(1, 'AUTH_FAILED')]))).toEqual({
      fill: 'red',
      shape: 'ring',
      text: 'sent 0, failed 2 (AUTH_FAILED)',
    });
    expect(finalStatus(tally([]))).toEqual({ fill: 'green', shape: 'dot', text: 'sent 0' });
  });

  it('says "dry run" when nothing was sent for real', () => {
    expect(finalStatus(tally([{ ...ok(0), dryRun: true } as ItemOutcome])).text).toBe('dry run ok 1');
  });
});

describe('catchError', () => {
  it('copies a single failure without its cause, which could hold the request', () => {
    const original = new SmsError('NETWORK_ERROR', 'twilio: socket hang up', {
      provider: 'twilio',
      inDoubt: true,
      cause: { headers: { authorization: 'Basic c2VjcmV0' } },
    });
    const e = catchError(tally([{ index: 0, input: {}, ok: false, error: original }]), [original], false);
    expect(e).toBeInstanceOf(SmsError);
    expect(Object.hasOwn(e, 'cause')).toBe(false);
    expect(e.toJSON()).toEqual({ code: 'NETWORK_ERROR', message: 'twilio: socket hang up', retryable: false, inDoubt: true, provider: 'twilio' });
  });

  it('summarises a bulk with the most frequent code and every count', () => {
    const outcomes = [ok(0), bad(1, 'EMPTY_MESSAGE'), bad(2, 'INVALID_PHONE'), bad(3, 'INVALID_PHONE')];
    const failures = outcomes.flatMap((o) => (o.ok ? [] : [o.error]));
    const e = catchError(tally(outcomes), failures, true);
    expect(e.code).toBe('INVALID_PHONE');
    expect(e.message).toBe('3 of 4 SMS failed (INVALID_PHONE 2, EMPTY_MESSAGE 1)');
  });
});
