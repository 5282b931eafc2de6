import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APIGatewayClient, GetUsageCommand, GetUsagePlansCommand } from '@aws-sdk/client-api-gateway';
import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { CostExplorerClient, GetCostAndUsageCommand } from '@aws-sdk/client-cost-explorer';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CostExplorerCostSource } from '#adapters/cost-explorer.ts';
import { FileUsageSource } from '#adapters/metering/file-usage-source.ts';
import { loadMarket } from '#config/markets/index.ts';
import { DEFAULT_ASSUMPTIONS } from './cost-math.ts';
import { awsUsageSource, costReport, reportModel } from './cost-report.ts';
import { fixtureTemplate } from './fixture-template.ts';
import { buildReport } from './report.ts';
import { unitCostsOf, type UnitCosts } from './unit-costs.ts';

const ce = mockClient(CostExplorerClient);
const cw = mockClient(CloudWatchClient);
const apigw = mockClient(APIGatewayClient);
beforeEach(() => {
  ce.reset();
  cw.reset();
  apigw.reset();
});
const config = loadMarket('demo');
/** A small stack's template: the model reads its facts without synthesizing the market (slow). */
const template = fixtureTemplate();
let units: UnitCosts;
beforeAll(async () => {
  units = unitCostsOf(await reportModel(config, template));
}, 60_000);

/** A metering.jsonl as the local meter writes it. */
function meteringFile(lines: object[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'cvm-report-'));
  const file = join(dir, 'metering.jsonl');
  writeFileSync(file, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
  return file;
}
const reading = (tenant: string, name: string, count: number, at = '2026-10-12T08:00:00.000Z', market = 'demo') => ({
  at,
  market,
  tenant,
  name,
  count,
});

const group = (tenant: string, amount: string) => ({
  Keys: [`cvm:tenant$${tenant}`],
  Metrics: { UnblendedCost: { Amount: amount, Unit: 'USD' } },
});
const page = (groups: ReturnType<typeof group>[], NextPageToken?: string) => ({
  ResultsByTime: [{ TimePeriod: { Start: '2026-10-01', End: '2026-11-01' }, Groups: groups, Estimated: false }],
  ...(NextPageToken ? { NextPageToken } : {}),
});

describe('the cost report from Cost Explorer', () => {
  it('gives each tenant its tagged cost plus its usage share of the shared cost, to the cent', async () => {
    ce.on(GetCostAndUsageCommand)
      .resolvesOnce(page([group('consumer', '412.37'), group('shared', '250.00')], 'next'))
      .resolvesOnce(page([group('enterprise', '88.12'), group('', '3.21')]));
    const usage = new FileUsageSource(
      meteringFile([
        reading('consumer', 'ApiRequest', 3000),
        reading('enterprise', 'ApiRequest', 1000),
        reading('consumer', 'ApiRequest', 999_999, '2026-09-30T23:59:59.000Z'), // another month
        reading('enterprise', 'ApiRequest', 999_999, '2026-10-03T00:00:00.000Z', 'ir'), // another market
      ]),
    );
    const csv = await costReport({
      market: 'demo',
      template,
      month: '2026-10',
      format: 'csv',
      estimate: false,
      usage,
      cost: new CostExplorerCostSource(ce as unknown as CostExplorerClient),
    });
    const rows = csv
      .trim()
      .split('\n')
      .map((l) => l.split(','));
    expect(rows[0]!.slice(0, 7)).toEqual(['market', 'month', 'tenant', 'cost_center', 'own', 'shared_share', 'total']);
    expect(rows[1]!.slice(2, 9)).toEqual([
      'consumer',
      'CC-1100-CONSUMER',
      '412.37',
      '187.50',
      '599.87',
      'USD',
      '75.00',
    ]);
    expect(rows[2]!.slice(2, 9)).toEqual([
      'enterprise',
      'CC-2200-ENTERPRISE',
      '88.12',
      '62.50',
      '150.62',
      'USD',
      '25.00',
    ]);
    expect(rows[3]!.slice(2, 7)).toEqual(['(untagged)', '', '3.21', '0.00', '3.21']);
  });

  it('states its method in the markdown', async () => {
    ce.on(GetCostAndUsageCommand).resolves(page([group('shared', '10.00')]));
    const md = await costReport({
      market: 'demo',
      template,
      month: '2026-10',
      format: 'md',
      estimate: false,
      usage: new FileUsageSource('/nonexistent'),
      cost: new CostExplorerCostSource(ce as unknown as CostExplorerClient),
    });
    expect(md).toContain('## Method');
    expect(md).toContain('grouped by tag cvm:tenant, filtered to cvm:market=demo');
    // nobody used anything: the shared cost is not pushed onto anyone
    expect(md).toContain('(unallocated shared: no metered usage) | | | 10.00');
  });
});

