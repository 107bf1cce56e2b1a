import { NodeConnectionTypes, type IDataObject, type INodeType, type INodeTypeDescription, type IWebhookFunctions, type IWebhookResponseData } from 'n8n-workflow';
import { handleInbound } from '../../core/webhook/handle-inbound';
import { inboundOptionsOf } from '../../core/webhook/options';
import { webhookCredentials, webhookDescriptions } from '../shared/webhook-description';
import { webhookMethods } from '../shared/webhook-lifecycle';
import { runWebhook } from '../shared/webhook-request';
import { inboundProperties } from './actions/inbound.description';

export class InboundSmsTrigger implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Inbound SMS Trigger',
    name: 'inboundSmsTrigger',
    icon: 'file:../../icons/inboundSmsTrigger.svg',
    group: ['trigger'],
    version: 1,
    subtitle: '={{ $parameter["provider"] }}',
    description: 'Starts the workflow when someone texts your number: signature verified, STOP/START recorded in the consent ledger, auto-replies',
    defaults: { name: 'Inbound SMS Trigger' },
    inputs: [],
    outputs: [NodeConnectionTypes.Main],
    credentials: webhookCredentials,
    webhooks: webhookDescriptions,
    properties: inboundProperties,
  };

  webhookMethods = webhookMethods;

  async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
    return await runWebhook(this, 'inbound', () => {
      const opts = inboundOptionsOf(this.getNodeParameter('options', {}) as IDataObject);
      return (raw, ctx) => handleInbound(raw, ctx, opts);
    });
  }
}
