/** The Inbound SMS Trigger's parameters (core/webhook/options.ts reads them). */
import type { INodeProperties } from 'n8n-workflow';
import { DEFAULT_COUNTRY_OPTION } from '../../shared/common-options';
import { DEDUPE_OPTION, PUBLIC_URL_OPTION, STORE_PATH_OPTION, VERIFY_OPTION, webhookProperties } from '../../shared/webhook-trigger';

export const inboundProperties: INodeProperties[] = [
  ...webhookProperties('incoming-message'),
  {
    displayName: 'Options',
    name: 'options',
    type: 'collection',
    placeholder: 'Add Option',
    default: {},
    options: [
      {
        displayName: 'Auto-Reply to HELP',
        name: 'replyHelp',
        type: 'string',
        default: '',
        description: 'Text answered to HELP (Twilio: in the webhook answer as TwiML; other providers: sent through their API)',
      },
      {
        displayName: 'Auto-Reply to START',
        name: 'replyStart',
        type: 'string',
        default: '',
        description: 'Text answered to START and the other opt-in words',
      },
      {
        displayName: 'Auto-Reply to STOP',
        name: 'replyStop',
        type: 'string',
        default: '',
        description: 'Text answered to STOP and the other opt-out words (one confirmation is allowed after an opt-out)',
      },
      DEDUPE_OPTION,
      DEFAULT_COUNTRY_OPTION,
      {
        displayName: 'Emit Keyword Messages',
        name: 'emitKeywordMessages',
        type: 'boolean',
        default: true,
        description: 'Whether STOP, START and HELP messages start the workflow too (they are recorded either way)',
      },
      {
        displayName: 'Keyword Matching',
        name: 'keywordMode',
        type: 'options',
        default: 'exact',
        options: [
          { name: 'Exact (Carrier Rule)', value: 'exact', description: 'The whole text is the keyword: "STOP", "arrêt"' },
          { name: 'Lenient', value: 'lenient', description: 'Also phrases such as "please stop texting me"' },
        ],
        description: 'How STOP, START and HELP are recognised',
      },
      PUBLIC_URL_OPTION,
      {
        displayName: 'Record Consent From Keywords',
        name: 'recordConsent',
        type: 'boolean',
        default: true,
        description: 'Whether STOP records an opt-out of every topic (and START an opt-in) in the consent ledger Send SMS checks',
      },
      STORE_PATH_OPTION,
      VERIFY_OPTION,
    ],
  },
];
