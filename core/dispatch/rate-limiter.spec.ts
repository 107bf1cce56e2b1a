import { bucketFor, reserveSlot, TokenBucket } from './rate-limiter';

let n = 0;
const freshIdentity = () => `test:${++n}:${Math.random()}`;

describe('TokenBucket (capacity 1)', () => {
  it('gives the first slot at once and spaces the next ones 1000/rate ms apart, never in a burst', () => {
    const b = new TokenBucket();
    expect([b.reserve(0, 5), b.reserve(0, 5), b.reserve(0, 5), b.reserve(0, 5)]).toEqual([0, 200, 400, 600]);
  });

  it('does not bank unused time: after a pause the next slot is now, the one after one interval later', () => {
    const b = new TokenBucket();
    b.reserve(0, 10);
    expect(b.reserve(10_000, 10)).toBe(0);
    expect(b.reserve(10_000, 10)).toBe(100);
  });

  it('keeps at least the earlier interval when two batches use different rates', () => {
    const b = new TokenBucket();
    expect(b.reserve(0, 1)).toBe(0);
    expect(b.reserve(0, 10)).toBe(1000);
    expect(b.reserve(0, 10)).toBe(1100);
  });

  it('handles fractional rates', () => {
    const b = new TokenBucket();
    b.reserve(0, 0.5);
    expect(b.reserve(0, 0.5)).toBe(2000);
  });

  it('is idle once its next slot has passed', () => {
    const b = new TokenBucket();
    expect(b.idle(0)).toBe(true);
    b.reserve(0, 1);
    expect(b.idle(500)).toBe(false);
    expect(b.idle(1000)).toBe(true);
  });
});

describe('reserveSlot', () => {
  it('spaces sequential callers evenly, the first at once', () => {
    let now = 1_000_000;
    const id = freshIdentity();
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      const wait = reserveSlot(id, 4, now);
      waits.push(wait);
      now += wait;
    }
    expect(waits).toEqual([0, 250, 250, 250, 250]);
  });

  it('gives concurrent callers consecutive slots in call order', () => {
    const id = freshIdentity();
    expect([0, 1, 2, 3].map(() => reserveSlot(id, 10, 0))).toEqual([0, 100, 200, 300]);
  });

  it('shares one bucket per identity across callers and keeps identities apart', () => {
    const a = freshIdentity();
    const b = freshIdentity();
    expect([reserveSlot(a, 1, 0), reserveSlot(b, 1, 0), reserveSlot(a, 1, 0)]).toEqual([0, 0, 1000]);
    expect(bucketFor(a, 0)).toBe(bucketFor(a, 0));
    expect(bucketFor(a, 0)).not.toBe(bucketFor(b, 0));
  });

  it('drops idle buckets once many identities were seen, and keeps busy ones', () => {
    const busy = freshIdentity();
    const busyBucket = bucketFor(busy, 0);
    busyBucket.reserve(0, 0.001);
    const idle = freshIdentity();
    const idleBucket = bucketFor(idle, 0);
    idleBucket.reserve(-10_000, 1000);
    for (let i = 0; i < 1100; i++) bucketFor(freshIdentity(), 0).reserve(-10_000, 1000);
    expect(bucketFor(busy, 0)).toBe(busyBucket);
    expect(bucketFor(idle, 0)).not.toBe(idleBucket);
  });
});
