import { thrownCode } from '../../test/support/sms-error';
import { checkRequest, MAX_TEXT_LENGTH } from './check-request';

const ok = { to: '+14155550100', text: 'hi' };

describe('checkRequest', () => {
  it('passes a minimal request through untouched', () => {
    expect(checkRequest(ok)).toEqual(ok);
  });

  it('keeps and trims the optional fields, normalising sendAt to UTC', () => {
    expect(
      checkRequest({
        ...ok,
        from: ' ACME ',
        clientRef: ' order-1 ',
        sendAt: '2030-01-31T10:00:00+01:00',
        validitySeconds: 3600,
        statusCallbackUrl: 'https://example.com/dlr?x=1',
        idempotencyKey: 'order-1/sms',
      }),
    ).toEqual({
      ...ok,
      from: 'ACME',
      clientRef: 'order-1',
      sendAt: '2030-01-31T09:00:00.000Z',
      validitySeconds: 3600,
      statusCallbackUrl: 'https://example.com/dlr?x=1',
      idempotencyKey: 'order-1/sms',
    });
  });

  it('treats null, undefined and blank optional fields as absent', () => {
    expect(
      checkRequest({ ...ok, from: '', clientRef: null, sendAt: '  ', validitySeconds: null, statusCallbackUrl: undefined, idempotencyKey: ' ' }),
    ).toEqual(ok);
  });

  it('ignores fields it does not know (n8n items carry other data)', () => {
    expect(checkRequest({ ...ok, customer: { id: 1 } })).toEqual(ok);
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['undefined', undefined],
    ['a string', '+14155550100'],
    ['a number', 42],
    ['an array', [ok]],
    ['a function', () => ok],
    ['missing to', { text: 'hi' }],
    ['null to', { to: null, text: 'hi' }],
    ['numeric to', { to: 14155550100, text: 'hi' }],
    ['object to', { to: { e164: '+1' }, text: 'hi' }],
    ['missing text', { to: ok.to }],
    ['numeric text', { to: ok.to, text: 5 }],
    ['oversized text', { to: ok.to, text: 'x'.repeat(MAX_TEXT_LENGTH + 1) }],
    ['megabyte text', { to: ok.to, text: 'x'.repeat(1024 * 1024) }],
    ['numeric from', { ...ok, from: 1234 }],
    ['oversized from', { ...ok, from: 'x'.repeat(65) }],
    ['oversized clientRef', { ...ok, clientRef: 'x'.repeat(257) }],
    ['sendAt without zone', { ...ok, sendAt: '2030-01-31T09:00:00' }],
    ['sendAt as a date only', { ...ok, sendAt: '2030-01-31' }],
    ['sendAt nonsense', { ...ok, sendAt: 'tomorrow' }],
    ['sendAt impossible time', { ...ok, sendAt: '2030-01-31T25:61:00Z' }],
    ['sendAt 31 February', { ...ok, sendAt: '2030-02-31T10:00:00Z' }],
    ['sendAt month 13', { ...ok, sendAt: '2030-13-01T10:00:00Z' }],
    ['sendAt number', { ...ok, sendAt: 1893456000000 }],
    ['validitySeconds fractional', { ...ok, validitySeconds: 1.5 }],
    ['validitySeconds zero', { ...ok, validitySeconds: 0 }],
    ['validitySeconds string', { ...ok, validitySeconds: '3600' }],
    ['validitySeconds huge', { ...ok, validitySeconds: 10 ** 12 }],
    ['callback relative', { ...ok, statusCallbackUrl: '/dlr' }],
    ['callback javascript:', { ...ok, statusCallbackUrl: 'javascript:alert(1)' }],
    ['callback oversized', { ...ok, statusCallbackUrl: 'https://e.com/' + 'x'.repeat(3000) }],
    ['idempotencyKey number', { ...ok, idempotencyKey: 7 }],
    ['idempotencyKey oversized', { ...ok, idempotencyKey: 'k'.repeat(257) }],
    ['idempotencyKey with control characters', { ...ok, idempotencyKey: 'a\nb' }],
  ])('refuses %s with INVALID_INPUT', (_name, item) => {
    expect(thrownCode(() => checkRequest(item))).toBe('INVALID_INPUT');
  });

  it('leaves the recipient and text uninterpreted (that is the next steps\' job)', () => {
    expect(checkRequest({ to: 'not a number', text: '' })).toEqual({ to: 'not a number', text: '' });
  });

  it('never echoes a field value in its message', () => {
    try {
      checkRequest({ ...ok, from: 'sk_live_' + 'x'.repeat(100) });
      throw new Error('expected a refusal');
    } catch (e) {
      expect((e as Error).message).not.toContain('sk_live_');
    }
  });
});
