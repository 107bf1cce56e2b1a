// node-red-node-test-helper ships no types (the DefinitelyTyped ones stop at 0.3.5 and Node-RED 1):
// the part these suites use.
declare module 'node-red-node-test-helper' {
  import type { EventEmitter } from 'node:events';
  import type { Test } from 'supertest';

  interface SpyCall {
    args: unknown[];
  }

  interface TestNode extends EventEmitter {
    id: string;
    type: string;
    receive(msg: Record<string, unknown>): void;
    close(removed?: boolean): Promise<void>;
    on(event: 'input', listener: (msg: Record<string, unknown>) => void): this;
    on(event: `call:${string}`, listener: (call: SpyCall) => void): this;
  }

  interface LogSpy {
    args: unknown[][];
  }

  interface NodeTestHelper {
    init(runtimePath: string, userSettings?: Record<string, unknown>): void;
    settings(userSettings: Record<string, unknown>): Record<string, unknown>;
    load(
      nodes: unknown | unknown[],
      flow: Record<string, unknown>[],
      credentials?: Record<string, Record<string, string>>,
    ): Promise<void>;
    unload(): Promise<void>;
    getNode(id: string): TestNode;
    request(): {
      get(path: string): Test;
      post(path: string): Test;
    };
    log(): LogSpy;
  }

  const helper: NodeTestHelper;
  export = helper;
}
