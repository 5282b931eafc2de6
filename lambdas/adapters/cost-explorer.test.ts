import {
  CostExplorerClient,
  GetCostAndUsageCommand,
  ListCostAllocationTagsCommand,
  StartCostAllocationTagBackfillCommand,
  UpdateCostAllocationTagsStatusCommand,
} from '@aws-sdk/client-cost-explorer';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CostExplorerCostSource, monthPeriod } from './cost-explorer.ts';

const ce = mockClient(CostExplorerClient);
beforeEach(() => ce.reset());
const source = (metric?: 'UnblendedCost') =>
  new CostExplorerCostSource(ce as unknown as CostExplorerClient, {
    billingUnitTag: 'cvm:billing-unit',
    ...(metric ? { metric } : {}),
  });

/** A group as the documented GetCostAndUsage response carries it with two group-bys: tag, then record type. */
const group = (unit: string, recordType: string, amount: string, metric = 'NetAmortizedCost') => ({
  Keys: [`cvm:billing-unit$${unit}`, recordType],
  Metrics: { [metric]: { Amount: amount, Unit: 'USD' } },
});
const page = (groups: ReturnType<typeof group>[], opts: { next?: string; estimated?: boolean } = {}) => ({
  GroupDefinitions: [
    { Type: 'TAG' as const, Key: 'cvm:billing-unit' },
    { Type: 'DIMENSION' as const, Key: 'RECORD_TYPE' },
  ],
  ResultsByTime: [
    {
      TimePeriod: { Start: '2026-10-01', End: '2026-11-01' },
      Total: {},
      Groups: groups,
      Estimated: opts.estimated ?? false,
    },
  ],
  DimensionValueAttributes: [],
  ...(opts.next ? { NextPageToken: opts.next } : {}),
});

describe("the account's month from Cost Explorer", () => {
  it('asks for the whole account, unfiltered, in NetAmortizedCost, grouped by billing unit and record type', async () => {
    ce.on(GetCostAndUsageCommand).resolves(page([group('demo/prod/consumer', 'Usage', '120.50')]));
    await source().monthlyCost('2026-10');
    expect(ce.commandCalls(GetCostAndUsageCommand)[0]!.args[0].input).toEqual({
      TimePeriod: { Start: '2026-10-01', End: '2026-11-01' },
      Granularity: 'MONTHLY',
      Metrics: ['NetAmortizedCost'],
      GroupBy: [
        { Type: 'TAG', Key: 'cvm:billing-unit' },
        { Type: 'DIMENSION', Key: 'RECORD_TYPE' },
      ],
    });
  });

  it('follows NextPageToken and keeps every line: untagged, tax and credits included', async () => {
    ce.on(GetCostAndUsageCommand)
      .resolvesOnce(page([group('demo/prod/consumer', 'Usage', '100.25'), group('', 'Tax', '15.04')], { next: 'p2' }))
      .resolvesOnce(page([group('', 'Credit', '-40.00'), group('ir/dev/shared', 'Usage', '3.1')], { estimated: true }));
    const cost = await source().monthlyCost('2026-10');
    expect(cost).toEqual({
      lines: [
        { billingUnit: 'demo/prod/consumer', recordType: 'Usage', amount: 100.25 },
        { billingUnit: '', recordType: 'Tax', amount: 15.04 },
        { billingUnit: '', recordType: 'Credit', amount: -40 },
        { billingUnit: 'ir/dev/shared', recordType: 'Usage', amount: 3.1 },
      ],
      currency: 'USD',
      metric: 'NetAmortizedCost',
      estimated: true,
    });
    expect(ce.commandCalls(GetCostAndUsageCommand)[1]!.args[0].input.NextPageToken).toBe('p2');
  });

  it('reads another metric when asked', async () => {
    ce.on(GetCostAndUsageCommand).resolves(page([group('', 'Usage', '9.99', 'UnblendedCost')]));
    const cost = await source('UnblendedCost').monthlyCost('2026-10');
    expect(ce.commandCalls(GetCostAndUsageCommand)[0]!.args[0].input.Metrics).toEqual(['UnblendedCost']);
    expect(cost.lines[0]!.amount).toBe(9.99);
  });

  it("turns a month into Cost Explorer's half-open period, across a year end", () => {
    expect(monthPeriod('2026-12')).toEqual({ Start: '2026-12-01', End: '2027-01-01' });
    expect(() => monthPeriod('2026-13')).toThrow(/yyyy-mm/);
  });
});

describe('cost-allocation tags in Cost Explorer', () => {
  it('tells active, inactive and never seen keys apart, across pages', async () => {
    ce.on(ListCostAllocationTagsCommand)
      .resolvesOnce({
        CostAllocationTags: [{ TagKey: 'cvm:market', Type: 'UserDefined', Status: 'Active' }],
        NextToken: 't2',
      })
      .resolvesOnce({ CostAllocationTags: [{ TagKey: 'cvm:billing-unit', Type: 'UserDefined', Status: 'Inactive' }] });
    const statuses = await source().tagStatus(['cvm:market', 'cvm:billing-unit', 'cvm:component']);
    expect(statuses).toEqual([
      { key: 'cvm:market', status: 'Active' },
      { key: 'cvm:billing-unit', status: 'Inactive' },
      { key: 'cvm:component', status: 'unknown' },
    ]);
    expect(ce.commandCalls(ListCostAllocationTagsCommand)[0]!.args[0].input).toEqual({
      TagKeys: ['cvm:market', 'cvm:billing-unit', 'cvm:component'],
      Type: 'UserDefined',
    });
    expect(ce.commandCalls(ListCostAllocationTagsCommand)[1]!.args[0].input.NextToken).toBe('t2');
  });

  it('activates keys and returns the ones refused, with why', async () => {
    ce.on(UpdateCostAllocationTagsStatusCommand).resolves({
      Errors: [{ TagKey: 'cvm:component', Code: 'TagKeysNotFoundException', Message: 'not found' }],
    });
    const refused = await source().activateTags(['cvm:billing-unit', 'cvm:component']);
    expect(ce.commandCalls(UpdateCostAllocationTagsStatusCommand)[0]!.args[0].input).toEqual({
      CostAllocationTagsStatus: [
        { TagKey: 'cvm:billing-unit', Status: 'Active' },
        { TagKey: 'cvm:component', Status: 'Active' },
      ],
    });
    expect(refused).toEqual([{ key: 'cvm:component', problem: 'TagKeysNotFoundException: not found' }]);
    expect(await source().activateTags([])).toEqual([]);
    expect(ce.commandCalls(UpdateCostAllocationTagsStatusCommand)).toHaveLength(1);
  });

  it('backfills from the first day of a month', async () => {
    ce.on(StartCostAllocationTagBackfillCommand).resolves({});
    await source().backfillTags('2026-03');
    expect(ce.commandCalls(StartCostAllocationTagBackfillCommand)[0]!.args[0].input).toEqual({
      BackfillFrom: '2026-03-01T00:00:00Z',
    });
  });
});
