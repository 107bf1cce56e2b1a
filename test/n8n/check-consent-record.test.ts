/**
 * Record Opt-In / Opt-Out and History through WorkflowExecute: what is kept as proof (source,
 * evidence, where in n8n), what comes out, and hostile evidence that must not get in.
 */
import type { IDataObject } from 'n8n-workflow';
import { checkConsent, jsonOf, record } from './consent-fixtures';
import { tempStorePath } from './fixtures';

const ADA = '+14155550100';
const BO = '+14155550101';

async function history(store: string, phone: string, parameters: IDataObject = {}) {
  const { outputs, error } = await checkConsent(store, { operation: 'history', phone, ...parameters }, [{ ticket: 7 }]);
  expect(error).toBeUndefined();
  expect(outputs).toHaveLength(1);
  expect(outputs[0]![0]!.json.ticket).toBe(7);
  return outputs[0]![0]!.json.consent as { phone: string; topic: string; history: IDataObject[] };
}

describe('Record Opt-In / Opt-Out', () => {
  it('adds the stored record to the item, with the evidence and where in n8n it was recorded', async () => {
    const store = tempStorePath();
    const { outputs, error } = await checkConsent(
      store,
      {
        operation: 'optIn',
        phone: '={{ $json.form.mobile }}',
        topic: 'marketing',
        source: 'form',
        evidence: {
          text: 'Yes, send me offers by SMS',
          ip: '={{ $json.form.ip }}',
          formUrl: 'https://shop.example/signup',
          who: '',
          extra: '={{ JSON.stringify({ checkbox: "sms-offers", utm: $json.form.utm }) }}',
        },
        options: { defaultCountry: 'US' },
      },
      [{ form: { mobile: '(415) 555-0100', ip: '203.0.113.7', utm: 'spring' } }],
    );
    expect(error).toBeUndefined();
    const [item] = outputs[0]!;
    expect(item!.pairedItem).toEqual({ item: 0 });
    expect(item!.json.form).toEqual({ mobile: '(415) 555-0100', ip: '203.0.113.7', utm: 'spring' });
    expect(item!.json.consent).toEqual({
      id: expect.any(Number),
      phone: ADA,
      topic: 'marketing',
      action: 'opt-in',
      source: 'form',
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      evidence: {
        checkbox: 'sms-offers',
        utm: 'spring',
        text: 'Yes, send me offers by SMS',
        ip: '203.0.113.7',
        formUrl: 'https://shop.example/signup',
        // The harness's workflow and execution ids.
        n8n: { workflowId: 'a2p-test', executionId: expect.stringMatching(/^test-\d+$/), node: 'Check Consent' },
      },
    });
    expect((await history(store, ADA)).history).toEqual([item!.json.consent]);
  });

  it('defaults to every topic (*) and source api, as an SMS STOP or START', async () => {
    const store = tempStorePath();
    expect(await record(store, 'optOut', ADA)).toMatchObject({ topic: '*', source: 'api', action: 'opt-out' });
    expect(await record(store, 'optIn', ADA)).toMatchObject({ topic: '*', source: 'api', action: 'opt-in' });
  });

  it('the n8n evidence cannot be overwritten by the user’s JSON', async () => {
    const consent = await record(tempStorePath(), 'optOut', ADA, { evidence: { extra: '{"n8n": "forged", "channel": "email"}' } });
    expect(consent.evidence).toEqual({ channel: 'email', n8n: { workflowId: 'a2p-test', executionId: expect.any(String), node: 'Check Consent' } });
  });

  it('records one event per item, each paired with its item', async () => {
    const store = tempStorePath();
    const { outputs } = await checkConsent(store, { operation: 'optOut', phone: '={{ $json.from }}', source: 'sms', evidence: { text: '={{ $json.body }}' } }, [
      { from: ADA, body: 'STOP' },
      { from: BO, body: 'stop please' },
    ]);
    expect(outputs[0]!.map((i) => [i.pairedItem, (i.json.consent as IDataObject).phone, ((i.json.consent as IDataObject).evidence as IDataObject).text])).toEqual([
      [{ item: 0 }, ADA, 'STOP'],
      [{ item: 1 }, BO, 'stop please'],
    ]);
  });
});

