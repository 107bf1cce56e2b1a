/**
 * Send SMS, operation Delivery Summary, inside n8n-core's WorkflowExecute, over a message log
 * filled as in use: sends through the node (Twilio mocked with nock, and the sandbox), reports
 * merged by the real SQLite store. Campaign prefixes hold `%` and `_`, which must count as
 * themselves, and the case of a reference matters.
 */
import type { IDataObject } from 'n8n-workflow';
import { useNock } from '../support/nock';
import { expectPairedInOrder, tempStorePath } from './fixtures';
import { applyReportsIn, deliverySummary, errorOf, report, sendThroughSandbox, sendThroughTwilio } from './message-log-fixtures';

useNock();

const CAMPAIGN = 'promo_50%';

/** One store per file: every test reads it, none writes. */
let store: string;

beforeAll(async () => {
  store = tempStorePath();
  const [ana, bob, cy, , eve, fay, gus] = await sendThroughTwilio(store, [
    { to: '+14155550123', clientRef: `${CAMPAIGN}-ana` },
    { to: '+14155550124', clientRef: `${CAMPAIGN}-bob` },
    { to: '+34612345678', clientRef: `${CAMPAIGN}-cy` },
    // No report yet: pending.
    { to: '+14155550125', clientRef: `${CAMPAIGN}-dee` },
    // Each would match a LIKE 'promo_50%%' or a case-blind comparison; none is in the campaign.
    { to: '+14155550126', clientRef: 'promoX50%-eve' },
    { to: '+14155550127', clientRef: 'PROMO_50%-fay' },
    { to: '+14155550128', clientRef: 'promo_50-gus' },
  ]);
  await applyReportsIn(store, [
    report(ana, 'sent'),
    report(ana, 'delivered', { mccmnc: '310260' }),
    report(bob, 'delivered', { mccmnc: '310260' }),
    report(cy, 'undelivered', { mccmnc: '21401', errorCode: '30003' }),
    ...[eve, fay, gus].map((s) => report(s, 'delivered', { mccmnc: '310260' })),
  ]);
  // The same campaign through another provider, still queued.
  await sendThroughSandbox(store, [{ to: '+14155550129', clientRef: `${CAMPAIGN}-sandy` }]);
});

async function summaryOf(parameters: IDataObject, items: IDataObject[] = [{}], timezone?: string): Promise<IDataObject> {
  const { outputs, error } = await deliverySummary({ ...parameters, options: { storePath: store } }, items, timezone === undefined ? {} : { timezone });
  expect(error).toBeUndefined();
  expect(outputs[0]).toHaveLength(1);
  return outputs[0][0].json;
}

describe('Delivery Summary', () => {
  it('counts a campaign by status, country and operator, with delivery rates', async () => {
    const summary = await summaryOf({ clientRefPrefix: CAMPAIGN, filters: { provider: 'twilio' } });

    expect(summary).toEqual({
      filter: { clientRefPrefix: CAMPAIGN, provider: 'twilio' },
      total: 4,
      final: 3,
      pending: 1,
      delivered: 2,
      deliveryRate: 2 / 3,
      byStatus: { delivered: 2, undelivered: 1, queued: 1 },
      byCountry: [
        { key: 'US', total: 3, delivered: 2, deliveryRate: 1, byStatus: { delivered: 2, queued: 1 } },
        { key: 'ES', total: 1, delivered: 0, deliveryRate: 0, byStatus: { undelivered: 1 } },
      ],
      byOperator: [
        { key: '310260', total: 2, delivered: 2, deliveryRate: 1, byStatus: { delivered: 2 } },
        { key: '21401', total: 1, delivered: 0, deliveryRate: 0, byStatus: { undelivered: 1 } },
        { key: 'unknown', total: 1, delivered: 0, deliveryRate: null, byStatus: { queued: 1 } },
      ],
    });
  });

  it('takes % and _ in a campaign as themselves, and its case as written', async () => {
    expect(await summaryOf({ clientRefPrefix: CAMPAIGN })).toMatchObject({ total: 5, byStatus: { delivered: 2, undelivered: 1, queued: 2 } });
    expect(await summaryOf({ clientRefPrefix: 'PROMO_50%' })).toMatchObject({ total: 1, delivered: 1 });
    expect(await summaryOf({ clientRefPrefix: 'promo_50' })).toMatchObject({ total: 6 });
    expect(await summaryOf({ clientRefPrefix: 'promo%' })).toMatchObject({ total: 0, deliveryRate: null, byCountry: [], byOperator: [] });
  });

  it('filters by exact client reference and by provider; no filter counts the whole log', async () => {
    expect(await summaryOf({ filters: { clientRef: `${CAMPAIGN}-cy` } })).toMatchObject({ total: 1, byStatus: { undelivered: 1 } });
    expect(await summaryOf({ filters: { provider: 'sandbox' } })).toMatchObject({ total: 1, pending: 1 });
    expect(await summaryOf({})).toMatchObject({ filter: {}, total: 8, final: 6, delivered: 5 });
  });

  it('reads Since and Until as instants: an expression’s DateTime, or a wall time in the workflow’s zone', async () => {
    expect(await summaryOf({ clientRefPrefix: CAMPAIGN, filters: { since: '={{ $now.plus({ hours: 1 }) }}' } })).toMatchObject({ total: 0 });
    expect(await summaryOf({ clientRefPrefix: CAMPAIGN, filters: { until: '={{ $now.plus({ hours: 1 }) }}' } })).toMatchObject({ total: 5 });
    const summary = await summaryOf({ filters: { since: '2020-01-01T00:00:00', until: '2099-12-31T23:00:00+01:00' } }, [{}], 'America/New_York');
    expect(summary).toMatchObject({ total: 8, filter: { since: '2020-01-01T05:00:00.000Z', until: '2099-12-31T22:00:00.000Z' } });
  });

  it('gives one summary per input item, each with its own filter, paired with it', async () => {
    const { outputs } = await deliverySummary({ clientRefPrefix: '={{ $json.campaign }}', options: { storePath: store } }, [{ campaign: CAMPAIGN }, { campaign: 'PROMO' }]);
    expectPairedInOrder(outputs[0]);
    expect(outputs[0].map((i) => [(i.json.filter as IDataObject).clientRefPrefix, i.json.total])).toEqual([
      [CAMPAIGN, 5],
      ['PROMO', 1],
    ]);
  });
});

