/** The DLR Webhook's parameters (core/webhook/options.ts reads the options). */
import type { INodeProperties } from 'n8n-workflow';
import { DEDUPE_OPTION, PUBLIC_URL_OPTION, STORE_PATH_OPTION, VERIFY_OPTION, providerProperties } from '../../shared/webhook-description';

export const dlrProperties: INodeProperties[] = [
  ...providerProperties('delivery reports'),
  {
    displayName:
      "Copy this node's Production URL into Send SMS's Status Callback URL option, or once into the provider credential's Delivery Report URL, so the provider reports each message here. Behind a reverse proxy, use the URL the provider calls and set it as the Public URL option too.",
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
    description: 'Which reports start the workflow, opt-outs from errors, proxies and the store',
    options: [
      DEDUPE_OPTION,
      {
        displayName: 'Only Final Statuses',
        name: 'onlyFinal',
        type: 'boolean',
        default: false,
        description:
          "Whether to start the workflow only for a report that settles the message's final status (delivered, undelivered, expired, failed, canceled, unknown); every report still updates the message log",
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
