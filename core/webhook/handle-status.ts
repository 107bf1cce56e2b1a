/**
 * A delivery-report webhook request, start to answer (issue 4): refused requests leave nothing
 * behind; kept reports are merged into the message log in one transaction (duplicates flagged,
 * order and finality settled by the store), and errors that prove an opt-out go to the ledger.
 */
import { isFinal } from '../delivery/status';
import type { DeliveryReport } from '../types';
import { provesOptOut, recordIfChanged } from './consent';
import { receive, refusal } from './receive';
import type { RawWebhookRequest, StatusEvent, StatusWebhookOptions, WebhookContext, WebhookResult } from './types';

export async function handleStatus(raw: RawWebhookRequest, ctx: WebhookContext, opts: StatusWebhookOptions = {}): Promise<WebhookResult<StatusEvent>> {
  try {
    const { req, provider } = receive(raw, ctx);
    const reports = provider.parseStatus(req);

    const optOuts = new Set<DeliveryReport>();
    if (opts.recordOptOuts !== false) {
      for (const r of reports) {
        if (!provesOptOut(r.provider, r.errorCode)) continue;
        const phone = r.to ?? (await ctx.store.getMessage(r.messageId))?.to;
        if (!phone) {
          ctx.log?.('warn', `${r.provider} report ${r.messageId}: error ${r.errorCode} proves an opt-out, but the recipient is unknown`);
          continue;
        }
        const evidence = { messageId: r.messageId, provider: r.provider, errorCode: r.errorCode, errorMessage: r.errorMessage ?? null };
        if (await recordIfChanged(ctx.store, { phone, action: 'opt-out', source: 'provider-error', evidence })) optOuts.add(r);
      }
    }

    const applied = reports.length === 0 ? [] : await ctx.store.applyReports(reports);
    const events: StatusEvent[] = [];
    reports.forEach((r, i) => {
      const a = applied[i];
      if (a === undefined || (a.duplicate && opts.dedupe !== false)) return;
      if (opts.onlyFinal === true && !(isFinal(r.status) && isFinal(a.status))) return;
      const event: StatusEvent = { ...r, duplicate: a.duplicate, messageStatus: a.status };
      if (optOuts.has(r)) event.optOutRecorded = true;
      events.push(event);
    });
    return { reply: provider.webhookResponse('status'), events };
  } catch (e) {
    return refusal(e, ctx, 'status');
  }
}
