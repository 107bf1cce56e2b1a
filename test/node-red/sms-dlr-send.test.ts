/**
 * Closing the loop: an sms-send that picks an sms-dlr node under "Reports to" asks the provider
 * to report to that node's public URL, and refuses to send without reports when it cannot.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { useNock } from '../support/nock';
import { ACCOUNT, ALICE, SHOP, TWILIO, WebhookFlow, dlrNode, helper, inboundNode, sendNode, settle, until, type FlowNode, type Msg } from './webhook-flow';

useNock();

let flow: WebhookFlow | undefined;
afterEach(async () => {
  await flow?.stop();
  flow = undefined;
});

const TWILIO_PATH = `/2010-04-01/Accounts/${TWILIO.accountSid}/Messages.json`;

/** Twilio behind nock; resolves the StatusCallback each send asked for. */
function twilioCallbacks(): string[] {
  const seen: string[] = [];
  nock('https://api.twilio.com')
    .post(TWILIO_PATH, (b: Record<string, string>) => {
      seen.push(b.StatusCallback ?? '(none)');
      return true;
    })
    .times(5)
    .reply(201, { sid: 'SM0123456789abcdef0123456789abcdef', status: 'queued', num_segments: '1' });
  return seen;
}

/** Sends one SMS through node `send` and waits for it on "sent" or "failed" (and Catch). */
async function sendOne(): Promise<{ sent?: Msg; failed?: Msg; caught?: Msg }> {
  const sent = flow!.collect('send-out');
  const failed = flow!.collect('send-out1');
  const caught = flow!.collect('caught');
  helper.getNode('send').receive({ to: ALICE, payload: 'Your order shipped' });
  await until(() => sent.length === 1 || (failed.length === 1 && caught.length === 1));
  return { sent: sent[0], failed: failed[0], caught: caught[0] };
}

const twilioSend = (settings: Record<string, unknown> = {}) => sendNode({ provider: ACCOUNT.twilio, from: SHOP, fromType: 'str', checkConsent: false, dlrNode: 'dlr', ...settings });

describe('sms-send with "Reports to" an sms-dlr node', () => {
  it("passes the node's public URL (Public URL + httpNodeRoot + path) as the status callback", async () => {
    flow = await WebhookFlow.start([...dlrNode({ provider: ACCOUNT.twilio }), ...twilioSend()], { httpNodeRoot: '/hooks/' });
    const callbacks = twilioCallbacks();
    expect((await sendOne()).sent?.payload).toMatchObject({ provider: 'twilio', messageId: expect.any(String) });
    expect(callbacks).toEqual(['https://nr.example.com/hooks/sms/dlr']);
  });

  it('lets a Status URL typed into sms-send win over the pick', async () => {
    flow = await WebhookFlow.start([...dlrNode({ provider: ACCOUNT.twilio }), ...twilioSend({ statusCallbackUrl: 'https://other.example.com/reports' })]);
    const callbacks = twilioCallbacks();
    expect((await sendOne()).sent).toBeDefined();
    expect(callbacks).toEqual(['https://other.example.com/reports']);
  });

  it.each<[string, FlowNode[], RegExp]>([
    ['has no Public URL', dlrNode({ provider: ACCOUNT.twilio, publicUrl: '' }), /has no Public URL/],
    ['takes another provider\'s reports', dlrNode(), /receives sandbox reports, not twilio/],
    ['is not configured', dlrNode({ provider: ACCOUNT.twilio, path: '' }), /is not configured/],
    ['cannot have its path', [...inboundNode({ path: '/sms/dlr' }, 'first'), ...dlrNode({ provider: ACCOUNT.twilio })], /its path is served by another node/],
    ['is gone from the flow', [], /missing or disabled/],
  ])('sends nothing and fails each message with INVALID_INPUT when the sms-dlr node %s', async (_name, nodes, message) => {
    flow = await WebhookFlow.start([...nodes, ...twilioSend()]);
    const callbacks = twilioCallbacks();
    const { sent, failed, caught } = await sendOne();
    expect(sent).toBeUndefined();
    expect(failed?.error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(message) });
    expect(caught?.error).toMatchObject({ code: 'INVALID_INPUT', source: { id: 'send' } });
    expect(callbacks).toEqual([]);
  });

  it('gets the sandbox\'s signed report back through the real HTTP server, into the message log', async () => {
    flow = await WebhookFlow.start([]);
    const server = http.createServer(flow.httpNode as http.RequestListener).listen(0, '127.0.0.1');
    try {
      await new Promise((resolve) => server.once('listening', resolve));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await flow.redeploy([...dlrNode({ publicUrl: base }), ...sendNode({ dlrNode: 'dlr', checkConsent: false })]);
      const reports = flow.collect('dlr-out');
      const { sent } = await sendOne();
      const messageId = (sent?.payload as { messageId: string }).messageId;
      await until(() => reports.length === 1, 'the sandbox report');
      expect(reports[0]?.payload).toMatchObject({ provider: 'sandbox', messageId, status: 'delivered', messageStatus: 'delivered' });
      const answers = flow.collect('dlr-out');
      helper.getNode('dlr').receive({ topic: 'status', payload: messageId });
      await until(() => answers.length === 1);
      expect(answers[0]?.payload).toMatchObject({ messageId, status: 'delivered' });
      await settle();
      expect(flow.logged(30).filter((w) => w.id === 'dlr' && /answered/.test(w.msg))).toEqual([]);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
