import { CostExplorerClient, GetCostAndUsageCommand } from '@aws-sdk/client-cost-explorer';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CostExplorerCostSource, monthPeriod } from './cost-explorer.ts';

const ce = mockClient(CostExplorerClient);
beforeEach(() => ce.reset());

/** A group as the documented GetCostAndUsage response carries it. */
const group = (tenant: string, amount: string) => ({
  Keys: [`cvm:tenant$${tenant}`],
  Metrics: { UnblendedCost: { Amount: amount, Unit: 'USD' } },
});
const page = (groups: ReturnType<typeof group>[], NextPageToken?: string) => ({
  GroupDefinitions: [{ Type: 'TAG' as const, Key: 'cvm:tenant' }],
  ResultsByTime: [
    { TimePeriod: { Start: '2026-10-01', End: '2026-11-01' }, Total: {}, Groups: groups, Estimated: false },
  ],
  DimensionValueAttributes: [],
  ...(NextPageToken ? { NextPageToken } : {}),
});

describe('cost by tenant from Cost Explorer', () => {
  it("asks for the month's unblended cost grouped by tenant tag and filtered to the market", async () => {
    ce.on(GetCostAndUsageCommand).resolves(page([group('consumer', '120.50')]));
    await new CostExplorerCostSource(ce as unknown as CostExplorerClient).monthlyCostByTenant('demo', '2026-10');
    expect(ce.commandCalls(GetCostAndUsageCommand)[0]!.args[0].input).toEqual({
      TimePeriod: { Start: '2026-10-01', End: '2026-11-01' },
      Granularity: 'MONTHLY',
      Metrics: ['UnblendedCost'],
      GroupBy: [{ Type: 'TAG', Key: 'cvm:tenant' }],
      Filter: { Tags: { Key: 'cvm:market', Values: ['demo'], MatchOptions: ['EQUALS'] } },
    });
  });

  it('follows NextPageToken and adds up every page', async () => {
    ce.on(GetCostAndUsageCommand)
      .resolvesOnce(page([group('consumer', '100.25'), group('shared', '40.00')], 'page-2'))
      .resolvesOnce(page([group('enterprise', '30.10'), group('consumer', '0.75')]));
    const cost = await new CostExplorerCostSource(ce as unknown as CostExplorerClient).monthlyCostByTenant(
      'demo',
      '2026-10',
    );
    expect(cost).toEqual({ byTag: { consumer: 101, shared: 40, enterprise: 30.1 }, untagged: 0, currency: 'USD' });
    expect(ce.commandCalls(GetCostAndUsageCommand)[1]!.args[0].input.NextPageToken).toBe('page-2');
  });

  it('reports the empty-tag group as untagged, apart from the tenants', async () => {
    ce.on(GetCostAndUsageCommand).resolves(page([group('', '7.77'), group('shared', '1.00')]));
    const cost = await new CostExplorerCostSource(ce as unknown as CostExplorerClient).monthlyCostByTenant(
      'demo',
      '2026-10',
    );
    expect(cost.untagged).toBeCloseTo(7.77, 10);
    expect(cost.byTag).toEqual({ shared: 1 });
  });

  it("turns a month into Cost Explorer's half-open period, across a year end", () => {
    expect(monthPeriod('2026-12')).toEqual({ Start: '2026-12-01', End: '2027-01-01' });
    expect(() => monthPeriod('2026-13')).toThrow(/yyyy-mm/);
  });
});
