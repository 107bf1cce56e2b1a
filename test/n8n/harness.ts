/**
 * Runs n8n nodes inside a real n8n-core 2.41 WorkflowExecute, without the n8n application:
 * a workflow "Start → node under test", the input items fed to Start, credentials served
 * decrypted by an ICredentialsHelper, and the run data read back as n8n would store it.
 * (reference/engines-here.md §4: n8n's own NodeTestHarness is not published.)
 *
 * Importing this module points N8N_USER_FOLDER at a fresh temp folder before n8n-core builds its
 * InstanceSettings, which would otherwise write ~/.n8n/config.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import {
  ICredentialsHelper,
  Workflow,
  createRunExecutionData,
  type ExecutionError,
  type IAuthenticateGeneric,
  type IBinaryKeyData,
  type ICredentialDataDecryptedObject,
  type ICredentialType,
  type IDataObject,
  type IExecuteFunctions,
  type IHttpRequestOptions,
  type INode,
  type INodeCredentialsDetails,
  type INodeExecutionData,
  type INodeParameters,
  type INodeProperties,
  type INodeType,
  type INodeTypes,
  type IRun,
  type IWorkflowBase,
  type IWorkflowExecuteAdditionalData,
  type OnError,
  NodeConnectionTypes,
} from 'n8n-workflow';

if (!process.env.N8N_USER_FOLDER) process.env.N8N_USER_FOLDER = mkdtempSync(join(tmpdir(), 'a2p-n8n-user-'));

export const PACKAGE_NAME = '@a2p-kit/n8n-nodes-sms';

// ---------------------------------------------------------------------------------------------
// Logs: n8n-core hands nodes `Container.get(Logger)` as `this.logger`; a recording one replaces it.

export interface LogLine {
  level: 'error' | 'warn' | 'info' | 'debug';
  message: string;
  metadata?: unknown;
}

export const logs: LogLine[] = [];
const recordingLogger = {
  scoped: () => recordingLogger,
  error: (message: string, metadata?: unknown) => logs.push({ level: 'error', message, metadata }),
  warn: (message: string, metadata?: unknown) => logs.push({ level: 'warn', message, metadata }),
  info: (message: string, metadata?: unknown) => logs.push({ level: 'info', message, metadata }),
  debug: (message: string, metadata?: unknown) => logs.push({ level: 'debug', message, metadata }),
};
Container.set(Logger, recordingLogger as unknown as Logger);

// ---------------------------------------------------------------------------------------------
// Credentials

/**
 * Serves credentials by type, already decrypted, and applies a credential type's generic
 * `authenticate` block the way n8n's CLI CredentialsHelper does (expressions resolved against
 * `$credentials`, then merged into the request's auth / headers / qs / body).
 */
export class TestCredentialsHelper extends ICredentialsHelper {
  constructor(
    private readonly data: Record<string, ICredentialDataDecryptedObject>,
    private readonly types: Record<string, ICredentialType> = {},
  ) {
    super();
  }

  getParentTypes(): string[] {
    return [];
  }

  isCredentialUsableByNode(): boolean {
    return true;
  }

  async authenticate(
    credentials: ICredentialDataDecryptedObject,
    typeName: string,
    requestOptions: IHttpRequestOptions,
    workflow?: Workflow,
    node?: INode,
  ): Promise<IHttpRequestOptions> {
    const auth = this.types[typeName]?.authenticate as IAuthenticateGeneric | undefined;
    if (auth === undefined || typeof auth !== 'object' || !workflow || !node) return requestOptions;
    const resolve = (value: string): string => {
      if (!value.startsWith('=')) return value;
      const out = workflow.expression.getSimpleParameterValue(node, value, 'internal', { $credentials: credentials }, undefined, '');
      return out === undefined || out === null ? '' : String(out);
    };
    const target = requestOptions as unknown as Record<string, Record<string, string>>;
    for (const [outerKey, inner] of Object.entries(auth.properties)) {
      target[outerKey] ??= {};
      for (const [key, value] of Object.entries(inner as Record<string, string>)) target[outerKey][resolve(key)] = resolve(value);
    }
    return requestOptions;
  }

  async preAuthentication(): Promise<undefined> {
    return undefined;
  }

  async runPreAuthentication(): Promise<undefined> {
    return undefined;
  }

  async getCredentials(): Promise<never> {
    throw new Error('the test harness serves decrypted credentials only');
  }

  async getDecrypted(_additionalData: IWorkflowExecuteAdditionalData, nodeCredentials: INodeCredentialsDetails, type: string): Promise<ICredentialDataDecryptedObject> {
    const data = this.data[type];
    if (data === undefined) throw new Error(`Credential with ID "${nodeCredentials.id}" does not exist for type "${type}".`);
    return { ...data };
  }

  async updateCredentials(): Promise<void> {}

  async updateCredentialsOauthTokenData(): Promise<void> {}

  getCredentialsProperties(type: string): INodeProperties[] {
    return this.types[type]?.properties ?? [];
  }
}

// ---------------------------------------------------------------------------------------------
// Workflow

/** Stands in for a Manual Trigger: passes on the items the harness puts on its input. */
class StartNode implements INodeType {
  description = {
    displayName: 'Start',
    name: 'start',
    group: ['input'],
    version: 1,
    description: 'Emits the test items',
    defaults: { name: 'Start' },
    inputs: [NodeConnectionTypes.Main],
    outputs: [NodeConnectionTypes.Main],
    properties: [],
  } satisfies INodeType['description'];

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    return [this.getInputData()];
  }
}

