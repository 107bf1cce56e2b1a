import { expectCode, thrownCode } from '../../test/support/sms-error';
import type { NormalizedStatus, ProviderId } from '../types';
import { describeStatus, normalizeStatus, type NormalizeExtra, type StatusDescription } from './normalize';
import { NORMALIZED_STATUSES, isFinal } from './status';

type Row = [provider: ProviderId, word: string, expected: NormalizedStatus, extra?: NormalizeExtra];

// One row per provider word of sms-domain.md §2.3, in the table's order.
const MAPPING: Row[] = [
  ['twilio', 'accepted', 'queued'],
  ['twilio', 'queued', 'queued'],
  ['twilio', 'sending', 'queued'],
  ['twilio', 'scheduled', 'scheduled'],
  ['twilio', 'canceled', 'canceled'],
  ['twilio', 'sent', 'sent'],
  ['twilio', 'delivered', 'delivered'],
  ['twilio', 'read', 'delivered'],
  ['twilio', 'partially_delivered', 'delivered'],
  ['twilio', 'undelivered', 'undelivered'],
  ['twilio', 'failed', 'failed'],

  ['vonage', 'accepted', 'sent', { api: 'sms' }],
  ['vonage', 'buffered', 'sent', { api: 'sms' }],
  ['vonage', 'delivered', 'delivered', { api: 'sms' }],
  ['vonage', 'expired', 'expired', { api: 'sms' }],
  ['vonage', 'failed', 'undelivered', { api: 'sms' }],
  ['vonage', 'rejected', 'failed', { api: 'sms' }],
  ['vonage', 'unknown', 'unknown', { api: 'sms' }],
  ['vonage', 'submitted', 'sent', { api: 'messages' }],
  ['vonage', 'delivered', 'delivered', { api: 'messages' }],
  ['vonage', 'read', 'delivered', { api: 'messages' }],
  ['vonage', 'rejected', 'failed', { api: 'messages' }],
  ['vonage', 'undeliverable', 'failed', { api: 'messages' }],

  ['infobip', 'ACCEPTED', 'queued', { groupId: 0, groupName: 'ACCEPTED' }],
  ['infobip', 'PENDING_ACCEPTED', 'queued', { groupId: 1, groupName: 'PENDING', statusId: 26 }],
  ['infobip', 'PENDING_ENROUTE', 'sent', { groupId: 1, groupName: 'PENDING', statusId: 7 }],
  ['infobip', 'PENDING_WAITING_DELIVERY', 'sent', { groupId: 1, groupName: 'PENDING', statusId: 3 }],
  ['infobip', 'DELIVERED_TO_OPERATOR', 'sent', { groupId: 3, groupName: 'DELIVERED', statusId: 2 }],
  ['infobip', 'DELIVERED_TO_HANDSET', 'delivered', { groupId: 3, groupName: 'DELIVERED', statusId: 5 }],
  ['infobip', 'UNDELIVERABLE_NOT_DELIVERED', 'undelivered', { groupId: 2, groupName: 'UNDELIVERABLE', statusId: 9 }],
  ['infobip', 'EXPIRED_EXPIRED', 'expired', { groupId: 4, groupName: 'EXPIRED', statusId: 15 }],
  ['infobip', 'REJECTED_DESTINATION', 'failed', { groupId: 5, groupName: 'REJECTED', statusId: 18 }],

  ['plivo', 'queued', 'queued'],
  ['plivo', 'sent', 'sent'],
  ['plivo', 'delivered', 'delivered'],
  ['plivo', 'undelivered', 'undelivered'],
  ['plivo', 'failed', 'failed'],
  ['plivo', 'rejected', 'failed'],

  ['sinch', 'Queued', 'queued'],
  ['sinch', 'Dispatched', 'sent'],
  ['sinch', 'Delivered', 'delivered'],
  ['sinch', 'Failed', 'undelivered'],
  ['sinch', 'Deleted', 'undelivered'],
  ['sinch', 'Expired', 'expired'],
  ['sinch', 'Aborted', 'failed'],
  ['sinch', 'Rejected', 'failed'],
  ['sinch', 'Cancelled', 'canceled'],
  ['sinch', 'Unknown', 'unknown'],

  ['telnyx', 'queued', 'queued'],
  ['telnyx', 'sending', 'queued'],
  ['telnyx', 'sent', 'sent'],
  ['telnyx', 'delivered', 'delivered'],
  ['telnyx', 'sending_failed', 'failed'],
  ['telnyx', 'delivery_failed', 'undelivered'],
  ['telnyx', 'delivery_unconfirmed', 'unknown'],
  ['telnyx', 'expired', 'expired'],
];

