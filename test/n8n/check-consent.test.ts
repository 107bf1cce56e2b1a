/**
 * Check Consent's Check operation inside n8n-core's WorkflowExecute: items routed to Allowed or
 * Blocked by the ledger the node's own Record operations write, with their fields kept, the
 * decision added and each output item paired with its input item.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { CheckConsent } from '../../nodes/CheckConsent/CheckConsent.node';
import { checkConsent, jsonOf, record } from './consent-fixtures';
import { tempStorePath } from './fixtures';
import { runNode } from './harness';

const ADA = '+14155550100';
const BO = '+14155550101';
const CY = '+14155550102';

/** Checks one number and returns [output, consent]. */
async function checkOne(store: string, phone: string, parameters: IDataObject = {}): Promise<['allowed' | 'blocked', IDataObject]> {
  const { outputs, error } = await checkConsent(store, { operation: 'check', phone, ...parameters }, [{ name: 'x' }]);
  expect(error).toBeUndefined();
  expect(outputs).toHaveLength(2);
  const [allowed, blocked] = outputs;
  expect(allowed!.length + blocked!.length).toBe(1);
  const item = (allowed![0] ?? blocked![0])!;
  expect(item.json.name).toBe('x');
  return [allowed!.length === 1 ? 'allowed' : 'blocked', item.json.consent as IDataObject];
}

