/**
 * The life of an sms-inbound endpoint in a running Node-RED: deploys, redeploys and removals,
 * two nodes on one path, settings that leave it nothing to serve. (sms-dlr shares all of it:
 * node-red/webhook-node.ts.)
 */
import { useNock } from '../support/nock';
import { ACCOUNT, ALICE, SHOP, WebhookFlow, inboundNode, settle, until } from './webhook-flow';

useNock();

let flow: WebhookFlow | undefined;
afterEach(async () => {
  await flow?.stop();
  flow = undefined;
});

const sms = (text: string, messageId: string) => ({ from: ALICE, to: SHOP, text, messageId });

/** The dispatchers mounted on RED.httpNode (express 4 keeps the app's middleware in _router.stack). */
function dispatchers(f: WebhookFlow): number {
  const app = f.httpNode as unknown as { _router?: { stack: { name: string }[] } };
  return (app._router?.stack ?? []).filter((layer) => layer.name === 'smsWebhookDispatcher').length;
}

describe('sms-inbound: deploys', () => {
  it('moves its path on redeploy: one dispatcher, the old path 404, the new one answering once', async () => {
    flow = await WebhookFlow.start(inboundNode());
    const first = flow.collect('in-out');
    expect((await flow.post('/sms/in', sms('a', 'r-1'))).status).toBe(200);
    await until(() => first.length === 1);

    await flow.redeploy(inboundNode({ path: '/sms/moved' }));
    const second = flow.collect('in-out');
    expect((await flow.post('/sms/in', sms('b', 'r-2'))).status).toBe(404);
    expect((await flow.post('/sms/moved', sms('c', 'r-3'))).status).toBe(200);
    // Redeploying the same settings again (a full deploy restarts every node).
    await flow.redeploy(inboundNode({ path: '/sms/moved', name: 'renamed' }));
    const third = flow.collect('in-out');
    expect((await flow.post('/sms/moved', sms('d', 'r-4'))).status).toBe(200);
    await until(() => second.length === 1 && third.length === 1);
    await settle();
    expect(first).toHaveLength(1);
    expect(second.map((m) => (m.payload as { text: string }).text)).toEqual(['c']);
    expect(third.map((m) => (m.payload as { text: string }).text)).toEqual(['d']);
    expect(dispatchers(flow)).toBe(1);
  });

  it("answers 404 on a removed node's path, and serves it again when a node is added back", async () => {
    flow = await WebhookFlow.start(inboundNode());
    expect((await flow.post('/sms/in', sms('a', 'x-1'))).status).toBe(200);
    await flow.redeploy([]);
    expect((await flow.post('/sms/in', sms('b', 'x-2'))).status).toBe(404);
    await flow.redeploy(inboundNode({}, 'in-again'));
    expect((await flow.post('/sms/in', sms('c', 'x-3'))).status).toBe(200);
    expect(dispatchers(flow)).toBe(1);
  });

  it('refuses a second node on the same method and path with an error on it, and the first keeps working', async () => {
    flow = await WebhookFlow.start([...inboundNode(), ...inboundNode({}, 'twin'), ...inboundNode({ method: 'GET', provider: ACCOUNT.vonage }, 'get')]);
    expect(flow.logged(20)).toContainEqual({ id: 'twin', msg: 'POST /sms/in is already served by node in; give this node another path' });
    expect(flow.lastStatus('twin')).toEqual({ fill: 'red', shape: 'ring', text: 'path in use' });
    // The same path with another method is another endpoint.
    expect(flow.logged(20).filter((e) => e.id === 'get')).toEqual([]);
    const got = flow.collect('in-out');
    const twin = flow.collect('twin-out');
    expect((await flow.post('/sms/in', sms('a', 'd-1'))).status).toBe(200);
    await until(() => got.length === 1);
    await settle();
    expect(twin).toEqual([]);
  });
});

describe('sms-inbound: settings that leave nothing to serve', () => {
  it('warns and stays idle where Node-RED serves no flow endpoints (httpNodeRoot: false)', async () => {
    flow = await WebhookFlow.start(inboundNode(), { httpNodeRoot: false });
    expect(flow.logged(30)).toContainEqual({ id: 'in', msg: expect.stringContaining('httpNodeRoot is false') });
    expect(flow.lastStatus('in')).toEqual({ fill: 'grey', shape: 'ring', text: 'no HTTP endpoints' });
    expect(flow.logged(20).filter((e) => e.id === 'in')).toEqual([]);
    expect((await flow.post('/sms/in', sms('a', 'n-1'))).status).toBe(404);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['no provider', { provider: '' }, /select an sms-provider/],
    ['afilnet', { provider: ACCOUNT.afilnet }, /afilnet has no webhooks/],
    ['a path with a query', { path: '/sms/in?x=1' }, /the path must be like/],
    ['no path', { path: '' }, /the path must be like/],
    ['a path that is no text', { path: 42 }, /the path must be like/],
    ['another method', { method: 'PUT' }, /POST or GET/],
    ['a Public URL with a query', { publicUrl: 'https://nr.example.com/?a=1' }, /query/],
    ['a Public URL that is no URL', { publicUrl: 'nr.example.com' }, /not absolute/],
    ['a Public URL with a password', { publicUrl: 'https://u:p@nr.example.com' }, /user or password/],
    ['a Public URL that is no text', { publicUrl: ['https://nr.example.com'] }, /must be text/],
    ['an auto-reply that is no text', { replyStop: 42 }, /STOP must be text/],
  ])('shows a configuration error on the node and serves nothing: %s', async (_name, settings, message) => {
    flow = await WebhookFlow.start(inboundNode({ path: '/sms/in', ...settings }));
    expect(flow.logged(20)).toContainEqual({ id: 'in', msg: expect.stringMatching(message) });
    expect(flow.lastStatus('in')).toEqual({ fill: 'red', shape: 'ring', text: 'not configured' });
    expect((await flow.post('/sms/in', sms('a', 'c-1'))).status).toBe(404);
  });

  it('warns when signature verification is off, and then takes unsigned requests', async () => {
    flow = await WebhookFlow.start(inboundNode({ verify: false }));
    expect(flow.logged(30)).toContainEqual({ id: 'in', msg: expect.stringContaining('signature verification is OFF') });
    expect((await flow.post('/sms/in', sms('a', 'v-1'), null)).status).toBe(200);
  });
});