describe('normalizeStatus: the §2.3 mapping table', () => {
  // Padded to four columns: jest would pass its `done` callback in a missing one.
  it.each(MAPPING.map(([p, w, s, e]) => [p, w, s, e] as const))('%s %s → %s', (provider, word, expected, extra) => {
    expect(normalizeStatus(provider, word, extra)).toBe(expected);
    expect(describeStatus(provider, word, extra)).toMatchObject({ status: expected, final: isFinal(expected) });
  });

  it('ignores case and surrounding blanks in the word and the provider id', () => {
    for (const [provider, word, expected, extra] of MAPPING) {
      expect([provider, word, normalizeStatus(provider, ` ${word.toUpperCase()}\t`, extra)]).toEqual([provider, word, expected]);
      expect([provider, word, normalizeStatus(provider, word.toLowerCase(), extra)]).toEqual([provider, word, expected]);
    }
    expect(normalizeStatus(' Sinch ' as ProviderId, 'DISPATCHED')).toBe('sent');
  });

  it('maps the sandbox’s own reports, which use our status names', () => {
    for (const s of NORMALIZED_STATUSES) expect(normalizeStatus('sandbox', s)).toBe(s);
  });

  it('folds read and partial delivery into delivered, with a flag', () => {
    expect(describeStatus('twilio', 'read')).toEqual({ status: 'delivered', final: true, read: true });
    expect(describeStatus('plivo', 'read')).toEqual({ status: 'delivered', final: true, read: true });
    expect(describeStatus('vonage', 'read', { api: 'messages' })).toEqual({ status: 'delivered', final: true, read: true });
    expect(describeStatus('twilio', 'partially_delivered')).toEqual({ status: 'delivered', final: true, partial: true });
    expect(describeStatus('twilio', 'delivered')).toEqual({ status: 'delivered', final: true });
  });

  it('knows the statuses §2.1 lists beside the table', () => {
    expect(normalizeStatus('telnyx', 'scheduled')).toBe('scheduled');
  });
});

describe('normalizeStatus: Vonage', () => {
  it('accepts a word of either API when the API is not given, as the vocabularies agree where they overlap', () => {
    const sms = MAPPING.filter(([p, , , e]) => p === 'vonage' && e?.api === 'sms');
    const messages = MAPPING.filter(([p, , , e]) => p === 'vonage' && e?.api === 'messages');
    for (const [, word, expected] of [...sms, ...messages]) expect([word, normalizeStatus('vonage', word)]).toEqual([word, expected]);
  });

  it('holds each API to its own vocabulary when told which', () => {
    expectCode(() => normalizeStatus('vonage', 'submitted', { api: 'sms' }), 'INVALID_INPUT', /vonage \(SMS API\).*"submitted"/);
    expectCode(() => normalizeStatus('vonage', 'failed', { api: 'messages' }), 'INVALID_INPUT', /Messages API.*"failed"/);
    expectCode(() => normalizeStatus('vonage', 'buffered', { api: 'messages' }), 'INVALID_INPUT');
    expectCode(() => normalizeStatus('vonage', 'sent', { api: 'sms' }), 'INVALID_INPUT');
  });

  it('marks a failure permanent unless its err-code is 2, 7 or 8', () => {
    for (const code of [2, 7, 8, '2', '08']) {
      expect(describeStatus('vonage', 'failed', { api: 'sms', errCode: code })).toEqual({ status: 'undelivered', final: true, permanent: false });
    }
    for (const code of [1, 3, 9, '6', 99]) {
      expect(describeStatus('vonage', 'rejected', { errCode: code })).toEqual({ status: 'failed', final: true, permanent: true });
    }
    expect(describeStatus('vonage', 'expired', { errCode: 2 })).toMatchObject({ permanent: false });
    expect(describeStatus('vonage', 'unknown', { errCode: 1 })).toMatchObject({ status: 'unknown', permanent: true });
  });

  it('says nothing of permanence on progress or delivery, or without an err-code', () => {
    expect(describeStatus('vonage', 'delivered', { errCode: 0 })).toEqual({ status: 'delivered', final: true });
    expect(describeStatus('vonage', 'buffered', { errCode: 3 })).toEqual({ status: 'sent', final: false });
    expect(describeStatus('vonage', 'failed')).toEqual({ status: 'undelivered', final: true });
  });

  it('rejects a malformed api or err-code', () => {
    for (const extra of [
      { api: 'SMS' },
      { api: 'whatsapp' },
      { api: 1 },
      { errCode: -1 },
      { errCode: 1.5 },
      { errCode: '2a' },
      { errCode: '' },
      { errCode: 'x'.repeat(10_000) },
      { errCode: 1e9 },
      { errCode: NaN },
      { errCode: null },
      { errCode: {} },
      { api: 'messages', errCode: 0 },
    ]) {
      expect([extra, thrownCode(() => describeStatus('vonage', 'failed', extra as NormalizeExtra))]).toEqual([extra, 'INVALID_INPUT']);
    }
  });
});

