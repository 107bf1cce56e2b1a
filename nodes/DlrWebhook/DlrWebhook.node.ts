import { NodeConnectionTypes, type IDataObject, type INodeType, type INodeTypeDescription, type IWebhookFunctions, type IWebhookResponseData } from 'n8n-workflow';
import { handleStatus } from '../../core/webhook/handle-status';
import { statusOptionsOf } from '../../core/webhook/options';
import { dlrProperties } from './actions/dlr.description';
import { runWebhook, webhookCredentials, webhookDescription, webhookMethods } from '../shared/webhook-trigger';

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
    ...webhookDescription,
    webhooks: [...webhookDescription.webhooks],
    properties: dlrProperties,
  };

  webhookMethods = webhookMethods;

  async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
    const opts = statusOptionsOf(this.getNodeParameter('options', {}) as IDataObject);
    return await runWebhook(this, (raw, ctx) => handleStatus(raw, ctx, opts));
  }
}
