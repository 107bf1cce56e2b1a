/**
 * `sms-consent`: the consent ledger inside a flow (DESIGN §4). Checks a number before a message
 * goes out (outputs allowed / blocked), records opt-ins and opt-outs with their evidence, reads a
 * number's history, imports a suppression list. The ledger lives in the selected `sms-store`, or
 * the default file in the user directory, shared with every other A2P Kit node.
 *
 * The operation is a node setting only: the check's two outputs are wired in the editor, and a
 * message must not be able to turn a gate into a write to the ledger.
 */
import { DEFAULT_CHECK_TOPIC, checkRecipient, recipientHistory, recordRecipient } from '../core/consent/ledger';
import { importSuppressionList } from '../core/consent/import';
import { isPlainObject } from '../core/plain-object';
import { SmsError, kindOf, toSmsError } from '../core/errors';
import type { Store } from '../core/types';
import type { DoneFunction, Node, NodeAPI, NodeDef, NodeMessage, NodeStatus, SendFunction } from './node-red-api';
import { closeAfterWork } from './close-after-work';
import { storeLeaseFor } from './sms-store';

export const CONSENT_NODE_TYPE = 'sms-consent';

export const CONSENT_OPERATIONS = ['check', 'opt-in', 'opt-out', 'history', 'import'] as const;
export type ConsentOperation = (typeof CONSENT_OPERATIONS)[number];

/** Where a recorded opt-in or opt-out says it came from when the node's Source is empty. */
export const RECORD_SOURCE_DEFAULT = 'node-red';

interface SmsConsentDef extends NodeDef {
  operation?: unknown;
  /** An `sms-store` config node; empty: the default file in the user directory. */
  store?: string;
  topic?: unknown;
  requireOptIn?: unknown;
  defaultCountry?: unknown;
  source?: unknown;
  column?: unknown;
}

/** The node's configuration, checked once at deploy. An absent field means "the operation's default". */
export interface ConsentSettings {
  operation: ConsentOperation;
  topic?: string;
  requireOptIn: boolean;
  defaultCountry?: string;
  source?: string;
  column?: string;
}

function optionalSetting(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new SmsError('INVALID_INPUT', `${name} must be text; got ${kindOf(value)}`);
  const v = value.trim();
  return v === '' ? undefined : v;
}

export function parseConsentSettings(def: SmsConsentDef): ConsentSettings {
  const operation = def.operation === undefined || def.operation === '' ? 'check' : def.operation;
  if (!CONSENT_OPERATIONS.includes(operation as ConsentOperation)) {
    throw new SmsError('INVALID_INPUT', `the operation must be one of ${CONSENT_OPERATIONS.join(', ')}`);
  }
  const settings: ConsentSettings = { operation: operation as ConsentOperation, requireOptIn: def.requireOptIn === true };
  const fields = [
    ['topic', def.topic, 'Topic'],
    ['defaultCountry', def.defaultCountry, 'Country'],
    ['source', def.source, 'Source'],
    ['column', def.column, 'Column'],
  ] as const;
  for (const [key, value, name] of fields) {
    const v = optionalSetting(value, name);
    if (v !== undefined) settings[key] = v;
  }
  return settings;
}

/**
 * The number to look up, in sms-send's order: `to` of an object payload, else `msg.to` — a gate
 * must check the number the send after it will text. A bulk array is refused: one check cannot
 * speak for many recipients.
 */
export function recipientOf(msg: NodeMessage): string {
  if (Array.isArray(msg.payload)) {
    throw new SmsError('INVALID_INPUT', 'msg.payload is a list: check one recipient per message (use a split node)');
  }
  const fromPayload = isPlainObject(msg.payload) ? msg.payload.to : undefined;
  for (const [value, name] of [
    [fromPayload, 'msg.payload.to'],
    [msg.to, 'msg.to'],
  ] as const) {
    if (value === undefined || value === null || value === '') continue;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    throw new SmsError('INVALID_INPUT', `${name} must be one phone number as text; got ${kindOf(value)}`);
  }
  throw new SmsError('INVALID_PHONE', 'no recipient: set "to" in the msg.payload object, or msg.to');
}

