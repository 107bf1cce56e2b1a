/**
 * An inbound-SMS webhook request, start to answer (issue 4): refused requests leave nothing behind;
 * kept ones are de-duplicated, their STOP/START recorded in the consent ledger, their parts
 * reassembled, and auto-replied to — in the HTTP answer where the provider allows it (TwiML),
 * otherwise through the provider's API after answering. Delivery events that share the inbound URL
 * (Telnyx, Sinch) are merged into the message log instead of refused.
 */
import { detectKeyword } from '../consent/keywords';
import { sendBatch } from '../dispatch';
import { SmsError } from '../errors';
import { normalizePhone } from '../phone';
import type { InboundSms, SmsProvider } from '../types';
import { recordIfChanged } from './consent';
import { keepReports } from './handle-status';
import { receive, refusal } from './receive';
import type { InboundEvent, InboundWebhookOptions, RawWebhookRequest, WebhookContext, WebhookResult } from './types';

type Intent = 'opt-out' | 'opt-in' | 'help';

export async function handleInbound(raw: RawWebhookRequest, ctx: WebhookContext, opts: InboundWebhookOptions = {}): Promise<WebhookResult<InboundEvent>> {
  try {
    checkSettings(opts);
  } catch (e) {
    // The node's fault, not the provider's: 500, so the provider retries once the setting is fixed
    // (a 400 would make it drop the messages, STOPs included).
    return refusal(e, ctx, 'inbound', 500);
  }
  try {
    const { req, provider } = receive(raw, ctx);
    if (provider.webhookKind?.(req) === 'status') {
      // The provider's one account-level URL also carries the delivery events of messages sent
      // without a status callback: kept in the message log (and their opt-out evidence in the
      // ledger), emitted by no one — this node's output is inbound messages.
      const kept = await keepReports(provider.parseStatus(req), ctx, { recordOptOuts: opts.recordConsent !== false });
      ctx.log?.('info', `${provider.id} inbound webhook: a delivery event applied to the message log (${kept.length} new)`);
      return { reply: provider.webhookResponse('status'), events: [] };
    }
    const parsed = provider.parseInbound(req);
    const complete: InboundSms[] = [];
    for (const m of parsed) {
      const whole = m.concat === undefined ? m : await collect(m, provider, ctx);
      if (whole !== undefined) complete.push(prepared(whole, opts));
    }

    const consent = new Map<InboundSms, 'opt-out' | 'opt-in'>();
    if (opts.recordConsent !== false) {
      for (const m of complete) {
        const intent = m.keyword?.intent;
        if (intent !== 'opt-out' && intent !== 'opt-in') continue;
        const evidence = { messageId: m.messageId, text: m.text, provider: m.provider, receivedAt: m.receivedAt };
        const e = { phone: m.from, action: intent, source: 'sms', evidence, ...(opts.defaultCountry ? { defaultCountry: opts.defaultCountry } : {}) };
        if (await recordIfChanged(ctx.store, e, ctx.log)) consent.set(m, intent);
      }
    }

    const seen = complete.length === 0 ? [] : await ctx.store.recordInbound(complete);
    const events: InboundEvent[] = [];
    const replies: { to: string; from: string; text: string; messageId: string }[] = [];
    complete.forEach((m, i) => {
      const duplicate = seen[i] === true;
      // A provider's retry is neither emitted nor answered again.
      if (duplicate && opts.dedupe !== false) return;
      const event: InboundEvent = { ...m, duplicate };
      const recorded = consent.get(m);
      if (recorded !== undefined) event.consentRecorded = recorded;
      const reply = duplicate ? undefined : autoReplyFor(m.keyword?.intent, opts);
      if (reply !== undefined) {
        event.autoReply = reply;
        replies.push({ to: m.from, from: m.to, text: reply, messageId: m.messageId });
      }
      if (m.keyword !== null && opts.emitKeywordMessages === false) return;
      events.push(event);
    });

    const inResponse = provider.repliesInResponse === true ? replies[0]?.text : undefined;
    const result: WebhookResult<InboundEvent> = { reply: provider.webhookResponse('inbound', inResponse), events };
    const later = provider.repliesInResponse === true ? replies.slice(1) : replies;
    if (later.length > 0) result.followUp = () => sendReplies(later, provider, ctx);
    return result;
  } catch (e) {
    return refusal(e, ctx, 'inbound');
  }
}

