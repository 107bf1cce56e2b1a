import { httpError } from './http';
import type { HttpResponse } from '../types';

const res = (status: number, headers: Record<string, string> = {}): HttpResponse => ({ status, headers, body: '' });

describe('httpError: what a status means for retrying', () => {
  it('retries a 503 (the service refused the work), honouring Retry-After', () => {
    expect(httpError('twilio', res(503, { 'retry-after': '2' })).toJSON()).toEqual({
      code: 'PROVIDER_ERROR',
      message: 'twilio: HTTP 503',
      retryable: true,
      provider: 'twilio',
      httpStatus: 503,
      retryAfterMs: 2000,
    });
  });

  it.each([500, 502, 504, 507, 599])('never retries a %i: the provider may have queued the message', (status) => {
    const err = httpError('twilio', res(status));
    expect(err).toMatchObject({ code: 'PROVIDER_ERROR', retryable: false, inDoubt: true, httpStatus: status });
  });

  it('retries a 429 as RATE_LIMITED', () => {
    expect(httpError('plivo', res(429, { 'retry-after': '1' }))).toMatchObject({ code: 'RATE_LIMITED', retryable: true, retryAfterMs: 1000 });
  });

  it.each([401, 403])('answers %i with AUTH_FAILED, not retried', (status) => {
    expect(httpError('telnyx', res(status))).toMatchObject({ code: 'AUTH_FAILED', retryable: false, inDoubt: false });
  });

  it('treats another 4xx as a plain rejection, neither retried nor in doubt', () => {
    expect(httpError('sinch', res(400), { providerCode: 'syntax', message: 'bad' })).toMatchObject({
      code: 'PROVIDER_ERROR',
      message: 'sinch: HTTP 400 (syntax) bad',
      retryable: false,
      inDoubt: false,
    });
  });

  it('ignores an unparsable Retry-After rather than failing', () => {
    expect(httpError('twilio', res(503, { 'retry-after': 'soon' })).retryAfterMs).toBeUndefined();
  });
});
