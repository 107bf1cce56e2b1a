/**
 * Send SMS, operation Get Status, inside n8n-core's WorkflowExecute: the message log's record of a
 * send by message ID or idempotency key, its status moving as reports arrive, unknown messages as
 * `found: false`, and bad lookups as coded errors under each "On Error" setting.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IDataObject } from 'n8n-workflow';
import { useNock } from '../support/nock';
import { expectPairedInOrder, tempStorePath } from './fixtures';
import { applyReportsIn, errorOf, getStatus, report, sendThroughSandbox, sendThroughTwilio } from './message-log-fixtures';

useNock();

const BY_ITEM = { messageId: '={{ $json.id }}' };

describe('Get Status', () => {
  it('finds a send by its message ID and by its idempotency key, with no credential', async () => {
    const store = tempStorePath();
    const [sent] = await sendThroughTwilio(store, [{ to: '+14155550123', clientRef: 'order-1001' }]);

    const { outputs, error } = await getStatus({ ...BY_ITEM, options: { storePath: store } }, [{ id: sent.messageId }, { id: sent.idempotencyKey }]);

    expect(error).toBeUndefined();
    const [main] = outputs;
    expectPairedInOrder(main);
    for (const item of main) {
      expect(item.json).toMatchObject({
        found: true,
        provider: 'twilio',
        messageId: sent.messageId,
        idempotencyKey: sent.idempotencyKey,
        to: '+14155550123',
        clientRef: 'order-1001',
        status: 'queued',
        final: false,
        country: 'US',
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
    }
  });

  it('shows the status as reports move it, and keeps a final one', async () => {
    const store = tempStorePath();
    const [sent] = await sendThroughTwilio(store, [{ to: '+34612345678' }]);
    const status = async () => (await getStatus({ ...BY_ITEM, options: { storePath: store } }, [{ id: sent.messageId }])).outputs[0][0].json;

    await applyReportsIn(store, [report(sent, 'sent')]);
    expect(await status()).toMatchObject({ status: 'sent', final: false });

    await applyReportsIn(store, [report(sent, 'undelivered', { errorCode: '30003', errorMessage: 'Unreachable destination handset', mccmnc: '21401' })]);
    const settled = { status: 'undelivered', final: true, errorCode: '30003', errorMessage: 'Unreachable destination handset', mccmnc: '21401', country: 'ES' };
    expect(await status()).toMatchObject(settled);

    // A late, earlier report changes nothing: a message never leaves a final status.
    await applyReportsIn(store, [report(sent, 'sent')]);
    expect(await status()).toMatchObject(settled);
  });

  it('takes the messageId of the incoming item by default: Send SMS → Get Status needs no mapping', async () => {
    const store = tempStorePath();
    const sent = await sendThroughSandbox(store, [{ to: '+14155550123' }, { to: '+447911123456' }]);

    const { outputs } = await getStatus({ options: { storePath: store } }, sent.map((s) => ({ ...s })));

    expect(outputs[0].map((i) => [i.json.found, i.json.messageId, i.json.provider])).toEqual(sent.map((s) => [true, s.messageId, 'sandbox']));
  });

  it('answers found: false for a message the log does not hold, not an error', async () => {
    const store = tempStorePath();
    await sendThroughSandbox(store, [{ to: '+14155550123' }]);

    const { outputs, error } = await getStatus({ ...BY_ITEM, options: { storePath: store } }, [{ id: 'SM-never-sent' }, { id: 4711 }]);

    expect(error).toBeUndefined();
    expect(outputs[0].map((i) => i.json)).toEqual([
      { found: false, lookup: 'SM-never-sent' },
      // A number read from a spreadsheet is looked up as text.
      { found: false, lookup: '4711' },
    ]);
  });
});

describe('Get Status with bad input', () => {
  const hostile: [string, IDataObject[string]][] = [
    ['empty', ''],
    ['blank', '   '],
    ['10,000 characters', 'x'.repeat(10_000)],
    ['an object', { id: 'SM1' }],
    ['an array', ['SM1']],
    ['a control character', 'SM1\u0000'],
    ['a boolean', true],
  ];

  it.each(hostile)('%s: INVALID_INPUT on that item alone (continue on fail)', async (_label, bad) => {
    const store = tempStorePath();
    const [sent] = await sendThroughSandbox(store, [{ to: '+14155550123' }]);

    const { outputs, error } = await getStatus({ ...BY_ITEM, options: { storePath: store } }, [{ id: sent.messageId }, { id: bad }, { id: sent.messageId }], {
      onError: 'continueRegularOutput',
    });

    expect(error).toBeUndefined();
    const [main] = outputs;
    expectPairedInOrder(main);
    expect([main[0].json.found, main[2].json.found]).toEqual([true, true]);
    const failure = errorOf(main[1]);
    expect(failure.code).toBe('INVALID_INPUT');
    // The error names the field, never echoes a 10k value.
    expect(failure.message.length).toBeLessThan(300);
  });

  it('routes failed items to n8n’s error output', async () => {
    const store = tempStorePath();
    const [sent] = await sendThroughSandbox(store, [{ to: '+14155550123' }]);

    const { outputs, error } = await getStatus({ ...BY_ITEM, options: { storePath: store } }, [{ id: sent.messageId }, { id: { nested: true } }], {
      onError: 'continueErrorOutput',
    });

    expect(error).toBeUndefined();
    const [main, failed] = outputs;
    expect(main.map((i) => i.json.messageId)).toEqual([sent.messageId]);
    expect(failed).toHaveLength(1);
    expect(errorOf(failed[0])).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('must be text') });
  });

  it('stops the workflow on the first bad item without "continue on fail", naming it and its code', async () => {
    const store = tempStorePath();
    await sendThroughSandbox(store, [{ to: '+14155550123' }]);

    const { error } = await getStatus({ ...BY_ITEM, options: { storePath: store } }, [{ id: 'SM-unknown' }, { id: '' }]);

    expect(error?.message).toMatch(/^INVALID_INPUT: "Message ID or Idempotency Key" is empty/);
    expect(error?.description).toMatch(/^\[INVALID_INPUT\] Get Status: item 1 of 2 failed\. A read changes nothing/);
  });

  it('a Store Path naming no file: STORE_ERROR for every item, and no empty store is created', async () => {
    const missing = join(mkdtempSync(join(tmpdir(), 'a2p-n8n-missing-')), 'typo.sqlite');

    const { outputs, error } = await getStatus({ ...BY_ITEM, options: { storePath: missing } }, [{ id: 'a' }, { id: 'b' }], { onError: 'continueRegularOutput' });

    expect(error).toBeUndefined();
    expect(outputs[0].map((i) => errorOf(i).code)).toEqual(['STORE_ERROR', 'STORE_ERROR']);
    expect(errorOf(outputs[0][0]).message).toContain('no message log');
    expect(existsSync(missing)).toBe(false);
  });

  it('a store that cannot be opened (a folder): STORE_ERROR, and the run stops with advice on the Store Path', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'a2p-n8n-folder-'));

    const { error } = await getStatus({ ...BY_ITEM, options: { storePath: folder } }, [{ id: 'a' }]);

    expect(error?.message).toMatch(/^STORE_ERROR: /);
    expect(error?.description).toContain('check the Store Path option');
  });

  it('a Store Path that is not text: INVALID_INPUT for every item', async () => {
    const { outputs } = await getStatus({ ...BY_ITEM, options: { storePath: '={{ $json.path }}' } }, [{ id: 'a', path: { evil: 1 } }], {
      onError: 'continueRegularOutput',
    });
    expect(errorOf(outputs[0][0])).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('Store Path') });
  });
});
