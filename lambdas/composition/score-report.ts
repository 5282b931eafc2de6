import { DynamoScoreRunStore } from '#adapters/dynamo/score-run-store.ts';
import { driftMetricsFromEnv } from '#adapters/metrics/powertools-metrics.ts';
import { fileModelSource } from '#adapters/models/file-model-store.ts';
import type { ScoreRunStore } from '#domain/ports/scoring.ts';
import { type DriftBaseline, loadDriftBaseline } from '#domain/scoring/training-histogram.ts';
import { meteredDocumentClient } from './platform.ts';
import { scoringEnv } from './scoring-env.ts';
import { tenantTableOf } from './tenant-tables.ts';

/**
 * The score-base report step's inputs: the pinned models' training histograms, read at the first
 * report of the container (a failed read is tried again at the next), where the run's segments
 * kept their outcomes, and where drift is published. The environment is read at first use, so
 * importing the handler needs none.
 */
export function scoreReportInputsFor(source: NodeJS.ProcessEnv = process.env) {
  let baseline: DriftBaseline | undefined;
  let runs: ScoreRunStore | undefined;
  return {
    async baseline(): Promise<DriftBaseline> {
      if (baseline) return baseline;
      const env = scoringEnv(source);
      baseline = await loadDriftBaseline(
        fileModelSource(env.MODELS_DIR),
        env.MARKET,
        env.MODEL_PINS,
        env.PSI_TOP_FEATURES,
      );
      return baseline;
    },
    runs(): ScoreRunStore {
      if (runs) return runs;
      const env = scoringEnv(source);
      const db = meteredDocumentClient(env, env.TENANT_TABLES);
      runs = new DynamoScoreRunStore(db, tenantTableOf(env.TENANT_TABLES));
      return runs;
    },
    driftMetrics: (tenant: string) => driftMetricsFromEnv(source, tenant),
  };
}
