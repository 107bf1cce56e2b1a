/**
 * Serves an n8n webhook node the way n8n does, without the n8n application:
 *
 * - registration: the node's `webhooks` are read as n8n's WebhookService reads them (httpMethod an
 *   expression giving a comma-separated list, one registration per method), so a request with a
 *   method the node did not register is answered 404 as n8n would;
 * - the request: the raw body is read once into `req.rawBody` and a parsed copy put in `req.body`
 *   (n8n's raw-body reader and parseBody, which run for every body of a version-1 node but
 *   multipart — there n8n's form parser consumes the stream and no rawBody is left);
 * - the call: `webhook()` through n8n-core's own WebhookContext, with the request and a real
 *   node:http ServerResponse; then n8n's handling of the result (`noWebhookResponse`, a default
 *   200 otherwise, 500 when the node throws);
 * - the lifecycle: checkExists / create / delete through n8n-core's HookContext, once per
 *   registered method, as n8n activates and deactivates a workflow.
 *
 * What the node hands to the workflow is recorded in `started`.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { HookContext, WebhookContext } from 'n8n-core';
import {
  NodeHelpers,
  Workflow,
  type ICredentialDataDecryptedObject,
  type IDataObject,
  type INode,
  type INodeParameters,
  type INodeType,
  type INodeTypes,
  type IWebhookData,
  type IWebhookDescription,
  type IWorkflowExecuteAdditionalData,
  type WorkflowActivateMode,
  type WorkflowExecuteMode,
} from 'n8n-workflow';
import { PACKAGE_NAME, TestCredentialsHelper } from './harness';

export const WEBHOOK_ID = '7f1c0a52-a2p-kit-test';
const BASE = 'http://127.0.0.1:5678';
/** n8n's default N8N_PAYLOAD_SIZE_MAX (16 MB): n8n refuses larger bodies before any node runs. */
const N8N_PAYLOAD_MAX = 16 * 1024 * 1024;

export const PRODUCTION_URL = `${BASE}/webhook/${WEBHOOK_ID}/webhook`;
export const TEST_URL = `${BASE}/webhook-test/${WEBHOOK_ID}/webhook`;
/** The path a test request is sent to (supertest talks to the listener directly). */
export const PRODUCTION_PATH = new URL(PRODUCTION_URL).pathname;
export const TEST_PATH = new URL(TEST_URL).pathname;

export interface WebhookNodeSetup {
  parameters: INodeParameters;
  /** Decrypted credential data by credential type name; each one is selected on the node. */
  credentials?: Record<string, ICredentialDataDecryptedObject>;
}

export type HookMethod = 'checkExists' | 'create' | 'delete';

export class ServedWebhookNode {
  /** workflowData of each request that started the workflow: the items, as JSON. */
  readonly started: IDataObject[][] = [];
  /** Every lifecycle call, in order, with its answer. */
  readonly hookCalls: { method: HookMethod; httpMethod: string; answer: boolean }[] = [];
  readonly app: RequestListener;
  private readonly node: INode;
  private readonly workflow: Workflow;
  private readonly credentialsHelper: TestCredentialsHelper;

  constructor(
    private readonly nodeType: INodeType,
    setup: WebhookNodeSetup,
  ) {
    const credentials = setup.credentials ?? {};
    this.node = {
      id: 'under-test',
      name: nodeType.description.defaults.name ?? 'Trigger',
      type: `${PACKAGE_NAME}.${nodeType.description.name}`,
      typeVersion: 1,
      position: [0, 0],
      parameters: setup.parameters,
      webhookId: WEBHOOK_ID,
      credentials: Object.fromEntries(Object.keys(credentials).map((type) => [type, { id: `${type}-id`, name: type }])),
    };
    const nodeTypes: INodeTypes = {
      getByName: () => nodeType,
      getByNameAndVersion: () => nodeType,
      getKnownTypes: () => ({}),
    };
    this.workflow = new Workflow({ id: 'a2p-hook', name: 'hook', nodes: [this.node], connections: {}, active: true, nodeTypes, settings: {} });
    this.credentialsHelper = new TestCredentialsHelper(credentials);
    this.app = (req, res) => void this.serve(req, res);
  }

  /** The methods n8n registers the node's path for, as WebhookService.getNodeWebhooks computes them. */
  registeredMethods(): string[] {
    return this.webhookData(false).map((w) => w.httpMethod);
  }

  /** What n8n does when the workflow is activated: checkExists, then create when it answered false. */
  async activate(mode: { test?: boolean } = {}): Promise<void> {
    for (const data of this.webhookData(mode.test === true)) {
      if (!(await this.hook('checkExists', data, mode.test === true))) await this.hook('create', data, mode.test === true);
    }
  }