describe('Check', () => {
  it('follows STOP, then START, then STOP', async () => {
    const store = tempStorePath();
    expect(await checkOne(store, ADA)).toEqual(['allowed', { allowed: true, reason: 'not-required', since: null, phone: ADA, topic: 'marketing' }]);

    const stop = await record(store, 'optOut', '+1 (415) 555-0100', { source: 'sms', evidence: { text: 'STOP' } });
    expect(await checkOne(store, ADA)).toEqual(['blocked', { allowed: false, reason: 'opted-out', since: stop.at, phone: ADA, topic: 'marketing' }]);

    const start = await record(store, 'optIn', ADA, { source: 'sms', evidence: { text: 'START' } });
    expect(await checkOne(store, ADA)).toEqual(['allowed', { allowed: true, reason: 'opted-in', since: start.at, phone: ADA, topic: 'marketing' }]);

    await record(store, 'optOut', '001 415 555 0100', { source: 'sms', evidence: { text: 'STOP' } });
    expect(await checkOne(store, ADA)).toEqual(['blocked', expect.objectContaining({ reason: 'opted-out' })]);
  });

  it('routes a batch, keeping each item whole and paired with its input on both outputs', async () => {
    const store = tempStorePath();
    await record(store, 'optOut', BO);
    const items = [
      { to: ADA, order: { id: 1 } },
      { to: BO, order: { id: 2 } },
      { to: CY, order: { id: 3 } },
      { to: BO, order: { id: 4 } },
    ];
    // No Phone parameter: the default reads the item's "to"; no operation: Check is the default.
    const { outputs, error } = await checkConsent(store, {}, items);
    expect(error).toBeUndefined();
    const [allowed, blocked] = outputs;
    expect(allowed!.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 2 }]);
    expect(blocked!.map((i) => i.pairedItem)).toEqual([{ item: 1 }, { item: 3 }]);
    expect(jsonOf(allowed)).toEqual([
      { ...items[0], consent: { allowed: true, reason: 'not-required', since: null, phone: ADA, topic: 'marketing' } },
      { ...items[2], consent: { allowed: true, reason: 'not-required', since: null, phone: CY, topic: 'marketing' } },
    ]);
    expect(jsonOf(blocked).map((j) => [j.order, (j.consent as IDataObject).reason])).toEqual([
      [{ id: 2 }, 'opted-out'],
      [{ id: 4 }, 'opted-out'],
    ]);
  });

  it('keeps binary data on the item it routes', async () => {
    const binary = { data: { data: Buffer.from('%PDF').toString('base64'), mimeType: 'application/pdf', fileName: 'invoice.pdf' } };
    const { outputs } = await checkConsent(tempStorePath(), { phone: ADA }, [{}], { binary: [binary] });
    expect(outputs[0]![0]!.binary).toEqual(binary);
  });

  it('Require Opt-In: a number without a recorded opt-in is blocked with no-consent', async () => {
    const store = tempStorePath();
    await record(store, 'optIn', CY, { topic: 'marketing', source: 'form' });
    expect(await checkOne(store, ADA, { requireOptIn: true })).toEqual(['blocked', expect.objectContaining({ allowed: false, reason: 'no-consent', since: null })]);
    expect(await checkOne(store, CY, { requireOptIn: true })).toEqual(['allowed', expect.objectContaining({ reason: 'opted-in' })]);
    // An opt-in to marketing says nothing about another topic.
    expect(await checkOne(store, CY, { requireOptIn: true, topic: 'transactional' })).toEqual(['blocked', expect.objectContaining({ reason: 'no-consent' })]);
    expect(await checkOne(store, ADA, { requireOptIn: false })).toEqual(['allowed', expect.objectContaining({ reason: 'not-required' })]);
  });

  it('an opt-out of one topic blocks that topic only; a STOP (*) blocks every topic', async () => {
    const store = tempStorePath();
    await record(store, 'optOut', ADA, { topic: 'marketing' });
    expect((await checkOne(store, ADA, { topic: 'marketing' }))[0]).toBe('blocked');
    expect((await checkOne(store, ADA, { topic: 'transactional' }))[0]).toBe('allowed');
    expect((await checkOne(store, ADA, { topic: 'custom', customTopic: 'newsletter' }))[1]).toMatchObject({ allowed: true, topic: 'newsletter' });
    // "May every topic be sent?" No: one of them is opted out.
    expect(await checkOne(store, ADA, { topic: '*' })).toEqual(['blocked', expect.objectContaining({ topic: '*', reason: 'opted-out' })]);

    await record(store, 'optOut', BO, { topic: '*' });
    for (const topic of ['marketing', 'transactional', '*']) expect((await checkOne(store, BO, { topic }))[0]).toBe('blocked');
    expect((await checkOne(store, BO, { topic: 'custom', customTopic: 'order-updates' }))[0]).toBe('blocked');

    // A later opt-in to marketing lifts marketing only.
    await record(store, 'optIn', BO, { topic: 'marketing' });
    expect((await checkOne(store, BO, { topic: 'marketing' }))[1]).toMatchObject({ allowed: true, reason: 'opted-in' });
    expect((await checkOne(store, BO, { topic: 'transactional' }))[0]).toBe('blocked');
  });

  it('custom topics are their own: opting out of one does not touch another', async () => {
    const store = tempStorePath();
    await record(store, 'optOut', CY, { topic: 'custom', customTopic: 'newsletter' });
    expect((await checkOne(store, CY, { topic: 'custom', customTopic: ' newsletter ' }))[0]).toBe('blocked');
    expect((await checkOne(store, CY, { topic: 'custom', customTopic: 'order-updates' }))[0]).toBe('allowed');
    expect((await checkOne(store, CY, { topic: 'marketing' }))[0]).toBe('allowed');
  });

  it('reads national formats with Default Country, also per item from an expression', async () => {
    const store = tempStorePath();
    await record(store, 'optOut', '+33612345678');
    const { outputs } = await checkConsent(
      store,
      { phone: '={{ $json.customer.phone }}', options: { defaultCountry: '={{ $json.customer.country }}' } },
      [
        { customer: { phone: '06 12 34 56 78', country: 'FR' } },
        { customer: { phone: '(415) 555-0100', country: 'US' } },
      ],
    );
    expect(jsonOf(outputs[1]).map((j) => (j.consent as IDataObject).phone)).toEqual(['+33612345678']);
    expect(jsonOf(outputs[0]).map((j) => (j.consent as IDataObject).phone)).toEqual([ADA]);
  });

  it('takes a number a spreadsheet gave as a number', async () => {
    const { outputs, error } = await checkConsent(tempStorePath(), { phone: '={{ $json.mobile }}', options: { defaultCountry: 'US' } }, [{ mobile: 4155550100 }]);
    expect(error).toBeUndefined();
    expect(outputs[0]![0]!.json.consent).toMatchObject({ phone: ADA });
  });

  it('as an AI agent’s tool, answers every item on the one output n8n reads, in input order', async () => {
    const store = tempStorePath();
    await record(store, 'optOut', BO);
    // n8n-core runs a tool node with a context whose isToolExecution() is true, and keeps only
    // its first output; the same node type here, told it runs as a tool.
    class AsTool extends CheckConsent {
      override async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
        const asTool = new Proxy(this, {
          get: (target, key) => {
            if (key === 'isToolExecution') return () => true;
            const value: unknown = Reflect.get(target, key, target);
            return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
          },
        });
        return await CheckConsent.prototype.execute.call(asTool);
      }
    }
    const { outputs, error } = await runNode({
      nodeType: new AsTool(),
      parameters: { options: { storePath: store } },
      items: [{ to: BO }, { to: ADA }, { to: 'junk' }],
      onError: 'continueRegularOutput',
    });
    expect(error).toBeUndefined();
    expect(outputs[0]!.map((i) => [i.pairedItem, (i.json.consent as IDataObject | undefined)?.allowed, (i.json.error as IDataObject | undefined)?.code])).toEqual([
      [{ item: 0 }, false, undefined],
      [{ item: 1 }, true, undefined],
      [{ item: 2 }, undefined, 'INVALID_PHONE'],
    ]);
    expect(outputs.slice(1).flat()).toEqual([]);
  });
});
