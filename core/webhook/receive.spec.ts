import { SmsError } from '../errors';
import { httpStatusOf, refusal } from './receive';
import type { WebhookContext } from './types';

describe('httpStatusOf', () => {
  it.each([
    ['INVALID_SIGNATURE', 401],
    ['INVALID_INPUT', 400],
    ['PAYLOAD_TOO_LARGE', 413],
    ['STORE_ERROR', 503],
    ['MISSING_CREDENTIALS', 500],
    ['UNKNOWN_PROVIDER', 500],
    ['PROVIDER_ERROR', 500],
  ] as const)('answers %s with %i', (code, status) => {
    expect(httpStatusOf(new SmsError(code, 'x'))).toBe(status);
  });
});

describe('refusal', () => {
  const lines: [string, string][] = [];
  const ctx = { provider: 'twilio', log: (level: string, m: string) => lines.push([level, m]) } as unknown as WebhookContext;
  beforeEach(() => lines.splice(0));

  it('answers a short text naming the code, never the message, and logs one line with the reason', () => {
    const r = refusal(new SmsError('INVALID_INPUT', 'twilio: parameter "Body" is too long'), ctx, 'inbound');
    expect(r).toEqual({
      reply: { status: 400, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Bad Request (INVALID_INPUT)' },
      events: [],
      error: expect.objectContaining({ code: 'INVALID_INPUT' }),
    });
    expect(lines).toEqual([['warn', 'twilio inbound webhook answered 400 INVALID_INPUT: twilio: parameter "Body" is too long']]);
  });

  it('logs server-side failures as errors, and takes a status for a bad setting', () => {
    expect(refusal(new SmsError('STORE_ERROR', 'sqlite: disk I/O error'), ctx, 'status').reply).toMatchObject({ status: 503, body: 'Service Unavailable (STORE_ERROR)' });
    expect(refusal(new SmsError('INVALID_INPUT', 'bad country'), ctx, 'inbound', 500).reply).toMatchObject({ status: 500, body: 'Internal Server Error (INVALID_INPUT)' });
    expect(lines.map(([level]) => level)).toEqual(['error', 'error']);
  });

  it('turns anything thrown into a coded 500, without a context too', () => {
    const r = refusal(new TypeError('x is undefined'), undefined, 'status');
    expect(r.reply.status).toBe(500);
    expect(r.error?.code).toBe('PROVIDER_ERROR');
  });
});
