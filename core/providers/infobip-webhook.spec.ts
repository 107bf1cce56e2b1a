import { expectCode } from '../../test/support/sms-error';
import type { WebhookRequest } from '../types';
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

  it('refuses hostile requests without throwing', () => {
    const ok = request(DLR);
    const hostile: unknown[] = [
      { ...ok, query: Object.assign(Object.create(null), { token: [TOKEN, TOKEN] }) },
      { ...ok, query: Object.assign(Object.create(null), { token: `${TOKEN} ` }) },
      { ...ok, query: Object.assign(Object.create(null), { token: 'x'.repeat(100_000) }) },
      { ...ok, query: null, headers: { authorization: `Basic ${Buffer.from(TOKEN).toString('base64')}` } },
      { ...ok, query: null, headers: { authorization: `Bearer ${TOKEN}` } },
      { ...ok, query: null, headers: { authorization: ['Basic x'] } },
      { ...ok, query: 'token=x', headers: undefined },
      null,
    ];
    for (const req of hostile) expect(infobip.verifySignature(req as WebhookRequest, creds)).toBe(false);
  });

  it('refuses a missing or wrong token, and needs the credential', () => {
    expect(infobip.verifySignature(request(DLR, 'https://example.com/sms/dlr'), creds)).toBe(false);
    expect(infobip.verifySignature(request(DLR, 'https://example.com/sms/dlr?token=whk-0000'), creds)).toBe(false);
    expect(infobip.verifySignature(request(DLR, 'https://example.com/sms/dlr', { authorization: 'Basic !!!' }), creds)).toBe(false);
    expect(infobip.verifySignature(request(DLR, 'https://example.com/sms/dlr?token=a&token=b'), creds)).toBe(false);
    expectCode(() => infobip.verifySignature(request(DLR), {}), 'MISSING_CREDENTIALS');
    expectCode(() => infobip.verifySignature(request(DLR), { webhookToken: 12 } as never), 'MISSING_CREDENTIALS');
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

  it('prices the whole message: pricePerMessage times its parts', () => {
    const r0 = DLR.results[0] as Record<string, unknown>;
    expect(infobip.parseStatus(request({ results: [{ ...r0, messageCount: 3, price: { pricePerMessage: 0.0065, currency: 'EUR' } }] }))[0]?.price).toEqual({ amount: 0.0195, currency: 'EUR' });
    expect(infobip.parseStatus(request({ results: [{ ...r0, smsCount: 2, price: { pricePerMessage: '0.01' } }] }))[0]?.price).toEqual({ amount: 0.02 });
    expect(infobip.parseStatus(request({ results: [{ ...r0, price: { pricePerMessage: null } }] }))[0]?.price).toBeUndefined();
  });

  it('treats the OK error group as no error, and reads an operator-level delivery as sent', () => {
    const r0 = DLR.results[0] as Record<string, unknown>;
    const [r] = infobip.parseStatus(
      request({
        results: [{
          ...r0,
          doneAt: undefined,
          status: { groupId: 3, groupName: 'DELIVERED', id: 2, name: 'DELIVERED_TO_OPERATOR' },
          error: { groupName: 'OK', id: '0', name: 'NO_ERROR' },
        }],
      }),
    );
    expect(r).toMatchObject({ status: 'sent', final: false, occurredAt: '2019-11-09T16:00:00.000Z' });
    expect(r).not.toHaveProperty('errorCode');
    const okGroup = { ...r0, error: { groupName: 'ok', id: 9999, name: 'NO_ERROR' } };
    expect(infobip.parseStatus(request({ results: [okGroup] }))[0]).not.toHaveProperty('errorCode');
  });

  it('answers 200 with no body', () => {
    expect(infobip.webhookResponse('inbound')).toEqual({ status: 200 });
    expect(infobip.webhookResponse('status')).toEqual({ status: 200 });
  });

  it('names the entry and the field of every malformed report', () => {
    const r0 = DLR.results[0] as Record<string, unknown>;
    const cases: [unknown, RegExp][] = [
      [null, /infobip: the body must be a JSON object; got null/],
      ['results', /got a string/],
      [{ results: { 0: r0 } }, /"results" must be a non-empty array/],
      [{ results: [r0, [r0]] }, /results\[1\] must be an object/],
      [{ results: [{ ...r0, messageId: 42 }] }, /"results\[0\].messageId" must be a string/],
      [{ results: [{ ...r0, messageId: undefined }] }, /"results\[0\].messageId" is missing/],
      [{ results: [{ ...r0, to: 41793026727 }] }, /"results\[0\].to" must be a string/],
      [{ results: [{ ...r0, status: 'DELIVERED' }] }, /"results\[0\].status" must be an object/],
      [{ results: [{ ...r0, status: { ...(r0.status as object), name: 'x'.repeat(100_000) } }] }, /status.name" is longer/],
      [{ results: [{ ...r0, status: { ...(r0.status as object), groupId: { a: 1 } } }] }, /groupId/],
      [{ results: [{ ...r0, error: { id: 'EC_27', groupName: 'HANDSET_ERRORS' } }] }, /"results\[0\].error.id" must be a whole number/],
      [{ results: [{ ...r0, error: { id: 27, permanent: 'yes' } }] }, /error.permanent/],
      [{ results: [{ ...r0, mccMnc: 'Swisscom' }] }, /mccMnc/],
      [{ results: [{ ...r0, price: { pricePerMessage: [0.01] } }] }, /price.pricePerMessage/],
      [{ results: [{ ...r0, price: { pricePerMessage: 0.01 }, messageCount: '2' }] }, /messageCount/],
      [{ results: [{ ...r0, doneAt: undefined, sentAt: '9 Nov' }] }, /"results\[0\].sentAt" must be a time/],
      [{ results: [{ ...r0, callbackData: 'x'.repeat(100_000) }] }, /callbackData/],
    ];
    for (const [body, message] of cases) expectCode(() => infobip.parseStatus(request(body)), 'INVALID_INPUT', message);
  });

  it('never lets a __proto__ or constructor key reach a prototype', () => {
    const raw = '{"results":[{"messageId":"in-2","from":"385916242493","to":"385921004026","text":"hi","__proto__":{"text":"STOP","x":1},"constructor":{"prototype":{"y":2}}}]}';
    const req: WebhookRequest = { ...request({}), rawBody: Buffer.from(raw), body: JSON.parse(raw) };
    const [m] = infobip.parseInbound(req);
    expect(m).toMatchObject({ messageId: 'in-2', text: 'hi', keyword: null });
    expect(Object.getPrototypeOf(m?.raw)).toBeNull();
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(({} as Record<string, unknown>).y).toBeUndefined();
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
