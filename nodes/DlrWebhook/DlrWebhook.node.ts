import { NodeConnectionTypes, type IDataObject, type INodeType, type INodeTypeDescription, type IWebhookFunctions, type IWebhookResponseData } from 'n8n-workflow';
import { handleStatus } from '../../core/webhook/handle-status';
import { statusOptionsOf } from '../../core/webhook/options';
import { webhookCredentials, webhookDescriptions } from '../shared/webhook-description';
import { webhookMethods } from '../shared/webhook-lifecycle';
import { runWebhook } from '../shared/webhook-request';
import { dlrProperties } from './actions/dlr.description';

export class DlrWebhook implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'DLR Webhook',
    name: 'dlrWebhook',
    icon: 'file:../../icons/dlrWebhook.svg',
    group: ['trigger'],
    version: 1,
    subtitle: '={{ $parameter["provider"] }}',
    description: 'Receives delivery reports: signature verified, normalised statuses merged into the message log, opt-outs from provider errors recorded',
    defaults: { name: 'DLR Webhook' },
    inputs: [],
    outputs: [NodeConnectionTypes.Main],
    credentials: webhookCredentials,
    webhooks: webhookDescriptions,
    properties: dlrProperties,
  };

  webhookMethods = webhookMethods;

  async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
    return await runWebhook(this, 'status', () => {
      const opts = statusOptionsOf(this.getNodeParameter('options', {}) as IDataObject);
      return (raw, ctx) => handleStatus(raw, ctx, opts);
    });
  }
}
