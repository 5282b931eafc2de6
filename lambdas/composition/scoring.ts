import { DynamoCustomerRepo } from '#adapters/dynamo/customer-repo.ts';
import { DynamoScoreRunStore } from '#adapters/dynamo/score-run-store.ts';
import { DynamoScoreStore } from '#adapters/dynamo/score-store.ts';
import { fileModelSource } from '#adapters/models/file-model-store.ts';
import { EmbeddedScoring } from '#adapters/scoring/embedded-scoring.ts';
import { fieldsView } from '#domain/customer-state.ts';
import { featureDriftCounter } from '#domain/scoring/feature-drift.ts';
import { stateFieldsOf } from '#domain/scoring/features.ts';
import { loadPinnedModels } from '#domain/scoring/model-store.ts';
import { Scorer } from '#domain/scoring/scorer.ts';
import { loadDriftBaseline } from '#domain/scoring/training-histogram.ts';
import { meter } from './container-meter.ts';
import { meteredDocumentClient, platformClock } from './platform.ts';
import type { ScoringEnv } from './scoring-env.ts';
import { tenantTableOf } from './tenant-tables.ts';

/**
 * The nightly scoring run's composition root, built once per container: the pinned models from
 * MODELS_DIR, the score store and scan on the tenant tables, and the in-process evaluator: it is
 * the same artifact to 1e-6, and a run over millions of customers should not pay one endpoint call
 * per customer and model. `batch` counts the watched features' drift beside the scores.
 */
export async function scoringAdaptersFor(env: ScoringEnv, opts: { batch?: boolean } = {}) {
  const db = meteredDocumentClient(env, env.TENANT_TABLES);
  const tableOf = tenantTableOf(env.TENANT_TABLES);
  const clock = platformClock(env);
  const source = fileModelSource(env.MODELS_DIR);
  const models = await loadPinnedModels(source, env.MARKET, env.MODEL_PINS);
  // the endpoint's port is online-scoring.ts: its SageMaker client stays out of this bundle
  const scoring = new EmbeddedScoring(new Scorer(models, clock));
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
    /** Where the nightly run's segments keep their outcomes for its report. */
    runs: new DynamoScoreRunStore(db, tableOf),
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
