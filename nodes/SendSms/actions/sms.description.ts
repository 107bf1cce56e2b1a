/**
 * The Send SMS node's parameters: the operation, then each operation's own. Send is the default,
 * so a workflow saved before operations existed (no `operation` parameter) still sends.
 *
 * Get Status and Delivery Summary only read the store's message log: they have no provider and
 * need no credential, so the credentials are asked for by Send only.
 *
 * `resource` is hidden and has one value. It is there for n8n's AI-tool mode: n8n describes a
 * tool by its operation's `action` only when the operation sits under a resource
 * (NodeHelpers.makeDescription); without one, a tool set to Get Status would be described to the
 * agent as sending SMS.
 */
import type { INodeCredentialDescription, INodeProperties } from 'n8n-workflow';
import { CREDENTIAL_TYPES } from '../../shared/provider-credentials';
import { STORE_PATH_OPTION } from '../../shared/common-options';
import { sendProperties } from './send.description';
import { statusProperties } from './status.description';
import { summaryProperties } from './summary.description';

export type Operation = 'send' | 'getStatus' | 'deliverySummary';

export const DEFAULT_OPERATION: Operation = 'send';

const resource: INodeProperties = {
  displayName: 'Resource',
  name: 'resource',
  type: 'hidden',
  default: 'message',
  description: 'What the operations act on: SMS messages',
};

const operation: INodeProperties = {
  displayName: 'Operation',
  name: 'operation',
  type: 'options',
  noDataExpression: true,
  displayOptions: { show: { resource: ['message'] } },
  options: [
    {
      name: 'Delivery Summary',
      value: 'deliverySummary',
      action: 'Get an SMS delivery summary',
      description: 'How a campaign did: messages by status, recipient country and operator, with delivery rates, from the message log',
    },
    {
      name: 'Get Status',
      value: 'getStatus',
      action: 'Get the status of an SMS',
      description: 'The latest delivery status of a sent message, by message ID or idempotency key, from the message log',
    },
    {
      name: 'Send',
      value: 'send',
      action: 'Send an SMS',
      description: 'Send one SMS per input item: concurrent, rate-limited, idempotent, consent-checked',
    },
  ],
  default: DEFAULT_OPERATION,
  description: 'Send messages, or read what became of them: one message, or a whole campaign',
};

/** Reads take the store only; it must be the file the sends and the DLR Webhook write. */
const readOptions: INodeProperties = {
  displayName: 'Options',
  name: 'options',
  type: 'collection',
  placeholder: 'Add Option',
  default: {},
  description: 'Where the message log is kept',
  options: [
    {
      ...STORE_PATH_OPTION,
      description: `${STORE_PATH_OPTION.description} Use the file your Send SMS and DLR Webhook nodes use; a file that does not exist is an error, never an empty answer.`,
    },
  ],
};

export const credentials: INodeCredentialDescription[] = Object.entries(CREDENTIAL_TYPES).map(([provider, name]) => ({
  name,
  required: true,
  displayOptions: { show: { operation: ['send'], provider: [provider] } },
}));

export const properties: INodeProperties[] = [
  resource,
  operation,
  ...only(['send'], sendProperties),
  ...only(['getStatus'], statusProperties),
  ...only(['deliverySummary'], summaryProperties),
  ...only(['getStatus', 'deliverySummary'], [readOptions]),
];

/** The properties, shown for these operations only (besides their own conditions). */
function only(operations: Operation[], props: INodeProperties[]): INodeProperties[] {
  return props.map((p) => ({
    ...p,
    displayOptions: { ...p.displayOptions, show: { ...p.displayOptions?.show, operation: operations } },
  }));
}
