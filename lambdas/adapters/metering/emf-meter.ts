import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METER_NAMESPACE, METER_SERVICE, type Meter, type MeterName } from '#domain/metering.ts';
import type { TenantId } from '#domain/ids.ts';

export { METER_NAMESPACE, METER_SERVICE };

/**
 * Meters as CloudWatch EMF lines (Powertools Metrics): namespace telco-cvm, dimensions
 * service, market and tenant. Each reading is one single-metric blob written to stdout at once,
 * so readings of different tenants in one invocation never share a dimension set and nothing is
 * lost if the invocation fails later. CloudWatch turns the log line into the metric: no API call.
 */
export class EmfMeter implements Meter {
  private readonly metrics: Metrics;

  constructor(private readonly market: string, metrics?: Metrics) {
    this.metrics = metrics ?? new Metrics({ namespace: METER_NAMESPACE, serviceName: METER_SERVICE, defaultDimensions: { market } });
  }

  meter(tenant: TenantId, name: MeterName, count = 1): void {
    if (!tenant || count <= 0) return;
    try {
      const single = this.metrics.singleMetric();
      single.addDimension('tenant', tenant);
      single.addMetric(name, MetricUnit.Count, count);
    } catch {
      // metering never fails the work it meters
    }
  }
}