describe('the cost report against AWS', () => {
  it("splits the shared cost by the month's meters from CloudWatch and API requests from the usage plans, and says so", async () => {
    ce.on(GetCostAndUsageCommand).resolves(
      page([group('consumer', '100.00'), group('enterprise', '50.00'), group('shared', '90.00')]),
    );
    // CloudWatch: 3000 metered API requests for consumer and a DynamoDB capacity figure; 1000 for enterprise
    cw.on(GetMetricDataCommand).callsFake((input: { MetricDataQueries: MetricDataQuery[] }) => {
      const value = (q: MetricDataQuery) => {
        const tenant = q.MetricStat!.Metric!.Dimensions!.find((d) => d.Name === 'tenant')!.Value;
        const name = q.MetricStat!.Metric!.MetricName;
        if (name === 'ApiRequest') return tenant === 'consumer' ? [2990] : [1000];
        if (name === 'WriteCapacityUnits' && tenant === 'consumer') return [1234.5];
        return [];
      };
      return {
        MetricDataResults: input.MetricDataQueries.map((q) => ({
          Id: q.Id,
          StatusCode: 'Complete',
          Values: value(q),
          Timestamps: value(q).map(() => new Date('2026-10-01T00:00:00Z')),
        })),
      };
    });
    // API Gateway counted 3000 for consumer (its own figure wins); enterprise has no plan here
    apigw.on(GetUsagePlansCommand).resolves({ items: [{ id: 'p-c', name: 'cvm-demo-dev-consumer' }] });
    apigw.on(GetUsageCommand).resolves({
      usagePlanId: 'p-c',
      startDate: '2026-10-01',
      endDate: '2026-10-31',
      items: {
        k: [
          [1000, 0],
          [2000, 0],
        ],
      },
    });

    const usage = awsUsageSource(config, {
      cloudWatch: new CloudWatchClient({ region: 'af-south-1' }),
      apiGateway: new APIGatewayClient({ region: 'af-south-1' }),
    });
    const md = await costReport({
      market: 'demo',
      template,
      month: '2026-10',
      format: 'md',
      estimate: false,
      usage,
      cost: new CostExplorerCostSource(ce as unknown as CostExplorerClient),
    });
    const row = (tenant: string) =>
      md
        .split('\n')
        .find((l) => l.startsWith(`| ${tenant} |`))!
        .split('|')
        .map((c) => c.trim());
    expect(row('consumer').slice(3, 7)).toEqual(['100.00', '67.50', '167.50', '75.00']);
    expect(row('enterprise').slice(3, 7)).toEqual(['50.00', '22.50', '72.50', '25.00']);
    expect(md).toContain(
      '| ApiRequest | Event | Decision | Score | CampaignContact | WorkflowExecution | ReadCapacityUnits | WriteCapacityUnits |',
    );
    const header = md
      .split('\n')
      .find((l) => l.startsWith('| tenant |'))!
      .split('|')
      .map((c) => c.trim());
    expect(row('consumer')[header.indexOf('WriteCapacityUnits')]).toBe('1234.5');
    expect(md).toContain('usage (what splits the shared cost): CloudWatch GetMetricData, namespace telco-cvm');
    expect(md).toContain("then, where it has a figure, API Gateway GetUsage of each tenant's usage plan");
  });
});

describe('the split', () => {
  it('weighs different meters by their unit cost on shared resources', () => {
    const report = buildReport({
      config,
      month: '2026-10',
      unitCosts: units,
      usage: { consumer: { Event: 1_000_000 }, enterprise: { ApiRequest: 10_000 } },
      tagged: { byTag: { shared: 100 }, untagged: 0, currency: 'USD' },
    });
    const [consumer, enterprise] = report.rows;
    expect(consumer!.shared + enterprise!.shared).toBeCloseTo(100, 10);
    const expected = (1e6 * units.Event.shared) / (1e6 * units.Event.shared + 1e4 * units.ApiRequest.shared);
    expect(consumer!.usagePercent / 100).toBeCloseTo(expected, 3);
  });

  it('gives a tenant with no metered usage no share of the shared cost', () => {
    const report = buildReport({
      config,
      month: '2026-10',
      unitCosts: units,
      usage: { consumer: { ApiRequest: 5 } },
      tagged: { byTag: { shared: 33.33, enterprise: 12 }, untagged: 0, currency: 'USD' },
    });
    expect(report.rows.map((r) => [r.tenant, r.own, r.shared, r.total])).toEqual([
      ['consumer', 0, 33.33, 33.33],
      ['enterprise', 12, 0, 12],
    ]);
  });

  it('reports a tenant tag the market does not know instead of dropping it', () => {
    const report = buildReport({
      config,
      month: '2026-10',
      unitCosts: units,
      usage: {},
      tagged: { byTag: { mvno: 5 }, untagged: 0, currency: 'USD' },
    });
    expect(report.unknownTags).toEqual({ mvno: 5 });
  });
});

