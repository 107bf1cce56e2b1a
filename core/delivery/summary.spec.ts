import { rejectedCode } from '../../test/support/sms-error';
import { useTempStore } from '../../test/support/temp-store';
import type { DeliveryReport, SendResult } from '../types';
import { summarizeDelivery } from './summary';

const temp = useTempStore('a2p-summary-');

async function sent(id: string, to: string, clientRef: string, status: DeliveryReport['status'], mccmnc?: string): Promise<void> {
  const key = `k-${id}`;
  await temp.store.claimSend(key, { provider: 'sandbox', to });
  const result: SendResult = { provider: 'sandbox', messageId: id, status: 'queued', to, segments: 1, encoding: 'GSM-7', clientRef, idempotencyKey: key };
  await temp.store.completeSend(key, result);
  if (status !== 'queued') {
    const final = !['scheduled', 'queued', 'sent'].includes(status);
    await temp.store.applyReport({ provider: 'sandbox', messageId: id, status, final, providerStatus: status, occurredAt: new Date().toISOString(), ...(mccmnc ? { mccmnc } : {}) });
  }
}

describe('summarizeDelivery', () => {
  it('counts a campaign by status, country and operator', async () => {
    await sent('a', '+14155550100', 'promo_nov-1', 'delivered', '310260');
    await sent('b', '+14155550101', 'promo_nov-2', 'delivered', '310260');
    await sent('c', '+33612345678', 'promo_nov-3', 'undelivered', '20801');
    await sent('d', '+33612345679', 'promo_nov-4', 'sent');
    await sent('e', '+14155550102', 'promoXnov-5', 'delivered');
    const s = await summarizeDelivery(temp.store, { clientRefPrefix: 'promo_nov-' });
    expect(s).toMatchObject({ total: 4, final: 3, pending: 1, delivered: 2, deliveryRate: 2 / 3, byStatus: { delivered: 2, undelivered: 1, sent: 1 } });
    expect(s.byCountry).toEqual([
      { key: 'FR', total: 2, delivered: 0, deliveryRate: 0, byStatus: { undelivered: 1, sent: 1 } },
      { key: 'US', total: 2, delivered: 2, deliveryRate: 1, byStatus: { delivered: 2 } },
    ]);
    expect(s.byOperator.map((g) => [g.key, g.total])).toEqual([
      ['310260', 2],
      ['20801', 1],
      ['unknown', 1],
    ]);
  });

  it('groups messages of unknown country and operator under "unknown"; no rate while nothing is final', async () => {
    await temp.store.applyReport({ provider: 'twilio', messageId: 'SM1', status: 'sent', final: false, providerStatus: 'sent', occurredAt: new Date().toISOString() });
    await sent('p', '+14155550100', 'other', 'queued');
    const s = await summarizeDelivery(temp.store, {});
    expect(s).toMatchObject({ total: 2, final: 0, pending: 2, delivered: 0, deliveryRate: null, byStatus: { sent: 1, queued: 1 } });
    // Equal totals: by key.
    expect(s.byCountry.map((g) => [g.key, g.total, g.deliveryRate])).toEqual([
      ['US', 1, null],
      ['unknown', 1, null],
    ]);
    expect(s.byOperator).toEqual([{ key: 'unknown', total: 2, delivered: 0, deliveryRate: null, byStatus: { sent: 1, queued: 1 } }]);
    expect((await summarizeDelivery(temp.store, { provider: 'twilio' })).total).toBe(1);
  });

  it('answers an empty summary for no match, and refuses bad filters', async () => {
    expect(await summarizeDelivery(temp.store, { clientRef: 'nothing' })).toMatchObject({ total: 0, deliveryRate: null, byCountry: [] });
    expect(await rejectedCode(summarizeDelivery(temp.store, { since: 'yesterday' }))).toBe('INVALID_INPUT');
    expect(await rejectedCode(summarizeDelivery(temp.store, { campaign: 'x' } as never))).toBe('INVALID_INPUT');
    expect(await rejectedCode(summarizeDelivery(temp.store, null as never))).toBe('INVALID_INPUT');
    expect(await rejectedCode(summarizeDelivery(temp.store, { clientRefPrefix: 42 } as never))).toBe('INVALID_INPUT');
  });
});
