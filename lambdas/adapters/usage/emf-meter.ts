import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  METER_NAMESPACE,
  METER_SERVICE,
  type Meter,
  type MeterDetail,
  type MeteredName,
} from '#domain/usage-readings.ts';
import type { TenantId } from '#domain/ids.ts';

export { METER_NAMESPACE, METER_SERVICE };

/** The meter whose count is also published by channel (dimensions service, market, channel). */
const BY_CHANNEL: MeteredName = 'Decision';
/** The meter whose count is also published by destination country (dimensions service, market, tenant, country). */
const BY_COUNTRY: MeteredName = 'SmsSegmentsSent';

interface TenantTotals {
  counts: Map<MeteredName, number>;
  /** Decision count per channel asked. */
  channels: Map<string, number>;
  /** SMS segments per destination country. */
  countries: Map<string, number>;
}

type Emf = ReturnType<Metrics['serializeMetrics']>;

/**
 * Meters as CloudWatch EMF (Powertools Metrics): namespace telco-cvm, dimensions service, market
 * and tenant; CloudWatch turns the log line into the metrics, no API call. Readings are summed in
 * memory and `flush()` writes ONE line per tenant at the end of the invocation, because every log
 * line is paid for at ingestion, per decision. Tenants never share a line, so a tenant's figures
 * never ride on another's dimensions.
 *
 * Decisions are also published by channel (service, market, channel) through a second directive
 * in the same line: a dimension set added with Powertools `addDimensions` would apply to every
 * metric of the line, turning ApiRequest and the capacity meters into per-channel series too
 * (each one a paid custom metric, and a misleading one).
 *
 * SMS segments are also published by destination country (service, market, tenant, country), on a
 * line of their own per country: AWS prices a segment by the country it goes to, and the cost report
 * reads them so. Only invocations that sent SMS write them.
 */
export class EmfMeter implements Meter {
  private readonly byTenant: Metrics;
  private readonly byChannel: Metrics;
  private readonly byCountry: Metrics;
  private pending = new Map<TenantId, TenantTotals>();

  constructor(
    market: string,
    private readonly write: (line: string) => void = (line) => void process.stdout.write(line),
  ) {
    const options = { namespace: METER_NAMESPACE, serviceName: METER_SERVICE, defaultDimensions: { market } };
    this.byTenant = new Metrics(options);
    this.byChannel = new Metrics(options);
    this.byCountry = new Metrics(options);
  }

  meter(tenant: TenantId, name: MeteredName, count = 1, detail: MeterDetail = {}): void {
    if (!tenant || !(count > 0)) return;
    let totals = this.pending.get(tenant);
    if (!totals) this.pending.set(tenant, (totals = { counts: new Map(), channels: new Map(), countries: new Map() }));
    totals.counts.set(name, (totals.counts.get(name) ?? 0) + count);
    if (name === BY_CHANNEL && detail.channel)
      totals.channels.set(detail.channel, (totals.channels.get(detail.channel) ?? 0) + count);
    if (name === BY_COUNTRY && detail.country)
      totals.countries.set(detail.country, (totals.countries.get(detail.country) ?? 0) + count);
  }

  /** Writes what the invocation metered, one line per tenant, and forgets it; never throws. */
  flush(): void {
    const pending = this.pending;
    this.pending = new Map();
    for (const [tenant, totals] of pending) {
      try {
        for (const line of this.linesOf(tenant, totals)) this.write(`${JSON.stringify(line)}\n`);
      } catch {
        // metering never fails the work it meters
      }
    }
  }

  private linesOf(tenant: TenantId, totals: TenantTotals): Emf[] {
    const byCountry = [...totals.countries].map(([country, n]) =>
      this.serialize(this.byCountry, { tenant, country }, new Map([[BY_COUNTRY, n]])),
    );
    return [...this.tenantLines(tenant, totals), ...byCountry];
  }

  private tenantLines(tenant: TenantId, totals: TenantTotals): Emf[] {
    const blob = this.serialize(this.byTenant, { tenant }, totals.counts);
    const channels = [...totals.channels];
    const decisions = totals.counts.get(BY_CHANNEL) ?? 0;
    // Decision is one root member read by both directives: that holds while one channel has
    // all of the line's decisions (one decision per API call). Otherwise each channel gets a line.
    if (channels.length === 1 && channels[0]![1] === decisions) {
      const [channel] = channels[0]!;
      const byChannel = this.serialize(this.byChannel, { channel }, new Map([[BY_CHANNEL, decisions]]));
      blob._aws.CloudWatchMetrics.push(...byChannel._aws.CloudWatchMetrics);
      return [{ ...blob, channel }];
    }
    return [
      blob,
      ...channels.map(([channel, n]) => this.serialize(this.byChannel, { channel }, new Map([[BY_CHANNEL, n]]))),
    ];
  }

  private serialize(metrics: Metrics, dimensions: Record<string, string>, counts: Map<MeteredName, number>): Emf {
    try {
      for (const [key, value] of Object.entries(dimensions)) metrics.addDimension(key, value);
      for (const [name, n] of counts) metrics.addMetric(name, MetricUnit.Count, n);
      return metrics.serializeMetrics();
    } finally {
      metrics.clearMetrics();
      metrics.clearDimensions();
    }
  }
}
