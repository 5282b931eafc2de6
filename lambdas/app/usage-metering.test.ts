import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { campaignSteps, type CampaignStepPorts, type SelectResult } from '#app/campaign-steps.ts';
import { createCampaign, type CampaignPorts } from '#app/campaigns.ts';
import { scoreCustomer, scoreSegment } from '#app/scoring.ts';
import type { Action } from '#domain/action.ts';
import type { CampaignSpec } from '#domain/campaign/campaign.ts';
import { fixedClock } from '#domain/clock.ts';
import { stateView } from '#domain/customer-state.ts';
import type { CustomerRecord } from '#domain/customer.ts';
import type { Meter, MeteredName } from '#domain/usage-readings.ts';
import type { ProfileScan, ScoreStore } from '#domain/ports/scoring.ts';
import { decisioningSettingsOf } from '#config/decisioning-settings.ts';
import { loadMarket } from '#config/markets/index.ts';
import { campaignsEnv, campaignPortsFor, campaignStepPortsFor } from '#composition/campaigns.ts';
import { meter as containerMeter } from '#composition/container-meter.ts';
import { MemoryCustomerRepo } from '../test-support/memory-customer-repo.ts';
import { standInScoring } from '../test-support/stand-in-scoring.ts';
import { testTables, type TestTables } from '../test-support/dynamo.ts';

/** Every reading, as the cost report would add them up. */
function recordingMeter() {
  const readings: { tenant: string; name: MeteredName; count: number }[] = [];
  const meter: Meter = { meter: (tenant, name, count = 1) => void readings.push({ tenant, name, count }) };
  const total = (tenant: string, name: MeteredName) =>
    readings.filter((r) => r.tenant === tenant && r.name === name).reduce((s, r) => s + r.count, 0);
  return { meter, readings, total };
}

const at = '2025-03-01T00:00:00.000Z';
/** The nightly run's clock and the whole state view (the stand-in models read any field). */
const nightly = { clock: fixedClock(at), readState: stateView };
const scoring = standInScoring({ churn: '1' }, ({ profile }) => {
  if (profile.monthlyCharge === undefined) throw new Error('model input missing');
  return { churn: { value: profile.monthlyCharge / 100, model: 'churn', version: '1', at } };
});
const profile = (id: string, monthlyCharge?: number): CustomerRecord => ({
  customerId: id,
  version: 1,
  createdAt: at,
  updatedAt: at,
  ...(monthlyCharge !== undefined ? { monthlyCharge } : {}),
});
const scanOf = (records: CustomerRecord[]): ProfileScan => ({
  async *scanSegment() {
    for (const record of records) yield { customerId: record.customerId, record };
  },
});
const scoreStore: ScoreStore = { saveScores: async () => 'written' };

describe('scores are metered per tenant', () => {
  it("meters every customer a score-base segment scored, as one reading for the segment's tenant", async () => {
    const { meter, readings } = recordingMeter();
    const run = scoreSegment({
      ...nightly,
      scan: scanOf([profile('a', 10), profile('b', 20), profile('c', 30)]),
      scoring,
      scoreStore,
      writeDelta: 0.01,
      meter,
    });
    await run({ tenant: 'consumer', segment: 0, totalSegments: 4 });
    expect(readings).toEqual([{ tenant: 'consumer', name: 'Score', count: 3 }]);
  });

  it('still meters the customers of the blocks scored before a segment failed', async () => {
    const { meter, readings } = recordingMeter();
    const run = scoreSegment({
      ...nightly,
      scan: scanOf([profile('a', 10), profile('b', 20), profile('broken')]),
      scoring,
      scoreStore,
      writeDelta: 0.01,
      meter,
      blockSize: 2,
    });
    await expect(run({ tenant: 'enterprise', segment: 1, totalSegments: 4 })).rejects.toThrow('model input missing');
    expect(readings).toEqual([{ tenant: 'enterprise', name: 'Score', count: 2 }]);
  });

  it('meters one score for a customer scored on its own', async () => {
    const { meter, readings } = recordingMeter();
    const customers = new MemoryCustomerRepo();
    await customers.save('consumer', profile('c1', 42), undefined);
    await scoreCustomer({ customers, scoring, scoreStore, writeDelta: 0.01, meter })('consumer', 'c1');
    expect(readings).toEqual([{ tenant: 'consumer', name: 'Score', count: 1 }]);
  });
});

