/**
 * `sms-inbound`: an HTTP endpoint for a provider's inbound-SMS webhook (DESIGN §4). Verifies the
 * signature, records STOP/START in the consent ledger, answers the provider (TwiML for Twilio
 * auto-replies), and emits one message per received SMS with the InboundSms in msg.payload.
 */
import { handleInbound } from '../core/webhook/handle-inbound';
import { inboundOptionsOf, type InboundSettings } from '../core/webhook/options';
import type { InboundEvent } from '../core/webhook/types';
import type { Node, NodeAPI } from './node-red-api';
import { startWebhookNode, type WebhookNodeDef } from './webhook-node';

export const INBOUND_NODE_TYPE = 'sms-inbound';

interface SmsInboundDef extends WebhookNodeDef, InboundSettings {}

export default function register(RED: NodeAPI): void {
  function SmsInbound(this: Node, def: SmsInboundDef): void {
    RED.nodes.createNode(this, def);
    const tally = { received: 0, stop: 0 };
    startWebhookNode<InboundEvent>(RED, this, def, {
      kind: 'inbound',
      topic: 'inbound',
      handler: () => {
        const opts = inboundOptionsOf(def);
        return (raw, ctx) => handleInbound(raw, ctx, opts);
      },
      count: (e) => {
        tally.received++;
        if (e.keyword?.intent === 'opt-out') tally.stop++;
      },
      statusText: () => `received ${tally.received}` + (tally.stop > 0 ? ` · stop ${tally.stop}` : ''),
    });
  }
  RED.nodes.registerType(INBOUND_NODE_TYPE, SmsInbound);
}
