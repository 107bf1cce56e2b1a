/**
 * The sms-store config node: which file it names, and that the nodes selecting it share one
 * ledger — seen through sms-consent nodes in a real Node-RED runtime.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STORE_FILE, storeFile } from '../../node-red/sms-store';
import { NodeFlow, usNumber, type Answer, type Msg } from './node-flow';

describe('storeFile', () => {
  const userDir = join(tmpdir(), 'node-red-user');

  it.each([
    ['empty', ''],
    ['blanks', '   '],
    ['not set', undefined],
    ['not text', 42],
    ['an object', { path: '/etc/passwd' }],
  ])('names the default file in the user directory when the path is %s', (_name, setting) => {
    expect(storeFile(setting, userDir)).toBe(join(userDir, STORE_FILE));
  });

  it('reads a relative path from the user directory, and keeps an absolute one', () => {
    expect(storeFile('data/consent.sqlite', userDir)).toBe(join(userDir, 'data', 'consent.sqlite'));
    expect(storeFile(' ../shared.sqlite ', userDir)).toBe(join(userDir, '..', 'shared.sqlite'));
    const absolute = join(tmpdir(), 'elsewhere', 'a2p.sqlite');
    expect(storeFile(absolute, userDir)).toBe(absolute);
    expect(storeFile(absolute, undefined)).toBe(absolute);
  });

  it('keeps an in-memory database as it is', () => {
    expect(storeFile(':memory:', userDir)).toBe(':memory:');
  });

  it('fails with STORE_ERROR when a file must go in a user directory Node-RED does not have', () => {
    expect(() => storeFile('', undefined)).toThrow(expect.objectContaining({ code: 'STORE_ERROR' }));
    expect(() => storeFile('relative.sqlite', undefined)).toThrow(expect.objectContaining({ code: 'STORE_ERROR' }));
  });
});

describe('sms-store in a flow', () => {
  let flow: NodeFlow | undefined;
  let elsewhere: string | undefined;

  afterEach(async () => {
    await flow?.stop();
    flow = undefined;
    if (elsewhere) rmSync(elsewhere, { recursive: true, force: true });
    elsewhere = undefined;
  });

  function recorded(answer: Answer): Msg {
    expect(answer.caught).toBeNull();
    return answer.ports![0]!;
  }

  it('keeps the ledger in a2p-kit.sqlite in the user directory when its path is empty', async () => {
    flow = await NodeFlow.start({ stores: [{ id: 'store' }], nodes: [{ id: 'optOut', operation: 'opt-out', store: 'store' }] });
    recorded(await flow.run('optOut', { to: usNumber(300) }));
    expect(existsSync(join(flow.userDir, 'a2p-kit.sqlite'))).toBe(true);
  });

  it('reads a relative path from the user directory, creating its folders', async () => {
    flow = await NodeFlow.start({
      stores: [{ id: 'store', path: join('ledgers', 'consent.sqlite') }],
      nodes: [{ id: 'optOut', operation: 'opt-out', store: 'store' }],
    });
    recorded(await flow.run('optOut', { to: usNumber(301) }));
    expect(existsSync(join(flow.userDir, 'ledgers', 'consent.sqlite'))).toBe(true);
    expect(existsSync(join(flow.userDir, 'a2p-kit.sqlite'))).toBe(false);
  });

  it('uses an absolute path as written', async () => {
    elsewhere = mkdtempSync(join(tmpdir(), 'a2p-nr-store-'));
    const file = join(elsewhere, 'absolute.sqlite');
    flow = await NodeFlow.start({ stores: [{ id: 'store', path: file }], nodes: [{ id: 'optOut', operation: 'opt-out', store: 'store' }] });
    recorded(await flow.run('optOut', { to: usNumber(302) }));
    expect(existsSync(file)).toBe(true);
  });

  it("lets two nodes on one store see each other's events, and keeps another store apart", async () => {
    flow = await NodeFlow.start({
      stores: [
        { id: 'shared', path: 'shared.sqlite' },
        { id: 'other', path: 'other.sqlite' },
      ],
      nodes: [
        { id: 'optOut', operation: 'opt-out', store: 'shared' },
        { id: 'check', operation: 'check', store: 'shared' },
        { id: 'checkOther', operation: 'check', store: 'other' },
        { id: 'checkDefault', operation: 'check' },
      ],
    });
    const to = usNumber(303);
    recorded(await flow.run('optOut', { to }));
    expect((await flow.run('check', { to })).ports?.[1]?.consent).toMatchObject({ allowed: false, reason: 'opted-out' });
    expect((await flow.run('checkOther', { to })).ports?.[0]?.consent).toMatchObject({ allowed: true });
    expect((await flow.run('checkDefault', { to })).ports?.[0]?.consent).toMatchObject({ allowed: true });
  });

  it('is the same ledger as no store selected when its path is empty', async () => {
    flow = await NodeFlow.start({
      stores: [{ id: 'store', path: '' }],
      nodes: [
        { id: 'optOut', operation: 'opt-out' },
        { id: 'check', operation: 'check', store: 'store' },
      ],
    });
    const to = usNumber(304);
    recorded(await flow.run('optOut', { to }));
    expect((await flow.run('check', { to })).ports?.[1]?.consent).toMatchObject({ reason: 'opted-out' });
  });

  it.each([
    ['a config node that is not in the flow', 'deleted-store'],
    ['a node of another type', 'check'],
  ])('answers each message with STORE_ERROR, not a crash, when the store selected is %s', async (_name, storeId) => {
    flow = await NodeFlow.start({
      nodes: [
        { id: 'check', operation: 'check' },
        { id: 'orphan', operation: 'check', store: storeId },
      ],
    });
    const answer = await flow.run('orphan', { to: usNumber(305) });
    expect(answer.ports).toBeNull();
    expect(answer.caught?.error).toMatchObject({ code: 'STORE_ERROR', source: { id: 'orphan' } });
    expect(String(answer.caught?.error?.message)).toContain('sms-store');
    // The rest of the flow runs on.
    expect((await flow.run('check', { to: usNumber(305) })).ports?.[0]?.consent).toMatchObject({ allowed: true });
  });
});
