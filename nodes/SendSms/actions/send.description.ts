/**
 * The Send operation's parameters. Per-item fields (recipient, sender, text, scheduling, references)
 * are read for every input item; batch fields (provider, consent, encoding, limits, store) once
 * per run, because all items go out in one batch with one concurrency and rate limit.
 *
 * Consent checking sits beside the message rather than among the Options, and is on by default:
 * it refuses items, so it must be visible, and with its defaults (topic marketing, no opt-in
 * required) it refuses only recipients who opted out — whom no flow should text.
 */
import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { listProviders } from '../../../core/providers/registry';
import { DEFAULT_COUNTRY_OPTION, STORE_PATH_OPTION } from '../../shared/common-options';

const providerOptions: INodePropertyOptions[] = listProviders()
  .map((p) => ({
    name: p.displayName,
    value: p.id,
    description: p.id === 'sandbox' ? 'Sends nothing anywhere; no account or credentials needed' : `Send through ${p.displayName}`,
  }))
  .sort((a, b) => a.name.localeCompare(b.name));

const itemOptions: INodeProperties[] = [
  {
    displayName: 'Client Reference',
    name: 'clientRef',
    type: 'string',
    default: '',
    description:
      'Your own reference for this message (an order number, a user ID). Providers that support it echo it in delivery reports. Start it with a campaign name (promo-nov-…) and the Delivery Summary operation reports on the campaign.',
  },
  {
    displayName: 'Idempotency Key',
    name: 'idempotencyKey',
    type: 'string',
    default: '',
    description:
      'A message with a key that was already sent is not sent again; its earlier result comes back with "duplicate": true. Leave empty to derive the key from provider, recipient, sender, text and the idempotency scope.',
  },
  {
    displayName: 'Send At',
    name: 'sendAt',
    type: 'dateTime',
    default: '',
    description:
      "Schedule the message with the provider instead of sending it now. A time without a zone is read in the workflow's time zone. Not every provider supports scheduling.",
  },
  {
    displayName: 'Status Callback URL',
    name: 'statusCallbackUrl',
    type: 'string',
    default: '',
    placeholder: 'https://n8n.example.com/webhook/…/webhook',
    description:
      "Where the provider posts delivery reports for this message: a DLR Webhook node's Production URL. Empty: the credential's Delivery Report URL, when set; this option wins over it. The sandbox has no credential, so set it here. Infobip: add ?token= with the credential's Webhook Token (the credential's URL gets it added).",
  },
  {
    displayName: 'Validity (Seconds)',
    name: 'validitySeconds',
    type: 'number',
    default: 0,
    typeOptions: { minValue: 0 },
    description: "How long the network keeps trying to deliver before the message expires. 0 uses the provider's default.",
  },
];

const batchOptions: INodeProperties[] = [
  {
    displayName: 'Concurrency',
    name: 'concurrency',
    type: 'number',
    default: 10,
    typeOptions: { minValue: 1 },
    description: 'How many messages are in flight at once',
  },
  DEFAULT_COUNTRY_OPTION,
  {
    displayName: 'Dry Run',
    name: 'dryRun',
    type: 'boolean',
    default: false,
    description:
      'Whether to only check and analyse the messages (number, encoding, segments) without sending anything or recording anything in the store',
  },
  {
    displayName: 'Idempotency Scope',
    name: 'idempotencyScope',
    type: 'string',
    default: '',
    placeholder: 'spring-sale-2026',
    description:
      'Mixed into derived idempotency keys, e.g. a campaign name: the same text to the same number is sent once per scope',
  },
  {
    displayName: 'Max Segments',
    name: 'maxSegments',
    type: 'number',
    default: 10,
    typeOptions: { minValue: 1 },
    description:
      'A message needing more segments (each billed as one SMS) fails with SEGMENT_LIMIT instead of being sent',
  },
  {
    displayName: 'Rate Limit (Messages per Second)',
    name: 'ratePerSecond',
    type: 'number',
    default: 0,
    typeOptions: { minValue: 0, numberPrecision: 2 },
    description:
      "Most messages per second for this provider account, shared by all executions in this n8n process. 0 means no limit beyond the provider's own throttling.",
  },
  {
    displayName: 'Retries',
    name: 'retries',
    type: 'number',
    default: 3,
    typeOptions: { minValue: 0, maxValue: 10 },
    description:
      'Retries per message when the provider throttles (429) or is briefly unavailable. A message the provider may already have accepted is never retried.',
  },
  {
    displayName: 'Smart Encoding',
    name: 'smartEncoding',
    type: 'boolean',
    default: true,
    description:
      'Whether to replace curly quotes, dashes and similar characters with plain look-alikes, so the message stays in GSM-7 (160 characters per SMS) instead of UCS-2 (70)',
  },
  STORE_PATH_OPTION,
  {
    displayName: 'Template Locale',
    name: 'templateLocale',
    type: 'string',
    default: '',
    placeholder: 'en-US',
    description: 'Locale of number, currency and date helpers in templates. Empty: en-US.',
    displayOptions: { show: { '/messageMode': ['template'] } },
  },
  {
    displayName: 'Template Time Zone',
    name: 'templateTimeZone',
    type: 'string',
    default: '',
    placeholder: 'Europe/Madrid',
    description: "Time zone of date helpers in templates. Empty: the workflow's time zone.",
    displayOptions: { show: { '/messageMode': ['template'] } },
  },
  {
    displayName: 'Timeout (Ms)',
    name: 'timeoutMs',
    type: 'number',
    default: 30000,
    typeOptions: { minValue: 1 },
    description: 'How long to wait for the provider to answer one request',
  },
];

