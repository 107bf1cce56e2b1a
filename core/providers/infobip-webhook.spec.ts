import { expectCode } from '../../test/support/sms-error';
import type { WebhookRequest } from '../types';
import { afilnet } from './afilnet';
import { infobip } from './infobip';

const TOKEN = 'whk-9f8e7d6c5b4a';

function request(body: unknown, url = `https://example.com/sms/dlr?token=${TOKEN}`, headers: Record<string, string> = {}): WebhookRequest {
  const raw = JSON.stringify(body);
  return {
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', ...headers },
    rawBody: Buffer.from(raw),
    body: JSON.parse(raw),
    query: Object.assign(Object.create(null), Object.fromEntries(new URL(url).searchParams)),
  };
}

const DLR = {
  results: [
    {
      bulkId: 'b-1',
      messageId: 'm-1',
      to: '41793026727',
      sentAt: '2019-11-09T16:00:00.000+0000',
      doneAt: '2019-11-09T16:00:00.123+0100',
      mccMnc: '22801',
      callbackData: 'promo-nov-1',
      price: { pricePerMessage: 0.01, currency: 'EUR' },
      status: { groupId: 3, groupName: 'DELIVERED', id: 5, name: 'DELIVERED_TO_HANDSET', description: 'Message delivered to handset' },
      error: { groupId: 0, groupName: 'OK', id: 0, name: 'NO_ERROR', description: 'No Error', permanent: false },
    },
  ],
};

describe('infobip webhook check (shared token; Infobip does not sign)', () => {
  const creds = { webhookToken: TOKEN };

  it('accepts the token in the query or as the Basic-auth password', () => {
    expect(infobip.verifySignature(request(DLR), creds)).toBe(true);
    const basic = `Basic ${Buffer.from(`infobip:${TOKEN}`).toString('base64')}`;
    expect(infobip.verifySignature(request(DLR, 'https://example.com/sms/dlr', { authorization: basic }), creds)).toBe(true);
  });

  it('refuses a missing or wrong token, and needs the credential', () => {
    expect(infobip.verifySignature(request(DLR, 'https://example.com/sms/dlr'), creds)).toBe(false);
    expect(infobip.verifySignature(request(DLR, 'https://example.com/sms/dlr?token=whk-0000'), creds)).toBe(false);
    expect(infobip.verifySignature(request(DLR, 'https://example.com/sms/dlr', { authorization: 'Basic !!!' }), creds)).toBe(false);
    expect(infobip.verifySignature(request(DLR, 'https://example.com/sms/dlr?token=a&token=b'), creds)).toBe(false);
    expectCode(() => infobip.verifySignature(request(DLR), {}), 'MISSING_CREDENTIALS');
  });
});

describe('infobip webhook parsing', () => {
  it('reads a delivery report: handset level, operator, price, callback data', () => {
    expect(infobip.parseStatus(request(DLR))).toEqual([
      {
        provider: 'infobip',
        messageId: 'm-1',
        status: 'delivered',
        final: true,
        providerStatus: 'DELIVERED_TO_HANDSET',
        to: '+41793026727',
        occurredAt: '2019-11-09T15:00:00.123Z',
        mccmnc: '22801',
        price: { amount: 0.01, currency: 'EUR' },
        clientRef: 'promo-nov-1',
      },
    ]);
  });

  it('keeps an error with its permanence', () => {
    const failed = structuredClone(DLR);
    const r0 = failed.results[0] as Record<string, unknown>;
    r0.status = { groupId: 2, groupName: 'UNDELIVERABLE', id: 9, name: 'UNDELIVERABLE_NOT_DELIVERED' };
    r0.error = { groupId: 1, groupName: 'HANDSET_ERRORS', id: 27, name: 'EC_ABSENT_SUBSCRIBER', description: 'Absent subscriber', permanent: false };
    expect(infobip.parseStatus(request(failed))[0]).toMatchObject({ status: 'undelivered', errorCode: '27', errorMessage: 'Absent subscriber', permanent: false });
  });

  it('reads inbound results', () => {
    const body = { results: [{ messageId: 'in-1', from: '385916242493', to: '385921004026', text: 'STOP', cleanText: '', keyword: 'STOP', receivedAt: '2019-11-09T16:00:00.000+0000' }], messageCount: 1, pendingMessageCount: 0 };
    expect(infobip.parseInbound(request(body))).toEqual([
      expect.objectContaining({ messageId: 'in-1', from: '+385916242493', to: '+385921004026', text: 'STOP', receivedAt: '2019-11-09T16:00:00.000Z', keyword: expect.objectContaining({ intent: 'opt-out' }) }),
    ]);
  });

  it('refuses malformed bodies with INVALID_INPUT naming the entry', () => {
    expectCode(() => infobip.parseStatus(request({})), 'INVALID_INPUT', /results/);
    expectCode(() => infobip.parseStatus(request({ results: [] })), 'INVALID_INPUT');
    expectCode(() => infobip.parseStatus(request({ results: [null] })), 'INVALID_INPUT', /results\[0\]/);
    expectCode(() => infobip.parseStatus(request({ results: [{ messageId: 'x' }] })), 'INVALID_INPUT', /status/);
    expectCode(() => infobip.parseStatus(request({ results: new Array(1001).fill(DLR.results[0]) })), 'INVALID_INPUT', /1000/);
    expectCode(() => infobip.parseStatus(request({ results: [{ ...DLR.results[0], doneAt: 'later' }] })), 'INVALID_INPUT', /doneAt/);
    expectCode(() => infobip.parseInbound(request({ results: [{ messageId: 'x', from: '1', to: '2', text: 'x'.repeat(100_000) }] })), 'INVALID_INPUT');
    expectCode(() => infobip.parseInbound(request([1])), 'INVALID_INPUT');
  });
});

describe('afilnet webhooks', () => {
  it('has none: delivery status is polled', () => {
    const req = request({});
    expectCode(() => afilnet.verifySignature(req, {}), 'INVALID_INPUT', /no webhooks/);
    expectCode(() => afilnet.parseInbound(req), 'INVALID_INPUT', /no webhooks/);
    expectCode(() => afilnet.parseStatus(req), 'INVALID_INPUT', /no webhooks/);
  });
});
