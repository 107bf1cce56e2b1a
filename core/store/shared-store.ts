/**
 * One open Store per database per process, handed out as leases.
 *
 * Nodes run per execution (n8n) or per message (Node-RED); opening the file, setting pragmas and
 * checking the schema each time would be waste. `sharedStore(config)` returns a lease at once:
 * - `lease.store` resolves to the shared store, opened on first use. If opening fails, the next
 *   access tries again, so a lease kept across messages recovers from a transient failure.
 * - `lease.release()` gives the lease back (idempotent). When the last lease of a database is
 *   released, the database is closed; the next `sharedStore` call opens it again.
 *
 * The story per engine:
 * - Node-RED: take a lease when the node starts, release it in the node's `close` handler. A
 *   redeploy closes the file once every node using it has stopped, then reopens it.
 * - n8n: take a lease and never release it. The file stays open for the life of the n8n process,
 *   which is what a long-running server wants (an unreleased lease is one count, no memory).
 *
 * What `lease.store` resolves to is a view of the shared store: its `close()` releases this
 * lease only, so no code path can close the database under the other users; after release every
 * call on the view fails with STORE_ERROR.
 */
import { SmsError, toSmsError } from '../errors';
import type { Store, StoreConfig } from '../types';
import { checkStoreConfig, openStore } from './open-store';

export interface StoreLease {
  /** The shared store; rejects with a coded SmsError (bad config, cannot open, released). */
  readonly store: Promise<Store>;
  /** Gives this lease back; the database closes when its last lease is released. */
  release(): Promise<void>;
}

type Opener = (config: StoreConfig) => Promise<Store>;

class Entry {
  refs = 0;
  private opening: Promise<Store> | undefined;

  constructor(
    private readonly config: StoreConfig,
    private readonly open: Opener,
  ) {}

  get(): Promise<Store> {
    if (this.opening === undefined) {
      const attempt = this.open(this.config);
      this.opening = attempt;
      attempt.catch(() => {
        if (this.opening === attempt) this.opening = undefined;
      });
    }
    return this.opening;
  }

  async close(): Promise<void> {
    const opening = this.opening;
    this.opening = undefined;
    if (opening === undefined) return;
    let store: Store;
    try {
      store = await opening;
    } catch {
      return; // it never opened: nothing to close
    }
    await store.close();
  }
}

/** A registry of shared stores; `sharedStore` uses the process-wide one. */
export class StoreRegistry {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly open: Opener = openStore) {}

  /** How many databases are open or opening (for diagnostics and tests). */
  get size(): number {
    return this.entries.size;
  }

  lease(config: StoreConfig): StoreLease {
    let checked: ReturnType<typeof checkStoreConfig>;
    try {
      checked = checkStoreConfig(config);
    } catch (e) {
      return failedLease(toSmsError(e, 'INVALID_INPUT'));
    }
    let entry = this.entries.get(checked.key);
    if (entry === undefined) {
      entry = new Entry(checked.config, this.open);
      this.entries.set(checked.key, entry);
    }
    entry.refs++;
    const held = entry;
    let released = false;

    const whileHeld = <A extends unknown[], R>(call: (...args: A) => Promise<R>) => {
      return async (...args: A): Promise<R> => {
        if (released) throw new SmsError('STORE_ERROR', 'this store lease was released');
        return call(...args);
      };
    };
    const view = (shared: Store): Store => ({
      recordConsent: whileHeld((e) => shared.recordConsent(e)),
      checkConsent: whileHeld((q) => shared.checkConsent(q)),
      consentHistory: whileHeld((phone) => shared.consentHistory(phone)),
      importConsent: whileHeld((events) => shared.importConsent(events)),
      holdMessage: whileHeld((h) => shared.holdMessage(h)),
      heldMessages: whileHeld((queue, opts) => shared.heldMessages(queue, opts)),
      releaseHeld: whileHeld((queue, id) => shared.releaseHeld(queue, id)),
      countHeld: whileHeld((queue) => shared.countHeld(queue)),
      claimSend: whileHeld((key, info) => shared.claimSend(key, info)),
      completeSend: whileHeld((key, result) => shared.completeSend(key, result)),
      releaseSend: whileHeld((key, outcome) => shared.releaseSend(key, outcome)),
      applyReport: whileHeld((r) => shared.applyReport(r)),
      applyReports: whileHeld((rs) => shared.applyReports(rs)),
      recordInbound: whileHeld((ms) => shared.recordInbound(ms)),
      collectInboundPart: whileHeld((p) => shared.collectInboundPart(p)),
      deliveryCounts: whileHeld((filter) => shared.deliveryCounts(filter)),
      getMessage: whileHeld((idOrKey) => shared.getMessage(idOrKey)),
      close: () => release(),
    });
    let viewed: { of: Store; view: Store } | undefined;

    const release = async (): Promise<void> => {
      if (released) return;
      released = true;
      held.refs--;
      if (held.refs > 0) return;
      if (this.entries.get(checked.key) === held) this.entries.delete(checked.key);
      await held.close();
    };

    return {
      get store(): Promise<Store> {
        if (released) return Promise.reject(new SmsError('STORE_ERROR', 'this store lease was released'));
        return held.get().then((shared) => {
          if (viewed?.of !== shared) viewed = { of: shared, view: view(shared) };
          return viewed.view;
        });
      },
      release,
    };
  }
}

function failedLease(error: SmsError): StoreLease {
  return {
    get store(): Promise<Store> {
      return Promise.reject(error);
    },
    release: async () => undefined,
  };
}

const processRegistry = new StoreRegistry();

/** A lease on the process-wide shared store for `config` (see the top of this file). */
export function sharedStore(config: StoreConfig): StoreLease {
  return processRegistry.lease(config);
}
