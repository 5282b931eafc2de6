import {
  CostExplorerClient,
  GetCostAndUsageCommand,
  type GetCostAndUsageCommandOutput,
  ListCostAllocationTagsCommand,
  type ListCostAllocationTagsCommandOutput,
  StartCostAllocationTagBackfillCommand,
  UpdateCostAllocationTagsStatusCommand,
} from '@aws-sdk/client-cost-explorer';
import type { AccountCost, CostLine, CostSource, TagActivation, TagStatus } from '#domain/cost/ports.ts';

/**
 * The metric the cost report reads. NetAmortizedCost is what a month's usage really cost: upfront
 * Savings Plan and reservation fees spread over the months they cover, and net of the discounts
 * (Savings Plans, reservations, private pricing). UnblendedCost is the invoice's basis and is
 * wrong for showback under Savings Plans (the whole commitment is a fee of the account, and the
 * usage it covers shows at list price next to a negation).
 */
export const DEFAULT_COST_METRIC = 'NetAmortizedCost';
export const COST_METRICS = ['NetAmortizedCost', 'AmortizedCost', 'NetUnblendedCost', 'UnblendedCost'] as const;
export type CostMetric = (typeof COST_METRICS)[number];

/** `2026-10` -> Cost Explorer's half-open period [2026-10-01, 2026-11-01). */
export function monthPeriod(month: string): { Start: string; End: string } {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!m) throw new Error(`month must be yyyy-mm, not '${month}'`);
  const year = Number(m[1]);
  const mon = Number(m[2]);
  const next = mon === 12 ? `${year + 1}-01` : `${year}-${String(mon + 1).padStart(2, '0')}`;
  return { Start: `${month}-01`, End: `${next}-01` };
}

/**
 * Cost Explorer behind the CostSource and TagActivation ports. The month's cost is the whole
 * account's, unfiltered, so it adds up to the bill: GetCostAndUsage grouped by the billing-unit
 * tag (`cvm:billing-unit$demo/prod/consumer`; `cvm:billing-unit$` is everything without it) and
 * by RECORD_TYPE (Usage, Tax, Credit, Refund...), following NextPageToken. Cost Explorer is
 * served from us-east-1 whatever the market's region.
 */
export class CostExplorerCostSource implements CostSource, TagActivation {
  constructor(
    private readonly client: CostExplorerClient = new CostExplorerClient({ region: 'us-east-1' }),
    private readonly opts: { billingUnitTag: string; metric?: CostMetric } = { billingUnitTag: 'cvm:billing-unit' },
  ) {}

  get metric(): CostMetric {
    return this.opts.metric ?? DEFAULT_COST_METRIC;
  }

  async monthlyCost(month: string): Promise<AccountCost> {
    const tag = this.opts.billingUnitTag;
    const lines: CostLine[] = [];
    let currency = 'USD';
    let estimated = false;
    let token: string | undefined;
    do {
      const out: GetCostAndUsageCommandOutput = await this.client.send(
        new GetCostAndUsageCommand({
          TimePeriod: monthPeriod(month),
          Granularity: 'MONTHLY',
          Metrics: [this.metric],
          GroupBy: [
            { Type: 'TAG', Key: tag },
            { Type: 'DIMENSION', Key: 'RECORD_TYPE' },
          ],
          ...(token ? { NextPageToken: token } : {}),
        }),
      );
      for (const period of out.ResultsByTime ?? []) {
        if (period.Estimated) estimated = true;
        for (const group of period.Groups ?? []) {
          const [unitKey = '', recordType = ''] = group.Keys ?? [];
          const cost = group.Metrics?.[this.metric];
          if (cost?.Unit) currency = cost.Unit;
          const billingUnit = unitKey.startsWith(`${tag}$`) ? unitKey.slice(tag.length + 1) : unitKey;
          lines.push({ billingUnit, recordType, amount: Number(cost?.Amount ?? 0) });
        }
      }
      token = out.NextPageToken;
    } while (token);
    return { lines, currency, metric: this.metric, estimated };
  }

  /** ListCostAllocationTags of the user-defined keys; a key billing has never seen is `unknown`. */
  async tagStatus(keys: readonly string[]): Promise<TagStatus[]> {
    const found = new Map<string, TagStatus['status']>();
    let token: string | undefined;
    do {
      const out: ListCostAllocationTagsCommandOutput = await this.client.send(
        new ListCostAllocationTagsCommand({
          TagKeys: [...keys],
          Type: 'UserDefined',
          ...(token ? { NextToken: token } : {}),
        }),
      );
      for (const t of out.CostAllocationTags ?? [])
        if (t.TagKey && t.Status) found.set(t.TagKey, t.Status === 'Active' ? 'Active' : 'Inactive');
      token = out.NextToken;
    } while (token);
    return keys.map((key) => ({ key, status: found.get(key) ?? 'unknown' }));
  }

  /** UpdateCostAllocationTagsStatus: each key Active. */
  async activateTags(keys: readonly string[]): Promise<{ key: string; problem: string }[]> {
    if (keys.length === 0) return [];
    const out = await this.client.send(
      new UpdateCostAllocationTagsStatusCommand({
        CostAllocationTagsStatus: keys.map((key) => ({ TagKey: key, Status: 'Active' as const })),
      }),
    );
    return (out.Errors ?? []).map((e) => ({
      key: e.TagKey ?? '?',
      problem: [e.Code, e.Message].filter(Boolean).join(': ') || 'refused',
    }));
  }

  /** StartCostAllocationTagBackfill from the first day of `fromMonth`. */
  async backfillTags(fromMonth: string): Promise<void> {
    await this.client.send(
      new StartCostAllocationTagBackfillCommand({ BackfillFrom: `${monthPeriod(fromMonth).Start}T00:00:00Z` }),
    );
  }
}
