import type { TenantId } from '../ids.ts';
import type { MeteredName } from '../usage-readings.ts';

/**
 * One line of the account's month as billing reports it: the cost of one billing unit (the
 * `cvm:billing-unit` tag's value, `<market>/<stage>/<tenant>`; `''` where the cost carries no such
 * tag) and one record type (`Usage`, `Tax`, `Credit`, `Refund`, `SavingsPlanNegation`...).
 */
export interface CostLine {
  billingUnit: string;
  recordType: string;
  amount: number;
}

/** The whole account's cost of a month, every line of it, so that it adds up to the bill. */
export interface AccountCost {
  lines: CostLine[];
  currency: string;
  /** The Cost Explorer metric the amounts are in (NetAmortizedCost unless asked otherwise). */
  metric: string;
  /** The month is not closed yet: billing still estimates it. */
  estimated: boolean;
}

/** Whether billing applies a cost-allocation tag key (`unknown`: billing has not seen it on any resource yet). */
export interface TagStatus {
  key: string;
  status: 'Active' | 'Inactive' | 'unknown';
}

/** Billing data (Cost Explorer in AWS). `month` is `yyyy-mm`. */
export interface CostSource {
  monthlyCost(month: string): Promise<AccountCost>;
  tagStatus(keys: readonly string[]): Promise<TagStatus[]>;
}

/** Turning cost-allocation tags on, and applying them to past months (Cost Explorer in AWS). */
export interface TagActivation {
  /** Activates the keys; returns the keys it could not activate, each with why. */
  activateTags(keys: readonly string[]): Promise<{ key: string; problem: string }[]>;
  /** Re-applies the active tags to the bills from `fromMonth` (`yyyy-mm`, at most 12 months back) on. */
  backfillTags(fromMonth: string): Promise<void>;
}

export type TenantUsage = Record<TenantId, Partial<Record<MeteredName, number>>>;

/**
 * Metered usage per tenant in a month: the local metering file, or in AWS the EMF metrics in
 * CloudWatch and API Gateway's usage plans.
 */
export interface UsageSource {
  usage(market: string, month: string): Promise<TenantUsage>;
  /**
   * Each tenant's SMS segments by destination country (ISO; '' for a number of no known country),
   * where the source keeps it (the metering file's readings, the EMF meter's `country` dimension).
   */
  smsSegmentsByDestination?(market: string, month: string): Promise<Record<TenantId, Record<string, number>>>;
  /** Where the figures come from, as the report states its method. */
  readonly method: string;
}
