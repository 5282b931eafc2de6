import { METER_NAMESPACE, METER_SERVICE, type MeterName } from '#domain/usage-readings.ts';

/**
 * The operational metrics the market dashboard and alarms read, named once for both sides: the
 * emitting adapters and handlers, and lib/constructs/observability.ts. A dashboard metric whose
 * name or dimensions differ from the emitted one by a letter graphs nothing and never alarms, so
 * neither side spells these strings itself. No SDK here: the CDK app imports this file.
 *
 * Every metric shares the meters' namespace and `service` dimension (Powertools adds `service`
 * from `serviceName`) and carries `market` as a default dimension; each metric adds at most one
 * dimension of its own, but FeaturePsi, which adds two (model and feature).
 */
export const METRICS_NAMESPACE = METER_NAMESPACE;
export const METRICS_SERVICE = METER_SERVICE;

export const METRIC = {
  /** A decision answered, by channel (beside the per-tenant meter of the same name). */
  decision: 'Decision' satisfies MeterName,
  /** Trigger firings handed off, per tenant: one value per tenant and event batch. */
  triggerFired: 'TriggerFired',
  /** An online scoring that needed the SageMaker endpoint: the denominator of the fallback rate. */
  scoringRequest: 'ScoringRequest',
  /** One of those scorings answered by the in-process evaluator instead, by reason. */
  scoringFallback: 'ScoringFallback',
  /**
   * Tenant rules that ran out of evaluation steps and counted as false (domain/rules.ts), per
   * tenant and batch: a rule stored before the limits, or data past what the static bound assumes.
   */
  ruleOverBudget: 'RuleOverBudget',
  /**
   * Nightly population stability index of a pinned model's scores against its training histogram
   * (its worst head), by model. Not by tenant: every tenant's run writes into the model's series
   * and the alarm reads its Maximum, so the series count does not grow with tenants.
   */
  scorePsi: 'ScorePsi',
  /** Nightly PSI of one of a model's top features (models.psiTopFeatures), by model and feature. */
  featurePsi: 'FeaturePsi',
} as const;

export const DIMENSION = {
  service: 'service',
  market: 'market',
  tenant: 'tenant',
  channel: 'channel',
  reason: 'reason',
  model: 'model',
  feature: 'feature',
} as const;

/**
 * Metric series the drift metrics hold at most: one ScorePsi per pinned model and one FeaturePsi
 * per watched feature of each (a model with fewer features has fewer). Each series is billed monthly.
 */
export const driftSeriesOf = (models: number, topFeatures: number): number => models * (1 + topFeatures);

/**
 * Why an online scoring fell back to the in-process evaluator. A closed list: an alarm cannot
 * SEARCH for dimension values, so the fallback-rate alarm sums one metric per reason.
 */
export const FALLBACK_REASONS = ['timeout', 'throttled', 'error', 'circuit-open', 'no-endpoint'] as const;
export type FallbackReason = (typeof FALLBACK_REASONS)[number];
