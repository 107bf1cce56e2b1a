/**
 * prepareItems: how sms-send reads a message (DESIGN §4), including what it must refuse.
 */
import { MAX_BATCH_SIZE } from '../../core/dispatch';
import { prepareItems, type ItemDefaults, type PreparedItem } from '../../node-red/send-items';

const to = '+14155551000';

function one(msg: Record<string, unknown>, defaults: ItemDefaults = {}): PreparedItem {
  const { bulk, items } = prepareItems(msg, defaults);
  expect(bulk).toBe(false);
  expect(items).toHaveLength(1);
  return items[0]!;
}

function code(item: PreparedItem): string | undefined {
  return item.ok ? undefined : item.error.code;
}

describe('a text payload', () => {
  it("takes the node's Message as the text and the node's To before msg.to", () => {
    const item = one({ payload: 'ignored', to: '+14155559999' }, { text: 'hello', to, from: 'ACME' });
    expect(item).toEqual({ ok: true, input: { to, text: 'hello', from: 'ACME' }, request: { to, text: 'hello', from: 'ACME' } });
  });

  it('falls back to msg.to when the node gives no recipient', () => {
    expect(one({ to: ` ${to} ` }, { text: 'hi', to: '' })).toMatchObject({ ok: true, input: { to } });
  });

  it('adds the status callback URL and validity to the request, not to msg.sms', () => {
    const item = one({ to }, { text: 'hi', statusCallbackUrl: 'https://example.test/dlr', validitySeconds: 60 });
    expect(item).toEqual({
      ok: true,
      input: { to, text: 'hi' },
      request: { to, text: 'hi', statusCallbackUrl: 'https://example.test/dlr', validitySeconds: 60 },
    });
  });

  it('renders the template with msg.payload as the payload', () => {
    const item = one({ payload: 'Ada', to, shop: 'Corner' }, { template: '{{payload}} @ {{shop}}' });
    expect(item).toMatchObject({ ok: true, input: { text: 'Ada @ Corner' } });
  });

  it.each([
    ['an object as the text', { text: { a: 1 } }, 'INVALID_INPUT'],
    ['NaN as the text', { text: Number.NaN }, 'INVALID_INPUT'],
    ['no text at all', {}, 'EMPTY_MESSAGE'],
    ['an empty text', { text: '' }, 'EMPTY_MESSAGE'],
    ['an object as the sender', { text: 'hi', from: { id: 1 } }, 'INVALID_INPUT'],
  ])('refuses %s', (_name, defaults: ItemDefaults, expected) => {
    expect(code(one({ to }, defaults))).toBe(expected);
  });

  it('keeps what it could read when it refuses', () => {
    expect(one({ to }, {})).toMatchObject({ ok: false, input: { to } });
  });
});

describe('an object payload', () => {
  it("prefers the item's own to, text and from, and turns a Date sendAt into an instant", () => {
    const sendAt = new Date('2030-01-31T09:00:00Z');
    const item = one(
      { payload: { to: 14155551001, text: 'own', from: 'ITEM', clientRef: 7, sendAt }, to },
      { text: 'node', from: 'NODE', template: 'never {{x}}' },
    );
    expect(item).toEqual({
      ok: true,
      input: { to: '14155551001', text: 'own', from: 'ITEM', clientRef: '7', sendAt: '2030-01-31T09:00:00.000Z' },
      request: { to: '14155551001', text: 'own', from: 'ITEM', clientRef: '7', sendAt: '2030-01-31T09:00:00.000Z' },
    });
  });

  it("uses the node's Message when the item has no text, unless that Message is the object itself", () => {
    const payload = { to };
    expect(one({ payload }, { text: 'from the node' })).toMatchObject({ ok: true, input: { text: 'from the node' } });
    expect(code(one({ payload }, { text: payload }))).toBe('EMPTY_MESSAGE');
  });

  it('reports a missing template variable as TEMPLATE_ERROR', () => {
    expect(code(one({ payload: { to } }, { template: 'Hi {{payload.name}}' }))).toBe('TEMPLATE_ERROR');
  });

  it('turns an item whose getter throws into INVALID_INPUT rather than a crash', () => {
    const hostile = {
      get to(): string {
        throw new Error('boom');
      },
    };
    const item = one({ payload: hostile }, { text: 'x' });
    expect(code(item)).toBe('INVALID_INPUT');
    expect(item.input).toBe(hostile);
  });

  it.each([
    ['an array as the recipient', { to: [to], text: 'x' }],
    ['an object as the clientRef', { to, text: 'x', clientRef: { id: 1 } }],
    ['a number as sendAt', { to, text: 'x', sendAt: 1_900_000_000_000 }],
    ['Infinity as the recipient', { to: Number.POSITIVE_INFINITY, text: 'x' }],
  ])('refuses %s with INVALID_INPUT', (_name, payload) => {
    expect(code(one({ payload }))).toBe('INVALID_INPUT');
  });
});

describe('an array payload', () => {
  it('reads each item on its own and keeps their order', () => {
    const { bulk, items } = prepareItems({ payload: [{ to, text: 'a' }, 'b', null, [], { text: 'c' }] }, {});
    expect(bulk).toBe(true);
    expect(items.map((i) => (i.ok ? i.input.text : i.error.code))).toEqual(['a', 'INVALID_INPUT', 'INVALID_INPUT', 'INVALID_INPUT', 'INVALID_PHONE']);
    expect(items[1]).toMatchObject({ input: 'b' });
  });

  it('reads the holes of a sparse array as items that are missing', () => {
    const { items } = prepareItems({ payload: [, { to, text: 'b' }] }, {});
    expect(items.map((i) => i.ok)).toEqual([false, true]);
    expect(items[0]).toMatchObject({ input: undefined, error: { code: 'INVALID_INPUT' } });
  });

  it('names the position of a bad item', () => {
    const { items } = prepareItems({ payload: [{ to, text: 'a' }, { to, text: {} }] }, {});
    expect(items[1]).toMatchObject({ ok: false, error: { message: 'item 1.text must be text, got an object' } });
  });

  it('refuses a bulk larger than the dispatcher takes, item by item, without reading the items', () => {
    const payload = new Array(MAX_BATCH_SIZE + 1);
    const { bulk, items } = prepareItems({ payload }, {});
    expect(bulk).toBe(true);
    expect(items).toHaveLength(MAX_BATCH_SIZE + 1);
    expect(items.every((i) => !i.ok && i.error.code === 'INVALID_INPUT')).toBe(true);
  });
});
