/**
 * Throwaway SQLite databases for store and dispatch tests: a temp folder for the enclosing block
 * (a describe, or the whole file), removed after it, and a store of its own for each test.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { openStore } from '../../core/store';
import type { ConsentAction, Store } from '../../core/types';

export interface TempDir {
  /** The folder; it exists from the block's first test to its last. */
  readonly path: string;
  /** A path in the folder no other test uses, named after the running test. */
  testFile(): string;
}

export function useTempDir(prefix: string): TempDir {
  let dir: string | undefined;
  let files = 0;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  });
  afterAll(() => {
    if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
  });
  const folder = (): string => {
    if (dir === undefined) throw new Error('the temp folder exists only while its block runs');
    return dir;
  };
  return {
    get path() {
      return folder();
    },
    testFile() {
      // Numbered: test names can repeat (it.each) or differ only in punctuation.
      const name = (expect.getState().currentTestName ?? 'test').replace(/\W+/g, '-').slice(0, 80);
      return path.join(folder(), `${++files}-${name}.sqlite`);
    },
  };
}

export interface TempStore {
  /** The running test's store. */
  readonly store: Store;
  /** Its file, for tests that open the database directly. */
  readonly file: string;
}

/**
 * A fresh store for each test of the enclosing block, closed after it. `open` defaults to what
 * the nodes call, openStore with a sqlite config.
 */
export function useTempStore(
  prefix: string,
  open: (file: string) => Promise<Store> = (file) => openStore({ kind: 'sqlite', path: file }),
): TempStore {
  const dir = useTempDir(prefix);
  let current: { store: Store; file: string } | undefined;
  beforeEach(async () => {
    const file = dir.testFile();
    current = { file, store: await open(file) };
  });
  afterEach(async () => {
    const done = current;
    current = undefined;
    await done?.store.close();
  });
  const now = (): { store: Store; file: string } => {
    if (current === undefined) throw new Error('the temp store exists only while a test runs');
    return current;
  };
  return {
    get store() {
      return now().store;
    },
    get file() {
      return now().file;
    },
  };
}

/**
 * Writes consent events into the SQLite file at `file` (topic `*` and source `sms` unless given),
 * as another node or an earlier run would have, and closes it again.
 */
export async function recordConsentIn(file: string, events: { phone: string; action: ConsentAction; topic?: string }[]): Promise<void> {
  const store = await openStore({ kind: 'sqlite', path: file });
  try {
    for (const e of events) await store.recordConsent({ topic: '*', source: 'sms', ...e });
  } finally {
    await store.close();
  }
}

/** How many events the consent ledger of `file` holds, read behind the store's back. */
export function ledgerRowCount(file: string): number {
  const raw = new DatabaseSync(file);
  try {
    return (raw.prepare('SELECT COUNT(*) AS n FROM consent_events').get() as { n: number }).n;
  } finally {
    raw.close();
  }
}
