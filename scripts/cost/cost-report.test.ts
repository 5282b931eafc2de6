import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APIGatewayClient, GetUsageCommand, GetUsagePlansCommand } from '@aws-sdk/client-api-gateway';
import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import {
  CostExplorerClient,
  GetCostAndUsageCommand,
  type GetCostAndUsageCommandOutput,
  ListCostAllocationTagsCommand,
  StartCostAllocationTagBackfillCommand,
  UpdateCostAllocationTagsStatusCommand,
} from '@aws-sdk/client-cost-explorer';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CostExplorerCostSource } from '#adapters/cost-explorer.ts';
import { FileUsageSource } from '#adapters/usage/file-usage-source.ts';
import { loadMarket } from '#config/markets/index.ts';
import type { AccountCost } from '#domain/cost/ports.ts';
import { COST_TAGS, TAG_BILLING_UNIT, TAG_COMPONENT } from '../../lib/constructs/cost-allocation.ts';
import { DEFAULT_ASSUMPTIONS } from './cost-math.ts';
import {
  activateCostTags,
  awsUsageSource,
  backfillFrom,
  cli,
  costReport,
  type Format,
  main,
  reportModel,
} from './cost-report.ts';
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
const reading = (
  tenant: string,
  name: string,
  count: number,
  at = '2026-10-12T08:00:00.000Z',
  market = 'demo',
  country?: string,
) => ({ at, market, tenant, name, count, ...(country ? { country } : {}) });

/** Cost Explorer's answer for a whole account's October (two pages): untagged, tax, credit and refund lines included. */
const FIXTURE = JSON.parse(readFileSync(new URL('./fixtures/cost-explorer-2026-10.json', import.meta.url), 'utf8')) as {
  pages: GetCostAndUsageCommandOutput[];
};
/** The fixture's lines added up, to the cent: what the report must add up to. */
const FIXTURE_TOTAL = '5024.88';
const cents = (amount: string) => Math.round(Number(amount) * 100);

/** A one-page answer with groups keyed by billing unit and record type. */
const group = (unit: string, amount: string, recordType = 'Usage') => ({
  Keys: [`cvm:billing-unit$${unit}`, recordType],
  Metrics: { NetAmortizedCost: { Amount: amount, Unit: 'USD' } },
});
const page = (groups: ReturnType<typeof group>[]) => ({
  ResultsByTime: [{ TimePeriod: { Start: '2026-10-01', End: '2026-11-01' }, Groups: groups, Estimated: false }],
});
const activeTags = () =>
  ce.on(ListCostAllocationTagsCommand).resolves({
    CostAllocationTags: COST_TAGS.map((TagKey) => ({
      TagKey,
      Type: 'UserDefined' as const,
      Status: 'Active' as const,
    })),
  });
const explorer = () =>
  new CostExplorerCostSource(ce as unknown as CostExplorerClient, { billingUnitTag: 'cvm:billing-unit' });
/** consumer 3,000 API requests and 100 SMS segments, enterprise 1,000 requests: a 75/25 split. */
const octoberUsage = () =>
  new FileUsageSource(
    meteringFile([
      reading('consumer', 'ApiRequest', 3000),
      reading('consumer', 'SmsSegmentsSent', 100),
      reading('enterprise', 'ApiRequest', 1000),
      reading('consumer', 'ApiRequest', 999_999, '2026-09-30T23:59:59.000Z'), // another month
      reading('enterprise', 'ApiRequest', 999_999, '2026-10-03T00:00:00.000Z', 'ir'), // another market
    ]),
  );
const parseCsv = (csv: string) =>
  csv
    .trim()
    .split('\r\n')
    .map((l) => l.split(','));

