import type { TenantId } from './ids.ts';

/**
 * What the platform meters per tenant, so shared cost (API Gateway, Lambda, Step Functions,
 * SageMaker) can be split by use. One name per billable kind of work.
 */
export const METER_NAMES = ['ApiRequest', 'Event', 'Decision', 'Score', 'CampaignContact', 'WorkflowExecution'] as const;
export type MeterName = (typeof METER_NAMES)[number];

/** CloudWatch namespace of the meters; Powertools adds the `service` dimension, we add market and tenant. */
export const METER_NAMESPACE = 'telco-cvm';
export const METER_SERVICE = 'telco-cvm';

/** One metered use, as the local adapter writes it (one JSON line) and the cost report reads it. */
export interface MeterReading {
  at: string;
  market: string;
  tenant: TenantId;
  name: MeterName;
  count: number;
  /** Optional detail, e.g. the API route id; never a customer id. */
  route?: string;
}

/**
 * The metering port: fire and forget, never throws, never writes to a table on the hot path.
 * `meter.meter('consumer', 'Decision', 1)`.
 */
export interface Meter {
  meter(tenant: TenantId, name: MeterName, count?: number, detail?: { route?: string }): void;
}

export const noMeter: Meter = { meter() {} };

/** Totals per tenant and meter name, from readings (the cost report's usage). */
export function totalsByTenant(readings: Iterable<Pick<MeterReading, 'tenant' | 'name' | 'count'>>): Record<TenantId, Partial<Record<MeterName, number>>> {
  const out: Record<TenantId, Partial<Record<MeterName, number>>> = {};
  for (const r of readings) {
    const t = (out[r.tenant] ??= {});
    t[r.name] = (t[r.name] ?? 0) + r.count;
  }
  return out;
}
