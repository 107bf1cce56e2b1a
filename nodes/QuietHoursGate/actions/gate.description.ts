/**
 * The Quiet-Hours Gate's parameters. The policy (preset or custom windows and holidays) is the
 * node's setting, one for all items; the recipient, zone, message class and instant are read per
 * item, so they can come from each item's data.
 */
import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { listPresets } from '../../../core/quiet-hours';
import { DEFAULT_COUNTRY_OPTION } from '../../shared/common-options';

/** The Policy field's entry for windows of the user's own. */
export const CUSTOM_POLICY = 'custom';
export const DEFAULT_POLICY = 'us-tcpa';

/** The Custom Windows field's entries (fields: one row per set of days; JSON: the core's format). */
export type WindowsMode = 'fields' | 'json';

const WEEKDAY_OPTIONS: INodePropertyOptions[] = [
  { name: 'Monday', value: 'mon' },
  { name: 'Tuesday', value: 'tue' },
  { name: 'Wednesday', value: 'wed' },
  { name: 'Thursday', value: 'thu' },
  { name: 'Friday', value: 'fri' },
  { name: 'Saturday', value: 'sat' },
  { name: 'Sunday', value: 'sun' },
];

const presetOptions: INodePropertyOptions[] = listPresets().map((preset) => ({
  name: preset.label,
  value: preset.id,
  description: `${preset.basis} Source: ${preset.sources[0] ?? 'none'} (reviewed ${preset.lastReviewed}).`,
}));

const showCustom = { show: { policy: [CUSTOM_POLICY] } };

const EXAMPLE_WINDOWS_JSON = `{
  "mon": [{ "from": "09:00", "to": "20:00" }],
  "tue": [{ "from": "09:00", "to": "20:00" }],
  "wed": [{ "from": "09:00", "to": "20:00" }],
  "thu": [{ "from": "09:00", "to": "20:00" }],
  "fri": [{ "from": "09:00", "to": "20:00" }],
  "sat": [{ "from": "10:00", "to": "13:00" }]
}`;

const policy: INodeProperties[] = [
  {
    displayName: 'Policy',
    name: 'policy',
    type: 'options',
    noDataExpression: true,
    options: [
      ...presetOptions,
      {
        name: 'Custom',
        value: CUSTOM_POLICY,
        description: 'Your own windows per weekday (a window may cross midnight) and, optionally, the public holidays of a country',
      },
    ],
    default: DEFAULT_POLICY,
    description:
      "When marketing messages may reach a recipient, judged in the recipient's own local time. Each preset names its basis and source; few are law, so check the one you pick.",
  },
  {
    displayName: 'Define Windows',
    name: 'windowsMode',
    type: 'options',
    noDataExpression: true,
    options: [
      { name: 'Using Fields Below', value: 'fields', description: 'One row per set of days with the same hours' },
      { name: 'Using JSON', value: 'json', description: 'Weekdays to lists of windows, e.g. {"mon": [{"from": "09:00", "to": "20:00"}]}' },
    ],
    default: 'fields',
    description: 'How the allowed windows are written',
    displayOptions: showCustom,
  },
  {
    displayName: 'Windows',
    name: 'windows',
    type: 'fixedCollection',
    typeOptions: { multipleValues: true },
    placeholder: 'Add Window',
    default: {},
    description:
      'When messages may go out, in local time. Days without a window are closed. A window whose end is not after its start (22:00 to 02:00) crosses midnight and ends the next day.',
    displayOptions: { show: { policy: [CUSTOM_POLICY], windowsMode: ['fields'] } },
    options: [
      {
        name: 'window',
        displayName: 'Window',
        values: [
          {
            displayName: 'Days',
            name: 'days',
            type: 'multiOptions',
            noDataExpression: true,
            options: WEEKDAY_OPTIONS,
            default: ['mon', 'tue', 'wed', 'thu', 'fri'],
            description: 'The days this window opens on',
          },
          {
            displayName: 'From',
            name: 'from',
            type: 'string',
            noDataExpression: true,
            default: '09:00',
            placeholder: '09:00',
            description: 'Local time the window opens, HH:mm (24-hour clock), included',
          },
          {
            displayName: 'To',
            name: 'to',
            type: 'string',
            noDataExpression: true,
            default: '20:00',
            placeholder: '20:00',
            description: 'Local time the window closes, HH:mm, excluded; 24:00 for midnight at the end of the day',
          },
        ],
      },
    ],
  },
  {
    displayName: 'Windows (JSON)',
    name: 'windowsJson',
    type: 'json',
    noDataExpression: true,
    default: EXAMPLE_WINDOWS_JSON,
    description:
      'Weekdays (mon … sun) to lists of windows {"from": "HH:mm", "to": "HH:mm"}, at most 24 per day. Days left out are closed; a window ending before it starts crosses midnight.',
    displayOptions: { show: { policy: [CUSTOM_POLICY], windowsMode: ['json'] } },
  },
  {
    displayName: 'Holiday Country',
    name: 'holidayCountry',
    type: 'string',
    noDataExpression: true,
    default: '',
    placeholder: 'FR',
    description:
      "Two-letter country code (ISO 3166-1) whose public holidays close the day, judged on the recipient's local date. Empty: no holidays.",
    displayOptions: showCustom,
  },
  {
    displayName: 'Holiday State or Region',
    name: 'holidayState',
    type: 'string',
    noDataExpression: true,
    default: '',
    placeholder: 'BY',
    description: "The state's code, for holidays that differ by state (e.g. BY for Bavaria in DE, CA for California in US). Empty: national holidays only.",
    displayOptions: showCustom,
  },
];

