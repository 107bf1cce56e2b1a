/**
 * How the package's Node-RED nodes stop. Work under way (a send on the wire, a ledger write)
 * finishes first, then the shared store lease is given back: releasing it earlier would fail those
 * calls, releasing it never would keep the file open across redeploys. All of it within Node-RED's
 * close timeout: past it Node-RED starts the successor anyway, so the node stops first and nothing
 * it finishes later can reach the new flow.
 */
import { toSmsError } from '../core/errors';
import type { Node, NodeAPI } from './node-red-api';

/** Node-RED's own default for how long a node may take to close (settings.js `nodeCloseTimeout`). */
const NODE_CLOSE_TIMEOUT_MS = 15_000;

/**
 * How long a closing node waits for its work: most of Node-RED's close timeout, leaving a margin
 * for Node-RED to see the node stopped before it gives up on it.
 */
export function closeWaitMs(nodeCloseTimeout: unknown): number {
  const timeout =
    typeof nodeCloseTimeout === 'number' && Number.isFinite(nodeCloseTimeout) && nodeCloseTimeout > 0
      ? nodeCloseTimeout
      : NODE_CLOSE_TIMEOUT_MS;
  return Math.floor(Math.min(timeout, 2 ** 31 - 1) * 0.8);
}

export interface ClosingWork {
  /** The work under way now; asked again after each wait, since a message may arrive while closing. */
  pending(): Promise<unknown>[];
  /** Gives the store lease back (absent when the node never took one). */
  release(): Promise<void> | undefined;
  /** Called once when the node counts as stopped: from then on nothing may leave it. */
  stopped(): void;
  /** What the node was closing, for the warning when releasing fails (`the message log`). */
  what: string;
}

export function closeAfterWork(RED: NodeAPI, node: Node, work: ClosingWork, done: () => void): void {
  let isStopped = false;
  const stop = (): void => {
    if (isStopped) return;
    isStopped = true;
    work.stopped();
    node.status({});
    done();
  };
  const deadline = setTimeout(stop, closeWaitMs(RED.settings.nodeCloseTimeout));
  void (async () => {
    try {
      for (let p = work.pending(); p.length > 0; p = work.pending()) await Promise.allSettled(p);
      await work.release();
    } catch (e) {
      if (!isStopped) node.warn(`closing ${work.what}: ${toSmsError(e, 'STORE_ERROR').message}`);
    } finally {
      clearTimeout(deadline);
      stop();
    }
  })();
}