describe('the offline estimate', () => {
  it('prices metered usage with the price table, without calling Cost Explorer', async () => {
    const usage = new FileUsageSource(
      meteringFile([
        reading('consumer', 'ApiRequest', 1_000_000),
        reading('consumer', 'Decision', 1_000_000),
        reading('enterprise', 'Event', 1_000_000),
      ]),
    );
    const md = await costReport({ market: 'demo', month: '2026-10', format: 'md', estimate: true, usage, template });
    expect(ce.commandCalls(GetCostAndUsageCommand)).toHaveLength(0);
    expect(md).toContain('ESTIMATE from metering and list prices');
    expect(md).toMatch(/usage \(what splits the shared cost\): metering file .*metering\.jsonl/);
    const consumerTotal =
      1e6 * (units.ApiRequest.shared + units.ApiRequest.own + units.Decision.shared + units.Decision.own);
    const row = md
      .split('\n')
      .find((l) => l.startsWith('| consumer |'))!
      .split('|')
      .map((c) => c.trim());
    expect(Number(row[5])).toBeCloseTo(consumerTotal, 1);
    expect(consumerTotal).toBeGreaterThan(5);
  });

  it("prices the estimate with the cost model's template facts and the price table of the market's region, flags and all", async () => {
    const usage = new FileUsageSource(meteringFile([reading('consumer', 'ApiRequest', 500_000_000)]));
    const md = await costReport({ market: 'demo', month: '2026-10', format: 'md', estimate: true, usage, template });
    expect(md).toContain('af-south-1 prices from scripts/cost/prices.json');
    expect(md).toMatch(/UNCONFIRMED in af-south-1, us-east-1's price used: [^;]*apigw\.rest\.request/);
    // the API's tiers at the month's 500M metered requests: 333M at $3.50 + 167M at $2.80
    expect(md).toContain('500,000,000 metered requests ($3.27/M)');
    const model = await reportModel(config, template);
    expect(model.prices.region).toBe('af-south-1');
    const tiered = unitCostsOf(model, DEFAULT_ASSUMPTIONS, 500e6);
    expect(tiered.ApiRequest.shared - units.ApiRequest.shared).toBeCloseTo(
      ((333 * 3.5 + 167 * 2.8) / 500 - 3.5) / 1e6,
      12,
    );
    const row = md
      .split('\n')
      .find((l) => l.startsWith('| consumer |'))!
      .split('|')
      .map((c) => c.trim());
    expect(Number(row[5])).toBeCloseTo(5e8 * (tiered.ApiRequest.shared + tiered.ApiRequest.own), 0);
  });

  it('follows the template: a bigger decision function costs every API request more', async () => {
    const bigger = unitCostsOf(await reportModel(config, fixtureTemplate({ decisionMemory: 2048 })));
    expect(bigger.ApiRequest.shared).toBeGreaterThan(units.ApiRequest.shared);
    expect(bigger.Event).toEqual(units.Event);
  });
});

describe("each tenant's sending cost", () => {
  it('prices the metered SMS segments, e-mails and pushes at the market country and adds them to the tenant', async () => {
    const usage = new FileUsageSource(
      meteringFile([
        reading('consumer', 'ApiRequest', 1000),
        reading('consumer', 'SmsSegmentsSent', 1500),
        reading('consumer', 'EmailsSent', 20_000),
        reading('enterprise', 'ApiRequest', 1000),
        reading('enterprise', 'PushesSent', 2_000_000),
      ]),
    );
    const csv = await costReport({ market: 'demo', template, month: '2026-10', format: 'csv', estimate: true, usage });
    const [head, ...rows] = csv
      .trim()
      .split('\n')
      .map((l) => l.split(','));
    const cell = (tenant: string, column: string) => rows.find((r) => r[2] === tenant)![head!.indexOf(column)];
    // 1500 segments x $0.10 (ZA) + 20,000 e-mails x $0.0001
    expect(cell('consumer', 'sending')).toBe('152.00');
    // 2M pushes x $0.50/M
    expect(cell('enterprise', 'sending')).toBe('1.00');
    for (const tenant of ['consumer', 'enterprise'])
      expect(Number(cell(tenant, 'total'))).toBeCloseTo(
        Number(cell(tenant, 'own')) + Number(cell(tenant, 'shared_share')) + Number(cell(tenant, 'sending')),
        2,
      );
    expect(cell('consumer', 'SmsSegmentsSent')).toBe('1500');
    const md = await costReport({ market: 'demo', template, month: '2026-10', format: 'md', estimate: true, usage });
    expect(md).toMatch(/sending: each tenant's metered AWS sends .*SMS \$0\.1 per segment to ZA/);
  });
});