export const sendProperties: INodeProperties[] = [
  {
    displayName: 'Provider',
    name: 'provider',
    type: 'options',
    noDataExpression: true,
    options: providerOptions,
    default: 'sandbox',
    description: 'Who delivers the messages. The sandbox accepts everything and sends nothing: build and run the flow first.',
  },
  {
    displayName:
      'The sandbox needs no credentials and sends nothing. Recipients +1 (any area code) 555-0190 to 555-0194 simulate failures: undelivered, failed, expired, invalid number, opted out. Its simulated delivery reports go to the Status Callback URL option (it has no credential to hold a Delivery Report URL).',
    name: 'sandboxNotice',
    type: 'notice',
    default: '',
    displayOptions: { show: { provider: ['sandbox'] } },
  },
  {
    displayName: 'From',
    name: 'from',
    type: 'string',
    default: '',
    placeholder: '+14155550100',
    description:
      "Sender: a number in international format, a short code or an alphanumeric sender ID (where the destination country allows it). Twilio: leave empty to use the credential's Messaging Service.",
  },
  {
    displayName: 'To',
    name: 'to',
    type: 'string',
    default: '',
    required: true,
    placeholder: '+14155550123',
    description:
      'Recipient. International format (+14155550123 or 0014155550123) always works; national format needs the Default Country option.',
  },
  {
    displayName: 'Message Mode',
    name: 'messageMode',
    type: 'options',
    noDataExpression: true,
    options: [
      {
        name: 'Text',
        value: 'text',
        description: 'An ordinary n8n field: fixed text or an n8n expression',
      },
      {
        name: 'Template',
        value: 'template',
        description: "A Handlebars template filled with the item's JSON",
      },
    ],
    default: 'text',
    description: "How the message is written: an ordinary n8n field, or a Handlebars template over the item's JSON",
  },
  {
    displayName: 'Message',
    name: 'text',
    type: 'string',
    default: '',
    required: true,
    typeOptions: { rows: 4 },
    description: 'The message text. Use an expression to build it from the item, e.g. {{ $json.message }}.',
    displayOptions: { show: { messageMode: ['text'] } },
  },
  {
    displayName: 'Template',
    name: 'template',
    type: 'string',
    default: '',
    required: true,
    noDataExpression: true,
    typeOptions: { rows: 4 },
    placeholder: 'Hi {{customer.first_name}}, order {{name}} has shipped.',
    description:
      "Handlebars over the item's JSON, e.g. Hi {{customer.first_name}}. This field is never an n8n expression, so Handlebars' {{ }} cannot clash with n8n's. A variable missing from the item fails that item (TEMPLATE_ERROR) instead of sending a gap.",
    displayOptions: { show: { messageMode: ['template'] } },
  },
  {
    displayName: 'Check Consent',
    name: 'checkConsent',
    type: 'boolean',
    default: true,
    description:
      'Whether to look each recipient up in the consent ledger (the store) first. A recipient who opted out — replied STOP, was imported from a suppression list, or opted out of the topic — fails with OPTED_OUT and is sent nothing.',
  },
  {
    displayName: 'Consent Topic',
    name: 'consentTopic',
    type: 'string',
    default: 'marketing',
    placeholder: 'marketing',
    description:
      'What these messages are about: marketing, transactional, or a topic of yours. An opt-out of this topic refuses the recipient, and so does a STOP (it covers every topic). * refuses anyone opted out of any topic.',
    displayOptions: { show: { checkConsent: [true] } },
  },
  {
    displayName: 'Require Opt-In',
    name: 'requireOptIn',
    type: 'boolean',
    default: false,
    description:
      'Whether to send only to recipients with a recorded opt-in to the topic (or to every topic). The others fail with NO_CONSENT.',
    displayOptions: { show: { checkConsent: [true] } },
  },
  {
    displayName: 'Options',
    name: 'options',
    type: 'collection',
    placeholder: 'Add Option',
    default: {},
    description: 'Per-message settings (schedule, validity, references, idempotency key) and settings for the whole batch',
    options: [...batchOptions, ...itemOptions].sort((a, b) => a.displayName.localeCompare(b.displayName)),
  },
];
