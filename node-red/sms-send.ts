/**
 * `sms-send`: sends the SMS a message asks for (DESIGN §4) through the provider of an
 * `sms-provider` config node. Output 1 gets what was sent, output 2 what failed; every failure also
 * reaches Catch nodes through `done(err)`. Idempotency rides on the SQLite message log of the
 * selected `sms-store` (by default in the Node-RED user directory), shared by every sms-send in
 * the process.
 *
 * Consent checking is on unless the node turns it off (`checkConsent: false`), flows written
 * before the setting existed included: with the default topic and no opt-in required it refuses
 * only recipients who opted out (OPTED_OUT), whom no flow should text.
 */
import { existsSync } from 'node:fs';
import { DEFAULT_CHECK_TOPIC } from '../core/consent/ledger';
import { sendBatch } from '../core/dispatch';
import type { DispatchOptions, SendOutcome, SendRequest } from '../core/dispatch/types';
import { SmsError, toSmsError } from '../core/errors';
import type { StoreLease } from '../core/store';
import type { Store } from '../core/types';
import type { DoneFunction, Node, NodeAPI, NodeDef, NodeMessage, SendFunction } from './node-red-api';
import { closeAfterWork } from './close-after-work';
import { prepareItems, type ItemDefaults, type PreparedItem } from './send-items';
import { catchError, finalStatus, progressStatus, stoppedSummary, tally, type ItemOutcome } from './send-report';
import { PROVIDER_NODE_TYPE, type ProviderConnection, type SmsProviderNode } from './sms-provider';
import { DLR_NODE_TYPE, type SmsDlrNode } from './sms-dlr';
import { storeFileFor, storeLeaseFor } from './sms-store';

export const SEND_NODE_TYPE = 'sms-send';

const TYPED_INPUT_TYPES = new Set(['str', 'msg', 'flow', 'global', 'env']);
/** Status updates during a bulk: often enough to watch, rare enough not to flood the editor. */
const PROGRESS_INTERVAL_MS = 250;
interface SmsSendDef extends NodeDef {
  provider?: string;
  /** An `sms-store` config node; empty: the default file in the user directory. */
  store?: string;
  to?: string;
  toType?: string;
  from?: string;
  fromType?: string;
  mode?: string;
  message?: string;
  messageType?: string;
  template?: string;
  defaultCountry?: string;
  smartEncoding?: boolean;
  maxSegments?: string | number;
  statusCallbackUrl?: string;
  /** An `sms-dlr` node whose public URL becomes the status callback (the Status URL field wins). */
  dlrNode?: string;
  validity?: string | number;
  idempotencyScope?: string;
  idempotencyScopeType?: string;
  concurrency?: string | number;
  dryRun?: boolean;
  /** Unset counts as on. */
  checkConsent?: boolean;
  /** Empty: `marketing`. */
  consentTopic?: string;
  requireOptIn?: boolean;
}

interface TypedValue {
  value: string;
  type: string;
}

/** The node's configuration, checked once at deploy. */
interface Settings {
  to: TypedValue;
  from: TypedValue;
  /** Text mode only. */
  message?: TypedValue;
  /** Template mode only. */
  template?: string;
  scope: TypedValue;
  statusCallbackUrl?: string;
  validitySeconds?: number;
  dispatch: Pick<DispatchOptions, 'defaultCountry' | 'smartEncoding' | 'maxSegments' | 'concurrency' | 'dryRun' | 'consent'>;
}

function typed(value: unknown, type: unknown, fallbackType: string, name: string): TypedValue {
  const t = type === undefined || type === '' ? fallbackType : type;
  if (typeof t !== 'string' || !TYPED_INPUT_TYPES.has(t)) {
    throw new SmsError('INVALID_INPUT', `${name}: the source must be one of ${[...TYPED_INPUT_TYPES].join(', ')}`);
  }
  return { value: typeof value === 'string' ? value : '', type: t };
}

/** Number fields arrive from the editor as text; empty means "the default". */
function optionalNumber(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : Number.NaN;
  if (!Number.isFinite(n)) throw new SmsError('INVALID_INPUT', `${name} must be a number`);
  return n;
}