describe('Delivery Summary with bad input', () => {
  it.each<[string, IDataObject, string]>([
    ['a campaign of 10,000 characters', { clientRefPrefix: 'p'.repeat(10_000) }, 'INVALID_INPUT'],
    ['a campaign that is an object', { clientRefPrefix: '={{ { a: 1 } }}' }, 'INVALID_INPUT'],
    ['a blank campaign', { clientRefPrefix: '   ' }, 'INVALID_INPUT'],
    ['a client reference of 10,000 characters', { filters: { clientRef: 'r'.repeat(10_000) } }, 'INVALID_INPUT'],
    ['an unknown provider', { filters: { provider: 'nosuch' } }, 'UNKNOWN_PROVIDER'],
    ['a provider that is an object', { filters: { provider: '={{ { id: "twilio" } }}' } }, 'INVALID_INPUT'],
    ['a date that is not one', { filters: { since: 'last tuesday' } }, 'INVALID_INPUT'],
    ['the 30th of February', { filters: { until: '2030-02-30T00:00:00' } }, 'INVALID_INPUT'],
    ['a date of 10,000 characters', { filters: { since: '9'.repeat(10_000) } }, 'INVALID_INPUT'],
    ['a date that is an object', { filters: { since: '={{ { year: 2030 } }}' } }, 'INVALID_INPUT'],
    ['Since after Until', { filters: { since: '2030-01-02T00:00:00Z', until: '2030-01-01T00:00:00Z' } }, 'INVALID_INPUT'],
  ])('%s', async (_label, bad, code) => {
    const { outputs, error } = await deliverySummary({ ...bad, options: { storePath: store } }, [{}], { onError: 'continueRegularOutput' });

    expect(error).toBeUndefined();
    const failure = errorOf(outputs[0][0]);
    expect(failure.code).toBe(code);
    // The error names the field, never echoes a 10k value.
    expect(failure.message.length).toBeLessThan(300);
  });

  it('a bad filter fails its own item only (continue on fail)', async () => {
    const { outputs, error } = await deliverySummary(
      { clientRefPrefix: '={{ $json.campaign }}', filters: { since: '={{ $json.since }}' }, options: { storePath: store } },
      [{ campaign: CAMPAIGN }, { campaign: CAMPAIGN, since: 'never' }, { campaign: 'PROMO' }],
      { onError: 'continueRegularOutput' },
    );

    expect(error).toBeUndefined();
    const [main] = outputs;
    expectPairedInOrder(main);
    expect([main[0].json.total, errorOf(main[1]).code, main[2].json.total]).toEqual([5, 'INVALID_INPUT', 1]);
  });

  it('routes failed items to n8n’s error output, and stops the workflow without "continue on fail"', async () => {
    const parameters = { filters: { provider: '={{ $json.provider }}' }, options: { storePath: store } };
    const items = [{ provider: 'twilio' }, { provider: 'carrier-pigeon' }];

    const routed = await deliverySummary(parameters, items, { onError: 'continueErrorOutput' });
    expect(routed.outputs[0].map((i) => i.json.total)).toEqual([7]);
    expect(routed.outputs[1].map((i) => errorOf(i).code)).toEqual(['UNKNOWN_PROVIDER']);

    const stopped = await deliverySummary(parameters, items);
    expect(stopped.error?.message).toMatch(/^UNKNOWN_PROVIDER: Unknown provider "carrier-pigeon"/);
    expect(stopped.error?.description).toMatch(/^\[UNKNOWN_PROVIDER\] Delivery Summary: item 1 of 2 failed/);
  });
});
