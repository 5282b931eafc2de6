import {
  CostExplorerClient,
  GetCostAndUsageCommand,
  type GetCostAndUsageCommandOutput,
} from '@aws-sdk/client-cost-explorer';
import type { CostSource, TaggedCost } from '#domain/cost/ports.ts';

export const TENANT_TAG = 'cvm:tenant';
export const MARKET_TAG = 'cvm:market';

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
 * Cost Explorer behind the CostSource port: GetCostAndUsage for the month, UnblendedCost,
 * grouped by the `cvm:tenant` tag and filtered to the market's `cvm:market` tag, following
 * NextPageToken. Group keys look like `cvm:tenant$consumer`; `cvm:tenant$` is untagged.
 * (Cost Explorer is served from us-east-1 whatever the market's region.)
 */
export class CostExplorerCostSource implements CostSource {
  constructor(private readonly client: CostExplorerClient = new CostExplorerClient({ region: 'us-east-1' })) {}

  async monthlyCostByTenant(market: string, month: string): Promise<TaggedCost> {
    const byTag: Record<string, number> = {};
    let untagged = 0;
    let currency = 'USD';
    let token: string | undefined;
    do {
      const out: GetCostAndUsageCommandOutput = await this.client.send(
        new GetCostAndUsageCommand({
          TimePeriod: monthPeriod(month),
          Granularity: 'MONTHLY',
          Metrics: ['UnblendedCost'],
          GroupBy: [{ Type: 'TAG', Key: TENANT_TAG }],
          Filter: { Tags: { Key: MARKET_TAG, Values: [market], MatchOptions: ['EQUALS'] } },
          ...(token ? { NextPageToken: token } : {}),
        }),
      );
      for (const period of out.ResultsByTime ?? []) {
        for (const group of period.Groups ?? []) {
          const key = group.Keys?.[0] ?? '';
          const cost = group.Metrics?.['UnblendedCost'];
          const amount = Number(cost?.Amount ?? 0);
          if (cost?.Unit) currency = cost.Unit;
          const tenant = key.startsWith(`${TENANT_TAG}$`) ? key.slice(TENANT_TAG.length + 1) : key;
          if (!tenant) untagged += amount;
          else byTag[tenant] = (byTag[tenant] ?? 0) + amount;
        }
      }
      token = out.NextPageToken;
    } while (token);
    return { byTag, untagged, currency };
  }
}
