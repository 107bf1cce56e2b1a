/**
 * `sms-quiet-hours`: the Quiet-Hours Gate (DESIGN §4). Judges each message in its recipient's local
 * time (core `checkQuietHours`) and passes it on with `msg.quietHours`: output 1 when it may go now,
 * output 2 when it must wait. In hold-and-release mode the node keeps what must wait in the store
 * (core `HoldQueue`, queue = node id) and sends it on output 1 when its window opens, so a restart
 * or a redeploy loses none.
 */
import { SmsError, kindOf, toSmsError } from '../core/errors';
import { MESSAGE_CLASSES, checkQuietHours, resolvePolicy } from '../core/quiet-hours';
import { parseWindowsJson } from '../core/quiet-hours/windows-json';
import { HoldQueue, notPlainJson, type HoldAgain, type HoldQueueState, type ReleaseInfo } from '../core/quiet-hours/hold-queue';
import type { MessageClass, PresetId, QuietHoursDecision, QuietHoursInput, QuietHoursPolicy } from '../core/quiet-hours/types';
import type { StoreLease } from '../core/store';
import type { HeldMessage } from '../core/types';
import type { DoneFunction, Node, NodeAPI, NodeDef, NodeMessage, NodeStatus, SendFunction } from './node-red-api';
import { closeAfterWork } from './close-after-work';
import { storeLeaseFor } from './sms-store';

export const QUIET_HOURS_NODE_TYPE = 'sms-quiet-hours';

const TYPED_INPUT_TYPES = new Set(['str', 'msg', 'flow', 'global', 'env']);
/** Longer than any number or IANA zone: anything longer is refused before it reaches the core. */
const MAX_FIELD_LENGTH = 100;
const CONFIGURATION_ERROR = 'configuration error';

interface SmsQuietHoursDef extends NodeDef {
  /** A preset id, or `custom` for `windows`. */
  policy?: string;
  /** Custom policy: JSON `{ "mon": [{ "from": "09:00", "to": "20:00" }], ... }`. */
  windows?: string;
  /** `preset`: the preset's own (custom: none); `none`; `country`: `holidayCountry`/`holidayState`. */
  holidays?: string;
  holidayCountry?: string;
  holidayState?: string;
  messageClass?: string;
  timezone?: string;
  timezoneType?: string;
  fallbackTimezone?: string;
  defaultCountry?: string;
  /** `route` (default) or `hold`. */
  mode?: string;
  /** An `sms-store` config node; empty: the default file in the user directory. */
  store?: string;
}

interface TypedValue {
  value: string;
  type: string;
}

/** The node's configuration, checked once at deploy. */
export interface Settings {
  policy: PresetId | QuietHoursPolicy;
  messageClass: MessageClass;
  timezone: TypedValue;
  fallbackTimezone?: string;
  defaultCountry?: string;
  mode: 'route' | 'hold';
}

/** `msg.quietHours` on a message the node held and released. */
export type ReleasedDecision = Partial<QuietHoursDecision> & {
  released: true;
  /** Released by `msg.flush`, whatever its time. */
  forced?: true;
  /** ISO-8601 UTC: when the node first held it. */
  heldAt: string;
};

function text(value: unknown, name: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new SmsError('INVALID_INPUT', `${name} must be text; got ${kindOf(value)}`);
  return value.trim();
}

function policyOf(def: SmsQuietHoursDef): PresetId | QuietHoursPolicy {
  const id = text(def.policy, 'Policy') || 'us-tcpa';
  const holidays = text(def.holidays, 'Holidays') || 'preset';
  let override: QuietHoursPolicy['holidays'] | undefined;
  if (holidays === 'none') override = false;
  else if (holidays === 'country') {
    const country = text(def.holidayCountry, 'Holiday country').toUpperCase();
    if (!/^[A-Z]{2}$/.test(country)) throw new SmsError('INVALID_INPUT', 'the holiday country must be a two-letter code such as FR or US');
    const state = text(def.holidayState, 'Holiday state').toUpperCase();
    override = state ? { country, state } : { country };
  } else if (holidays !== 'preset') {
    throw new SmsError('INVALID_INPUT', 'Holidays must be "preset", "none" or "country"');
  }
  if (id === 'custom') return { windows: parseWindowsJson(text(def.windows, 'Windows'), 'the custom windows'), holidays: override ?? false };
  return override === undefined ? (id as PresetId) : { preset: id as PresetId, holidays: override };
}

