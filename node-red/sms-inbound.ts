/**
 * `sms-inbound`: an HTTP endpoint for a provider's inbound-SMS webhook (DESIGN §4). Verifies the
 * signature, records STOP/START in the consent ledger, answers the provider (TwiML for Twilio
 * auto-replies), and emits one message per received SMS with the InboundSms in msg.payload.
 */
import { SmsError, kindOf } from '../core/errors';
import { handleInbound } from '../core/webhook/handle-inbound';
import type { InboundEvent, InboundWebhookOptions } from '../core/webhook/types';
import type { Node, NodeAPI } from './node-red-api';
import { startWebhookNode, type WebhookNodeDef } from './webhook-node';

export const INBOUND_NODE_TYPE = 'sms-inbound';

interface SmsInboundDef extends WebhookNodeDef {
  recordConsent?: unknown;
  emitKeywords?: unknown;
  keywordMode?: unknown;
  defaultCountry?: unknown;
  replyStop?: unknown;
  replyStart?: unknown;
  replyHelp?: unknown;
}

function text(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new SmsError('INVALID_INPUT', `${name} must be text; got ${kindOf(value)}`);
  return value.trim() === '' ? undefined : value;
}

export function inboundOptions(def: SmsInboundDef): InboundWebhookOptions {
  const opts: InboundWebhookOptions = {
    recordConsent: def.recordConsent !== false,
    emitKeywordMessages: def.emitKeywords !== false,
    dedupe: def.dedupe !== false,
    keywords: { mode: def.keywordMode === 'lenient' ? 'lenient' : 'exact' },
  };
  const country = text(def.defaultCountry, 'Default country');
  if (country !== undefined) opts.defaultCountry = country.trim().toUpperCase();
  const replies: NonNullable<InboundWebhookOptions['autoReply']> = {};
  const stop = text(def.replyStop, 'STOP reply');
  const start = text(def.replyStart, 'START reply');
  const help = text(def.replyHelp, 'HELP reply');
  if (stop !== undefined) replies['opt-out'] = stop;
  if (start !== undefined) replies['opt-in'] = start;
  if (help !== undefined) replies.help = help;
  if (Object.keys(replies).length > 0) opts.autoReply = replies;
  return opts;
}

export default function register(RED: NodeAPI): void {
  function SmsInbound(this: Node, def: SmsInboundDef): void {
    RED.nodes.createNode(this, def);
    let opts: InboundWebhookOptions;
    try {
      opts = inboundOptions(def);
    } catch (e) {
      this.error((e as Error).message);
      return;
    }
    const tally = { received: 0, stop: 0 };
    startWebhookNode<InboundEvent>(RED, this, def, {
      kind: 'inbound',
      handle: (raw, ctx) => handleInbound(raw, ctx, opts),
      count: (e) => {
        tally.received++;
        if (e.keyword?.intent === 'opt-out') tally.stop++;
      },
      statusText: () => `received ${tally.received}` + (tally.stop > 0 ? ` · stop ${tally.stop}` : ''),
    });
  }
  RED.nodes.registerType(INBOUND_NODE_TYPE, SmsInbound);
}
