/**
 * Serves an n8n webhook node the way n8n does, without the n8n application: a request listener that
 * captures the raw body as `req.rawBody` and parses JSON/form bodies (n8n's webhook middleware),
 * then calls the node's `webhook()` through n8n-core's own WebhookContext with that request and
 * response. What the node hands to the workflow is recorded.
 */
import type { RequestListener } from 'node:http';
import { WebhookContext } from 'n8n-core';
import {
  Workflow,
  type ICredentialDataDecryptedObject,
  type IDataObject,
  type INode,
  type INodeParameters,
  type INodeType,
  type INodeTypes,
  type IWebhookData,
  type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';
import { PACKAGE_NAME, TestCredentialsHelper } from './harness';

export const WEBHOOK_ID = '7f1c0a52-a2p-kit-test';
/** The node's production URL as n8n reports it (webhookBaseUrl + webhookId + the node's path). */
export const PRODUCTION_URL = `http://127.0.0.1:5678/webhook/${WEBHOOK_ID}/webhook`;

export interface ServedWebhook {
  app: RequestListener;
  /** workflowData of each request that started the workflow: the items, as JSON. */
  started: IDataObject[][];
}

export function serveWebhook(nodeType: INodeType, parameters: INodeParameters, credentials: Record<string, ICredentialDataDecryptedObject> = {}): ServedWebhook {
  const typeName = `${PACKAGE_NAME}.${nodeType.description.name}`;
  const node: INode = {
    id: 'under-test',
    name: nodeType.description.defaults.name ?? 'Trigger',
    type: typeName,
    typeVersion: 1,
    position: [0, 0],
    parameters,
    webhookId: WEBHOOK_ID,
    credentials: Object.fromEntries(Object.keys(credentials).map((type) => [type, { id: `${type}-id`, name: type }])),
  };
  const nodeTypes: INodeTypes = {
    getByName: () => nodeType,
    getByNameAndVersion: () => nodeType,
    getKnownTypes: () => ({}),
  };
  const workflow = new Workflow({ id: 'a2p-hook', name: 'hook', nodes: [node], connections: {}, active: true, nodeTypes, settings: {} });
  const started: IDataObject[][] = [];

  const app: RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      // What n8n's webhook middleware leaves on the request: the raw bytes and the parsed body.
      const raw = Buffer.concat(chunks);
      const type = req.headers['content-type'] ?? '';
      let body: unknown;
      try {
        body = type.includes('json') && raw.length > 0 ? JSON.parse(raw.toString('utf8')) : Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
      } catch {
        body = {};
      }
      Object.assign(req, { rawBody: raw, body, originalUrl: req.url });
      const method = req.method ?? 'POST';
      const additionalData = {
        credentialsHelper: new TestCredentialsHelper(credentials),
        webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
        webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
        httpRequest: req,
        httpResponse: res,
      } as unknown as IWorkflowExecuteAdditionalData;
      const webhookData = {
        httpMethod: method,
        node: node.name,
        path: 'webhook',
        webhookDescription: { name: 'default', httpMethod: method, path: 'webhook', responseMode: 'onReceived' },
        workflowId: workflow.id,
        isTest: false,
      } as unknown as IWebhookData;
      const ctx = new WebhookContext(workflow, node, additionalData, 'webhook', webhookData, [], null);
      (nodeType.webhook as NonNullable<INodeType['webhook']>)
        .call(ctx)
        .then((out) => {
          if (out.workflowData !== undefined) started.push((out.workflowData[0] ?? []).map((i) => i.json));
          if (!res.headersSent) res.writeHead(200).end();
        })
        .catch(() => {
          if (!res.headersSent) res.writeHead(599).end('the node threw');
        });
    });
  };
  return { app, started };
}
