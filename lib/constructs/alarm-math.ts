import type { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/** CloudWatch reads at most 10 metrics in one alarm's math: a hard limit. */
export const MAX_METRICS_PER_ALARM = 10;

/** `items` in runs of at most `size`: one alarm per run when a group outgrows one alarm. */
export function inRunsOf<T>(items: readonly T[], size = MAX_METRICS_PER_ALARM): T[][] {
  const runs: T[][] = [];
  for (let i = 0; i < items.length; i += size) runs.push(items.slice(i, i + size));
  return runs;
}

/**
 * One series from several, `MAX([m0, m1, ...])` or `SUM([...])` at each timestamp: how one
 * alarm watches many resources (the 500-resource limit of a stack leaves no room for one alarm
 * per resource and tenant). A metric or expression with no data point in a period (a function
 * not invoked, an idle queue) drops out of the array for that period instead of blanking it.
 */
export function across(
  fn: 'MAX' | 'SUM',
  metrics: readonly cloudwatch.IMetric[],
  opts: { label: string; period: Duration },
): cloudwatch.MathExpression {
  if (metrics.length === 0) throw new Error(`no metrics for '${opts.label}'`);
  const ids = metrics.map((_, i) => `m${i}`);
  return new cloudwatch.MathExpression({
    expression: `${fn}([${ids.join(', ')}])`,
    usingMetrics: Object.fromEntries(ids.map((id, i) => [id, metrics[i]!])),
    period: opts.period,
    label: opts.label,
  });
}

/** The metrics an alarm's math reads, however nested: what counts against the limit. */
export function metricsRead(metric: cloudwatch.IMetric): cloudwatch.Metric[] {
  if (metric instanceof cloudwatch.MathExpression) return Object.values(metric.usingMetrics).flatMap(metricsRead);
  return metric instanceof cloudwatch.Metric ? [metric] : [];
}