  /** What n8n does when the workflow is deactivated (or a test listener ends). */
  async deactivate(mode: { test?: boolean } = {}): Promise<void> {
    for (const data of this.webhookData(mode.test === true)) await this.hook('delete', data, mode.test === true);
  }

  private async hook(method: HookMethod, data: IWebhookData, test: boolean): Promise<boolean> {
    const fn = this.nodeType.webhookMethods?.[data.webhookDescription.name]?.[method];
    if (fn === undefined) throw new Error(`the node has no webhookMethods.${data.webhookDescription.name}.${method}`);
    const mode: WorkflowExecuteMode = test ? 'manual' : 'trigger';
    const activation: WorkflowActivateMode = test ? 'manual' : 'activate';
    const ctx = new HookContext(this.workflow, this.node, this.additionalData(), mode, activation, data);
    const answer = (await fn.call(ctx)) as boolean;
    this.hookCalls.push({ method, httpMethod: data.httpMethod, answer });
    return answer;
  }

  private webhookData(isTest: boolean): IWebhookData[] {
    const descriptions: IWebhookDescription[] = this.nodeType.description.webhooks ?? [];
    return descriptions.flatMap((description) => {
      const evaluate = (value: unknown, fallback: unknown) =>
        this.workflow.expression.getSimpleParameterValue(this.node, value as string, 'internal', {}, undefined, fallback as string);
      const nodePath = String(evaluate(description.path, '')).replace(/^\/|\/$/g, '');
      const path = NodeHelpers.getNodeWebhookPath(this.workflow.id, this.node, nodePath, evaluate(description.isFullPath, false) === true);
      return String(evaluate(description.httpMethod, 'GET'))
        .split(',')
        .filter((m) => m.trim() !== '')
        .map(
          (httpMethod) =>
            ({
              httpMethod: httpMethod.trim(),
              node: this.node.name,
              path,
              webhookDescription: description,
              workflowId: this.workflow.id,
              workflowExecuteAdditionalData: this.additionalData(),
              webhookId: this.node.webhookId,
              isTest,
            }) as unknown as IWebhookData,
        );
    });
  }

  private additionalData(extra: object = {}): IWorkflowExecuteAdditionalData {
    return {
      credentialsHelper: this.credentialsHelper,
      webhookBaseUrl: `${BASE}/webhook`,
      webhookTestBaseUrl: `${BASE}/webhook-test`,
      ...extra,
    } as unknown as IWorkflowExecuteAdditionalData;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', BASE);
    const isTest = url.pathname.startsWith('/webhook-test/');
    const method = req.method ?? 'GET';
    const data = this.webhookData(isTest).find((w) => w.httpMethod === method && url.pathname === `/${isTest ? 'webhook-test' : 'webhook'}/${w.path}`);
    if (data === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ message: `The requested webhook "${method} ${url.pathname}" is not registered.` }));
      return;
    }
    const raw = await readBody(req, N8N_PAYLOAD_MAX);
    if (raw === undefined) {
      res.writeHead(413).end('request entity too large');
      return;
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
    const body = parsedLikeN8n(type, raw);
    if (body === UNPARSABLE) {
      res.writeHead(422, { 'content-type': 'application/json' }).end('{"message":"Failed to parse request body"}');
      return;
    }
    const extras: Record<string, unknown> = { originalUrl: req.url, query: Object.fromEntries(url.searchParams), params: {}, body };
    // n8n's form parser takes multipart bodies: no raw bytes are left for the node.
    if (type !== 'multipart/form-data') extras.rawBody = raw;
    Object.assign(req, extras);

    const additionalData = this.additionalData({ httpRequest: req, httpResponse: res });
    const ctx = new WebhookContext(this.workflow, this.node, additionalData, isTest ? 'manual' : 'webhook', data, [], null);
    try {
      const out = await (this.nodeType.webhook as NonNullable<INodeType['webhook']>).call(ctx);
      if (out.workflowData !== undefined) this.started.push((out.workflowData[0] ?? []).map((i) => i.json));
      if (out.noWebhookResponse !== true && !res.headersSent) res.writeHead(200, { 'content-type': 'application/json' }).end('{"message":"Webhook call received"}');
    } catch {
      if (!res.headersSent) res.writeHead(500).end('{"message":"Workflow Webhook Error: Workflow could not be started!"}');
    }
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
    });
    req.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const UNPARSABLE = Symbol('unparsable');

/**
 * n8n's parseBody: JSON, form and text by exact content type; anything else stays unparsed. A
 * body of a type n8n parses that does not parse is answered 422 by n8n: the node never runs.
 */
function parsedLikeN8n(type: string, raw: Buffer): unknown {
  if (raw.length === 0) return {};
  try {
    if (type === 'application/json') return JSON.parse(raw.toString('utf8')) as unknown;
    if (type === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
    if (type === 'text/plain') return raw.toString('utf8');
  } catch {
    return UNPARSABLE;
  }
  return {};
}
