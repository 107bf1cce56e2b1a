/** The Get Status operation's parameters. */
import type { INodeProperties } from 'n8n-workflow';

export const statusProperties: INodeProperties[] = [
  {
    displayName: 'Message ID or Idempotency Key',
    name: 'messageId',
    type: 'string',
    default: '={{ $json.messageId }}',
    required: true,
    placeholder: 'SM0123456789abcdef0123456789abcdef',
    description:
      "The provider's message ID (the messageId of a Send result) or the idempotency key the message was sent with. By default the item's messageId field.",
  },
  {
    displayName:
      'One item per input item: "found", and for a message in the log its record: status (queued, sent, delivered, undelivered, failed, expired, …), final, providerStatus, errorCode, errorMessage, price, country, mccmnc, clientRef, updatedAt. The status moves as a DLR Webhook node with the same Store Path receives reports.',
    name: 'statusNotice',
    type: 'notice',
    default: '',
  },
];
