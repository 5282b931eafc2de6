import { driftMetricsFromEnv } from '#adapters/metrics/powertools-metrics.ts';
import { fileModelSource } from '#adapters/models/file-model-store.ts';
import { type DriftBaseline, loadDriftBaseline } from '#domain/scoring/training-histogram.ts';
import { scoringEnv } from './scoring-env.ts';

/**
 * The score-base report step's inputs: the pinned models' training histograms, read at the first
 * report of the container (a failed read is tried again at the next), and where drift is published.
 */
export function scoreReportInputsFor(source: NodeJS.ProcessEnv = process.env) {
  let baseline: DriftBaseline | undefined;
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
    driftMetrics: (tenant: string) => driftMetricsFromEnv(source, tenant),
  };
}
