import { rejectedCode } from '../../test/support/sms-error';
import { useTempStore } from '../../test/support/temp-store';
import { FINAL_STATUSES } from '../delivery/status';
import type { DeliveryReport, NormalizedStatus, SendResult } from '../types';
import { openSqliteStore } from './sqlite';

const TO = '+447700900123';

function report(messageId: string, status: NormalizedStatus, extra: Partial<DeliveryReport> = {}): DeliveryReport {
  return {
    provider: 'vonage',
    messageId,
    status,
    final: FINAL_STATUSES.includes(status),
    providerStatus: status,
    occurredAt: '2025-04-01T10:00:00Z',
    ...extra,
  };
}

function sent(messageId: string, segments = 1): SendResult {
  return { provider: 'vonage', messageId, status: 'sent', to: TO, segments, encoding: 'GSM-7' };
}

/** Fisher–Yates with a fixed seed, so a failure can be replayed. */
function shuffle<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describe('sqlite store: delivery reports', () => {
  const db = useTempStore('a2p-store-reports-', (file) => openSqliteStore(file));

  it('merges reports that arrive out of order and keeps the first final status', async () => {
    await db.store.claimSend('k', { provider: 'vonage', to: TO });
    await db.store.completeSend('k', sent('M1'));
    expect(await db.store.applyReport(report('M1', 'delivered', { errorCode: '0' }))).toEqual({
      duplicate: false,
      status: 'delivered',
      previousStatus: 'sent',
    });
    expect(await db.store.applyReport(report('M1', 'queued'))).toEqual({ duplicate: false, status: 'delivered', previousStatus: 'delivered' });
    expect(await db.store.applyReport(report('M1', 'failed', { errorCode: '99' }))).toEqual({
      duplicate: false,
      status: 'delivered',
      previousStatus: 'delivered',
    });
    expect(await db.store.getMessage('M1')).toMatchObject({
      status: 'delivered',
      final: true,
      providerStatus: 'delivered',
      errorCode: '0',
      idempotencyKey: 'k',
    });
  });

  it('answers a repeated report as a duplicate with the current status', async () => {
    await db.store.applyReport(report('M1', 'sent', { providerStatus: 'accepted' }));
    await db.store.applyReport(report('M1', 'delivered'));
    expect(await db.store.applyReport(report('M1', 'sent', { providerStatus: 'accepted', occurredAt: '2025-04-02T00:00:00Z' }))).toEqual({
      duplicate: true,
      status: 'delivered',
      previousStatus: 'delivered',
    });
    // Same status, other error code: a different report, not a duplicate.
    expect(await db.store.applyReport(report('M1', 'delivered', { errorCode: '1' }))).toEqual({
      duplicate: false,
      status: 'delivered',
      previousStatus: 'delivered',
    });
    expect(await db.store.applyReport(report('M1', 'delivered'))).toEqual({ duplicate: true, status: 'delivered', previousStatus: 'delivered' });
  });

  it('keeps the provider status and error of the report that set the status', async () => {
    await db.store.applyReport(
      report('M1', 'undelivered', { providerStatus: 'failed', errorCode: '4', errorMessage: 'Call Barred by User' }),
    );
    await db.store.applyReport(report('M1', 'sent', { providerStatus: 'accepted' }));
    expect(await db.store.getMessage('M1')).toMatchObject({
      status: 'undelivered',
      providerStatus: 'failed',
      errorCode: '4',
      errorMessage: 'Call Barred by User',
    });
  });

  it('creates the message for a report of a message not sent through the store', async () => {
    await db.store.applyReport(
      report('EXT-1', 'delivered', { to: TO, mccmnc: '23410', clientRef: 'order-7', price: { amount: 0.04, currency: 'EUR' } }),
    );
    expect(await db.store.getMessage('EXT-1')).toMatchObject({
      provider: 'vonage',
      messageId: 'EXT-1',
      to: TO,
      state: 'sent',
      status: 'delivered',
      final: true,
      mccmnc: '23410',
      clientRef: 'order-7',
      price: { amount: 0.04, currency: 'EUR' },
    });
    expect((await db.store.getMessage('EXT-1'))?.idempotencyKey).toBeUndefined();
  });

  it('merges a send recorded after its reports (a fast provider) without going back', async () => {
    await db.store.claimSend('k', { provider: 'vonage', to: TO });
    await db.store.applyReport(report('M1', 'delivered'));
    await db.store.completeSend('k', { ...sent('M1'), status: 'queued' });
    expect(await db.store.getMessage('k')).toMatchObject({ messageId: 'M1', status: 'delivered', final: true, to: TO });
  });

  describe('per-part reports', () => {
    it('is delivered once every part of a sent message is', async () => {
      await db.store.completeSend('k', sent('M1', 3));
      expect((await db.store.applyReport(report('M1', 'delivered', { part: 2 }))).status).toBe('sent');
      expect((await db.store.applyReport(report('M1', 'delivered', { part: 1 }))).status).toBe('sent');
      expect((await db.store.applyReport(report('M1', 'delivered', { part: 3 }))).status).toBe('delivered');
    });

    it('takes the failure of any part as the message status', async () => {
      await db.store.completeSend('k', sent('M1', 2));
      await db.store.applyReport(report('M1', 'delivered', { part: 1 }));
      expect(await db.store.applyReport(report('M1', 'expired', { part: 2, errorCode: '2' }))).toEqual({
        duplicate: false,
        status: 'expired',
        previousStatus: 'sent',
      });
      expect(await db.store.getMessage('M1')).toMatchObject({ status: 'expired', errorCode: '2', final: true });
    });

    it('keeps a part monotonic: a late intermediate report does not undo its delivery', async () => {
      await db.store.completeSend('k', sent('M1', 2));
      await db.store.applyReport(report('M1', 'delivered', { part: 1 }));
      await db.store.applyReport(report('M1', 'sent', { part: 1, providerStatus: 'accepted' }));
      expect((await db.store.applyReport(report('M1', 'delivered', { part: 2 }))).status).toBe('delivered');
    });

    it('waits for the segment count when reports come before the send is recorded', async () => {
      await db.store.applyReport(report('M1', 'delivered', { part: 1, price: { amount: 0.03, currency: 'EUR' } }));
      await db.store.applyReport(report('M1', 'delivered', { part: 2, price: { amount: 0.03, currency: 'EUR' } }));
      expect(await db.store.getMessage('M1')).toMatchObject({ status: 'sent', final: false });
      await db.store.completeSend('k', sent('M1', 2));
      const message = await db.store.getMessage('k');
      expect(message).toMatchObject({ status: 'delivered', final: true, segments: 2 });
      expect(message?.price?.amount).toBeCloseTo(0.06);
      expect(message?.price?.currency).toBe('EUR');
    });
  });

  it('settles 1,000 shuffled, duplicated reports for 100 messages to one correct final state each', async () => {
    const finals: NormalizedStatus[] = ['delivered', 'undelivered', 'expired', 'failed', 'canceled', 'unknown'];
    const expected = new Map<string, NormalizedStatus>();
    const reports: DeliveryReport[] = [];
    for (let m = 0; m < 100; m++) {
      const id = `MSG-${m}`;
      const final = finals[m % finals.length] as NormalizedStatus;
      expected.set(id, final);
      const distinct = [
        report(id, 'queued', { providerStatus: 'queued' }),
        report(id, 'sent', { providerStatus: 'accepted' }),
        report(id, final, { providerStatus: final, errorCode: final === 'delivered' ? '0' : '5' }),
      ];
      // 10 reports per message: each distinct report at least three times.
      for (let i = 0; i < 10; i++) reports.push({ ...(distinct[i % 3] as DeliveryReport) });
    }
    if (reports.length !== 1000) throw new Error('fixture must hold 1,000 reports');
    const outcomes = await Promise.all(shuffle(reports, 7).map((r) => db.store.applyReport(r)));

    expect(outcomes.filter((o) => !o.duplicate)).toHaveLength(300);
    for (const [id, final] of expected) {
      expect([id, await db.store.getMessage(id)]).toEqual([id, expect.objectContaining({ status: final, final: true })]);
    }
  });

  it('rejects malformed reports with INVALID_INPUT and changes nothing', async () => {
    const ok = report('M1', 'delivered');
    const bad: unknown[] = [
      null,
      'delivered',
      [],
      { ...ok, provider: '' },
      { ...ok, provider: 'VONAGE' },
      { ...ok, messageId: '' },
      { ...ok, messageId: 'm'.repeat(257) },
      { ...ok, messageId: 12 },
      { ...ok, status: 'read' },
      { ...ok, status: undefined },
      { ...ok, final: 'yes' },
      { ...ok, providerStatus: undefined },
      { ...ok, providerStatus: 'p'.repeat(300) },
      { ...ok, errorCode: 'e'.repeat(101) },
      { ...ok, errorMessage: 'e'.repeat(2001) },
      { ...ok, errorMessage: 7 },
      { ...ok, occurredAt: 'now' },
      { ...ok, occurredAt: '2025-04-01 10:00:00' },
      { ...ok, occurredAt: undefined },
      { ...ok, part: 0 },
      { ...ok, part: 1.5 },
      { ...ok, part: 256 },
      { ...ok, part: '1' },
      { ...ok, price: { amount: '0.1' } },
      { ...ok, price: 0.1 },
      { ...ok, permanent: 'true' },
      { ...ok, to: '' },
      { ...ok, mccmnc: 'x'.repeat(17) },
    ];
    for (const r of bad) expect([r, await rejectedCode(db.store.applyReport(r as DeliveryReport))]).toEqual([r, 'INVALID_INPUT']);
    expect(await db.store.getMessage('M1')).toBeNull();
  });

  it('looks messages up by id or key and rejects malformed lookups', async () => {
    expect(await db.store.getMessage('nothing-here')).toBeNull();
    for (const id of ['', '  ', 'x'.repeat(600), null, 5, 'a\u0000b']) {
      expect(await rejectedCode(db.store.getMessage(id as string))).toBe('INVALID_INPUT');
    }
  });
});