describe('hostile evidence', () => {
  const BAD_EVIDENCE: [string, string, string][] = [
    ['a __proto__ key', '{"__proto__": {"polluted": true}, "text": "STOP"}', 'may not use the key __proto__'],
    ['a nested __proto__ key', '{"form": {"__proto__": {"polluted": true}}}', 'may not use the key __proto__'],
    ['an object holding an own __proto__ key (parsed from a webhook)', '={{ $json.body }}', 'may not use the key __proto__'],
    ['JSON that does not parse', '{"text": ', 'is not valid JSON'],
    ['a JSON array', '["STOP"]', 'must be a JSON object, got an array'],
    ['ten megabytes', `{"text": "${'x'.repeat(10 * 1024 * 1024)}"}`, 'is larger than 16384 characters'],
  ];

  it.each(BAD_EVIDENCE)('%s: INVALID_INPUT on that item, nothing recorded, nothing polluted', async (_label, extra, why) => {
    const store = tempStorePath();
    const items = [{ body: JSON.parse('{"__proto__": {"polluted": true}}') as IDataObject, n: 1 }];
    const { outputs, error } = await checkConsent(store, { operation: 'optIn', phone: ADA, evidence: { extra } }, items, {
      onError: 'continueRegularOutput',
    });
    expect(error).toBeUndefined();
    expect(outputs[0]).toHaveLength(1);
    const item = outputs[0]![0]!;
    expect(item.pairedItem).toEqual({ item: 0 });
    expect(item.json.n).toBe(1);
    expect(item.json.error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining(`"Other Evidence (JSON)" ${why}`) });
    expect((item.json.error as IDataObject).message!.toString().length).toBeLessThan(300);
    expect(({} as IDataObject).polluted).toBeUndefined();
    expect((await history(store, ADA)).history).toEqual([]);
  });

  it.each([
    ['an object', { number: 42 }],
    ['a list', ['STOP']],
  ])('a named evidence field holding %s: INVALID_INPUT naming the field', async (_label, value) => {
    const { outputs } = await checkConsent(tempStorePath(), { operation: 'optOut', phone: ADA, evidence: { messageId: '={{ $json.id }}' } }, [{ id: value }], {
      onError: 'continueRegularOutput',
    });
    expect(outputs[0]![0]!.json.error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('"Message ID" must be text') });
  });

  it('without Continue On Fail the run stops at the bad item and says what was recorded before it', async () => {
    const store = tempStorePath();
    const { error } = await checkConsent(store, { operation: 'optOut', phone: '={{ $json.to }}' }, [{ to: ADA }, { to: 'not a number' }, { to: BO }]);
    expect(error).toMatchObject({ message: expect.stringMatching(/^INVALID_PHONE: /), description: expect.stringContaining('The 1 item(s) before it were recorded') });
    expect((await history(store, ADA)).history).toHaveLength(1);
    expect((await history(store, BO)).history).toHaveLength(0);
  });
});

describe('History', () => {
  it('lists every event oldest first: STOP, START, STOP', async () => {
    const store = tempStorePath();
    for (const [operation, text] of [['optOut', 'STOP'], ['optIn', 'START'], ['optOut', 'STOP']] as const) {
      await record(store, operation, ADA, { source: 'sms', evidence: { text } });
    }
    const h = await history(store, '+1 415 555 0100');
    expect(h.phone).toBe(ADA);
    expect(h.topic).toBe('*');
    expect(h.history.map((r) => [r.action, (r.evidence as IDataObject).text])).toEqual([
      ['opt-out', 'STOP'],
      ['opt-in', 'START'],
      ['opt-out', 'STOP'],
    ]);
    const ids = h.history.map((r) => r.id as number);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
  });

  it('filtered by a topic: that topic’s events and the all-topics ones that also decide it', async () => {
    const store = tempStorePath();
    await record(store, 'optIn', ADA, { topic: 'marketing' });
    await record(store, 'optOut', ADA, { topic: 'transactional' });
    await record(store, 'optOut', ADA, { topic: '*' });
    expect((await history(store, ADA, { topic: 'marketing' })).history.map((r) => r.topic)).toEqual(['marketing', '*']);
    expect((await history(store, ADA, { topic: 'custom', customTopic: 'newsletter' })).history.map((r) => r.topic)).toEqual(['*']);
    expect((await history(store, ADA)).history.map((r) => r.topic)).toEqual(['marketing', 'transactional', '*']);
  });

  it('a number without events still gets its item, with an empty history', async () => {
    const store = tempStorePath();
    await record(store, 'optOut', BO);
    const { outputs } = await checkConsent(store, { operation: 'history', phone: '={{ $json.to }}' }, [{ to: ADA }, { to: BO }]);
    expect(outputs[0]!.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
    expect(jsonOf(outputs[0]).map((j) => ((j.consent as IDataObject).history as unknown[]).length)).toEqual([0, 1]);
  });
});