/**
 * `msg.consentTopic` overrides the node's Topic. Not `msg.topic`: that is Node-RED's generic
 * field (MQTT topics, inject names) and would silently change what is checked.
 */
export function topicOf(msg: NodeMessage, settings: ConsentSettings): string | undefined {
  const given = msg.consentTopic;
  if (given === undefined || given === null || given === '') return settings.topic;
  if (typeof given !== 'string') throw new SmsError('INVALID_INPUT', `msg.consentTopic must be text; got ${kindOf(given)}`);
  return given;
}

/**
 * The evidence to keep with an event: `msg.evidence` (the store checks its size and content),
 * plus which node recorded it, written last so a message cannot forge who recorded it.
 */
export function evidenceOf(msg: NodeMessage, node: { id: string; z?: string; name?: string }): Record<string, unknown> {
  if (msg.evidence !== undefined && msg.evidence !== null && !isPlainObject(msg.evidence)) {
    throw new SmsError('INVALID_INPUT', `msg.evidence must be an object; got ${kindOf(msg.evidence)}`);
  }
  const recordedBy: Record<string, unknown> = { engine: 'node-red', node: node.id };
  if (node.z) recordedBy.flow = node.z;
  if (node.name) recordedBy.name = node.name;
  return { ...(msg.evidence as Record<string, unknown> | undefined), recordedBy };
}

/** What an import reads: CSV text (a Buffer is read as UTF-8) or an array of numbers / objects. */
export function importInputOf(payload: unknown): string | unknown[] {
  if (typeof payload === 'string') return payload;
  if (Array.isArray(payload)) return payload;
  if (Buffer.isBuffer(payload)) return payload.toString('utf8');
  throw new SmsError(
    'INVALID_INPUT',
    `import takes CSV text, a Buffer of CSV or an array of numbers in msg.payload; got ${kindOf(payload)}`,
  );
}

/** The error a Catch node gets: code and message, no cause (Node-RED would copy it into the message). */
function reportable(e: unknown): SmsError {
  const err = toSmsError(e, 'STORE_ERROR');
  return new SmsError(err.code, err.message, { retryable: err.retryable });
}

/** What a node has done since it started, for its status. */
class Tally {
  allowed = 0;
  blocked = 0;
  recorded = 0;
  lookedUp = 0;
  imported = 0;
  rejected = 0;

  status(operation: ConsentOperation): NodeStatus {
    switch (operation) {
      case 'check':
        return { fill: 'green', shape: 'dot', text: `allowed ${this.allowed} · blocked ${this.blocked}` };
      case 'opt-in':
      case 'opt-out':
        return { fill: 'green', shape: 'dot', text: `recorded ${this.recorded}` };
      case 'history':
        return { fill: 'green', shape: 'dot', text: `looked up ${this.lookedUp}` };
      case 'import':
        return {
          fill: this.rejected > 0 ? 'yellow' : 'green',
          shape: 'dot',
          text: `imported ${this.imported}, ${this.rejected} rejected`,
        };
    }
  }
}

type Ports = NodeMessage | (NodeMessage | null)[];