// 10:00 in Johannesburg: outside quiet hours.
const NOW = '2025-03-12T08:00:00.000Z';
const offer: Action = {
  actionId: 'meter-offer',
  name: 'Metered bundle',
  kind: 'offer',
  treatments: { sms: { templateKey: 'meter-bundle', text: { en: 'Get 1 GB' } } },
  eligibility: true,
  propensity: { starting: 0.2 },
  value: 10,
  lever: 1,
  limits: { perCustomer: [] },
};
const customer = (i: number): CustomerRecord =>
  ({
    customerId: `m-${i}`,
    segment: 'youth',
    tariff: 'smart-50',
    tenureMonths: 12,
    monthlyCharge: 80,
    contract: 'month-to-month',
    products: ['phone'],
    language: 'en',
    consent: { sms: i % 4 !== 0 },
    attributes: {},
    version: 1,
    createdAt: NOW,
    updatedAt: NOW,
  }) as unknown as CustomerRecord;
const spec: CampaignSpec = {
  name: 'Metered push',
  goal: 'take-up',
  audience: { rule: { '==': [{ var: 'profile.segment' }, 'youth'] } },
  actionIds: ['meter-offer'],
  channel: 'sms',
  controlGroupPercent: 0,
  pilot: { percent: 100, minUplift: 5 },
  responseWindow: 'P7D',
};

describe('campaign workflows and contacts are metered per tenant', () => {
  let t: TestTables;
  let stepPorts: CampaignStepPorts;
  let apiPorts: CampaignPorts;

  beforeAll(async () => {
    t = await testTables(['acme', 'globex']);
    const env = {
      ...t.env,
      DECISIONING: JSON.stringify(decisioningSettingsOf(loadMarket('demo'))),
      CVM_NOW: NOW,
      CVM_TIME_SCALE: '10000000',
      CVM_LOCAL_DIR: mkdtempSync(join(tmpdir(), 'cvm-metering-')),
      CAMPAIGN_SEGMENTS: '2',
      CAMPAIGN_SHARDS: '2',
    };
    const cenv = campaignsEnv(env);
    stepPorts = await campaignStepPortsFor(cenv);
    apiPorts = { ...(await campaignPortsFor(cenv)), starter: { start: async () => ({ executionId: 'test' }) } };
    await stepPorts.decisions.catalog.put('acme', offer);
    await stepPorts.customers.saveMany(
      'acme',
      Array.from({ length: 12 }, (_, i) => customer(i)),
    );
  }, 60_000);

  it('gets the container meter from the composition root', () => {
    expect(stepPorts.meter).toBe(containerMeter);
    expect(apiPorts.meter).toBe(containerMeter);
  });

  it('meters one workflow execution when a campaign starts, and one contact per customer handed off, once', async () => {
    const { meter, readings, total } = recordingMeter();
    const { campaignId } = await createCampaign({ ...apiPorts, meter })('acme', spec);
    expect(readings).toEqual([{ tenant: 'acme', name: 'WorkflowExecution', count: 1 }]);

    const step = campaignSteps({ ...stepPorts, meter });
    await step({ step: 'prepare', tenant: 'acme', campaignId });
    const results = [];
    for (const segment of [0, 1])
      results.push(
        (await step({ step: 'select', tenant: 'acme', campaignId, segment, totalSegments: 2 })) as SelectResult,
      );
    await step({ step: 'selected', tenant: 'acme', campaignId, results });
    await step({ step: 'gate', tenant: 'acme', campaignId, phase: 'pilot' });
    let contacted = 0;
    for (const shard of [0, 1])
      contacted += (
        (await step({ step: 'contact', tenant: 'acme', campaignId, phase: 'pilot', shard, totalShards: 2 })) as {
          contacted: number;
        }
      ).contacted;
    // customers without sms consent (and any the decision holds back) are suppressed, not contacts
    expect(contacted).toBeGreaterThan(0);
    expect(contacted).toBeLessThanOrEqual(9);
    expect(total('acme', 'CampaignContact')).toBe(contacted);

    // a retried shard hands its members off again under the same message ids: no new contacts
    await step({ step: 'contact', tenant: 'acme', campaignId, phase: 'pilot', shard: 0, totalShards: 2 });
    expect(total('acme', 'CampaignContact')).toBe(contacted);
    expect(readings.every((r) => r.tenant === 'acme')).toBe(true);
  }, 60_000);
});
