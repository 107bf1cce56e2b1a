/**
 * Vonage's SMS API gives each part of a long message an id of its own and reports each part under
 * it: SendResult.partMessageIds lets the store fold those reports into the message.
 */
import { DatabaseSync } from 'node:sqlite';
import { rejectedCode } from '../../test/support/sms-error';
import { useTempStore } from '../../test/support/temp-store';
import { FINAL_STATUSES } from '../delivery/status';
import type { DeliveryReport, NormalizedStatus, SendResult } from '../types';
import { openSqliteStore } from './sqlite';

const TO = '+4915112345678';
const PARTS = ['0A-1', '0A-2', '0A-3'];

function report(messageId: string, status: NormalizedStatus, extra: Partial<DeliveryReport> = {}): DeliveryReport {
  return {
    provider: 'vonage',
    messageId,
    status,
    final: FINAL_STATUSES.includes(status),
    providerStatus: status,
    occurredAt: '2025-04-01T10:00:00Z',
    to: TO.slice(1),
    ...extra,
  };
}

function sent(extra: Partial<SendResult> = {}): SendResult {
  return {
    provider: 'vonage',
    messageId: PARTS[0] as string,
    status: 'sent',
    to: TO,
    segments: 3,
    encoding: 'GSM-7',
    partMessageIds: PARTS,
    ...extra,
  };
}

function rowsOf(file: string, sql: string): unknown[] {
  const raw = new DatabaseSync(file);
  try {
    return raw.prepare(sql).all();
  } finally {
    raw.close();
  }
}

describe('sqlite store: per-part message ids', () => {
  const db = useTempStore('a2p-store-part-ids-', (file) => openSqliteStore(file));

  it('folds each part id’s report into the message once the send is recorded', async () => {
    await db.store.completeSend('k', sent());
    expect(await db.store.applyReport(report('0A-2', 'delivered', { price: { amount: 0.05, currency: 'EUR' } }))).toEqual({
      duplicate: false,
      status: 'sent',
      previousStatus: 'sent',
    });
    expect((await db.store.applyReport(report('0A-1', 'delivered', { price: { amount: 0.05, currency: 'EUR' } }))).status).toBe('sent');
    expect(await db.store.applyReport(report('0A-2', 'delivered'))).toEqual({ duplicate: true, status: 'sent', previousStatus: 'sent' });
    expect((await db.store.applyReport(report('0A-3', 'delivered', { price: { amount: 0.05, currency: 'EUR' } }))).status).toBe('delivered');
    const message = await db.store.getMessage('k');
    expect(message).toMatchObject({ messageId: '0A-1', status: 'delivered', final: true });
    expect(message?.price?.amount).toBeCloseTo(0.15);
    // No message of its own for a part id.
    expect(rowsOf(db.file, 'SELECT message_id FROM messages')).toEqual([{ message_id: '0A-1' }]);
  });

  it('takes a failed part as the message’s failure', async () => {
    await db.store.completeSend('k', sent());
    await db.store.applyReport(report('0A-1', 'delivered'));
    expect((await db.store.applyReport(report('0A-3', 'expired', { errorCode: '2' }))).status).toBe('expired');
    expect(await db.store.getMessage('0A-1')).toMatchObject({ status: 'expired', errorCode: '2', final: true });
  });

  it('judges delivery by the parts the provider made, not by the segment count', async () => {
    await db.store.completeSend('k', sent({ segments: 4 }));
    for (const id of PARTS) await db.store.applyReport(report(id, 'delivered'));
    expect(await db.store.getMessage('k')).toMatchObject({ status: 'delivered', segments: 4 });
  });

  it('re-homes reports that came before the send was recorded, and removes the rows they made', async () => {
    // The first part's report looked like a whole-message delivery: it must not stay final.
    await db.store.applyReport(report('0A-1', 'delivered', { mccmnc: '26201' }));
    await db.store.applyReport(report('0A-3', 'delivered'));
    await db.store.applyReport(report('0A-3', 'sent', { providerStatus: 'accepted' }));
    expect(await db.store.getMessage('0A-1')).toMatchObject({ status: 'delivered', final: true });
    expect(await db.store.getMessage('0A-3')).toMatchObject({ status: 'delivered' });

    await db.store.completeSend('k', sent());
    expect(await db.store.getMessage('k')).toMatchObject({ messageId: '0A-1', status: 'sent', final: false, mccmnc: '26201', country: 'DE' });
    expect(await db.store.getMessage('0A-3')).toBeNull();
    expect(rowsOf(db.file, 'SELECT DISTINCT message_id FROM delivery_reports')).toEqual([{ message_id: '0A-1' }]);

    // A provider retry of a re-homed report is a duplicate; the missing part completes the message.
    expect(await db.store.applyReport(report('0A-3', 'delivered'))).toEqual({ duplicate: true, status: 'sent', previousStatus: 'sent' });
    expect(await db.store.applyReport(report('0A-2', 'delivered'))).toEqual({ duplicate: false, status: 'delivered', previousStatus: 'sent' });
  });

  it('reaches the same state in either arrival order', async () => {
    const reports = [
      report('0A-1', 'delivered'),
      report('0A-2', 'failed', { errorCode: '5' }),
      report('0A-3', 'delivered'),
      report('0A-2', 'sent', { providerStatus: 'accepted' }),
    ];
    await db.store.completeSend('after', sent());
    for (const r of reports) await db.store.applyReport(r);

    const other = await openSqliteStore(':memory:');
    try {
      await other.applyReports(reports);
      await other.completeSend('before', sent());
      const strip = (m: unknown) => {
        const { idempotencyKey: _k, createdAt: _c, updatedAt: _u, ...rest } = m as Record<string, unknown>;
        return rest;
      };
      const before = await other.getMessage('before');
      expect(before).toMatchObject({ status: 'failed', errorCode: '5', final: true });
      expect(strip(before)).toEqual(strip(await db.store.getMessage('after')));
    } finally {
      await other.close();
    }
  });

  it('leaves a message sent under a part’s id through another send alone', async () => {
    await db.store.completeSend('other', { ...sent(), messageId: '0A-3', partMessageIds: undefined, segments: 1 });
    await db.store.applyReport(report('0A-3', 'delivered'));
    await db.store.completeSend('k', sent());
    expect(await db.store.getMessage('other')).toMatchObject({ messageId: '0A-3', status: 'delivered' });
  });

  it('rejects malformed part ids with INVALID_INPUT and records nothing', async () => {
    for (const partMessageIds of [[], ['only-one'], 'a,b', new Array(3), [1, 2], ['a', ''], ['a', 'a'], ['a', 'x'.repeat(257)], ['a', 'b\u0000'], new Array(256).fill(0).map((_, i) => `p${i}`)]) {
      const code = await rejectedCode(db.store.completeSend('k', sent({ partMessageIds: partMessageIds as string[] })));
      expect([partMessageIds, code]).toEqual([partMessageIds, 'INVALID_INPUT']);
    }
    expect(await db.store.getMessage('k')).toBeNull();
    expect(rowsOf(db.file, 'SELECT * FROM message_aliases')).toEqual([]);
  });
});