export function parseSettings(def: SmsQuietHoursDef): Settings {
  const policy = policyOf(def);
  // Unknown presets, malformed windows and unknown holiday countries fail here, at deploy.
  resolvePolicy(policy);

  const messageClass = text(def.messageClass, 'Message class') || 'marketing';
  if (!MESSAGE_CLASSES.includes(messageClass as MessageClass)) {
    throw new SmsError('INVALID_INPUT', `the message class must be one of ${MESSAGE_CLASSES.join(', ')}`);
  }
  const mode = text(def.mode, 'Mode') || 'route';
  if (mode !== 'route' && mode !== 'hold') throw new SmsError('INVALID_INPUT', 'the mode must be "route" or "hold"');

  const zoneType = def.timezoneType === undefined || def.timezoneType === '' ? 'msg' : def.timezoneType;
  if (typeof zoneType !== 'string' || !TYPED_INPUT_TYPES.has(zoneType)) {
    throw new SmsError('INVALID_INPUT', `Time zone: the source must be one of ${[...TYPED_INPUT_TYPES].join(', ')}`);
  }
  const settings: Settings = {
    policy,
    messageClass: messageClass as MessageClass,
    timezone: { value: def.timezone === undefined ? 'timezone' : text(def.timezone, 'Time zone'), type: zoneType },
    mode,
  };
  const fallback = text(def.fallbackTimezone, 'Fallback zone');
  if (fallback) {
    // Judging one instant there proves the zone known (INVALID_TIMEZONE otherwise).
    checkQuietHours({ timezone: fallback, policy });
    settings.fallbackTimezone = fallback;
  }
  const country = text(def.defaultCountry, 'Country').toUpperCase();
  if (country) {
    if (!/^[A-Z]{2}$/.test(country)) throw new SmsError('INVALID_INPUT', 'the default country must be a two-letter code such as US');
    settings.defaultCountry = country;
  }
  return settings;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return Object.prototype.toString.call(v) === '[object Object]';
}

const has = (msg: NodeMessage, key: string): boolean => Object.prototype.hasOwnProperty.call(msg, key);

/** The recipient as sms-send would read it: the payload object's own `to`, else `msg.to`. */
function recipientOf(msg: NodeMessage): string | undefined {
  if (Array.isArray(msg.payload)) {
    throw new SmsError(
      'INVALID_INPUT',
      'msg.payload is a list (a bulk): split it first (split node), so that each recipient is judged in their own time zone',
    );
  }
  const own = isPlainObject(msg.payload) ? msg.payload.to : undefined;
  const [value, name] = own !== undefined && own !== null ? [own, 'msg.payload.to'] : [msg.to, 'msg.to'];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new SmsError('INVALID_PHONE', `${name} must be text; got ${kindOf(value)}`);
  if (value.length > MAX_FIELD_LENGTH) throw new SmsError('INVALID_PHONE', `${name} is too long to be a phone number`);
  return value;
}

function classOf(msg: NodeMessage, fallback: MessageClass): MessageClass {
  const value = msg.messageClass;
  if (value === undefined || value === null || value === '') return fallback;
  if (typeof value !== 'string' || !MESSAGE_CLASSES.includes(value as MessageClass)) {
    throw new SmsError('INVALID_INPUT', `msg.messageClass must be one of ${MESSAGE_CLASSES.join(', ')}; got ${kindOf(value)}`);
  }
  return value as MessageClass;
}

/** "Mon 08:00 EDT": when a message goes out, in its recipient's zone. */
export function localLabel(instant: string, zone: unknown): string {
  const ms = Date.parse(instant);
  if (!Number.isFinite(ms)) return '?';
  const format = (timeZone: string): string =>
    new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short' })
      .format(ms)
      .replace(',', '');
  try {
    return format(typeof zone === 'string' && zone ? zone : 'UTC');
  } catch {
    return format('UTC');
  }
}

/** An error as Node-RED shows it to Catch nodes: its code and details, never its cause. */
function reported(e: SmsError): SmsError {
  const { code, message, ...details } = e.toJSON();
  return new SmsError(code, message, details);
}

/** What this node calls on the Node-RED node beyond the input handler's `send`. */
interface GateNode extends Node {
  send(msg: (NodeMessage | null)[]): void;
}

