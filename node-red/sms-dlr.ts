/**
 * `sms-dlr`: an HTTP endpoint for a provider's delivery reports (DESIGN §4). Verifies the
 * signature, merges each report into the message log (duplicates and out-of-order reports
 * settled by the store), records opt-outs proven by provider errors, and emits one message per
 * report. Its input answers questions about the log: msg.topic "summary" (how did a campaign do)
 * and "status" (one message's latest state). sms-send nodes pick it to route their reports here.
 */
import { summarizeDelivery, type DeliverySummary } from '../core/delivery/summary';
import { SmsError, kindOf, toSmsError } from '../core/errors';
import { isPlainObject } from '../core/plain-object';
import type { DeliveryFilter, MessageRecord, ProviderId, Store } from '../core/types';
import { handleStatus } from '../core/webhook/handle-status';
import { statusCallbackUrlFor } from '../core/webhook/request';
import { statusOptionsOf, type StatusSettings } from '../core/webhook/options';
import type { StatusEvent } from '../core/webhook/types';
import type { Node, NodeAPI, NodeMessage } from './node-red-api';
import { startWebhookNode, type WebhookNodeDef } from './webhook-node';

export const DLR_NODE_TYPE = 'sms-dlr';

interface SmsDlrDef extends WebhookNodeDef, StatusSettings {}

export interface SmsDlrNode extends Node {
  /**
   * The status callback URL for sends through `provider`. Throws INVALID_INPUT when this node
   * cannot receive them: not serving, no Public URL, or another provider's reports.
   */
  statusCallbackUrl(provider: ProviderId): string;
}

const FILTER_KEYS = ['clientRef', 'clientRefPrefix', 'provider', 'since', 'until'];

/** msg.payload of a "summary" command: the filter, or nothing for the whole log. */
export function filterOf(payload: unknown): DeliveryFilter {
  if (payload === undefined || payload === null || payload === '') return {};
  if (!isPlainObject(payload)) throw new SmsError('INVALID_INPUT', `msg.payload of a summary must be a filter object; got ${kindOf(payload)}`);
  const filter: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(payload)) {
    if (!FILTER_KEYS.includes(k)) throw new SmsError('INVALID_INPUT', `msg.payload.${k.slice(0, 40)} is not a summary filter (${FILTER_KEYS.join(', ')})`);
    if (v !== undefined && v !== null && v !== '') filter[k] = v;
  }
  return filter as DeliveryFilter;
}

export default function register(RED: NodeAPI): void {
  function SmsDlr(this: SmsDlrNode, def: SmsDlrDef): void {
    RED.nodes.createNode(this, def);
    const tally = { reports: 0, delivered: 0, failed: 0 };

    const started = startWebhookNode<StatusEvent>(RED, this, def, {
      kind: 'status',
      // Not "status": that is the command asking for one message's state, and its answer keeps it.
      topic: 'report',
      handler: () => {
        const opts = statusOptionsOf(def);
        return (raw, ctx) => handleStatus(raw, ctx, opts);
      },
      count: (e) => {
        tally.reports++;
        if (e.messageStatus === 'delivered') tally.delivered++;
        else if (e.final) tally.failed++;
      },
      statusText: () => `reports ${tally.reports} · delivered ${tally.delivered}` + (tally.failed > 0 ? ` · failed ${tally.failed}` : ''),
    });

    this.statusCallbackUrl = (provider: ProviderId) => {
      const { url, connection } = started.reachableAt();
      // Reports are checked with this node's account: another provider's would all be refused 401.
      if (connection.provider.id !== provider) {
        throw new SmsError('INVALID_INPUT', `the sms-dlr node "${this.name || this.id}" receives ${connection.provider.id} reports, not ${provider}: pick one whose provider sends them`);
      }
      return statusCallbackUrlFor(provider, url, connection.credentials);
    };

    this.on('input', (msg: NodeMessage, send, done) => {
      answer(msg, started.store).then(
        (payload) => {
          msg.payload = payload;
          send(msg);
          done();
        },
        (e: unknown) => {
          // Without its cause, which Node-RED would copy into the Catch message.
          const err = toSmsError(e, 'STORE_ERROR');
          done(new SmsError(err.code, err.message));
        },
      );
    });
  }
  RED.nodes.registerType(DLR_NODE_TYPE, SmsDlr);
}

/** The answer to a command on the node's input: a delivery summary or one message's record. */
async function answer(msg: NodeMessage, store: () => Promise<Store>): Promise<DeliverySummary | MessageRecord | null> {
  if (msg.topic === 'summary') {
    const filter = filterOf(msg.payload);
    return summarizeDelivery(await store(), filter);
  }
  if (msg.topic === 'status') {
    const id = msg.payload;
    if (typeof id !== 'string' || id.trim() === '' || id.length > 300) {
      throw new SmsError('INVALID_INPUT', `msg.payload of a status command must be a message id or idempotency key; got ${kindOf(id)}`);
    }
    return (await store()).getMessage(id.trim());
  }
  throw new SmsError('INVALID_INPUT', `msg.topic must be "summary" (msg.payload: a filter) or "status" (msg.payload: a message id); got ${kindOf(msg.topic)}`);
}