describe('the cost report from Cost Explorer', () => {
  beforeEach(() => {
    ce.on(GetCostAndUsageCommand).resolvesOnce(FIXTURE.pages[0]!).resolvesOnce(FIXTURE.pages[1]!);
    activeTags();
  });
  const october = (format: Format) =>
    costReport({
      market: 'demo',
      template,
      month: '2026-10',
      format,
      estimate: false,
      usage: octoberUsage(),
      cost: explorer(),
    });

  it("writes the showback file: per tenant own, shared share and sending, every other market and stage, and unattributed, adding up to the account's total to the cent", async () => {
    const [head, ...rows] = parseCsv(await october('csv'));
    expect(head).toEqual(['market', 'stage', 'month', 'tenant', 'cost_center', 'category', 'amount', 'currency']);
    expect(rows).toEqual([
      ['demo', 'dev', '2026-10', 'consumer', 'CC-1100-CONSUMER', 'own', '409.87', 'USD'],
      ['demo', 'dev', '2026-10', 'consumer', 'CC-1100-CONSUMER', 'shared', '180.00', 'USD'],
      ['demo', 'dev', '2026-10', 'consumer', 'CC-1100-CONSUMER', 'sending', '10.00', 'USD'],
      ['demo', 'dev', '2026-10', 'enterprise', 'CC-2200-ENTERPRISE', 'own', '88.12', 'USD'],
      ['demo', 'dev', '2026-10', 'enterprise', 'CC-2200-ENTERPRISE', 'shared', '60.00', 'USD'],
      ['demo', 'dev', '2026-10', 'enterprise', 'CC-2200-ENTERPRISE', 'sending', '0.00', 'USD'],
      ['demo', 'prod', '2026-10', 'consumer', '', 'own', '3000.99', 'USD'],
      ['demo', 'prod', '2026-10', 'shared', '', 'shared-unsplit', '1200.10', 'USD'],
      ['ir', 'dev', '2026-10', 'shared', '', 'shared-unsplit', '45.68', 'USD'],
      // untagged 123.46 + tax 187.65 + support 29.00 - credit 300.00 (+0.01 of rounding) - consumer's 10.00 of SMS
      ['', '', '2026-10', '', '', 'unattributed', '30.12', 'USD'],
    ]);
    expect(rows.reduce((sum, r) => sum + cents(r[6]!), 0)).toBe(cents(FIXTURE_TOTAL));
    expect(ce.commandCalls(GetCostAndUsageCommand)).toHaveLength(2);
    expect(ce.commandCalls(GetCostAndUsageCommand)[0]!.args[0].input).toMatchObject({
      Metrics: ['NetAmortizedCost'],
      GroupBy: [
        { Type: 'TAG', Key: 'cvm:billing-unit' },
        { Type: 'DIMENSION', Key: 'RECORD_TYPE' },
      ],
    });
    expect(ce.commandCalls(GetCostAndUsageCommand)[0]!.args[0].input.Filter).toBeUndefined();
  });

  it('reconciles in the markdown too: every market and stage, the unattributed line and the total, and spend against budget', async () => {
    const md = await october('md');
    expect(md).toContain('# Cost by tenant: market demo, stage dev, 2026-10 (Cost Explorer, NetAmortizedCost)');
    const row = (tenant: string) =>
      md
        .split('\n')
        .find((l) => l.startsWith(`| ${tenant} |`))!
        .split('|')
        .map((c) => c.trim());
    // own, shared share, total, usage %, sending, budget, % of budget, own % of budget
    expect(row('consumer').slice(3, 11)).toEqual([
      '409.87',
      '180.00',
      '599.87',
      '75.00',
      '10.00',
      '2500.00',
      '23.99',
      '16.39',
    ]);
    expect(row('enterprise').slice(3, 11)).toEqual([
      '88.12',
      '60.00',
      '148.12',
      '25.00',
      '0.00',
      '600.00',
      '24.69',
      '14.69',
    ]);
    expect(md).toContain("## Reconciliation with the account's bill");
    expect(md).toContain('| demo | prod | tenant consumer own | 3000.99 |');
    expect(md).toContain('| demo | prod | shared (not split here) | 1200.10 |');
    expect(md).toContain('| ir | dev | shared (not split here) | 45.68 |');
    expect(md).toContain(
      "| (account) | | unattributed: untagged Credit -300.00, Support 29.00, Tax 187.65, Usage 123.46; less the tenants' sending | 30.12 |",
    );
    expect(md).toContain(`| **(account)** | | **total, NetAmortizedCost** | **${FIXTURE_TOTAL}** |`);
    expect(md).toContain(
      'Markets and stages found in the account: demo/dev, demo/prod, ir/dev. Credits in the month: -302.50 USD.',
    );
    const reconciliation = md.slice(md.indexOf('## Reconciliation'), md.indexOf('Markets and stages found'));
    const amounts = reconciliation
      .split('\n')
      .filter((l) => l.startsWith('| ') && !l.includes('**'))
      .slice(1)
      .map((l) => l.split('|').at(-2)!.trim());
    expect(amounts.reduce((s, a) => s + cents(a), 0)).toBe(cents(FIXTURE_TOTAL));
    expect(md).toContain('NetAmortizedCost, what the month really cost');
    expect(md).not.toContain('Warning');
  });

  it('keeps the per-tenant CSV with its meters and budget (csv-wide), unattributed as its last line', async () => {
    const [head, ...rows] = parseCsv(await october('csv-wide'));
    expect(head!.slice(0, 10)).toEqual([
      'market',
      'month',
      'tenant',
      'cost_center',
      'own',
      'shared_share',
      'total',
      'currency',
      'usage_percent',
      'sending',
    ]);
    expect(head!.slice(-2)).toEqual(['budget', 'budget_percent']);
    const cell = (tenant: string, column: string) => rows.find((r) => r[2] === tenant)![head!.indexOf(column)];
    expect(cell('consumer', 'total')).toBe('599.87');
    expect(cell('consumer', 'ApiRequest')).toBe('3000');
    expect(cell('consumer', 'budget_percent')).toBe('23.99');
    expect(cell('(unattributed)', 'total')).toBe('30.12');
  });

  it('writes a self-contained HTML page with a chart per tenant and the showback lines', async () => {
    const html = await october('html');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).toContain('consumer: USD in 2026-10');
    expect(html).toContain('23.99% of its 2500.00 USD budget');
    expect(html).toContain(`<span class="v">${FIXTURE_TOTAL}</span><span class="k">account total</span>`);
    expect(html).toContain('<td>unattributed</td><td>30.12</td>');
    // nothing to fetch: no scripts, links, images, stylesheets or URLs but the SVG namespace
    expect(html).not.toMatch(/<script|<link|<img|src=|href=|url\(/i);
    expect(html.replaceAll('http://www.w3.org/2000/svg', '')).not.toMatch(/https?:\/\//);
  });
});

describe('when the cost-allocation tags are not active', () => {
  it('says so first, and how to activate and backfill them; the figures still add up', async () => {
    ce.on(GetCostAndUsageCommand).resolves(page([group('', '12.34'), group('', '-2.00', 'Credit')]));
    ce.on(ListCostAllocationTagsCommand).resolves({
      CostAllocationTags: [
        { TagKey: 'cvm:market', Type: 'UserDefined', Status: 'Active' },
        { TagKey: 'cvm:billing-unit', Type: 'UserDefined', Status: 'Inactive' },
      ],
    });
    const md = await costReport({
      market: 'demo',
      template,
      month: '2026-10',
      format: 'md',
      estimate: false,
      usage: new FileUsageSource('/nonexistent'),
      cost: explorer(),
    });
    const warning = md.split('\n').find((l) => l.startsWith('> **Warning:**'))!;
    expect(warning).toContain('Cost-allocation tags not active: cvm:tenant (not seen by billing yet');
    expect(warning).toContain('cvm:billing-unit (inactive)');
    expect(md).toContain(
      '--activate-tags` (UpdateCostAllocationTagsStatus, then StartCostAllocationTagBackfill from 2026-10',
    );
    expect(md).toContain('TagKey=cvm:billing-unit,Status=Active');
    expect(md).toContain('aws ce start-cost-allocation-tag-backfill --backfill-from 2026-10-01T00:00:00Z');
    expect(md.indexOf('> **Warning:**')).toBeLessThan(md.indexOf('| tenant |'));
    expect(md).toContain('| **(account)** | | **total, NetAmortizedCost** | **10.34** |');
    expect(md).toContain("less the tenants' sending | 10.34 |");
  });

  it("still reports when the tags' status cannot be read, and says so", async () => {
    ce.on(GetCostAndUsageCommand).resolves(page([group('demo/dev/shared', '5.00')]));
    ce.on(ListCostAllocationTagsCommand).rejects(
      Object.assign(new Error('not authorized to perform ce:ListCostAllocationTags'), {
        name: 'AccessDeniedException',
      }),
    );
    const md = await costReport({
      market: 'demo',
      template,
      month: '2026-10',
      format: 'md',
      estimate: false,
      usage: new FileUsageSource('/nonexistent'),
      cost: explorer(),
    });
    expect(md).toContain(
      "> **Warning:** Could not read the cost-allocation tags' status (ListCostAllocationTags: AccessDeniedException: not authorized",
    );
    expect(md).toContain('| **(account)** | | **total, NetAmortizedCost** | **5.00** |');
  });

  it('--activate-tags activates the inactive ones billing knows and starts a backfill from the month', async () => {
    ce.on(ListCostAllocationTagsCommand).resolves({
      CostAllocationTags: COST_TAGS.filter((k) => k !== TAG_COMPONENT).map((TagKey) => ({
        TagKey,
        Type: 'UserDefined' as const,
        Status: TagKey === TAG_BILLING_UNIT || TagKey === 'cvm:tenant' ? ('Inactive' as const) : ('Active' as const),
      })),
    });
    ce.on(UpdateCostAllocationTagsStatusCommand).resolves({ Errors: [] });
    ce.on(StartCostAllocationTagBackfillCommand).resolves({});
    const lines = await activateCostTags(explorer(), '2026-10', new Date('2026-11-15T00:00:00Z'));
    expect(ce.commandCalls(UpdateCostAllocationTagsStatusCommand)[0]!.args[0].input.CostAllocationTagsStatus).toEqual([
      { TagKey: 'cvm:tenant', Status: 'Active' },
      { TagKey: TAG_BILLING_UNIT, Status: 'Active' },
    ]);
    expect(ce.commandCalls(StartCostAllocationTagBackfillCommand)[0]!.args[0].input.BackfillFrom).toBe(
      '2026-10-01T00:00:00Z',
    );
    expect(lines).toEqual([
      'activated: cvm:tenant, cvm:billing-unit',
      'not seen by billing yet, so not activated: cvm:component (deploy a stack that carries them, wait up to 24 hours, run this again)',
      'backfill started from 2026-10-01: the active tags apply to the bills since (takes up to a day)',
    ]);
  });

  it('says when a backfill could not start, without failing', async () => {
    activeTags();
    ce.on(StartCostAllocationTagBackfillCommand).rejects(
      Object.assign(new Error('a backfill ran in the last 24 hours'), { name: 'BackfillLimitExceededException' }),
    );
    const lines = await activateCostTags(explorer(), '2024-01', new Date('2026-11-15T00:00:00Z'));
    expect(lines).toEqual([
      'activated: none (the seen tags were active already)',
      'backfill from 2025-11-01 not started: BackfillLimitExceededException: a backfill ran in the last 24 hours (one backfill per 24 hours)',
    ]);
  });

  it('backfills from the report month, never before the previous twelve months nor after this one', () => {
    const now = new Date('2026-03-10T00:00:00Z');
    expect(backfillFrom('2026-01', now)).toBe('2026-01');
    expect(backfillFrom('2024-06', now)).toBe('2025-03');
    expect(backfillFrom('2026-09', now)).toBe('2026-03');
  });
});

describe('the cost report against AWS', () => {
  it("splits the shared cost by the month's meters from CloudWatch and API requests from the usage plans, and says so", async () => {
    ce.on(GetCostAndUsageCommand).resolves(
      page([
        group('demo/dev/consumer', '100.00'),
        group('demo/dev/enterprise', '50.00'),
        group('demo/dev/shared', '90.00'),
      ]),
    );
    activeTags();
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
      cost: explorer(),
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

/** A month of billing with one Usage line per billing unit. */
const account = (units: Record<string, number>): AccountCost => ({
  lines: Object.entries(units).map(([billingUnit, amount]) => ({ billingUnit, recordType: 'Usage', amount })),
  currency: 'USD',
  metric: 'NetAmortizedCost',
  estimated: false,
});

describe('the split', () => {
  it('weighs different meters by their unit cost on shared resources', () => {
    const report = buildReport({
      config,
      month: '2026-10',
      unitCosts: units,
      usage: { consumer: { Event: 1_000_000 }, enterprise: { ApiRequest: 10_000 } },
      cost: account({ 'demo/dev/shared': 100 }),
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
      cost: account({ 'demo/dev/shared': 33.33, 'demo/dev/enterprise': 12 }),
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
      cost: account({ 'demo/dev/mvno': 5 }),
    });
    expect(report.unknownTenants).toEqual({ mvno: 5 });
    expect(report.account!.unattributed).toBe(0);
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
    const csv = await costReport({
      market: 'demo',
      template,
      month: '2026-10',
      format: 'csv-wide',
      estimate: true,
      usage,
    });
    const [head, ...rows] = parseCsv(csv);
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
    expect(md).toMatch(
      /sending: each tenant's metered AWS sends .*at the market's: \$0\.1 per segment to ZA \(FLAGGED: 1500 segments so priced; destination country unknown: priced as ZA\)/,
    );
  });

  it('prices SMS segments at the country each went to, and the ones metered without a country at the market, flagged', async () => {
    const at = '2026-10-12T08:00:00.000Z';
    const usage = new FileUsageSource(
      meteringFile([
        reading('consumer', 'SmsSegmentsSent', 1000, at, 'demo', 'ZA'),
        reading('consumer', 'SmsSegmentsSent', 400, at, 'demo', 'GB'),
        reading('consumer', 'SmsSegmentsSent', 100),
      ]),
    );
    const csv = await costReport({
      market: 'demo',
      template,
      month: '2026-10',
      format: 'csv-wide',
      estimate: true,
      usage,
    });
    const [head, ...rows] = parseCsv(csv);
    const row = rows.find((r) => r[2] === 'consumer')!;
    // 1000 x $0.10 (ZA) + 400 x $0.05 (GB) + 100 of no known country x $0.10 (the market's)
    expect(row[head!.indexOf('sending')]).toBe('130.00');
    const md = await costReport({ market: 'demo', template, month: '2026-10', format: 'md', estimate: true, usage });
    expect(md).toMatch(/SMS per segment at its destination country's price \(GB \$0\.05, ZA \$0\.1\)/);
    expect(md).toMatch(/FLAGGED: 100 segments so priced; destination country unknown: priced as ZA/);
  });
});

describe('the showback file of an estimate', () => {
  const usage = () =>
    new FileUsageSource(
      meteringFile([
        reading('consumer', 'ApiRequest', 1_000_000),
        reading('consumer', 'SmsSegmentsSent', 1500),
        reading('enterprise', 'Event', 1_000_000),
      ]),
    );

  it("has the same columns, one line per tenant and category, and each tenant's lines add up to its total", async () => {
    const [head, ...rows] = parseCsv(
      await costReport({ market: 'demo', template, month: '2026-10', format: 'csv', estimate: true, usage: usage() }),
    );
    expect(head).toEqual(['market', 'stage', 'month', 'tenant', 'cost_center', 'category', 'amount', 'currency']);
    expect(rows.map((r) => [r[0], r[1], r[2], r[3], r[4], r[5]])).toEqual(
      ['consumer', 'enterprise'].flatMap((t) =>
        ['own', 'shared', 'sending'].map((c) => [
          'demo',
          'dev',
          '2026-10',
          t,
          t === 'consumer' ? 'CC-1100-CONSUMER' : 'CC-2200-ENTERPRISE',
          c,
        ]),
      ),
    );
    expect(rows.find((r) => r[3] === 'consumer' && r[5] === 'sending')![6]).toBe('150.00');
    const md = await costReport({
      market: 'demo',
      template,
      month: '2026-10',
      format: 'md',
      estimate: true,
      usage: usage(),
    });
    for (const tenant of ['consumer', 'enterprise']) {
      const total = md
        .split('\n')
        .find((l) => l.startsWith(`| ${tenant} |`))!
        .split('|')[5]!
        .trim();
      expect(rows.filter((r) => r[3] === tenant).reduce((s, r) => s + cents(r[6]!), 0)).toBe(cents(total));
    }
    expect(rows.every((r) => r[7] === 'USD')).toBe(true);
  });

  it('renders as a self-contained page with a chart per tenant', async () => {
    const html = await costReport({
      market: 'demo',
      template,
      month: '2026-10',
      format: 'html',
      estimate: true,
      usage: usage(),
    });
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).toContain('estimate from metering and list prices');
    expect(html).not.toMatch(/<script|<link|<img|src=|href=|url\(/i);
    expect(html).not.toContain('account total');
  });
});

describe('the command line', () => {
  /** Runs the CLI in process with fake streams: what it wrote and how it exited. */
  async function run(argv: string[]) {
    let stdout = '';
    let stderr = '';
    let code = 0;
    await cli.run(main, {
      argv,
      stdout: { write: (t: string) => (stdout += t) },
      stderr: { write: (t: string) => (stderr += t) },
      exit: (c: number) => {
        code = c;
      },
      env: {},
    });
    return { stdout, stderr, code };
  }

  it('offers md, csv, csv-wide and html, and the metric, with NetAmortizedCost the default', () => {
    expect(cli.help).toContain('--format md|csv|csv-wide|html');
    expect(cli.help).toContain('--metric NetAmortizedCost|AmortizedCost|NetUnblendedCost|UnblendedCost');
    expect(cli.help).toContain('--activate-tags');
    const parsed = cli.tryParse(['--month', '2026-10', '--format', 'html']);
    expect(parsed.help === false && parsed.values.metric).toBe('NetAmortizedCost');
    expect(() => cli.tryParse(['--month', '2026-10', '--format', 'pdf'])).toThrow(
      /--format must be one of md, csv, csv-wide, html/,
    );
  });

  it('refuses --activate-tags with --estimate before any work, exit 2', async () => {
    const r = await run(['--month', '2026-10', '--estimate', '--activate-tags']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(
      'cost-report: --activate-tags works on Cost Explorer: run it without --estimate',
    );
    expect(r.stdout).toBe('');
    expect(ce.commandCalls(ListCostAllocationTagsCommand)).toHaveLength(0);
  });
});
