import type { Scores } from '../customer.ts';

/**
 * Score distributions and their drift. Every score is counted into fixed, equal-width bins
 * (probabilities: 10 bins over [0, 1]; predicted NPS: 10 bins over [0, 10]), so histograms of
 * parallel-scan segments add up, and a run compares with the training histogram stored beside
 * the model (`score-histogram.json`) by the population stability index.
 */
export const HISTOGRAM_BINS = 10;

/** Keys of the scores a histogram is kept for: `churn`, `crossSell.<product>`, `nps`. */
export type ScoreKey = string;
export type Histograms = Record<ScoreKey, number[]>;

/** The upper end of a score key's range (the lower end is 0). */
export const rangeOf = (key: ScoreKey): number => (key === 'nps' ? 10 : 1);

/** The bin of a value in [0, max]; values outside are clamped into the first or last bin. */
export function binOf(value: number, max: number, bins = HISTOGRAM_BINS): number {
  if (!Number.isFinite(value)) return value > 0 ? bins - 1 : 0;
  const i = Math.floor((value / max) * bins);
  return Math.min(bins - 1, Math.max(0, i));
}

export const emptyHistogram = (bins = HISTOGRAM_BINS): number[] => new Array<number>(bins).fill(0);

/** Adds one value under `key`. */
export function count(h: Histograms, key: ScoreKey, value: number): void {
  const bins = (h[key] ??= emptyHistogram());
  bins[binOf(value, rangeOf(key), bins.length)]! += 1;
}

/** The score values of one customer by histogram key. */
export function scoreValues(scores: Scores): Array<[ScoreKey, number]> {
  const out: Array<[ScoreKey, number]> = [];
  if (scores.churn) out.push(['churn', scores.churn.value]);
  for (const [product, s] of Object.entries(scores.crossSell ?? {})) out.push([`crossSell.${product}`, s.value]);
  if (scores.nps) out.push(['nps', scores.nps.score]);
  return out;
}

export function countScores(h: Histograms, scores: Scores): void {
  for (const [key, value] of scoreValues(scores)) count(h, key, value);
}

/** Adds histograms key by key (segments into a run). */
export function mergeHistograms(parts: readonly Histograms[]): Histograms {
  const out: Histograms = {};
  for (const part of parts) {
    for (const [key, bins] of Object.entries(part)) {
      const into = (out[key] ??= emptyHistogram(bins.length));
      if (into.length !== bins.length)
        throw new Error(`histogram '${key}': ${into.length} bins and ${bins.length} bins cannot be added`);
      bins.forEach((c, i) => {
        into[i]! += c;
      });
    }
  }
  return out;
}

/** Proportions below this are raised to it, so an empty bin does not make the index infinite. */
export const PSI_FLOOR = 1e-4;

/**
 * Population stability index of `actual` against `expected` (bin counts, same bins):
 * sum over bins of (a - e) * ln(a / e) with a, e the bins' proportions.
 * Undefined (NaN) when either side is empty.
 */
export function populationStabilityIndex(
  expected: readonly number[],
  actual: readonly number[],
  floor = PSI_FLOOR,
): number {
  if (expected.length !== actual.length)
    throw new Error(`psi: ${expected.length} expected bins, ${actual.length} actual bins`);
  const te = expected.reduce((s, c) => s + c, 0);
  const ta = actual.reduce((s, c) => s + c, 0);
  if (te === 0 || ta === 0) return NaN;
  let psi = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(expected[i]! / te, floor);
    const a = Math.max(actual[i]! / ta, floor);
    psi += (a - e) * Math.log(a / e);
  }
  return psi;
}

export type Drift = 'stable' | 'moderate' | 'significant';

/** The usual reading of a PSI: below 0.1 stable, up to 0.25 moderate, above that significant. */
export const driftOf = (psi: number): Drift => (psi < 0.1 ? 'stable' : psi < 0.25 ? 'moderate' : 'significant');

/** Port: where a nightly run's drift goes as metrics (one value per model, and per watched feature). */
export interface DriftMetrics {
  scorePsi(model: string, psi: number): void;
  featurePsi(model: string, feature: string, psi: number): void;
}
