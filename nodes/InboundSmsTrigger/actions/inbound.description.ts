/** The Inbound SMS Trigger's parameters, and how its options become the core's. */
import type { IDataObject, INodeProperties } from 'n8n-workflow';
import type { InboundWebhookOptions } from '../../../core/webhook/types';
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

export function inboundOptions(o: IDataObject): InboundWebhookOptions {
  const opts: InboundWebhookOptions = {
    recordConsent: o.recordConsent !== false,
    emitKeywordMessages: o.emitKeywordMessages !== false,
    dedupe: o.dedupe !== false,
    keywords: { mode: o.keywordMode === 'lenient' ? 'lenient' : 'exact' },
  };
  if (typeof o.defaultCountry === 'string' && o.defaultCountry.trim() !== '') opts.defaultCountry = o.defaultCountry.trim().toUpperCase();
  const replies: NonNullable<InboundWebhookOptions['autoReply']> = {};
  if (typeof o.replyStop === 'string' && o.replyStop.trim() !== '') replies['opt-out'] = o.replyStop;
  if (typeof o.replyStart === 'string' && o.replyStart.trim() !== '') replies['opt-in'] = o.replyStart;
  if (typeof o.replyHelp === 'string' && o.replyHelp.trim() !== '') replies.help = o.replyHelp;
  if (Object.keys(replies).length > 0) opts.autoReply = replies;
  return opts;
}
