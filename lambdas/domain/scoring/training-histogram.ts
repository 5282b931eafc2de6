import { headPath, type ModelSource } from './model-store.ts';
import { HISTOGRAM_BINS, type Histograms } from './psi.ts';

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

/** The training histograms of the pinned models, by score key; a model without the file adds none. */
export async function loadTrainingHistograms(
  source: ModelSource,
  market: string,
  pins: Record<string, { version: string }>,
): Promise<Histograms> {
  const out: Histograms = {};
  for (const [model, pin] of Object.entries(pins)) {
    let file: ScoreHistogramFile;
    try {
      file = (await source.readJson(
        headPath(market, model, pin.version, '.', 'score-histogram.json'),
      )) as ScoreHistogramFile;
    } catch {
      continue;
    }
    if (file?.histogramVersion !== 1 || file.bins !== HISTOGRAM_BINS) continue;
    Object.assign(out, file.scores);
  }
  return out;
}