const phone: INodeProperties = {
  displayName: 'Phone',
  name: 'phone',
  type: 'string',
  default: '={{ $json.to }}',
  placeholder: '+14155550123',
  description:
    'The recipient, by default the item\'s "to" field. Its country and area code give the time zone(s); a number spanning several zones (+1 907: Anchorage and Adak) may be texted only when every one of them allows it. May be empty when Time Zone is set.',
};

const messageClass: INodeProperties = {
  displayName: 'Message Class',
  name: 'messageClass',
  type: 'options',
  options: [
    { name: 'Marketing', value: 'marketing', description: 'Promotions, offers, newsletters: held outside the window' },
    { name: 'Transactional', value: 'transactional', description: 'Order updates, reminders: exempt, always Send Now' },
    { name: 'One-Time Password', value: 'otp', description: 'Login and verification codes: exempt, always Send Now' },
  ],
  default: 'marketing',
  description: 'Quiet hours apply to marketing. Transactional messages and one-time passwords go to Send Now at any hour, marked reason "exempt".',
};

const deferredNotice: INodeProperties = {
  displayName:
    'Send Now gets the items that may go out now, Deferred the others. Both carry "quietHours": allowed, timezone, localTime, reason; deferred ones also nextAllowedAt (UTC) and waitSeconds. To send them later: Send SMS with the option Send At = {{ $json.quietHours.nextAllowedAt }} (scheduled by the provider), or n8n\'s Wait node, Resume "At Specified Time", Date and Time = {{ $json.quietHours.nextAllowedAt }}. The Wait node waits once for all its items, until the first item\'s time: with several recipients, wait until the earliest, {{ $input.all().map(i => i.json.quietHours.nextAllowedAt).sort()[0] }}, and connect the Wait node back to this gate, which lets through those whose time has come.',
  name: 'deferredNotice',
  type: 'notice',
  default: '',
};

const options: INodeProperties = {
  displayName: 'Options',
  name: 'options',
  type: 'collection',
  placeholder: 'Add Option',
  default: {},
  description: 'Where the recipient is, how to read national numbers, and which instant to judge',
  options: [
    {
      displayName: 'At',
      name: 'at',
      type: 'dateTime',
      default: '',
      description:
        "The instant to judge instead of now, e.g. a campaign's planned send time. A time without a zone is read in the workflow's time zone. waitSeconds counts from this instant.",
    },
    DEFAULT_COUNTRY_OPTION,
    {
      displayName: 'Fallback Time Zone',
      name: 'fallbackTimezone',
      type: 'string',
      default: '',
      placeholder: 'Europe/Paris',
      description:
        'IANA time zone used when neither Time Zone nor the number gives one. Without it, such an item fails with NO_TIMEZONE rather than being judged in a guessed zone.',
    },
    {
      displayName: 'Time Zone',
      name: 'timezone',
      type: 'string',
      default: '',
      placeholder: 'America/New_York',
      description:
        "The recipient's IANA time zone, when you know it better than the number does (an address, a CRM field): e.g. {{ $json.timezone }}. It replaces the number's zones.",
    },
  ],
};

export const properties: INodeProperties[] = [phone, ...policy, messageClass, deferredNotice, options];
