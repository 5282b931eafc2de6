import type { TenantId } from '../ids.ts';
import type { MeterName } from '../metering.ts';

/** A month's cost of one market's resources by their `cvm:tenant` tag (`shared` included). */
export interface TaggedCost {
  byTag: Record<string, number>;
  /** Resources of the market that carry no `cvm:tenant` tag: reported apart, never split. */
  untagged: number;
  currency: string;
}

/** Billing data (Cost Explorer in AWS). `month` is `yyyy-mm`. */
export interface CostSource {
  monthlyCostByTenant(market: string, month: string): Promise<TaggedCost>;
}

export type TenantUsage = Record<TenantId, Partial<Record<MeterName, number>>>;

/** Metered usage per tenant in a month (the local metering file, or the EMF metrics in AWS). */
export interface UsageSource {
  usage(market: string, month: string): Promise<TenantUsage>;
}
