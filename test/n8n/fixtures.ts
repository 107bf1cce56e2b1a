/** What the Send SMS suites share: the node run through the harness, credentials, sample data. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ICredentialDataDecryptedObject, IDataObject, INodeExecutionData, INodeParameters, OnError } from 'n8n-workflow';
import { SendSms } from '../../nodes/SendSms/SendSms.node';
import { runNode, type NodeRun } from './harness';

export const TWILIO_API = 'https://api.twilio.com';
export const TWILIO_CREDENTIALS = {
  accountSid: 'AC0123456789abcdef0123456789abcdef',
  authToken: 'tw-auth-token-5ecret-42',
};
export const TWILIO_MESSAGES_PATH = `/2010-04-01/Accounts/${TWILIO_CREDENTIALS.accountSid}/Messages.json`;

/** The `this` of a nock reply function, as far as these tests read it. */
export interface Intercepted {
  req: { headers: Record<string, string | string[] | undefined> };
}

/** A fresh SQLite file per test, so idempotency records of one test never answer another. */
export function tempStorePath(): string {
  return join(mkdtempSync(join(tmpdir(), 'a2p-n8n-store-')), 'store.sqlite');
}

export interface SendOptions {
  credentials?: Record<string, ICredentialDataDecryptedObject>;
  onError?: OnError;
  timezone?: string;
}

export async function sendSms(parameters: INodeParameters, items: IDataObject[], opts: SendOptions = {}): Promise<NodeRun> {
  return runNode({ nodeType: new SendSms(), parameters, items, ...opts });
}

/** A Twilio 201 answer for a form-encoded request body, with a distinct SID per call. */
export function twilioCreated(body: string, n: number): IDataObject {
  const form = new URLSearchParams(body);
  return {
    sid: `SM${n.toString(16).padStart(32, '0')}`,
    status: 'queued',
    to: form.get('To'),
    from: form.get('From'),
    body: form.get('Body'),
    num_segments: '1',
    price: null,
    price_unit: 'USD',
  };
}

/** Every output item must point back at its input item, in order. */
export function expectPairedInOrder(items: INodeExecutionData[]): void {
  expect(items.map((item) => item.pairedItem)).toEqual(items.map((_, i) => ({ item: i })));
}

/** Shopify-like order webhooks: what a "order shipped" SMS flow receives. */
export const ORDERS: IDataObject[] = [
  {
    id: 5001,
    name: '#1001',
    total_price: '49.90',
    currency: 'EUR',
    customer: { first_name: 'Ana', last_name: 'García', phone: '+34 612 34 56 78' },
    fulfillments: [{ tracking_number: '1Z999AA10123456784' }],
  },
  {
    id: 5002,
    name: '#1002',
    total_price: '12.00',
    currency: 'USD',
    customer: { first_name: 'Bob', last_name: 'Smith', phone: '+1 (415) 555-0123' },
    fulfillments: [{ tracking_number: '9400111899223197428490' }],
  },
];
