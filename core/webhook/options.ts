/**
 * A webhook node's settings, as both engines store them (flat fields of the editor), into the
 * handlers' options. One reading, so the same field means the same thing in n8n and Node-RED.
 */
import { SmsError, kindOf } from '../errors';
import type { InboundWebhookOptions, StatusWebhookOptions } from './types';

export interface InboundSettings {
  recordConsent?: unknown;
  emitKeywordMessages?: unknown;
  dedupe?: unknown;
  keywordMode?: unknown;
  defaultCountry?: unknown;
  replyStop?: unknown;
  replyStart?: unknown;
  replyHelp?: unknown;
}

export interface StatusSettings {
  onlyFinal?: unknown;
  dedupe?: unknown;
  recordOptOuts?: unknown;
}

function text(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new SmsError('INVALID_INPUT', `${name} must be text; got ${kindOf(value)}`);
  return value.trim() === '' ? undefined : value;
}

/** Switches are on unless set to false; texts empty are absent. Throws INVALID_INPUT for non-text texts. */
export function inboundOptionsOf(s: InboundSettings): InboundWebhookOptions {
  const opts: InboundWebhookOptions = {
    recordConsent: s.recordConsent !== false,
    emitKeywordMessages: s.emitKeywordMessages !== false,
    dedupe: s.dedupe !== false,
    keywords: { mode: s.keywordMode === 'lenient' ? 'lenient' : 'exact' },
  };
  const country = text(s.defaultCountry, 'Default Country');
  if (country !== undefined) opts.defaultCountry = country.trim().toUpperCase();
  const replies: NonNullable<InboundWebhookOptions['autoReply']> = {};
  const stop = text(s.replyStop, 'Auto-Reply to STOP');
  const start = text(s.replyStart, 'Auto-Reply to START');
  const help = text(s.replyHelp, 'Auto-Reply to HELP');
  if (stop !== undefined) replies['opt-out'] = stop;
  if (start !== undefined) replies['opt-in'] = start;
  if (help !== undefined) replies.help = help;
  if (Object.keys(replies).length > 0) opts.autoReply = replies;
  return opts;
}

/** Only Final is off unless set to true; the others on unless set to false. */
export function statusOptionsOf(s: StatusSettings): StatusWebhookOptions {
  return { onlyFinal: s.onlyFinal === true, dedupe: s.dedupe !== false, recordOptOuts: s.recordOptOuts !== false };
}
