import { DatabaseSync } from 'node:sqlite';
import { rejectedCode } from '../../test/support/sms-error';
import { useTempStore } from '../../test/support/temp-store';
import { openSqliteStore } from './sqlite';

const Q = 'node-1a2b';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('sqlite store: held messages', () => {
  let clock: number;
  beforeEach(() => {
    clock = Date.UTC(2025, 0, 1, 22, 0, 0);
  });
  const db = useTempStore('a2p-store-held-', (file) => openSqliteStore(file, { now: () => clock }));

  it('holds a message and gives it back with a generated id, as JSON', async () => {
    const held = await db.store.holdMessage({
      queue: Q,
      releaseAt: '2025-01-02T08:00:00+01:00',
      payload: { to: '+33612345678', at: new Date(0), nested: [1, 'two', null, { ok: true }] },
    });
    expect(held).toEqual({
      id: expect.stringMatching(UUID),
      queue: Q,
      releaseAt: '2025-01-02T07:00:00.000Z',
      heldAt: '2025-01-01T22:00:00.000Z',
      payload: { to: '+33612345678', at: '1970-01-01T00:00:00.000Z', nested: [1, 'two', null, { ok: true }] },
    });
    expect(await db.store.heldMessages(Q)).toEqual([held]);
    expect(await db.store.countHeld(Q)).toBe(1);
  });

  it('lists earliest release first, ties in the order held, and only what is due when asked', async () => {
    await db.store.holdMessage({ queue: Q, id: 'late', releaseAt: '2025-01-02T09:00:00Z', payload: 1 });
    await db.store.holdMessage({ queue: Q, id: 'b', releaseAt: '2025-01-02T08:00:00Z', payload: 2 });
    await db.store.holdMessage({ queue: Q, id: 'a', releaseAt: '2025-01-02T08:00:00Z', payload: 3 });
    await db.store.holdMessage({ queue: 'other', id: 'x', releaseAt: '2025-01-01T00:00:00Z', payload: 4 });
    expect((await db.store.heldMessages(Q)).map((h) => h.id)).toEqual(['b', 'a', 'late']);
    expect((await db.store.heldMessages(Q, { dueBy: '2025-01-02T08:30:00Z' })).map((h) => h.id)).toEqual(['b', 'a']);
    expect((await db.store.heldMessages(Q, { dueBy: '2025-01-02T08:00:00Z' })).map((h) => h.id)).toEqual(['b', 'a']);
    expect(await db.store.heldMessages(Q, { dueBy: '2025-01-02T07:59:59Z' })).toEqual([]);
    expect((await db.store.heldMessages(Q, { limit: 1 })).map((h) => h.id)).toEqual(['b']);
    expect(await db.store.countHeld(Q)).toBe(3);
    expect(await db.store.countHeld('nobody')).toBe(0);
  });

  it('replaces a message held again under the same id', async () => {
    await db.store.holdMessage({ queue: Q, id: 'm', releaseAt: '2025-01-02T08:00:00Z', payload: 'first' });
    clock += 60_000;
    await db.store.holdMessage({ queue: Q, id: 'm', releaseAt: '2025-01-03T08:00:00Z', payload: 'second' });
    expect(await db.store.heldMessages(Q)).toEqual([
      { id: 'm', queue: Q, releaseAt: '2025-01-03T08:00:00.000Z', heldAt: '2025-01-01T22:01:00.000Z', payload: 'second' },
    ]);
  });

  it('releases a message once: the second releaser learns it is gone', async () => {
    await db.store.holdMessage({ queue: Q, id: 'm', releaseAt: '2025-01-02T08:00:00Z', payload: {} });
    const [first, second] = await Promise.all([db.store.releaseHeld(Q, 'm'), db.store.releaseHeld(Q, 'm')]);
    expect([first, second]).toEqual([true, false]);
    expect(await db.store.releaseHeld('other', 'm')).toBe(false);
    expect(await db.store.countHeld(Q)).toBe(0);
  });

  it('keeps held messages across a close and reopen', async () => {
    await db.store.holdMessage({ queue: Q, id: 'm', releaseAt: '2025-01-02T08:00:00Z', payload: { n: 1 } });
    const again = await openSqliteStore(db.file);
    try {
      expect(await again.heldMessages(Q)).toMatchObject([{ id: 'm', payload: { n: 1 } }]);
    } finally {
      await again.close();
    }
  });

  it('turns a tampered payload into STORE_ERROR', async () => {
    await db.store.holdMessage({ queue: Q, id: 'm', releaseAt: '2025-01-02T08:00:00Z', payload: {} });
    const raw = new DatabaseSync(db.file);
    raw.exec(`UPDATE held_messages SET payload = '{oops'`);
    raw.close();
    expect(await rejectedCode(db.store.heldMessages(Q))).toBe('STORE_ERROR');
  });

  it('rejects payloads that are not JSON, or too big, with INVALID_INPUT and holds nothing', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    let deep: unknown = 0;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const payloads: unknown[] = [
      undefined,
      () => 1,
      { send: () => 1 },
      { n: 10n },
      Symbol('s'),
      { s: Symbol('s') },
      { n: Number.NaN },
      [Number.POSITIVE_INFINITY],
      cyclic,
      deep,
      { big: 'x'.repeat(1024 * 1024) },
    ];
    for (const payload of payloads) {
      const code = await rejectedCode(db.store.holdMessage({ queue: Q, releaseAt: '2025-01-02T08:00:00Z', payload }));
      expect([String(typeof payload), code]).toEqual([String(typeof payload), 'INVALID_INPUT']);
    }
    expect(await db.store.countHeld(Q)).toBe(0);
  });

  it('rejects malformed queues, ids, instants and options with INVALID_INPUT', async () => {
    const at = '2025-01-02T08:00:00Z';
    const holds: unknown[] = [
      undefined,
      null,
      'msg',
      { queue: '', releaseAt: at, payload: 1 },
      { queue: '   ', releaseAt: at, payload: 1 },
      { queue: 'q'.repeat(201), releaseAt: at, payload: 1 },
      { queue: 'a\nb', releaseAt: at, payload: 1 },
      { queue: 42, releaseAt: at, payload: 1 },
      { queue: Q, releaseAt: 'tomorrow 8am', payload: 1 },
      { queue: Q, releaseAt: '2025-01-02T08:00:00', payload: 1 },
      { queue: Q, releaseAt: '2025-02-30T08:00:00Z', payload: 1 },
      { queue: Q, releaseAt: 1735804800000, payload: 1 },
      { queue: Q, releaseAt: at, payload: 1, id: '' },
      { queue: Q, releaseAt: at, payload: 1, id: 'i'.repeat(201) },
      { queue: Q, releaseAt: at, payload: 1, id: 7 },
    ];
    for (const h of holds) {
      expect([h, await rejectedCode(db.store.holdMessage(h as never))]).toEqual([h, 'INVALID_INPUT']);
    }
    const lists: [unknown, unknown][] = [
      ['', undefined],
      [Q, 'soon'],
      [Q, { dueBy: 'later' }],
      [Q, { limit: 0 }],
      [Q, { limit: 1.5 }],
      [Q, { limit: 1e9 }],
      [Q, { limit: '10' }],
    ];
    for (const [q, opts] of lists) {
      expect([q, opts, await rejectedCode(db.store.heldMessages(q as string, opts as never))]).toEqual([q, opts, 'INVALID_INPUT']);
    }
    for (const [q, id] of [['', 'm'], [Q, ''], [Q, null], [null, 'm']]) {
      expect(await rejectedCode(db.store.releaseHeld(q as string, id as string))).toBe('INVALID_INPUT');
    }
    expect(await rejectedCode(db.store.countHeld(undefined as unknown as string))).toBe('INVALID_INPUT');
    expect(await db.store.countHeld(Q)).toBe(0);
  });
});
