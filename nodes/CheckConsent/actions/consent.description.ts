/**
 * The Check Consent node's parameters. Every operation reads the recipient and topic per item;
 * Import List reads a whole list instead. The topic's default differs by operation, as in the
 * core: a check is most often about marketing, a recorded STOP or START is about every topic.
 */
import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { DEFAULT_CHECK_TOPIC, DEFAULT_RECORD_SOURCE, DEFAULT_RECORD_TOPIC } from '../../../core/consent/ledger';
import { DEFAULT_COUNTRY_OPTION, STORE_PATH_OPTION } from '../../shared/common-options';

export type Operation = 'check' | 'history' | 'import' | 'optIn' | 'optOut';

/** The Topic field's "Custom" entry: the name is then read from Custom Topic. */
export const CUSTOM_TOPIC = 'custom';

const operation: INodeProperties = {
  displayName: 'Operation',
  name: 'operation',
  type: 'options',
  noDataExpression: true,
  options: [
    {
      name: 'Check',
      value: 'check',
      action: 'Check consent before sending',
      description: "Route each item to Allowed or Blocked by the recipient's consent for a topic",
    },
    {
      name: 'History',
      value: 'history',
      action: 'Get the consent history of a number',
      description: 'Every opt-in and opt-out recorded for the number, oldest first: the proof regulators ask for',
    },
    {
      name: 'Import List',
      value: 'import',
      action: 'Import a suppression list',
      description: 'Record every number of a list (CSV file, items or a field) as opted out, in one go',
    },
    {
      name: 'Record Opt-In',
      value: 'optIn',
      action: 'Record an opt in',
      description: 'Record that the number agreed to receive messages (a form, a START reply, a checkbox)',
    },
    {
      name: 'Record Opt-Out',
      value: 'optOut',
      action: 'Record an opt out',
      description: 'Record that the number asked to receive no more messages (a STOP reply, an unsubscribe link)',
    },
  ],
  default: 'check',
  description: 'Check before sending, record consent as it is given or withdrawn, read the proof, or import a list',
};

const show = (...operations: Operation[]) => ({ show: { operation: operations } });

const phone: INodeProperties = {
  displayName: 'Phone',
  name: 'phone',
  type: 'string',
  default: '={{ $json.to }}',
  required: true,
  placeholder: '+14155550123',
  description:
    "The recipient's number; by default the item's \"to\" field. International format (+14155550123) always works; national format needs the Default Country option.",
  displayOptions: show('check', 'optIn', 'optOut', 'history'),
};

const topicChoices = (first: INodePropertyOptions[]): INodePropertyOptions[] => [
  ...first,
  { name: 'Custom', value: CUSTOM_TOPIC, description: 'A topic of your own, such as "newsletter" or "order-updates"' },
];

const MARKETING: INodePropertyOptions = { name: 'Marketing', value: 'marketing', description: 'Promotions, offers, newsletters' };
const TRANSACTIONAL: INodePropertyOptions = {
  name: 'Transactional',
  value: 'transactional',
  description: 'Order updates, reminders, one-time codes',
};

const topics: INodeProperties[] = [
  {
    displayName: 'Topic',
    name: 'topic',
    type: 'options',
    options: topicChoices([
      MARKETING,
      TRANSACTIONAL,
      { name: 'All Topics (*)', value: '*', description: 'May this number receive any message at all?' },
    ]),
    default: DEFAULT_CHECK_TOPIC,
    description:
      'What kind of message is about to be sent. A STOP blocks every topic; an opt-out of one topic blocks only that topic.',
    displayOptions: show('check'),
  },
  {
    displayName: 'Topic',
    name: 'topic',
    type: 'options',
    options: topicChoices([
      { name: 'All Topics (*)', value: '*', description: 'What an SMS STOP or START means: every kind of message' },
      MARKETING,
      TRANSACTIONAL,
    ]),
    default: DEFAULT_RECORD_TOPIC,
    description:
      'What the consent is about. All Topics is what an SMS STOP means (the carrier then blocks every message, one-time codes included) and what START lifts. Pick one topic for a form checkbox or a "no more offers" link.',
    displayOptions: show('optIn', 'optOut'),
  },
  {
    displayName: 'Topic',
    name: 'topic',
    type: 'options',
    options: topicChoices([{ name: 'All Topics (*)', value: '*', description: 'Every event of the number' }, MARKETING, TRANSACTIONAL]),
    default: '*',
    description: 'Only the events that decide this topic: its own and the all-topics ones (STOP, START)',
    displayOptions: show('history'),
  },
  {
    displayName: 'Topic',
    name: 'topic',
    type: 'options',
    options: topicChoices([
      { name: 'All Topics (*)', value: '*', description: 'Like an SMS STOP: no message of any kind' },
      MARKETING,
      TRANSACTIONAL,
    ]),
    default: '*',
    description:
      'What the numbers opted out of. All Topics treats the list like STOP replies; Marketing suits an unsubscribe list from a newsletter tool.',
    displayOptions: show('import'),
  },
  {
    displayName: 'Custom Topic',
    name: 'customTopic',
    type: 'string',
    default: '',
    required: true,
    placeholder: 'newsletter',
    description: 'Your topic name, up to 100 characters. Use the same name wherever you check and record it.',
    displayOptions: { show: { topic: [CUSTOM_TOPIC] } },
  },
];

