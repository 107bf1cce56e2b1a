/**
 * Send SMS inside n8n-core's WorkflowExecute: what a workflow gets out of the node for the
 * sandbox and for Twilio (provider HTTP mocked with nock), in text and template mode.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import nock from 'nock';
import { useNock } from '../support/nock';
import { logs } from './harness';
import { ORDERS, type Intercepted, TWILIO_API, TWILIO_CREDENTIALS, TWILIO_MESSAGES_PATH, expectPairedInOrder, sendSms, tempStorePath, twilioCreated } from './fixtures';

useNock();

describe('Send SMS with the sandbox', () => {
  it('sends every item and returns one result per item, paired with it', async () => {
    const { outputs, error } = await sendSms(
      { provider: 'sandbox', to: '={{ $json.phone }}', text: '=Hello {{ $json.name }}', options: { storePath: tempStorePath() } },
      [
        { phone: '+14155550123', name: 'Ana' },
        { phone: '+34 612 34 56 78', name: 'Bob' },
      ],
    );
    expect(error).toBeUndefined();
    expect(outputs).toHaveLength(1);
    const [main] = outputs;
    expectPairedInOrder(main);
    expect(main.map((i) => i.json)).toEqual([
      expect.objectContaining({ provider: 'sandbox', to: '+14155550123', status: expect.any(String), segments: 1, encoding: 'GSM-7' }),
      expect.objectContaining({ provider: 'sandbox', to: '+34612345678', segments: 1, encoding: 'GSM-7' }),
    ]);
    expect(main[0].json.messageId).toEqual(expect.any(String));
    expect(main[0].json.messageId).not.toBe(main[1].json.messageId);
    expect(main[0].json.analysis).toEqual({
      encoding: 'GSM-7',
      segments: 1,
      units: 9,
      perSegment: 160,
      remaining: 151,
      text: 'Hello Ana',
      replacements: [],
      nonGsmChars: [],
    });
  });

  it('logs progress and a summary through n8n’s logger', async () => {
    logs.length = 0;
    const items = Array.from({ length: 20 }, (_, i) => ({ n: i }));
    await sendSms({ provider: 'sandbox', to: '+14155550123', text: '=Message {{ $json.n }}', options: { storePath: tempStorePath() } }, items);
    const lines = logs.filter((l) => l.level === 'info').map((l) => l.message);
    expect(lines).toContain('Send SMS: 10/20 done (10 sent, 0 failed)');
    expect(lines).toContain('Send SMS: 20/20 done (20 sent, 0 failed)');
    expect(lines).toContain('Send SMS: sent 20 of 20, 0 failed');
  });

  it('keeps the store in n8n’s folder when no store path is set', async () => {
    const { error } = await sendSms({ provider: 'sandbox', to: '+14155550123', text: 'Hi' }, [{}]);
    expect(error).toBeUndefined();
    expect(existsSync(join(process.env.N8N_USER_FOLDER!, '.n8n', 'a2p-kit.sqlite'))).toBe(true);
  });
});

describe('Send SMS with Twilio', () => {
  it('posts exactly the documented request and maps the answer', async () => {
    let seen: { headers: Record<string, unknown>; body: string } | undefined;
    const scope = nock(TWILIO_API)
      .post(TWILIO_MESSAGES_PATH)
      .reply(function (this: Intercepted, _uri: string, body: unknown) {
        seen = { headers: this.req.headers, body: String(body) };
        return [201, { ...twilioCreated(String(body), 1), price: '-0.00790', price_unit: 'USD', num_segments: '1' }];
      });
    const { outputs, error } = await sendSms(
      {
        provider: 'twilio',
        from: '+14155550100',
        to: '={{ $json.phone }}',
        text: 'Your code is 123456',
        options: {
          storePath: tempStorePath(),
          statusCallbackUrl: 'https://n8n.example.com/webhook/dlr',
          validitySeconds: 600,
          clientRef: '={{ $json.ref }}',
        },
      },
      [{ phone: '+1 415 555 0123', ref: 'order-1001' }],
      { credentials: { a2pTwilioApi: TWILIO_CREDENTIALS } },
    );
    expect(error).toBeUndefined();
    expect(scope.isDone()).toBe(true);
    const basic = Buffer.from(`${TWILIO_CREDENTIALS.accountSid}:${TWILIO_CREDENTIALS.authToken}`).toString('base64');
    expect(seen!.headers.authorization).toBe(`Basic ${basic}`);
    expect(seen!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(seen!.body))).toEqual({
      To: '+14155550123',
      From: '+14155550100',
      Body: 'Your code is 123456',
      StatusCallback: 'https://n8n.example.com/webhook/dlr',
      ValidityPeriod: '600',
    });
    expect(outputs[0]).toHaveLength(1);
    expect(outputs[0][0]).toEqual({
      json: expect.objectContaining({
        provider: 'twilio',
        messageId: 'SM00000000000000000000000000000001',
        status: 'queued',
        to: '+14155550123',
        from: '+14155550100',
        clientRef: 'order-1001',
        segments: 1,
        encoding: 'GSM-7',
        price: { amount: 0.0079, currency: 'USD' },
        idempotencyKey: expect.any(String),
      }),
      pairedItem: { item: 0 },
    });
  });
});

describe('Send At', () => {
  it('reads a date-picker value (no zone) in the workflow’s time zone and sends the UTC instant', async () => {
    const local = DateTime.now().setZone('Europe/Madrid').plus({ days: 2 }).startOf('minute');
    let sendAt: string | null = null;
    nock(TWILIO_API)
      .post(TWILIO_MESSAGES_PATH)
      .reply(201, (_uri: string, body: unknown) => {
        sendAt = new URLSearchParams(String(body)).get('SendAt');
        return twilioCreated(String(body), 1);
      });
    const { outputs, error } = await sendSms(
      { provider: 'twilio', to: '+14155550123', text: 'Reminder', options: { storePath: tempStorePath(), sendAt: local.toFormat("yyyy-MM-dd'T'HH:mm:ss") } },
      [{}],
      { timezone: 'Europe/Madrid', credentials: { a2pTwilioApi: { ...TWILIO_CREDENTIALS, messagingServiceSid: 'MG0123456789abcdef0123456789abcdef' } } },
    );
    expect(error).toBeUndefined();
    expect(sendAt).toBe(local.toUTC().toISO({ suppressMilliseconds: true }));
    expect(outputs[0][0].json.status).toBe('scheduled');
  });
});

describe('message modes', () => {
  const expected = ['Hi Ana, order #1001 has shipped.', 'Hi Bob, order #1002 has shipped.'];

  it('text mode: an ordinary n8n expression over the item', async () => {
    const { outputs, error } = await sendSms(
      {
        provider: 'sandbox',
        to: '={{ $json.customer.phone }}',
        messageMode: 'text',
        text: '=Hi {{ $json.customer.first_name }}, order {{ $json.name }} has shipped.',
        options: { storePath: tempStorePath() },
      },
      ORDERS,
    );
    expect(error).toBeUndefined();
    expect(outputs[0].map((i) => (i.json.analysis as { text: string }).text)).toEqual(expected);
  });

  it('template mode: Handlebars over the item’s JSON, untouched by n8n’s expression engine', async () => {
    const { outputs, error } = await sendSms(
      {
        provider: 'sandbox',
        to: '={{ $json.customer.phone }}',
        messageMode: 'template',
        template: 'Hi {{customer.first_name}}, order {{name}} has shipped.',
        options: { storePath: tempStorePath() },
      },
      ORDERS,
    );
    expect(error).toBeUndefined();
    expect(outputs[0].map((i) => (i.json.analysis as { text: string }).text)).toEqual(expected);
    expectPairedInOrder(outputs[0]);
  });

  it('template mode reaches nested arrays and renders UCS-2 text honestly', async () => {
    const { outputs } = await sendSms(
      {
        provider: 'sandbox',
        to: '={{ $json.customer.phone }}',
        messageMode: 'template',
        template: '¡Hola {{customer.first_name}}! 📦 {{fulfillments.0.tracking_number}}',
        options: { storePath: tempStorePath() },
      },
      ORDERS.slice(0, 1),
    );
    expect(outputs[0][0].json.analysis).toMatchObject({
      encoding: 'UCS-2',
      text: '¡Hola Ana! 📦 1Z999AA10123456784',
      nonGsmChars: ['📦'],
    });
  });
});

describe('dry run', () => {
  it('analyses every item, sends nothing and creates no store', async () => {
    const storePath = tempStorePath();
    const { outputs, error } = await sendSms(
      { provider: 'twilio', from: '+14155550100', to: '={{ $json.phone }}', text: 'Sale: 20% off “today” — only', options: { dryRun: true, storePath } },
      [{ phone: '+14155550123' }, { phone: '+34612345678' }],
      { credentials: { a2pTwilioApi: TWILIO_CREDENTIALS } },
    );
    // disableNetConnect: any request would have failed its item.
    expect(error).toBeUndefined();
    expect(outputs[0].map((i) => i.json)).toEqual([
      expect.objectContaining({ dryRun: true, messageId: '', to: '+14155550123' }),
      expect.objectContaining({ dryRun: true, messageId: '', to: '+34612345678' }),
    ]);
    expect(outputs[0][0].json.analysis).toMatchObject({ encoding: 'GSM-7', text: 'Sale: 20% off "today" - only' });
    expect(existsSync(storePath)).toBe(false);
  });
});
