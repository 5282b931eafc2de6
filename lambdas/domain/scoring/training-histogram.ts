import { binCountOf, type DriftFeature, featureKey } from './feature-drift.ts';
import type { FeatureDef } from './features.ts';
import { headPath, type ModelSource } from './model-store.ts';
import { HISTOGRAM_BINS, type Histograms, type ScoreKey } from './psi.ts';

/**
 * `score-histogram.json` beside a model version: how the model's scores fell on its training
 * data (scored by the serving evaluator, so the bins are the ones a score-base run counts into).
 */
export interface ScoreHistogramFile {
  histogramVersion: 1;
  model: string;
  version: string;
  bins: number;
  /** Where the scored rows came from. */
  source: string;
  scores: Histograms;
}

/**
 * `feature-histogram.json` beside a model version: every feature of the model (each distinct one
 * once over its heads), ordered by total gain, with the bin edges cut from its training values and
 * the training counts in them. The nightly run watches the first N (`models.psiTopFeatures`).
 */
export interface FeatureHistogramFile {
  histogramVersion: 1;
  model: string;
  version: string;
  /** How the order was made, for the reader. */
  ranking: string;
  source: string;
  features: Array<FeatureDef & { gain: number; edges: number[]; counts: number[] }>;
}

/** What a nightly run compares against: training histograms by key, and who each key belongs to. */
export interface DriftBaseline {
  /** Score histograms (`churn`, `crossSell.<product>`, `nps`) and the watched features' (`feature:<model>/<name>`). */
  training: Histograms;
  /** The pinned model each score key belongs to. */
  modelOf: Record<ScoreKey, string>;
  /** The watched features, in model order and, within a model, by gain. */
  features: DriftFeature[];
}

/**
 * The baseline of the pinned models: their score histograms, and the top `topFeatures` features
 * of each by gain. A model without a file (or an unknown version of it) adds nothing of that kind.
 */
export async function loadDriftBaseline(
  source: ModelSource,
  market: string,
  pins: Record<string, { version: string }>,
  topFeatures: number,
): Promise<DriftBaseline> {
  const out: DriftBaseline = { training: {}, modelOf: {}, features: [] };
  const read = async <T>(model: string, version: string, file: string): Promise<T | undefined> => {
    try {
      return (await source.readJson(headPath(market, model, version, '.', file))) as T;
    } catch {
      return undefined;
    }
  };
  for (const [model, pin] of Object.entries(pins)) {
    const scores = await read<ScoreHistogramFile>(model, pin.version, 'score-histogram.json');
    if (scores?.histogramVersion === 1 && scores.bins === HISTOGRAM_BINS)
      for (const [key, bins] of Object.entries(scores.scores)) {
        out.training[key] = bins;
        out.modelOf[key] = model;
      }
    if (topFeatures === 0) continue;
    const features = await read<FeatureHistogramFile>(model, pin.version, 'feature-histogram.json');
    if (features?.histogramVersion !== 1 || !Array.isArray(features.features)) continue;
    for (const { gain: _g, edges, counts, ...feature } of features.features.slice(0, topFeatures)) {
      if (counts.length !== binCountOf(edges)) continue;
      out.features.push({ model, feature, edges });
      out.training[featureKey(model, feature.name)] = counts;
    }
  }
  return out;
}