const check: INodeProperties[] = [
  {
    displayName: 'Require Opt-In',
    name: 'requireOptIn',
    type: 'boolean',
    default: false,
    description:
      'Whether a number needs a recorded opt-in to be allowed. Off: allowed unless it opted out (fine for order updates and codes). Turn it on for marketing where the law asks for prior consent (the EU, e.g. France; the UK; Canada; US marketing texts under the TCPA) and for lists without proof of consent.',
    displayOptions: show('check'),
  },
  {
    displayName:
      'Allowed items go to the first output, blocked ones to the second. Each item keeps its fields and gains "consent": allowed, reason (opted-in, opted-out, no-consent, not-required), since, phone, topic.',
    name: 'checkNotice',
    type: 'notice',
    default: '',
    displayOptions: show('check'),
  },
];

const evidence: INodeProperties = {
  displayName: 'Evidence',
  name: 'evidence',
  type: 'collection',
  placeholder: 'Add Evidence',
  default: {},
  description:
    'Proof of the consent, kept with the event in the history. The workflow ID and execution ID are added automatically.',
  displayOptions: show('optIn', 'optOut'),
  options: [
    {
      displayName: 'Form URL',
      name: 'formUrl',
      type: 'string',
      default: '',
      placeholder: 'https://example.com/signup',
      description: 'The page where the number was given or withdrawn',
    },
    {
      displayName: 'IP Address',
      name: 'ip',
      type: 'string',
      default: '',
      description: 'The IP address the form was submitted from',
    },
    {
      displayName: 'Message ID',
      name: 'messageId',
      type: 'string',
      default: '',
      description: "The provider's ID of the SMS that carried the STOP or START",
    },
    {
      displayName: 'Message Text',
      name: 'text',
      type: 'string',
      default: '',
      description: 'The reply as received (STOP, START, ...) or the consent wording the person agreed to',
    },
    {
      displayName: 'Other Evidence (JSON)',
      name: 'extra',
      type: 'json',
      default: '{}',
      description: 'Any other proof as a JSON object, e.g. {"checkbox": "sms-offers", "userAgent": "..."}. 16 KB at most.',
    },
    {
      displayName: 'Recorded By',
      name: 'who',
      type: 'string',
      default: '',
      placeholder: 'support@example.com',
      description: 'Who recorded it, for an opt-in or opt-out taken by phone or at a counter',
    },
  ],
};

const record: INodeProperties[] = [
  {
    displayName: 'Source',
    name: 'source',
    type: 'string',
    default: DEFAULT_RECORD_SOURCE,
    description:
      'Where the consent came from, shown in the history: e.g. form, sms (a keyword reply), api, support, import, or a name of yours',
    displayOptions: show('optIn', 'optOut'),
  },
  evidence,
];

const importList: INodeProperties[] = [
  {
    displayName: 'List From',
    name: 'listFrom',
    type: 'options',
    noDataExpression: true,
    options: [
      {
        name: 'One Number per Item',
        value: 'items',
        description: 'Each input item is a row (a spreadsheet, a database query): all of them are imported at once',
      },
      {
        name: 'CSV File',
        value: 'binary',
        description: 'A CSV file in a binary property of each item (Read File, an email attachment, an HTTP download)',
      },
      {
        name: 'List in a Field',
        value: 'field',
        description: 'A field of each item holding an array of numbers or CSV text',
      },
    ],
    default: 'items',
    description: 'Where the numbers are',
    displayOptions: show('import'),
  },
  {
    displayName: 'Phone',
    name: 'phone',
    type: 'string',
    default: '={{ $json.phone }}',
    required: true,
    description: "Each item's number, e.g. the phone column of a spreadsheet row",
    displayOptions: { show: { operation: ['import'], listFrom: ['items'] } },
  },
  {
    displayName: 'Input Binary Field',
    name: 'binaryPropertyName',
    type: 'string',
    default: 'data',
    required: true,
    hint: 'The name of the input binary field containing the CSV file',
    description:
      'The binary property holding the CSV. A header row is recognised (phone, number, mobile, msisdn, to, ...); without one the first column is read.',
    displayOptions: { show: { operation: ['import'], listFrom: ['binary'] } },
  },
  {
    displayName: 'List',
    name: 'list',
    type: 'string',
    default: '={{ $json.numbers }}',
    required: true,
    description: 'An array of numbers (or of objects with a phone field), or CSV text',
    displayOptions: { show: { operation: ['import'], listFrom: ['field'] } },
  },
  {
    displayName:
      'The output is one summary per list: recorded, unchanged (already opted out), duplicates, rejected (with row and reason), total. Junk rows never stop the import.',
    name: 'importNotice',
    type: 'notice',
    default: '',
    displayOptions: show('import'),
  },
];

const options: INodeProperties = {
  displayName: 'Options',
  name: 'options',
  type: 'collection',
  placeholder: 'Add Option',
  default: {},
  description: 'How numbers are read, where the ledger is kept, and details of an import',
  options: [
    {
      displayName: 'Column',
      name: 'column',
      type: 'string',
      default: '',
      placeholder: 'Mobile',
      description: 'The CSV header (or object field) holding the numbers, when it is not one the node recognises by itself',
      displayOptions: { show: { '/operation': ['import'], '/listFrom': ['binary', 'field'] } },
    },
    DEFAULT_COUNTRY_OPTION,
    {
      displayName: 'List Name',
      name: 'listName',
      type: 'string',
      default: '',
      placeholder: 'newsletter-unsubscribes-2026-05',
      description: 'Kept as evidence on every imported opt-out, to tell later where the list came from',
      displayOptions: { show: { '/operation': ['import'] } },
    },
    {
      displayName: 'Source',
      name: 'source',
      type: 'string',
      default: 'import',
      description: 'Where the opt-outs came from, shown in the history',
      displayOptions: { show: { '/operation': ['import'] } },
    },
    STORE_PATH_OPTION,
  ],
};

export const properties: INodeProperties[] = [operation, phone, ...topics, ...check, ...record, ...importList, options];
