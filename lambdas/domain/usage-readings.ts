import type { TenantId } from './ids.ts';

/**
 * Billable kinds of work the platform meters per tenant, so shared cost (API Gateway, Lambda,
 * Step Functions, SageMaker) can be split by use. Each has a unit cost (scripts/cost/unit-costs.ts).
 */
export const WORK_METER_NAMES = [
  'ApiRequest',
  'Event',
  'Decision',
  'Score',
  'CampaignContact',
  'WorkflowExecution',
] as const;
export type MeterName = (typeof WORK_METER_NAMES)[number];

/**
 * DynamoDB capacity a tenant consumed on its own tables (`ReturnConsumedCapacity`): what write
 * units per event and per decision really are. Its cost is already exact through the table's
 * tag, so it informs and never weighs the split of shared cost.
 */
export const CAPACITY_METER_NAMES = ['ReadCapacityUnits', 'WriteCapacityUnits'] as const;
export type CapacityMeterName = (typeof CAPACITY_METER_NAMES)[number];

/**
 * Messages AWS sent for a tenant (the `sms`, `email` and `push` connections; a webhook or hand-off
 * queue sends nothing through AWS): SMS segments, e-mails, push notifications accepted by the
 * service. AWS bills them per unit, so the cost report prices them (domain/cost/sending-prices.ts)
 * as the tenant's own cost; they never weigh the split of shared cost.
 */
export const SENDING_METER_NAMES = ['SmsSegmentsSent', 'EmailsSent', 'PushesSent'] as const;
export type SendingMeterName = (typeof SENDING_METER_NAMES)[number];

/** Every meter, as the dashboard graphs it and the cost report lists it. */
export const METER_NAMES = [...WORK_METER_NAMES, ...CAPACITY_METER_NAMES, ...SENDING_METER_NAMES] as const;
export type MeteredName = (typeof METER_NAMES)[number];

export const isMeteredName = (name: unknown): name is MeteredName => (METER_NAMES as readonly unknown[]).includes(name);

/** CloudWatch namespace of the meters; Powertools adds the `service` dimension, we add market and tenant. */
export const METER_NAMESPACE = 'telco-cvm';
export const METER_SERVICE = 'telco-cvm';

/** What may accompany a reading; never a customer id (metrics and the metering file are not personal data). */
export interface MeterDetail {
  /** The API route id (ApiRequest). */
  route?: string;
  /** The channel asked (Decision): the dashboard shows decisions by channel. */
  channel?: string;
  /** An SMS's destination country, ISO 3166-1 (SmsSegmentsSent): AWS prices segments by it. A country names no one. */
  country?: string;
}

/** One metered use, as the local adapter writes it (one JSON line) and the cost report reads it. */
export interface MeterReading extends MeterDetail {
  at: string;
  market: string;
  tenant: TenantId;
  name: MeteredName;
  count: number;
}

/**
 * The metering port: fire and forget, never throws, never writes to a table on the hot path.
 * `meter.meter('consumer', 'Decision', 1, { channel: 'app' })`. An adapter may hold readings until
 * the invocation ends; the entry point then calls `flush()` (also when the work failed).
 */
export interface Meter {
  meter(tenant: TenantId, name: MeteredName, count?: number, detail?: MeterDetail): void;
  flush?(): void;
}

export const noMeter: Meter = { meter() {} };

/** Totals per tenant and meter name, from readings (the cost report's usage). */
export function totalsByTenant(
  readings: Iterable<Pick<MeterReading, 'tenant' | 'name' | 'count'>>,
): Record<TenantId, Partial<Record<MeteredName, number>>> {
  const out: Record<TenantId, Partial<Record<MeteredName, number>>> = {};
  for (const r of readings) {
    const t = (out[r.tenant] ??= {});
    t[r.name] = (t[r.name] ?? 0) + r.count;
  }
  return out;
}