class NodeTypes implements INodeTypes {
  constructor(private readonly types: Record<string, INodeType>) {}

  getByName(name: string): INodeType {
    const type = this.types[name];
    if (!type) throw new Error(`unknown node type ${name}`);
    return type;
  }

  getByNameAndVersion(name: string): INodeType {
    return this.getByName(name);
  }

  getKnownTypes(): IDataObject {
    return {};
  }
}

export interface RunOptions {
  nodeType: INodeType;
  parameters: INodeParameters;
  /** The JSON of the items fed to the node. */
  items: IDataObject[];
  /** Binary data of the items, by position in `items` (n8n's default mode: base64 in `data`). */
  binary?: (IBinaryKeyData | undefined)[];
  /** Decrypted credential data by credential type name; each one is selected on the node. */
  credentials?: Record<string, ICredentialDataDecryptedObject>;
  credentialTypes?: Record<string, ICredentialType>;
  /** The node's "On Error" setting. */
  onError?: OnError;
  /** The workflow's time zone (what `this.getTimezone()` answers). */
  timezone?: string;
  /** Handed the running execution, e.g. to cancel it as the n8n UI's Stop button does. */
  onStart?: (execution: { cancel(): void }) => void;
}

export interface NodeRun {
  run: IRun;
  /** The node's outputs (main, then n8n's error output when "continue using error output" is set). */
  outputs: INodeExecutionData[][];
  /** The node's error when it failed: what n8n shows and stores. */
  error?: ExecutionError;
}

let executionCounter = 0;

export async function runNode(opts: RunOptions): Promise<NodeRun> {
  const typeName = `${PACKAGE_NAME}.${opts.nodeType.description.name}`;
  const nodeTypes = new NodeTypes({ start: new StartNode(), [typeName]: opts.nodeType });
  const start: INode = { id: 'start', name: 'Start', type: 'start', typeVersion: 1, position: [0, 0], parameters: {} };
  const underTest: INode = {
    id: 'under-test',
    name: opts.nodeType.description.defaults.name ?? 'Node',
    type: typeName,
    typeVersion: 1,
    position: [200, 0],
    parameters: opts.parameters,
  };
  if (opts.onError) underTest.onError = opts.onError;
  if (opts.credentials) {
    underTest.credentials = Object.fromEntries(
      Object.keys(opts.credentials).map((type) => [type, { id: `${type}-id`, name: `${type} (test)` }]),
    );
  }

  const connections = { Start: { main: [[{ node: underTest.name, type: NodeConnectionTypes.Main, index: 0 }]] } };
  const settings = { executionOrder: 'v1' as const, timezone: opts.timezone ?? 'UTC' };
  const workflow = new Workflow({
    id: 'a2p-test',
    name: 'A2P Kit test',
    nodes: [start, underTest],
    connections,
    active: false,
    nodeTypes,
    settings,
  });
  const workflowData: IWorkflowBase = {
    id: workflow.id,
    name: 'A2P Kit test',
    active: false,
    isArchived: false,
    activeVersionId: null,
    createdAt: new Date(),
    updatedAt: new Date(),
    nodes: [start, underTest],
    connections,
    settings,
  };

  const executionId = `test-${++executionCounter}`;
  const additionalData = {
    credentialsHelper: new TestCredentialsHelper(opts.credentials ?? {}, opts.credentialTypes),
    hooks: new ExecutionLifecycleHooks('manual', executionId, workflowData),
    executionId,
    executeWorkflow: async () => {
      throw new Error('sub-workflows are not part of these tests');
    },
    getRunExecutionData: async () => undefined,
    getRuntimeCredential: async () => undefined,
    startRunnerTask: async () => {
      throw new Error('task runners are not part of these tests');
    },
    logAiEvent: () => undefined,
    currentNodeExecutionIndex: 0,
    variables: {},
    restApiUrl: 'http://127.0.0.1:5678/rest',
    instanceBaseUrl: 'http://127.0.0.1:5678/',
    formBaseUrl: 'http://127.0.0.1:5678/form',
    formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
    formTestBaseUrl: 'http://127.0.0.1:5678/form-test',
    webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
    webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
    webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
    mcpBaseUrl: 'http://127.0.0.1:5678/mcp',
    mcpTestBaseUrl: 'http://127.0.0.1:5678/mcp-test',
  } as unknown as IWorkflowExecuteAdditionalData;

  const runExecutionData = createRunExecutionData({
    executionData: {
      nodeExecutionStack: [{ node: start, data: { main: [opts.items.map((json, i) => withBinary(json, opts.binary?.[i]))] }, source: null }],
    },
  });
  const execution = new WorkflowExecute(additionalData, 'manual', runExecutionData).processRunExecutionData(workflow);
  opts.onStart?.({ cancel: () => execution.cancel() });
  const run = await execution;

  const task = run.data.resultData.runData[underTest.name]?.[0];
  const outputs = (task?.data?.main ?? []).map((output) => output ?? []);
  const error = task?.error ?? run.data.resultData.error;
  return error === undefined ? { run, outputs } : { run, outputs, error };
}

function withBinary(json: IDataObject, binary: IBinaryKeyData | undefined): INodeExecutionData {
  return binary === undefined ? { json } : { json, binary };
}
