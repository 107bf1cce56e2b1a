import { thrownCode } from '../../test/support/sms-error';
import type { NormalizedStatus } from '../types';
import {
  FINAL_STATUSES,
  NORMALIZED_STATUSES,
  derivePartsStatus,
  isFinal,
  isNormalizedStatus,
  mergeStatus,
  statusRank,
} from './status';

const NON_FINAL: NormalizedStatus[] = ['scheduled', 'queued', 'sent'];

describe('status list and rank', () => {
  it('lists the nine normalised statuses, six of them final', () => {
    expect([...NORMALIZED_STATUSES].sort()).toEqual(
      ['canceled', 'delivered', 'expired', 'failed', 'queued', 'scheduled', 'sent', 'undelivered', 'unknown'],
    );
    expect(FINAL_STATUSES.every((s) => isFinal(s))).toBe(true);
    expect(NON_FINAL.some((s) => isFinal(s))).toBe(false);
    expect(FINAL_STATUSES).toHaveLength(6);
  });

  it('ranks scheduled < queued < sent < every final status', () => {
    expect(statusRank('scheduled')).toBeLessThan(statusRank('queued'));
    expect(statusRank('queued')).toBeLessThan(statusRank('sent'));
    for (const f of FINAL_STATUSES) expect(statusRank(f)).toBeGreaterThan(statusRank('sent'));
  });

  it('recognises only the exact status names', () => {
    expect(isNormalizedStatus('delivered')).toBe(true);
    for (const bad of ['DELIVERED', 'read', '', ' sent', 'constructor', '__proto__', 'toString', 3, null, undefined, {}]) {
      expect(isNormalizedStatus(bad)).toBe(false);
    }
  });

  it('answers unknown statuses with INVALID_INPUT, never a wrong rank', () => {
    expect(thrownCode(() => statusRank('read' as NormalizedStatus))).toBe('INVALID_INPUT');
    expect(thrownCode(() => isFinal('constructor' as NormalizedStatus))).toBe('INVALID_INPUT');
    expect(thrownCode(() => isFinal(undefined as unknown as NormalizedStatus))).toBe('INVALID_INPUT');
    expect(thrownCode(() => statusRank('x'.repeat(100_000) as NormalizedStatus))).toBe('INVALID_INPUT');
  });
});

describe('mergeStatus', () => {
  it('takes the incoming status when there is none yet', () => {
    for (const s of NORMALIZED_STATUSES) expect(mergeStatus(undefined, s)).toBe(s);
  });

  it('only moves forward among non-final statuses', () => {
    expect(mergeStatus('queued', 'sent')).toBe('sent');
    expect(mergeStatus('sent', 'queued')).toBe('sent');
    expect(mergeStatus('sent', 'scheduled')).toBe('sent');
    expect(mergeStatus('scheduled', 'queued')).toBe('queued');
    expect(mergeStatus('sent', 'sent')).toBe('sent');
  });

  it('moves from any non-final status to any final one', () => {
    for (const from of NON_FINAL) for (const to of FINAL_STATUSES) expect(mergeStatus(from, to)).toBe(to);
  });

  it('never leaves a final status; between two finals the first stays', () => {
    for (const from of FINAL_STATUSES) {
      for (const to of NORMALIZED_STATUSES) expect(mergeStatus(from, to)).toBe(from);
    }
    expect(mergeStatus('failed', 'delivered')).toBe('failed');
    expect(mergeStatus('delivered', 'failed')).toBe('delivered');
    expect(mergeStatus('unknown', 'delivered')).toBe('unknown');
  });

  it('gives the same final answer for any arrival order of one final and several non-finals', () => {
    const reports: NormalizedStatus[] = ['queued', 'sent', 'delivered', 'scheduled', 'sent'];
    for (let i = 0; i < 50; i++) {
      const shuffled = [...reports].sort(() => Math.random() - 0.5);
      expect(shuffled.reduce<NormalizedStatus | undefined>((cur, s) => mergeStatus(cur, s), undefined)).toBe(
        'delivered',
      );
    }
  });

  it('rejects malformed statuses on either side', () => {
    expect(thrownCode(() => mergeStatus('sent', 'read' as NormalizedStatus))).toBe('INVALID_INPUT');
    expect(thrownCode(() => mergeStatus('bogus' as NormalizedStatus, 'sent'))).toBe('INVALID_INPUT');
    expect(thrownCode(() => mergeStatus(undefined, null as unknown as NormalizedStatus))).toBe('INVALID_INPUT');
  });
});

describe('derivePartsStatus', () => {
  const parts = (...entries: [number, NormalizedStatus][]) => new Map(entries);

  it('has nothing to say without parts', () => {
    expect(derivePartsStatus(new Map(), 2)).toBeUndefined();
  });

  it('is delivered only when every part up to the known total is delivered', () => {
    expect(derivePartsStatus(parts([1, 'delivered']), 2)).toBe('sent');
    expect(derivePartsStatus(parts([2, 'delivered']), 2)).toBe('sent');
    expect(derivePartsStatus(parts([1, 'delivered'], [2, 'delivered']), 2)).toBe('delivered');
    expect(derivePartsStatus(parts([1, 'delivered'], [3, 'delivered']), 3)).toBe('sent');
  });

  it('waits for parts beyond the expected total when the provider split differently', () => {
    expect(derivePartsStatus(parts([1, 'delivered'], [2, 'delivered'], [3, 'sent']), 2)).toBe('sent');
    expect(derivePartsStatus(parts([1, 'delivered'], [2, 'delivered'], [3, 'delivered']), 2)).toBe('delivered');
  });

  it('never claims delivery when the total is unknown', () => {
    expect(derivePartsStatus(parts([1, 'delivered'], [2, 'delivered']))).toBe('sent');
    expect(derivePartsStatus(parts([1, 'delivered']), 0)).toBe('sent');
    expect(derivePartsStatus(parts([1, 'delivered']), Number.NaN)).toBe('sent');
  });

  it('makes any failed part the message status, independent of arrival order', () => {
    expect(derivePartsStatus(parts([1, 'delivered'], [2, 'expired']), 2)).toBe('expired');
    expect(derivePartsStatus(parts([2, 'failed'], [1, 'undelivered']), 2)).toBe('undelivered');
    expect(derivePartsStatus(parts([1, 'undelivered'], [2, 'failed']), 2)).toBe('undelivered');
    expect(derivePartsStatus(parts([3, 'unknown']))).toBe('unknown');
  });

  it('reports the furthest non-final progress, at most sent', () => {
    expect(derivePartsStatus(parts([1, 'queued'], [2, 'scheduled']), 2)).toBe('queued');
    expect(derivePartsStatus(parts([1, 'queued'], [2, 'sent']), 2)).toBe('sent');
  });

  it('rejects a malformed part status', () => {
    expect(thrownCode(() => derivePartsStatus(parts([1, 'read' as NormalizedStatus]), 1))).toBe('INVALID_INPUT');
  });
});
