import type { TenantId } from '../ids.ts';
import type { MeteredName } from '../metering.ts';

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

export type TenantUsage = Record<TenantId, Partial<Record<MeteredName, number>>>;

/**
 * Metered usage per tenant in a month: the local metering file, or in AWS the EMF metrics in
 * CloudWatch and API Gateway's usage plans.
 */
export interface UsageSource {
  usage(market: string, month: string): Promise<TenantUsage>;
  /** Where the figures come from, as the report states its method. */
  readonly method: string;
}