export default function register(RED: NodeAPI): void {
  function SmsQuietHours(this: GateNode, def: SmsQuietHoursDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const jobs = new Set<Promise<void>>();
    let closing = false;
    let lease: StoreLease | undefined;
    let queue: HoldQueue | undefined;
    /** What the status shows: the held messages win over the last decision, an error over both. */
    const shown: { held: number; next?: string; last?: NodeStatus; error?: string } = { held: 0 };

    let settings: Settings | SmsError;
    try {
      settings = parseSettings(def);
    } catch (e) {
      settings = toSmsError(e, 'INVALID_INPUT');
      node.warn(settings.message);
    }

    const render = (): void => {
      if (closing) return;
      const held = shown.held > 0 ? `held ${shown.held}` : '';
      if (shown.error) node.status({ fill: 'red', shape: 'ring', text: held ? `${shown.error} · ${held}` : shown.error });
      else if (held) node.status({ fill: 'blue', shape: 'dot', text: shown.next ? `${held} · next ${shown.next}` : held });
      else node.status(shown.last ?? {});
    };

    const evaluate = (tv: TypedValue, msg: NodeMessage): Promise<unknown> => {
      // An empty msg property path would make Node-RED throw; it means "not set".
      if (tv.type !== 'str' && tv.value === '') return Promise.resolve(undefined);
      return new Promise((resolve, reject) =>
        RED.util.evaluateNodeProperty(tv.value, tv.type, node, msg, (err, value) => (err ? reject(err) : resolve(value))),
      );
    };

    async function decide(msg: NodeMessage, s: Settings): Promise<QuietHoursDecision> {
      const input: QuietHoursInput = { policy: s.policy, class: classOf(msg, s.messageClass) };
      const phone = recipientOf(msg);
      if (phone !== undefined) input.phone = phone;
      let zone: unknown;
      try {
        zone = await evaluate(s.timezone, msg);
      } catch (e) {
        throw toSmsError(e, 'INVALID_INPUT');
      }
      if (typeof zone === 'string' && zone.trim() !== '') {
        if (zone.length > MAX_FIELD_LENGTH) throw new SmsError('INVALID_TIMEZONE', 'the time zone is too long to be an IANA zone');
        input.timezone = zone.trim();
      } else if (zone !== undefined && zone !== null && zone !== '') {
        throw new SmsError('INVALID_TIMEZONE', `the time zone must be text, an IANA zone such as Europe/Paris; got ${kindOf(zone)}`);
      }
      if (s.fallbackTimezone) input.fallbackTimezone = s.fallbackTimezone;
      if (s.defaultCountry) input.defaultCountry = s.defaultCountry;
      return checkQuietHours(input);
    }

    function fail(msg: NodeMessage, error: SmsError, done: DoneFunction, status: string = error.code): void {
      msg.error = error.toJSON();
      shown.error = status;
      render();
      done(reported(error));
    }

    /** Keeps a deferred message in the store; msg.req/msg.res (an HTTP request) cannot wait. */
    async function hold(msg: NodeMessage, decision: QuietHoursDecision, q: HoldQueue): Promise<void> {
      const { req, res, ...kept } = msg;
      const problem = notPlainJson(kept, 'msg');
      if (problem) throw new SmsError('INVALID_INPUT', `${problem}: only JSON data can be held; the message was not held`);
      await q.hold(kept, decision.nextAllowedAt!);
      if (req !== undefined || res !== undefined) {
        node.warn('held a message without its msg.req/msg.res: an HTTP request cannot wait for quiet hours to end; answer it before this node');
      }
    }

    async function handle(msg: NodeMessage, send: SendFunction, done: DoneFunction): Promise<void> {
      if (has(msg, 'reset') || has(msg, 'flush')) return command(msg, done);
      const s = settings;
      if (s instanceof SmsError) return fail(msg, s, done, CONFIGURATION_ERROR);
      let decision: QuietHoursDecision;
      try {
        decision = await decide(msg, s);
      } catch (e) {
        return fail(msg, toSmsError(e, 'INVALID_INPUT'), done);
      }
      msg.quietHours = decision;
      shown.error = undefined;
      if (decision.allowed) {
        shown.last = { fill: 'green', shape: 'dot', text: decision.reason === 'exempt' ? 'send now (exempt)' : 'send now' };
        render();
        send([msg, null]);
        done();
        return;
      }
      if (s.mode === 'hold' && queue) {
        try {
          await hold(msg, decision, queue);
          done();
        } catch (e) {
          // Not held: it goes out deferred, like in route mode, with the reason it was not kept.
          const error = toSmsError(e, 'STORE_ERROR');
          msg.error = error.toJSON();
          shown.error = error.code;
          render();
          send([null, msg]);
          done(reported(error));
        }
        return;
      }
      shown.last = { fill: 'yellow', shape: 'ring', text: `deferred → ${localLabel(decision.nextAllowedAt ?? '', decision.timezone)}` };
      render();
      send([null, msg]);
      done();
    }

    async function command(msg: NodeMessage, done: DoneFunction): Promise<void> {
      if (!queue) return fail(msg, settings as SmsError, done, CONFIGURATION_ERROR);
      try {
        if (has(msg, 'reset')) {
          const discarded = await queue.discardAll();
          node.warn(`msg.reset: discarded ${discarded} held message${discarded === 1 ? '' : 's'}`);
          shown.last = { fill: 'grey', shape: 'ring', text: `discarded ${discarded}` };
          render();
        } else {
          const { released, failed } = await queue.releaseAll();
          node.log(`msg.flush: released ${released} held message${released === 1 ? '' : 's'}${failed ? `, ${failed} failed and stay held` : ''}`);
        }
        done();
      } catch (e) {
        fail(msg, toSmsError(e, 'STORE_ERROR'), done);
      }
    }

    /** Sends a held message on output 1 when its window is open; holds it again when it is not. */
    async function release(payload: unknown, held: HeldMessage, info: ReleaseInfo): Promise<void | HoldAgain> {
      const s = settings as Settings;
      if (!isPlainObject(payload)) {
        // Not a message this node held (the store was edited): to Catch nodes, then gone from the queue.
        node.error(new SmsError('INVALID_INPUT', `held message ${held.id} is not a Node-RED message`), { payload });
        return;
      }
      const msg = payload as NodeMessage;
      const previous = msg.quietHours as Partial<ReleasedDecision> | undefined;
      const heldAt = typeof previous?.heldAt === 'string' ? previous.heldAt : held.heldAt;
      let decision: QuietHoursDecision | SmsError;
      try {
        decision = await decide(msg, s);
      } catch (e) {
        decision = toSmsError(e, 'INVALID_INPUT');
      }
      // A late release (Node-RED was down through the window) must not send into the next quiet hours.
      if (!info.forced && !(decision instanceof SmsError) && !decision.allowed) {
        return { holdUntil: decision.nextAllowedAt!, payload: { ...msg, quietHours: { ...decision, heldAt } } };
      }
      // Downstream nodes may be stopping too: keep it for the next start instead.
      if (closing) throw new SmsError('CANCELED', 'the node is stopping; the message stays held', { retryable: true });
      if (decision instanceof SmsError && !info.forced) {
        // It leaves the store, so it must leave the node too: on output 2 with the reason, as a
        // message that could not be held does, and to Catch nodes.
        msg.error = decision.toJSON();
        shown.error = decision.code;
        node.send([null, msg]);
        node.error(reported(decision), msg);
        return;
      }
      const released: ReleasedDecision = {
        ...(decision instanceof SmsError ? {} : decision),
        released: true,
        ...(info.forced && { forced: true as const }),
        heldAt,
      };
      msg.quietHours = released;
      shown.last = { fill: 'green', shape: 'dot', text: 'released' };
      node.send([msg, null]);
    }

    if (!(settings instanceof SmsError)) {
      const storeLease = storeLeaseFor(RED, def.store);
      lease = storeLease;
      const q = new HoldQueue({
        // Read on every use: a lease whose file failed to open tries again on the next read.
        store: () => storeLease.store,
        queue: node.id,
        onError: (error) => {
          if (closing) return;
          node.warn(`held messages: ${error.code}: ${error.message}`);
          // In route mode the queue only drains what an earlier hold mode left: routing still works.
          if (settings instanceof SmsError || settings.mode !== 'hold') return;
          shown.error = error.code;
          render();
        },
        onChange: (state: HoldQueueState) => {
          shown.held = state.held;
          const next = state.next;
          shown.next = next ? localLabel(next.releaseAt, (next.payload as { quietHours?: { timezone?: unknown } } | null)?.quietHours?.timezone) : undefined;
          render();
        },
      });
      queue = q;
      q.start(release).catch(() => undefined);
    } else {
      shown.error = CONFIGURATION_ERROR;
      render();
    }

    node.on('input', (msg, send, done) => {
      const job = handle(msg, send, done)
        .catch((e: unknown) => done(reported(toSmsError(e))))
        .finally(() => jobs.delete(job));
      jobs.add(job);
    });

    node.on('close', (removed, done) => {
      closing = true;
      closeAfterWork(
        RED,
        node,
        {
          pending: () => [...jobs],
          release: async () => {
            await queue?.stop();
            if (removed && queue) {
              // Deleting the node must not silently delete what it holds: they stay in the store,
              // and undoing the delete (same node id) releases them.
              const left = await queue.count().catch(() => 0);
              if (left > 0) {
                node.warn(
                  `sms-quiet-hours was removed while holding ${left} message${left === 1 ? '' : 's'}: ` +
                    `they stay in the store under queue ${node.id}; restore the node (undo the delete and deploy) to release them`,
                );
              }
            }
            await lease?.release();
          },
          stopped: () => undefined,
          what: 'the store',
        },
        done,
      );
    });
  }

  RED.nodes.registerType(QUIET_HOURS_NODE_TYPE, SmsQuietHours);
}
