import { platformMetrics } from '#adapters/metrics/powertools-metrics.ts';
import {
  powertoolsFallbackRecorder,
  powertoolsRequestRecorder,
  SageMakerScoring,
  sagemakerRuntimeClient,
} from '#adapters/sagemaker/sagemaker-scorer.ts';
import { EmbeddedScoring } from '#adapters/scoring/embedded-scoring.ts';
import type { Clock } from '#domain/clock.ts';
import type { ScoringPort } from '#domain/ports/scoring.ts';
import type { LoadedModel } from '#domain/scoring/model-store.ts';
import { Scorer } from '#domain/scoring/scorer.ts';
import { logger } from '#edge/logger.ts';
import type { ScoringEnv } from './scoring-env.ts';

/** What the online scoring port reads of the environment (Scoring.scoringEnvironment() in the stack). */
export type OnlineScoringEnv = Pick<
  ScoringEnv,
  'MARKET' | 'AWS_REGION' | 'SCORING_MODE' | 'SAGEMAKER_ENDPOINTS' | 'LATENCY_BUDGET_MS'
>;

/**
 * The scoring port of the market's mode for one customer at a time (decisions, score-on-demand):
 * in `sagemaker` mode the endpoint within the latency budget, with the in-process evaluator of the
 * same models as its fallback; in `embedded` mode the evaluator alone. Build it once per container:
 * the circuit breakers live in it.
 */
export function onlineScoring(env: OnlineScoringEnv, models: readonly LoadedModel[], clock: Clock): ScoringPort {
  if (env.SCORING_MODE !== 'sagemaker') return new EmbeddedScoring(new Scorer(models, clock));
  // the market's metrics, as the dashboard's fallback-rate alarm reads them (service telco-cvm)
  const metrics = platformMetrics(env.MARKET);
  const record = powertoolsFallbackRecorder(metrics);
  return new SageMakerScoring({
    client: sagemakerRuntimeClient(env.AWS_REGION),
    models,
    endpoints: env.SAGEMAKER_ENDPOINTS,
    latencyBudgetMs: env.LATENCY_BUDGET_MS,
    clock,
    onRequest: powertoolsRequestRecorder(metrics),
    onFallback: (reason, detail) => {
      record(reason);
      logger.warn('scoring fell back to the in-process evaluator', { reason, detail });
    },
  });
}
