/**
 * A delivery-report webhook request, start to answer (issue 4): refused requests leave nothing
 * behind; kept reports are merged into the message log in one transaction (duplicates flagged,
 * order and finality settled by the store), and errors that prove an opt-out go to the ledger.
 */
import { isFinal } from '../delivery/status';
import type { DeliveryReport, NormalizedStatus } from '../types';
import { provesOptOut, recordIfChanged } from './consent';
import { receive, refusal } from './receive';
import type { RawWebhookRequest, StatusEvent, StatusWebhookOptions, WebhookContext, WebhookResult } from './types';

export async function handleStatus(raw: RawWebhookRequest, ctx: WebhookContext, opts: StatusWebhookOptions = {}): Promise<WebhookResult<StatusEvent>> {
  try {
    const { req, provider } = receive(raw, ctx);
    const events = await keepReports(provider.parseStatus(req), ctx, opts);
    return { reply: provider.webhookResponse('status'), events };
  } catch (e) {
    return refusal(e, ctx, 'status');
  }
}

/**
 * Merges parsed reports into the message log and records the opt-outs they prove; returns the
 * events to emit. Throws (STORE_ERROR) when something could not be kept.
 */
export async function keepReports(reports: DeliveryReport[], ctx: WebhookContext, opts: StatusWebhookOptions = {}): Promise<StatusEvent[]> {
  const onlyFinal = opts?.onlyFinal === true;

  const optOuts = new Set<DeliveryReport>();
  if (opts?.recordOptOuts !== false) {
    for (const r of reports) {
      if (!provesOptOut(r.provider, r.errorCode)) continue;
      const phone = r.to ?? (await ctx.store.getMessage(r.messageId))?.to;
      if (!phone) {
        ctx.log?.('warn', `${r.provider} report ${r.messageId}: error ${r.errorCode} proves an opt-out, but the recipient is unknown`);
        continue;
      }
      const evidence = { messageId: r.messageId, provider: r.provider, errorCode: r.errorCode, errorMessage: r.errorMessage ?? null };
      if (await recordIfChanged(ctx.store, { phone, action: 'opt-out', source: 'provider-error', evidence }, ctx.log)) optOuts.add(r);
    }
  }

  const applied = reports.length === 0 ? [] : await ctx.store.applyReports(reports);
  const events: StatusEvent[] = [];
  reports.forEach((r, i) => {
    const a = applied[i];
    if (a === undefined) return;
    if (onlyFinal ? a.duplicate || !madeFinal(a.previousStatus, a.status) : a.duplicate && opts?.dedupe !== false) return;
    const event: StatusEvent = { ...r, duplicate: a.duplicate, messageStatus: a.status };
    if (optOuts.has(r)) event.optOutRecorded = true;
    events.push(event);
  });
  return events;
}

/**
 * True when this report settled its message's final status: the message is final now and was not
 * at that status just before the report (read in the store's transaction, so of two concurrent
 * requests only one settles it). A late `delivered` after `failed` leaves the message failed and
 * is not emitted; a provider's later sequence that replaces one final status by another is.
 */
function madeFinal(previous: NormalizedStatus | undefined, now: NormalizedStatus): boolean {
  return isFinal(now) && previous !== now;
}