describe('normalizeStatus: Infobip', () => {
  it('lets the group decide for the many status names inside it', () => {
    expect(normalizeStatus('infobip', 'REJECTED_DND', { groupId: 5 })).toBe('failed');
    expect(normalizeStatus('infobip', 'EXPIRED_DLR_UNKNOWN', { groupName: 'expired' })).toBe('expired');
    expect(normalizeStatus('infobip', 'UNDELIVERABLE_REJECTED_OPERATOR', { groupId: '2' })).toBe('undelivered');
    expect(normalizeStatus('infobip', 'SOME_NEW_NAME', { groupId: 1 })).toBe('sent');
  });

  it('reads the group from the word when no group is given', () => {
    expect(normalizeStatus('infobip', 'PENDING')).toBe('sent');
    expect(normalizeStatus('infobip', 'ACCEPTED')).toBe('queued');
    expect(normalizeStatus('infobip', 'REJECTED_NOT_ENOUGH_CREDITS')).toBe('failed');
    expect(normalizeStatus('infobip', 'UNDELIVERABLE')).toBe('undelivered');
    expect(normalizeStatus('infobip', 'DELIVERED_TO_HANDSET')).toBe('delivered');
    expect(normalizeStatus('infobip', 'DELIVERED_TO_OPERATOR')).toBe('sent');
  });

  it('splits the DELIVERED group by status id: operator is intermediate, handset final', () => {
    expect(describeStatus('infobip', 'DELIVERED', { groupId: 3, statusId: 2 })).toEqual({ status: 'sent', final: false });
    expect(describeStatus('infobip', 'DELIVERED', { groupId: 3, statusId: '5' })).toEqual({ status: 'delivered', final: true });
    expect(normalizeStatus('infobip', 'anything', { statusId: 5 })).toBe('delivered');
  });

  it('refuses a DELIVERED report it cannot place at operator or handset level', () => {
    expectCode(() => normalizeStatus('infobip', 'DELIVERED'), 'INVALID_INPUT', /DELIVERED_TO_OPERATOR.*DELIVERED_TO_HANDSET/);
    expectCode(() => normalizeStatus('infobip', 'DELIVERED_SOMEWHERE', { groupId: 3 }), 'INVALID_INPUT');
    expectCode(() => normalizeStatus('infobip', 'DELIVERED_TO_HANDSET', { statusId: 2 }), 'INVALID_INPUT');
  });

  it('refuses contradictory or malformed group details', () => {
    const rows: [string, unknown][] = [
      ['PENDING_ENROUTE', { groupId: 1, groupName: 'REJECTED' }],
      ['REJECTED_DND', { groupId: 2 }],
      ['PENDING_ENROUTE', { statusId: 5 }],
      ['REJECTED_DND', { groupId: 6 }],
      ['REJECTED_DND', { groupId: -1 }],
      ['REJECTED_DND', { groupId: 'five' }],
      ['REJECTED_DND', { groupName: 'NOPE' }],
      ['REJECTED_DND', { groupName: 5 }],
      ['REJECTED_DND', { groupName: 'constructor' }],
      ['REJECTED_DND', { statusId: [] }],
      ['HELLO', {}],
      ['__proto__', undefined],
    ];
    for (const [word, extra] of rows) {
      expect([word, extra, thrownCode(() => describeStatus('infobip', word, extra as NormalizeExtra))]).toEqual([
        word,
        extra,
        'INVALID_INPUT',
      ]);
    }
  });
});

