import { NodeConnectionTypes, type IExecuteFunctions, type INodeExecutionData, type INodeType, type INodeTypeDescription } from 'n8n-workflow';
import { credentials, properties } from './actions/sms.description';
import { route } from './actions/router';

export class SendSms implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Send SMS',
    name: 'sendSms',
    icon: 'file:../../icons/sendSms.svg',
    group: ['output'],
    version: 1,
    subtitle:
      '={{ $parameter["operation"] === "getStatus" ? "Get status" : $parameter["operation"] === "deliverySummary" ? "Delivery summary" : "via " + $parameter["provider"] }}',
    description:
      "Send SMS through Twilio, Vonage, Infobip, Plivo, Sinch, Telnyx, Afilnet or a sandbox, with honest segment counts and idempotent bulk sending; look up a message's delivery status or a campaign's delivery summary",
    defaults: { name: 'Send SMS' },
    usableAsTool: true,
    inputs: [NodeConnectionTypes.Main],
    outputs: [NodeConnectionTypes.Main],
    credentials,
    properties,
  };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    return await route.call(this);
  }
}