export function parseSettings(def: SmsSendDef): Settings {
  const mode = def.mode ?? 'text';
  if (mode !== 'text' && mode !== 'template') throw new SmsError('INVALID_INPUT', 'the message mode must be "text" or "template"');
  const settings: Settings = {
    to: typed(def.to ?? 'to', def.toType, 'msg', 'To'),
    from: typed(def.from, def.fromType, 'str', 'From'),
    scope: typed(def.idempotencyScope, def.idempotencyScopeType, 'str', 'Idempotency scope'),
    dispatch: {
      smartEncoding: def.smartEncoding !== false,
      dryRun: def.dryRun === true,
    },
  };
  if (mode === 'template') settings.template = typeof def.template === 'string' ? def.template : '';
  else settings.message = typed(def.message ?? 'payload', def.messageType, 'msg', 'Message');
  const country = typeof def.defaultCountry === 'string' ? def.defaultCountry.trim() : '';
  if (country) settings.dispatch.defaultCountry = country;
  const maxSegments = optionalNumber(def.maxSegments, 'Max segments');
  if (maxSegments !== undefined) settings.dispatch.maxSegments = maxSegments;
  const concurrency = optionalNumber(def.concurrency, 'Concurrency');
  if (concurrency !== undefined) settings.dispatch.concurrency = concurrency;
  const validity = optionalNumber(def.validity, 'Validity');
  if (validity !== undefined) settings.validitySeconds = validity;
  const callback = typeof def.statusCallbackUrl === 'string' ? def.statusCallbackUrl.trim() : '';
  if (callback) settings.statusCallbackUrl = callback;
  const consent = consentSettings(def);
  if (consent) settings.dispatch.consent = consent;
  return settings;
}

/** The topic's length and characters are the dispatcher's to check, as for every other caller. */
function consentSettings(def: SmsSendDef): DispatchOptions['consent'] {
  if (def.checkConsent === false) return undefined;
  const topic = def.consentTopic ?? '';
  if (typeof topic !== 'string') throw new SmsError('INVALID_INPUT', 'the consent topic must be text');
  return { topic: topic.trim() || DEFAULT_CHECK_TOPIC, requireOptIn: def.requireOptIn === true };
}

