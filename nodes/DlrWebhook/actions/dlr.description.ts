/** The DLR Webhook's parameters (core/webhook/options.ts reads them). */
import type { INodeProperties } from 'n8n-workflow';
import { DEDUPE_OPTION, PUBLIC_URL_OPTION, STORE_PATH_OPTION, VERIFY_OPTION, webhookProperties } from '../../shared/webhook-trigger';

export const dlrProperties: INodeProperties[] = [
  ...webhookProperties('status-callback'),
  {
    displayName: "Send SMS asks the provider to report here when this node's Production URL is its Status Callback URL option.",
    name: 'sendSmsNotice',
    type: 'notice',
    default: '',
  },
  {
    displayName: 'Options',
    name: 'options',
    type: 'collection',
    placeholder: 'Add Option',
    default: {},
    options: [
      DEDUPE_OPTION,
      {
        displayName: 'Only Final Statuses',
        name: 'onlyFinal',
        type: 'boolean',
        default: false,
        description: 'Whether to start the workflow only for final reports (delivered, undelivered, expired, failed, canceled, unknown)',
      },
      PUBLIC_URL_OPTION,
      {
        displayName: 'Record Opt-Outs From Errors',
        name: 'recordOptOuts',
        type: 'boolean',
        default: true,
        description: 'Whether provider errors that prove an opt-out (Twilio 21610, Telnyx 40300, Vonage err-code 9) record one in the consent ledger',
      },
      STORE_PATH_OPTION,
      VERIFY_OPTION,
    ],
  },
];
