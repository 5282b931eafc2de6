import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DeliveryRecorder } from '#domain/delivery/ports.ts';
import { DIMENSION } from './platform-metrics.ts';
import { platformMetrics } from './powertools-metrics.ts';

/** The sender's outcomes as metrics: `Message<Outcome>` (MessageSent, MessageSkipped, ...). */
export const deliveryMetricName = (outcome: string): string =>
  `Message${outcome
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('')}`;

/**
 * One value per tenant and outcome of a batch (dimension `tenant`), and one per reason of the
 * outcomes that have one (dimension `reason`: opted-out, erased, daily-cap, http-500, ...), each
 * metric with a single own dimension like the platform's others.
 */
export function powertoolsDeliveryRecorder(market: string): DeliveryRecorder {
  const metrics = platformMetrics(market);
  return ({ tenant, counts }) => {
    const byOutcome = new Map<string, number>();
    const byReason = new Map<string, number>();
    for (const outcomes of Object.values(counts))
      for (const [outcome, reasons] of Object.entries(outcomes))
        for (const [reason, n] of Object.entries(reasons)) {
          byOutcome.set(outcome, (byOutcome.get(outcome) ?? 0) + n);
          if (reason !== '-')
            byReason.set(`${outcome}\u0000${reason}`, (byReason.get(`${outcome}\u0000${reason}`) ?? 0) + n);
        }
    try {
      for (const [outcome, n] of byOutcome)
        metrics
          .singleMetric()
          .addDimension(DIMENSION.tenant, tenant)
          .addMetric(deliveryMetricName(outcome), MetricUnit.Count, n);
      for (const [key, n] of byReason) {
        const [outcome, reason] = key.split('\u0000') as [string, string];
        metrics
          .singleMetric()
          .addDimension(DIMENSION.reason, reason)
          .addMetric(deliveryMetricName(outcome), MetricUnit.Count, n);
      }
    } catch {
      // a metric never fails the batch it counts
    }
  };
}

/** As triggerRecorderFromEnv: nothing in the local runtime (`CVM_METER=local`). */
export function deliveryRecorderFromEnv(env: { MARKET?: string; CVM_METER?: string }): DeliveryRecorder {
  if (env.CVM_METER === 'local') return () => {};
  return powertoolsDeliveryRecorder(env.MARKET ?? 'unknown');
}
