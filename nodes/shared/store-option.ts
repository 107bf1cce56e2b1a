/**
 * The "Store Path" option every n8n node of the package offers, worded once: nodes that share a
 * file share the consent ledger, the message log and delivery reports.
 */
import type { INodeProperties } from 'n8n-workflow';

export const STORE_PATH_OPTION: INodeProperties = {
  displayName: 'Store Path',
  name: 'storePath',
  type: 'string',
  default: '',
  placeholder: '~/.n8n/a2p-kit.sqlite',
  description:
    "SQLite file that records sent messages (so re-runs do not send twice), consent and delivery reports. Empty: a2p-kit.sqlite in n8n's folder (N8N_USER_FOLDER/.n8n or ~/.n8n). A relative path counts from that folder.",
};
