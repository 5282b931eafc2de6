import { offsetClock, systemClock } from '#adapters/clock.ts';
import { documentClient } from '#adapters/dynamo/client.ts';
import { DynamoCustomerRepo } from '#adapters/dynamo/customer-repo.ts';
import { DynamoScoreStore } from '#adapters/dynamo/score-store.ts';
import { platformMetrics } from '#adapters/metrics/powertools-metrics.ts';
import { fileModelSource } from '#adapters/models/file-model-store.ts';
import {
  powertoolsFallbackRecorder,
  powertoolsRequestRecorder,
  SageMakerScoring,
  sagemakerRuntimeClient,
} from '#adapters/sagemaker/sagemaker-scorer.ts';
import { EmbeddedScoring } from '#adapters/scoring/embedded-scoring.ts';
import type { Clock } from '#domain/clock.ts';
import { fieldsView } from '#domain/customer-state.ts';
import type { ScoringPort } from '#domain/ports/scoring.ts';
import { featureDriftCounter } from '#domain/scoring/feature-drift.ts';
import { stateFieldsOf } from '#domain/scoring/features.ts';
import { loadPinnedModels, type LoadedModel } from '#domain/scoring/model-store.ts';
import { Scorer } from '#domain/scoring/scorer.ts';
import { loadDriftBaseline } from '#domain/scoring/training-histogram.ts';
import { logger } from '#edge/logger.ts';
import { meter } from './container-meter.ts';
import type { ScoringEnv } from './scoring-env.ts';
import { tenantTableOf } from './tenant-tables.ts';

/**
 * The scoring composition root, built once per container: the pinned models from MODELS_DIR,
 * the score store and scan on the tenant tables, and the scoring port of the market's mode.
 * `batch` always scores in process: the evaluator is the same artifact to 1e-6, and a nightly
 * run over millions of customers should not pay one endpoint call per customer and model.
 */
export async function scoringAdaptersFor(env: ScoringEnv, opts: { batch?: boolean } = {}) {
  const db = documentClient({
    endpoint: env.DYNAMODB_ENDPOINT,
    region: env.AWS_REGION,
    metering: { meter, tenantTables: env.TENANT_TABLES },
  });
  const tableOf = tenantTableOf(env.TENANT_TABLES);
  const clock: Clock = env.CVM_NOW ? offsetClock(new Date(env.CVM_NOW), Date.now) : systemClock;
  const source = fileModelSource(env.MODELS_DIR);
  const models = await loadPinnedModels(source, env.MARKET, env.MODEL_PINS);
  const scoring = opts.batch ? new EmbeddedScoring(new Scorer(models, clock)) : onlineScoring(env, models, clock);
  const scores = new DynamoScoreStore(db, tableOf);
  const driftBaseline = () => loadDriftBaseline(source, env.MARKET, env.MODEL_PINS, env.PSI_TOP_FEATURES);
  // the nightly run counts the watched features beside the scores; one customer at a time does not
  const watched = opts.batch ? (await driftBaseline()).features : [];
  const featureDrift = opts.batch ? featureDriftCounter(watched) : undefined;
  // the nightly run re-measures only the state fields the models and the watched features read
  const read = [...models.flatMap((m) => m.heads.flatMap((h) => h.spec.features)), ...watched.map((w) => w.feature)];
  return {
    clock,
    scoring,
    scoreStore: scores,
    scan: scores,
    customers: new DynamoCustomerRepo(db, tableOf),
    writeDelta: env.WRITE_DELTA,
    readState: fieldsView(stateFieldsOf(read)),
    driftBaseline,
    ...(featureDrift ? { featureDrift } : {}),
    /** Scores written and score-base runs, per tenant. */
    meter,
  };
}
export type ScoringAdapters = Awaited<ReturnType<typeof scoringAdaptersFor>>;

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
