/**
 * What the suites of Send SMS's reading operations (Get Status, Delivery Summary) share: the
 * operations run through the harness, and a message log seeded the way it fills up in use —
 * sends through the node (provider HTTP mocked with nock), then delivery reports merged by the
 * real SQLite store, as the DLR Webhook node does.
 */
import nock from 'nock';
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';
import { openStore } from '../../core/store';
import type { DeliveryReport, NormalizedStatus } from '../../core/types';
import { TWILIO_API, TWILIO_CREDENTIALS, TWILIO_MESSAGES_PATH, sendSms, twilioCreated, type SendOptions } from './fixtures';
import type { NodeRun } from './harness';

export async function getStatus(parameters: INodeParameters, items: IDataObject[], opts: SendOptions = {}): Promise<NodeRun> {
  return await sendSms({ operation: 'getStatus', ...parameters }, items, opts);
}

export async function deliverySummary(parameters: INodeParameters, items: IDataObject[] = [{}], opts: SendOptions = {}): Promise<NodeRun> {
  return await sendSms({ operation: 'deliverySummary', ...parameters }, items, opts);
}

export interface Sent {
  messageId: string;
  to: string;
  clientRef?: string;
  idempotencyKey: string;
}

/** Sends one Twilio SMS per item ({ to, clientRef? }) through the node into the store at `storePath`. */
export async function sendThroughTwilio(storePath: string, items: { to: string; clientRef?: string }[]): Promise<Sent[]> {
  let n = 0;
  const scope = nock(TWILIO_API)
    .post(TWILIO_MESSAGES_PATH)
    .times(items.length)
    .reply(201, (_uri: string, body: unknown) => twilioCreated(String(body), ++n));
  const run = await sendSms(
    {
      provider: 'twilio',
      from: '+14155550100',
      to: '={{ $json.to }}',
      text: 'November offers are here',
      options: { storePath, clientRef: '={{ $json.clientRef }}', retries: 0 },
    },
    items,
    { credentials: { a2pTwilioApi: TWILIO_CREDENTIALS } },
  );
  expect(run.error).toBeUndefined();
  expect(scope.isDone()).toBe(true);
  return run.outputs[0].map((item) => sentOf(item));
}

/** Sends through the sandbox (no account) into the store at `storePath`. */
export async function sendThroughSandbox(storePath: string, items: { to: string; clientRef?: string }[]): Promise<Sent[]> {
  const run = await sendSms(
    { provider: 'sandbox', to: '={{ $json.to }}', text: 'Hello', options: { storePath, clientRef: '={{ $json.clientRef }}' } },
    items,
  );
  expect(run.error).toBeUndefined();
  return run.outputs[0].map((item) => sentOf(item));
}

function sentOf(item: INodeExecutionData): Sent {
  const { messageId, to, clientRef, idempotencyKey } = item.json as Record<string, string>;
  expect(messageId).toEqual(expect.any(String));
  return clientRef === undefined ? { messageId, to, idempotencyKey } : { messageId, to, clientRef, idempotencyKey };
}

/** A report of a message sent through Twilio. */
export function report(sent: Sent, status: NormalizedStatus, extra: Partial<DeliveryReport> = {}): DeliveryReport {
  return {
    provider: 'twilio',
    messageId: sent.messageId,
    status,
    final: !['scheduled', 'queued', 'sent'].includes(status),
    providerStatus: status,
    to: sent.to,
    occurredAt: new Date().toISOString(),
    ...extra,
  };
}

/** Merges reports into the store at `file` as the DLR Webhook does, through a connection of its own. */
export async function applyReportsIn(file: string, reports: DeliveryReport[]): Promise<void> {
  const store = await openStore({ kind: 'sqlite', path: file });
  try {
    await store.applyReports(reports);
  } finally {
    await store.close();
  }
}

/** The `error` of a failed output item. */
export function errorOf(item: INodeExecutionData | undefined): { code: string; message: string } {
  expect(item?.json.error).toEqual(expect.objectContaining({ code: expect.any(String), message: expect.any(String) }));
  return item!.json.error as { code: string; message: string };
}
