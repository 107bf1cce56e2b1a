/**
 * `sms-store`: the config node naming the store every A2P Kit node of a flow shares — the consent
 * ledger, the message log, held messages. By default the embedded SQLite file in the Node-RED user
 * directory (DESIGN §3); the path is editable, e.g. to give a test flow its own file.
 *
 * Nodes without an `sms-store` selected use that same default file, so a one-node flow works and
 * a flow that adds a config node later keeps its data.
 */
import * as path from 'node:path';
import { SmsError } from '../core/errors';
import { sharedStore, type StoreLease } from '../core/store';
import type { Node, NodeAPI, NodeDef } from './node-red-api';

export const STORE_NODE_TYPE = 'sms-store';
export const STORE_FILE = 'a2p-kit.sqlite';

interface SmsStoreDef extends NodeDef {
  /** Empty: `<userDir>/a2p-kit.sqlite`. Relative paths count from the user directory. */
  path?: string;
}

export interface SmsStoreNode extends Node {
  /** The SQLite file this config node names (throws STORE_ERROR when it cannot be resolved). */
  file(): string;
}

/** The file a path setting names: empty → the default file; relative → under the user directory. */
export function storeFile(setting: unknown, userDir: string | undefined): string {
  const p = typeof setting === 'string' ? setting.trim() : '';
  if (p === ':memory:' || (p !== '' && path.isAbsolute(p))) return p;
  if (!userDir) throw new SmsError('STORE_ERROR', 'Node-RED has no user directory to keep the store in');
  return path.resolve(userDir, p === '' ? STORE_FILE : p);
}

/**
 * The file a node's `store` property names: the selected `sms-store` config node's, or the default
 * file when none is selected. Throws STORE_ERROR for a missing or wrong config node.
 */
export function storeFileFor(RED: NodeAPI, storeNodeId: string | undefined): string {
  if (!storeNodeId) return storeFile('', RED.settings.userDir);
  const config = RED.nodes.getNode(storeNodeId);
  if (!config || config.type !== STORE_NODE_TYPE) {
    throw new SmsError('STORE_ERROR', 'the selected sms-store config node is missing or disabled');
  }
  return (config as SmsStoreNode).file();
}

/**
 * The store lease for a node whose `store` property names an `sms-store` config node (or is
 * empty: the default file). Take it when the node starts and release it in its close handler; the
 * lease opens the file on first use and reports a missing or wrong config node there, as a coded
 * error on the message rather than a crash at deploy.
 */
export function storeLeaseFor(RED: NodeAPI, storeNodeId: string | undefined): StoreLease {
  try {
    return sharedStore({ kind: 'sqlite', path: storeFileFor(RED, storeNodeId) });
  } catch (e) {
    const failed = Promise.reject(e);
    failed.catch(() => undefined);
    return { store: failed, release: async () => undefined };
  }
}

export default function register(RED: NodeAPI): void {
  function SmsStore(this: SmsStoreNode, def: SmsStoreDef): void {
    RED.nodes.createNode(this, def);
    this.file = () => storeFile(def.path, RED.settings.userDir);
  }
  RED.nodes.registerType(STORE_NODE_TYPE, SmsStore);
}