describe('normalizeStatus: unknown words and hostile input', () => {
  it('names the provider and the word when a status is not in its table', () => {
    const err = expectCode(() => normalizeStatus('twilio', 'receiving'), 'INVALID_INPUT', /twilio.*"receiving"/);
    expect(err.provider).toBe('twilio');
    expectCode(() => normalizeStatus('sinch', 'Dispatching'), 'INVALID_INPUT', /sinch.*"Dispatching"/);
    expectCode(() => normalizeStatus('telnyx', 'read'), 'INVALID_INPUT');
    expectCode(() => normalizeStatus('plivo', 'accepted'), 'INVALID_INPUT');
    expectCode(() => normalizeStatus('sandbox', 'read'), 'INVALID_INPUT');
  });

  it('maps no Afilnet word, as Afilnet documents none', () => {
    for (const word of ['delivered', 'DELIVERED', 'sent', '1']) {
      expect([word, thrownCode(() => normalizeStatus('afilnet', word))]).toEqual([word, 'INVALID_INPUT']);
    }
  });

  it('does not mistake object-prototype names for statuses', () => {
    for (const word of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
      for (const provider of ['twilio', 'vonage', 'sinch', 'sandbox'] as ProviderId[]) {
        expect([provider, word, thrownCode(() => normalizeStatus(provider, word))]).toEqual([provider, word, 'INVALID_INPUT']);
      }
    }
  });

  it('answers non-string, empty and oversized words with INVALID_INPUT', () => {
    for (const word of [undefined, null, 3, {}, [], ['delivered'], true, '', '   ', 'delivered'.padEnd(65, ' x'), 'd'.repeat(1_000_000)]) {
      expect([word === undefined ? 'undefined' : typeof word, thrownCode(() => normalizeStatus('twilio', word as string))]).toEqual([
        word === undefined ? 'undefined' : typeof word,
        'INVALID_INPUT',
      ]);
    }
  });

  it('clips the word and strips control characters in the message', () => {
    const err = expectCode(() => normalizeStatus('twilio', `evil\u0000\n${'x'.repeat(60)}`), 'INVALID_INPUT');
    expect(err.message).not.toMatch(/[\u0000-\u001f]/);
    expect(err.message.length).toBeLessThan(120);
  });

  it('answers a malformed extra with INVALID_INPUT', () => {
    for (const extra of [null, 'sms', 5, ['sms']]) {
      expect([extra, thrownCode(() => normalizeStatus('vonage', 'delivered', extra as NormalizeExtra))]).toEqual([extra, 'INVALID_INPUT']);
    }
  });

  it('answers an unknown or missing provider with UNKNOWN_PROVIDER', () => {
    expectCode(() => normalizeStatus('messagebird' as ProviderId, 'delivered'), 'UNKNOWN_PROVIDER', /"messagebird".*twilio/);
    for (const provider of [undefined, null, 7, {}, '', 'constructor', '__proto__', 'x'.repeat(100_000)]) {
      expect([typeof provider, thrownCode(() => normalizeStatus(provider as ProviderId, 'delivered'))]).toEqual([
        typeof provider,
        'UNKNOWN_PROVIDER',
      ]);
    }
  });

  it('always reports final exactly when the status is final', () => {
    const seen: StatusDescription[] = MAPPING.map(([p, w, , e]) => describeStatus(p, w, e));
    for (const d of seen) expect(d.final).toBe(isFinal(d.status));
  });
});