/** Throws INVALID_INPUT for a default country or keyword list that every message would trip over. */
function checkSettings(opts: InboundWebhookOptions): void {
  if (opts === null || typeof opts !== 'object') throw new SmsError('INVALID_INPUT', 'webhook: the inbound options must be an object');
  // Any valid E.164 number: normalizePhone reads the default country (and refuses a bad one) even
  // when the number does not need it.
  if (opts.defaultCountry !== undefined) normalizePhone('+14155550100', { defaultCountry: opts.defaultCountry });
  detectKeyword('STOP', opts.keywords);
}

function autoReplyFor(intent: Intent | undefined, opts: InboundWebhookOptions): string | undefined {
  const text = intent === undefined ? undefined : opts.autoReply?.[intent];
  return typeof text === 'string' && text.trim() !== '' ? text : undefined;
}

/** One part of a concatenated message: undefined until the store holds every part. */
async function collect(m: InboundSms, provider: SmsProvider, ctx: WebhookContext): Promise<InboundSms | undefined> {
  const c = m.concat as NonNullable<InboundSms['concat']>;
  const parts = await ctx.store.collectInboundPart({ provider: provider.id, from: m.from, ref: c.ref, part: c.part, total: c.total, message: m });
  if (parts === null) return undefined;
  const first = parts[0] as InboundSms;
  const last = parts[parts.length - 1] as InboundSms;
  const { concat: _concat, ...rest } = first;
  return { ...rest, text: parts.map((p) => p.text).join(''), receivedAt: last.receivedAt, parts: parts.length, raw: parts.map((p) => p.raw) };
}

/** Numbers in E.164 where they are numbers, and the keyword by the node's rules. */
function prepared(m: InboundSms, opts: InboundWebhookOptions): InboundSms {
  const ours = detectKeyword(m.text, opts.keywords);
  // The provider's own verdict (Twilio OptOutType, Plivo MessageIntent) stands when ours finds none:
  // the provider already acts on it.
  return { ...m, from: e164(m.from, opts.defaultCountry), to: e164(m.to, opts.defaultCountry), keyword: ours ?? m.keyword ?? null };
}

function e164(value: string, defaultCountry: string | undefined): string {
  try {
    return normalizePhone(value, defaultCountry ? { defaultCountry } : undefined).e164;
  } catch {
    // A short code or an alphanumeric sender id: kept as the provider gave it.
    return value;
  }
}

/**
 * Auto-replies through the provider's API. The consent check is off on purpose: the one
 * confirmation of a STOP is allowed (47 CFR 64.1200(a)(12)). The idempotency key comes from the
 * inbound message, so a retried request cannot make a second reply.
 */
async function sendReplies(replies: { to: string; from: string; text: string; messageId: string }[], provider: SmsProvider, ctx: WebhookContext): Promise<void> {
  try {
    const outcomes = await sendBatch(
      replies.map((r) => ({ to: r.to, from: r.from, text: r.text, idempotencyKey: `auto-reply:${provider.id}:${r.messageId}`.slice(0, 200) })),
      { provider, credentials: ctx.credentials, store: ctx.store, ...(ctx.http ? { http: ctx.http } : {}), retries: 1 },
    );
    for (const o of outcomes) if (!o.ok) ctx.log?.('warn', `${provider.id} auto-reply not sent (${o.error.code}): ${o.error.message}`);
  } catch (e) {
    ctx.log?.('warn', `${provider.id} auto-reply not sent: ${e instanceof Error ? e.message : String(e)}`);
  }
}