export default function register(RED: NodeAPI): void {
  function SmsSend(this: Node, def: SmsSendDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    // Each message under way, with the switch that stops its batch from starting more sends.
    const jobs = new Map<Promise<void>, AbortController>();
    /** Stopping (redeploy, shutdown): no new sends, no status updates. */
    let closing = false;
    /** Stopped and deleted from the flow: its outputs and Catch nodes are gone from the user's view. */
    let removed = false;
    /** Stopped: nothing leaves the node any more (Node-RED may have started its successor). */
    let closed = false;
    let lease: StoreLease | undefined;

    let settings: Settings | SmsError;
    try {
      settings = parseSettings(def);
    } catch (e) {
      settings = toSmsError(e, 'INVALID_INPUT');
      node.status({ fill: 'red', shape: 'ring', text: 'configuration error' });
      node.warn(settings.message);
    }

    const evaluate = (tv: TypedValue, msg: NodeMessage): Promise<unknown> => {
      // An empty msg property path would make Node-RED throw; it means "not set".
      if (tv.type !== 'str' && tv.value === '') return Promise.resolve(undefined);
      return new Promise((resolve, reject) =>
        RED.util.evaluateNodeProperty(tv.value, tv.type, node, msg, (err, value) => (err ? reject(err) : resolve(value))),
      );
    };

    const connection = (): ProviderConnection => {
      const config = def.provider ? RED.nodes.getNode(def.provider) : null;
      if (!config || config.type !== PROVIDER_NODE_TYPE) {
        throw new SmsError('MISSING_CREDENTIALS', 'no sms-provider config node selected');
      }
      return (config as SmsProviderNode).connection();
    };

    /** The picked sms-dlr node's URL: a send without its reports would be silent, so a bad pick is an error. */
    const reportsUrl = (): string | undefined => {
      if (!def.dlrNode) return undefined;
      const dlr = RED.nodes.getNode(def.dlrNode);
      if (!dlr || dlr.type !== DLR_NODE_TYPE) throw new SmsError('INVALID_INPUT', 'the sms-dlr node picked under "Reports to" is missing or disabled');
      return (dlr as SmsDlrNode).statusCallbackUrl(connection().provider.id);
    };

    const store = async (): Promise<Store> => {
      lease ??= storeLeaseFor(RED, def.store);
      return lease.store;
    };

    async function itemsOf(msg: NodeMessage, s: Settings): Promise<PreparedItem[] | SmsError> {
      let defaults: ItemDefaults;
      try {
        defaults = {
          to: await evaluate(s.to, msg),
          from: await evaluate(s.from, msg),
        };
        if (s.message) defaults.text = await evaluate(s.message, msg);
        if (s.template !== undefined) defaults.template = s.template;
        const callback = s.statusCallbackUrl ?? reportsUrl();
        if (callback) defaults.statusCallbackUrl = callback;
      } catch (e) {
        return toSmsError(e, 'INVALID_INPUT');
      }
      if (s.validitySeconds !== undefined) defaults.validitySeconds = s.validitySeconds;
      return prepareItems(msg, defaults).items;
    }

    async function run(msg: NodeMessage, s: Settings, items: PreparedItem[], signal: AbortSignal): Promise<ItemOutcome[]> {
      const outcomes: ItemOutcome[] = [];
      const ready: { index: number; request: SendRequest }[] = [];
      items.forEach((item, index) => {
        if (item.ok) ready.push({ index, request: item.request });
        else outcomes[index] = { index, input: item.input, ok: false, error: item.error };
      });
      if (ready.length === 0) return outcomes;

      let results: SendOutcome[];
      try {
        results = await sendBatch(
          ready.map((r) => r.request),
          await dispatchOptions(msg, s, items.length - ready.length, signal),
        );
      } catch (e) {
        // A problem of the whole batch (provider, credentials, store, options): every item shares it.
        const error = toSmsError(e, 'INVALID_INPUT');
        results = ready.map((_r, index) => ({ index, ok: false, error }));
      }
      results.forEach((o, i) => {
        const { index } = ready[i]!;
        const input = items[index]!.input;
        outcomes[index] = o.ok
          ? { index, input, ok: true, result: o.result, ...(o.dryRun && { dryRun: true }) }
          : { index, input, ok: false, error: o.error };
      });
      return outcomes;
    }

    async function dispatchOptions(msg: NodeMessage, s: Settings, failedBefore: number, signal: AbortSignal): Promise<DispatchOptions> {
      const conn = connection();
      const scope = await evaluate(s.scope, msg);
      if (scope !== undefined && typeof scope !== 'string' && typeof scope !== 'number') {
        throw new SmsError('INVALID_INPUT', 'the idempotency scope must be text');
      }
      const opts: DispatchOptions = {
        ...s.dispatch,
        provider: conn.provider,
        credentials: conn.credentials,
        idempotencyScope: scope === undefined ? '' : String(scope),
        onProgress: progressReporter(failedBefore),
        signal,
      };
      if (conn.ratePerSecond !== undefined) opts.ratePerSecond = conn.ratePerSecond;
      // A dry run claims nothing and creates no file. It reads the consent ledger when there is
      // one; without the file the dispatcher reads an empty ledger, as a first real run would.
      if (!s.dispatch.dryRun || (opts.consent !== undefined && ledgerExists())) opts.store = await store();
      return opts;
    }

    function ledgerExists(): boolean {
      const file = storeFileFor(RED, def.store);
      return file === ':memory:' || existsSync(file);
    }

    function progressReporter(failedBefore: number): DispatchOptions['onProgress'] {
      let last = 0;
      return (p) => {
        // The status of a stopping node would outlive it: the close clears it, and its successor
        // (same id) sets its own.
        if (closing) return;
        const now = Date.now();
        if (p.done < p.total && now - last < PROGRESS_INTERVAL_MS) return;
        last = now;
        node.status(progressStatus({ ...p, total: p.total + failedBefore, failed: p.failed + failedBefore }));
      };
    }

    function respond(msg: NodeMessage, bulk: boolean, outcomes: ItemOutcome[], send: SendFunction, done: DoneFunction): void {
      const t = tally(outcomes);
      if (closed || removed) {
        // Messages from a node that is gone would reach nodes no longer wired to it, or its
        // successor's. What was sent is in the message log: sending the input again is safe.
        node.warn(`sms-send ${removed ? 'was removed' : 'had stopped'} before it could report: ${stoppedSummary(t)}`);
        return;
      }
      if (!closing) node.status(finalStatus(t));
      const ok = outcomes.filter((o): o is Extract<ItemOutcome, { ok: true }> => o.ok);
      const failed = outcomes.filter((o): o is Extract<ItemOutcome, { ok: false }> => !o.ok);

      if (!bulk) {
        const only = outcomes[0]!;
        msg.sms = only.input;
        if (only.ok) {
          msg.payload = only.result;
          send([msg, null]);
          done();
        } else {
          msg.error = only.error.toJSON();
          send([null, msg]);
          done(catchError(t, [only.error], false));
        }
        return;
      }

      if (!failed.length) {
        // An empty bulk is answered too: with nothing sent and nothing failed.
        msg.payload = ok.map((o) => o.result);
        msg.sms = ok.map((o) => o.input);
        send([msg, null]);
        done();
        return;
      }
      // The failures travel on the original msg object: it is the one Catch nodes receive a copy of.
      let sentMsg: NodeMessage | null = null;
      if (ok.length) {
        const { payload: _payload, sms: _sms, ...rest } = msg;
        sentMsg = RED.util.cloneMessage(rest as NodeMessage);
        sentMsg.payload = ok.map((o) => o.result);
        sentMsg.sms = ok.map((o) => o.input);
      }
      const error = catchError(t, failed.map((f) => f.error), true);
      msg.payload = failed.map((f) => ({ index: f.index, input: f.input, error: f.error.toJSON() }));
      msg.sms = failed.map((f) => f.input);
      msg.error = error.toJSON();
      send([sentMsg, msg]);
      done(error);
    }

    async function outcomesOf(msg: NodeMessage, signal: AbortSignal): Promise<ItemOutcome[]> {
      const s = settings;
      const whole = (error: SmsError): ItemOutcome[] =>
        Array.from(Array.isArray(msg.payload) ? msg.payload : [msg.payload], (input, index) => ({ index, input, ok: false, error }));
      if (closing) {
        // The same code as the items a stopping batch did not start: one branch retries both.
        return whole(new SmsError('CANCELED', 'sms-send is stopping (redeploy or shutdown): nothing was sent', { retryable: true }));
      }
      if (s instanceof SmsError) return whole(s);
      const items = await itemsOf(msg, s);
      return items instanceof SmsError ? whole(items) : run(msg, s, items, signal);
    }

    node.on('input', (msg, send, done) => {
      const bulk = Array.isArray(msg.payload);
      const abort = new AbortController();
      const job = outcomesOf(msg, abort.signal)
        .then((outcomes) => respond(msg, bulk, outcomes, send, done))
        .catch((e: unknown) => {
          // Not an expected failure (those are outcomes): report it without its cause, which
          // Node-RED would copy into the Catch message.
          const err = toSmsError(e);
          if (closed || removed) node.warn(`sms-send stopped before it could report: ${err.code}: ${err.message}`);
          else done(new SmsError(err.code, err.message));
        })
        .finally(() => jobs.delete(job));
      jobs.set(job, abort);
    });

    node.on('close', (isRemoved, done) => {
      closing = true;
      removed = isRemoved === true;
      // Batches start no further sends: those items fail as retryable (or, for a removed node,
      // are only logged). Requests already on the wire finish: the provider may have them.
      for (const abort of jobs.values()) abort.abort();

      closeAfterWork(
        RED,
        node,
        {
          // A message that arrived while stopping is answered at once; it is waited for too.
          pending: () => [...jobs.keys()],
          release: () => lease?.release(),
          stopped: () => {
            closed = true;
          },
          what: 'the message log',
        },
        done,
      );
    });
  }

  RED.nodes.registerType(SEND_NODE_TYPE, SmsSend);
}
