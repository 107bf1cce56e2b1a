/** The Inbound SMS Trigger's parameters (core/webhook/options.ts reads the options). */
import type { INodeProperties } from 'n8n-workflow';
import { DEFAULT_COUNTRY_OPTION } from '../../shared/common-options';
import { DEDUPE_OPTION, PUBLIC_URL_OPTION, STORE_PATH_OPTION, VERIFY_OPTION, providerProperties } from '../../shared/webhook-description';
import { registrationProperties } from './registration.description';

export const inboundProperties: INodeProperties[] = [
  ...providerProperties('incoming messages'),
  {
    displayName:
      "Give the provider this node's Production URL as the URL for incoming messages (or let the node register it, where offered). Behind a reverse proxy, set the Public URL option to the URL the provider calls.",
    name: 'setupNotice',
    type: 'notice',
    default: '',
  },
  ...registrationProperties,
  {
    displayName: 'Options',
    name: 'options',
    type: 'collection',
    placeholder: 'Add Option',
    default: {},
    description: 'Keyword handling, auto-replies, de-duplication, proxies and the store',
    options: [
      {
        displayName: 'Auto-Reply to HELP',
        name: 'replyHelp',
        type: 'string',
        default: '',
        description: 'Text answered to HELP and the other help words (Twilio: in the webhook answer as TwiML; other providers: sent through their API). Empty: no reply.',
      },
      {
        displayName: 'Auto-Reply to START',
        name: 'replyStart',
        type: 'string',
        default: '',
        description: 'Text answered to START and the other opt-in words. Empty: no reply.',
      },
      {
        displayName: 'Auto-Reply to STOP',
        name: 'replyStop',
        type: 'string',
        default: '',
        description: 'Text answered to STOP and the other opt-out words: the one confirmation allowed after an opt-out. Empty: no reply.',
      },
      DEDUPE_OPTION,
      DEFAULT_COUNTRY_OPTION,
      {
        displayName: 'Emit Keyword Messages',
        name: 'emitKeywordMessages',
        type: 'boolean',
        default: true,
        description: 'Whether STOP, START and HELP messages start the workflow too (they update the consent ledger either way)',
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
        description: 'Whether STOP records an opt-out of every topic (and START an opt-in) in the consent ledger that Send SMS and Check Consent read',
      },
      STORE_PATH_OPTION,
      VERIFY_OPTION,
    ],
  },
];
