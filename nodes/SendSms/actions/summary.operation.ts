/**
 * Delivery Summary: "how did campaign X do?" — one item per input item with the core's summary of
 * the message log (core/delivery/summary.ts) for that item's filter.
 *
 * Each condition is read to the type the store takes or fails the item with a coded error: a
 * provider that is not one of ours is UNKNOWN_PROVIDER (the store would count zero messages for
 * it), dates are brought to UTC instants (a wall time is meant in the workflow's time zone), and
 * the store itself refuses what it cannot filter on (too long, since after until: INVALID_INPUT).
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { summarizeDelivery } from '../../../core/delivery/summary';
import { getProvider } from '../../../core/providers/registry';
import type { DeliveryFilter } from '../../../core/types';
import { instantValue, itemParam as param, textValue as text } from '../../shared/item-params';
import { readPerItem } from './read-log';

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
  const zone = this.getTimezone();
  return await readPerItem(this, 'Delivery Summary', async (store, i) => {
    const summary = await summarizeDelivery(store, readFilter(this, i, zone));
    return summary as unknown as IDataObject;
  });
}

function readFilter(fns: IExecuteFunctions, itemIndex: number, zone: string): DeliveryFilter {
  const filter: DeliveryFilter = {};
  const prefix = text(param(fns, 'clientRefPrefix', itemIndex, ''), 'Campaign (Client Reference Prefix)');
  if (prefix !== undefined) filter.clientRefPrefix = prefix;
  // null, not undefined: n8n throws for an unset parameter without a fallback.
  const clientRef = text(param(fns, 'filters.clientRef', itemIndex, null), 'Client Reference');
  if (clientRef !== undefined) filter.clientRef = clientRef;
  const provider = text(param(fns, 'filters.provider', itemIndex, null), 'Provider');
  if (provider !== undefined) filter.provider = getProvider(provider).id;
  const since = instantValue(param(fns, 'filters.since', itemIndex, null), 'Since', zone);
  if (since !== undefined) filter.since = since;
  const until = instantValue(param(fns, 'filters.until', itemIndex, null), 'Until', zone);
  if (until !== undefined) filter.until = until;
  return filter;
}