export default function register(RED: NodeAPI): void {
  function SmsConsent(this: Node, def: SmsConsentDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const tally = new Tally();
    const jobs = new Set<Promise<void>>();
    /** Stopping (redeploy, shutdown): new messages are refused, status left alone. */
    let closing = false;
    /** Stopped: nothing leaves the node any more (Node-RED may have started its successor). */
    let closed = false;
    const lease = storeLeaseFor(RED, def.store);

    let settings: ConsentSettings | SmsError;
    try {
      settings = parseConsentSettings(def);
    } catch (e) {
      settings = reportable(e);
      node.status({ fill: 'red', shape: 'ring', text: 'configuration error' });
      node.warn(settings.message);
    }

    async function perform(msg: NodeMessage, s: ConsentSettings, store: Store): Promise<Ports> {
      const topic = topicOf(msg, s);
      const country = s.defaultCountry === undefined ? {} : { defaultCountry: s.defaultCountry };
      switch (s.operation) {
        case 'check': {
          // Named here, not left to the ledger: msg.consent reports the topic that was checked.
          const checked = topic ?? DEFAULT_CHECK_TOPIC;
          const d = await checkRecipient(store, { phone: recipientOf(msg), topic: checked, requireOptIn: s.requireOptIn, ...country });
          msg.consent = { allowed: d.allowed, reason: d.reason, ...(d.since !== undefined && { since: d.since }), phone: d.phone, topic: checked };
          // Only an explicit yes opens the gate.
          if (d.allowed === true) {
            tally.allowed++;
            return [msg, null];
          }
          tally.blocked++;
          return [null, msg];
        }
        case 'opt-in':
        case 'opt-out': {
          msg.consent = await recordRecipient(store, {
            phone: recipientOf(msg),
            action: s.operation,
            source: s.source ?? RECORD_SOURCE_DEFAULT,
            evidence: evidenceOf(msg, def),
            ...(topic !== undefined && { topic }),
            ...country,
          });
          tally.recorded++;
          return msg;
        }
        case 'history': {
          msg.payload = await recipientHistory(store, recipientOf(msg), { ...country, ...(topic !== undefined && { topic }) });
          tally.lookedUp++;
          return msg;
        }
        case 'import': {
          const result = await importSuppressionList(store, importInputOf(msg.payload), {
            evidence: evidenceOf(msg, def),
            ...(topic !== undefined && { topic }),
            ...(s.source !== undefined && { source: s.source }),
            ...(s.column !== undefined && { column: s.column }),
            ...country,
          });
          msg.payload = result;
          tally.imported += result.recorded + result.unchanged;
          tally.rejected += result.rejected.length;
          return msg;
        }
      }
    }

    async function answer(msg: NodeMessage, send: SendFunction, done: DoneFunction): Promise<void> {
      let ports: Ports;
      try {
        if (closing) throw new SmsError('CANCELED', 'sms-consent is stopping (redeploy or shutdown): nothing was done', { retryable: true });
        const s = settings;
        if (s instanceof SmsError) throw s;
        ports = await perform(msg, s, await lease.store);
      } catch (e) {
        const err = reportable(e);
        // A stale decision from an earlier node must not ride along with the error.
        delete msg.consent;
        msg.error = err.toJSON();
        if (closed) {
          node.warn(`sms-consent stopped before it could report: ${err.code}: ${err.message}`);
          return;
        }
        if (!closing) node.status({ fill: 'red', shape: 'ring', text: `failed: ${err.code}` });
        done(err);
        return;
      }
      if (closed) {
        node.warn('sms-consent stopped before it could pass a message on; what it recorded is in the ledger');
        return;
      }
      if (!closing && !(settings instanceof SmsError)) node.status(tally.status(settings.operation));
      send(ports);
      done();
    }

    node.on('input', (msg, send, done) => {
      const job = answer(msg, send, done)
        // answer() reports its own failures; only Node-RED's send could throw here.
        .catch((e: unknown) => node.warn(`sms-consent could not pass a message on: ${toSmsError(e).message}`))
        .finally(() => jobs.delete(job));
      jobs.add(job);
    });

    node.on('close', (_removed, done) => {
      closing = true;
      closeAfterWork(
        RED,
        node,
        {
          pending: () => [...jobs],
          release: () => lease.release(),
          stopped: () => {
            closed = true;
          },
          what: 'the consent ledger',
        },
        done,
      );
    });
  }

  RED.nodes.registerType(CONSENT_NODE_TYPE, SmsConsent);
}
