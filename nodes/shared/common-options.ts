/**
 * Options several n8n nodes of the package offer, worded once so the same field reads the same
 * everywhere.
 */
import type { INodeProperties } from 'n8n-workflow';

/** Nodes that name the same file share the consent ledger, the message log and delivery reports. */
export const STORE_PATH_OPTION: INodeProperties = {
  displayName: 'Store Path',
  name: 'storePath',
  type: 'string',
  default: '',
  placeholder: '~/.n8n/a2p-kit.sqlite',
  description:
    "SQLite file that records sent messages (so re-runs do not send twice), consent and delivery reports. Empty: a2p-kit.sqlite in n8n's folder (N8N_USER_FOLDER/.n8n or ~/.n8n). A relative path counts from that folder.",
};

export const DEFAULT_COUNTRY_OPTION: INodeProperties = {
  displayName: 'Default Country',
  name: 'defaultCountry',
  type: 'string',
  default: '',
  placeholder: 'US',
  description:
    'Two-letter country code (ISO 3166-1) used to read numbers written without a country code, like "(415) 555-0123". Numbers starting with + or 00 never need it.',
};
