import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { TenantId } from '#domain/ids.ts';
import type { DriftMetrics } from '#domain/scoring/psi.ts';
import { DIMENSION, METRIC, METRICS_NAMESPACE, METRICS_SERVICE } from './platform-metrics.ts';

/**
 * The Powertools Metrics instance of a market's operational metrics (platform-metrics.ts): the
 * recorders built on it write single-metric EMF blobs, so a value is on stdout at once and never
 * waits for a flush that a frozen or failed invocation would skip.
 */
export const platformMetrics = (market: string): Metrics =>
  new Metrics({
    namespace: METRICS_NAMESPACE,
    serviceName: METRICS_SERVICE,
    defaultDimensions: { [DIMENSION.market]: market },
  });

export type TriggerFiringsRecorder = (tenant: TenantId, firings: number) => void;

/**
 * TriggerFired (Count) of one tenant: the caller sums a batch's firings, so it is one EMF blob per
 * tenant and batch rather than one per event; a batch where nothing fired writes nothing.
 */
export function powertoolsTriggerRecorder(metrics: Metrics): TriggerFiringsRecorder {
  return (tenant, firings) => {
    if (!tenant || firings <= 0) return;
    try {
      metrics
        .singleMetric()
        .addDimension(DIMENSION.tenant, tenant)
        .addMetric(METRIC.triggerFired, MetricUnit.Count, firings);
    } catch {
      // a metric never fails the batch it counts
    }
  };
}

/**
 * The recorder a process should use. The local runtime (`CVM_METER=local`, as for the meters) has
 * no CloudWatch to turn EMF into metrics, and the blobs would only clutter the `npm start` console.
 */
export function triggerRecorderFromEnv(env: { MARKET?: string; CVM_METER?: string }): TriggerFiringsRecorder {
  if (env.CVM_METER === 'local') return () => {};
  return powertoolsTriggerRecorder(platformMetrics(env.MARKET ?? 'unknown'));
}

export type RuleBudgetRecorder = (tenant: TenantId, overBudget: number) => void;

/** RuleOverBudget (Count) of one tenant, summed by the caller over a batch; nothing when none ran out. */
export function powertoolsRuleBudgetRecorder(metrics: Metrics): RuleBudgetRecorder {
  return (tenant, overBudget) => {
    if (!tenant || overBudget <= 0) return;
    try {
      metrics
        .singleMetric()
        .addDimension(DIMENSION.tenant, tenant)
        .addMetric(METRIC.ruleOverBudget, MetricUnit.Count, overBudget);
    } catch {
      // a metric never fails the batch it counts
    }
  };
}

/** As triggerRecorderFromEnv: nothing in the local runtime. */
export function ruleBudgetRecorderFromEnv(env: { MARKET?: string; CVM_METER?: string }): RuleBudgetRecorder {
  if (env.CVM_METER === 'local') return () => {};
  return powertoolsRuleBudgetRecorder(platformMetrics(env.MARKET ?? 'unknown'));
}

/**
 * ScorePsi and FeaturePsi of one tenant's nightly run. The tenant goes into the blob as a field,
 * not a dimension: the log line says whose run it was, the series stay one per model and feature.
 */
export function powertoolsDriftMetrics(metrics: Metrics, tenant: TenantId): DriftMetrics {
  const write = (name: string, dimensions: Record<string, string>, psi: number) => {
    try {
      const one = metrics.singleMetric();
      for (const [k, v] of Object.entries(dimensions)) one.addDimension(k, v);
      one.addMetadata(DIMENSION.tenant, tenant);
      one.addMetric(name, MetricUnit.NoUnit, psi);
    } catch {
      // a metric never fails the run it measures
    }
  };
  return {
    scorePsi: (model, psi) => write(METRIC.scorePsi, { [DIMENSION.model]: model }, psi),
    featurePsi: (model, feature, psi) =>
      write(METRIC.featurePsi, { [DIMENSION.model]: model, [DIMENSION.feature]: feature }, psi),
  };
}

/** As triggerRecorderFromEnv: nothing in the local runtime. */
export function driftMetricsFromEnv(env: { MARKET?: string; CVM_METER?: string }, tenant: TenantId): DriftMetrics {
  if (env.CVM_METER === 'local') return { scorePsi: () => {}, featurePsi: () => {} };
  return powertoolsDriftMetrics(platformMetrics(env.MARKET ?? 'unknown'), tenant);
}
