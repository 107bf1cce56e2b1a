/**
 * The Delivery Summary operation's parameters. The campaign is the first field because it is what
 * the operation is for ("how did promo-nov do?"); the other conditions narrow it down.
 */
import type { INodeProperties } from 'n8n-workflow';
import { listProviders } from '../../../core/providers/registry';

export const summaryProperties: INodeProperties[] = [
  {
    displayName: 'Campaign (Client Reference Prefix)',
    name: 'clientRefPrefix',
    type: 'string',
    default: '',
    placeholder: 'promo-nov-',
    description:
      'Counts the messages whose Client Reference starts with this, exactly as written: case-sensitive, and % or _ are ordinary characters. Empty: every message in the log.',
  },
  {
    displayName: 'Filters',
    name: 'filters',
    type: 'collection',
    placeholder: 'Add Filter',
    default: {},
    description: 'Further conditions; a message is counted when it meets all of them',
    options: [
      {
        displayName: 'Client Reference',
        name: 'clientRef',
        type: 'string',
        default: '',
        description: 'Only the messages with exactly this Client Reference',
      },
      {
        displayName: 'Provider',
        name: 'provider',
        type: 'options',
        default: 'sandbox',
        options: listProviders()
          .map((p) => ({ name: p.displayName, value: p.id }))
          .sort((a, b) => a.name.localeCompare(b.name)),
        description: 'Only the messages sent through this provider',
      },
      {
        displayName: 'Since',
        name: 'since',
        type: 'dateTime',
        default: '',
        description: "Only the messages sent at or after this time. A time without a zone is read in the workflow's time zone.",
      },
      {
        displayName: 'Until',
        name: 'until',
        type: 'dateTime',
        default: '',
        description: "Only the messages sent before this time. A time without a zone is read in the workflow's time zone.",
      },
    ],
  },
  {
    displayName:
      'One summary per input item: total, final, pending, delivered, deliveryRate (delivered of the final ones), byStatus, and the same by recipient country (byCountry) and operator (byOperator, MCC+MNC). To get a single summary after many items, turn on Execute Once in the node settings.',
    name: 'summaryNotice',
    type: 'notice',
    default: '',
  },
];
