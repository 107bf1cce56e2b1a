/**
 * A delivery-report webhook request, start to answer (issue 4): refused requests leave nothing
 * behind; kept reports are merged into the message log in one transaction (duplicates flagged,
 * order and finality settled by the store), and errors that prove an opt-out go to the ledger.
 */
import { isFinal } from '../delivery/status';
import type { DeliveryReport, NormalizedStatus, Store } from '../types';
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

  const before = onlyFinal ? await statusesBefore(ctx.store, reports) : undefined;
  const applied = reports.length === 0 ? [] : await ctx.store.applyReports(reports);
  const events: StatusEvent[] = [];
  reports.forEach((r, i) => {
    const a = applied[i];
    if (a === undefined) return;
    if (before !== undefined) {
      const key = messageKey(r);
      const previous = before.get(key);
      before.set(key, a.status);
      if (a.duplicate || !madeFinal(r, previous, a.status)) return;
    } else if (a.duplicate && opts?.dedupe !== false) {
      return;
    }
    const event: StatusEvent = { ...r, duplicate: a.duplicate, messageStatus: a.status };
    if (optOuts.has(r)) event.optOutRecorded = true;
    events.push(event);
  });
  return events;
}

function messageKey(r: DeliveryReport): string {
  return `${r.provider}\u0000${r.messageId}`;
}

/**
 * For Only Final: the status each reported message had before this request. Read before the
 * write, outside its transaction: two requests racing with two different final reports of one
 * message can both read the old status; `madeFinal` also asks the report to carry the status the
 * message settled on, so only the one that won is emitted, unless both carry the same status.
 */
async function statusesBefore(store: Store, reports: DeliveryReport[]): Promise<Map<string, NormalizedStatus | undefined>> {
  const before = new Map<string, NormalizedStatus | undefined>();
  for (const r of reports) {
    const key = messageKey(r);
    if (before.has(key) || !isFinal(r.status)) continue;
    const m = await store.getMessage(r.messageId);
    // getMessage looks ids up across providers; another provider's message of the same id is not this one.
    before.set(key, m !== null && m.provider === r.provider ? m.status : undefined);
  }
  return before;
}

/**
 * True when this report settled its message's final status: the message is final now, was not at
 * that status before, and the report says what it settled on (a late `delivered` after `failed`
 * leaves the message failed and is not emitted; a provider's later sequence that replaces one
 * final status by another is).
 */
function madeFinal(r: DeliveryReport, previous: NormalizedStatus | undefined, now: NormalizedStatus): boolean {
  return isFinal(now) && previous !== now && r.status === now;
}
