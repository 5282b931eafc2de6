import { compileFeatures, type FeatureDef, type ScoringInput } from './features.ts';
import type { Histograms } from './psi.ts';

/**
 * Feature drift: how a model's most important inputs are distributed tonight against how they
 * were in its training data. Features have no common range (months, money, 0/1 flags), so each
 * one carries its own bin edges, cut from its training values; a run counts into the same edges,
 * so segment histograms add up and compare with the training counts by PSI. A missing value (NaN)
 * has a bin of its own: a feature that stops arriving is drift too.
 */

/** Bins a feature's training values are cut into at most (plus one for missing values). */
export const FEATURE_BINS = 10;

/**
 * Cut points of a feature's values: with at most `bins` distinct values (flags, one-hot columns,
 * small counts) one bin per value, cut midway between neighbours; otherwise cuts at the
 * quantiles k/bins (duplicates dropped, so a heavy value does not leave empty bins).
 */
export function binEdgesOf(values: readonly number[], bins = FEATURE_BINS): number[] {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  const distinct = sorted.filter((v, i) => i === 0 || v !== sorted[i - 1]);
  if (distinct.length <= 1) return [];
  if (distinct.length <= bins) return distinct.slice(1).map((v, i) => (distinct[i]! + v) / 2);
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) {
    const q = sorted[Math.floor((k * sorted.length) / bins)]!;
    // a cut at the minimum would leave the first bin empty
    if (q > sorted[0]! && q !== edges.at(-1)) edges.push(q);
  }
  return edges;
}

/** Bins of a feature with these edges: one per interval, and the last for missing values. */
export const binCountOf = (edges: readonly number[]): number => edges.length + 2;

/** The bin of `value`: i where edges[i-1] <= value < edges[i]; NaN to the missing bin. */
export function featureBinOf(edges: readonly number[], value: number): number {
  if (Number.isNaN(value)) return edges.length + 1;
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (value < edges[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The counts of `values` in the bins of `edges`. */
export function featureHistogramOf(edges: readonly number[], values: Iterable<number>): number[] {
  const counts = new Array<number>(binCountOf(edges)).fill(0);
  for (const v of values) counts[featureBinOf(edges, v)]! += 1;
  return counts;
}

/** One watched feature of one model: its definition (as in the model's spec) and its training bins. */
export interface DriftFeature {
  model: string;
  feature: FeatureDef;
  edges: number[];
}

/** The histogram key of a model's feature: `feature:<model>/<feature>` (scores use bare keys). */
export const featureKey = (model: string, feature: string): string => `feature:${model}/${feature}`;

/** The model and feature of a feature key, or undefined for a score key. */
export function parseFeatureKey(key: string): { model: string; feature: string } | undefined {
  const m = /^feature:([^/]+)\/(.+)$/.exec(key);
  return m ? { model: m[1]!, feature: m[2]! } : undefined;
}

/** Counts the watched features of each customer into a run's histograms. */
export interface FeatureDriftCounter {
  count(h: Histograms, input: ScoringInput): void;
}

/** A counter for these features: their values computed by the serving feature code, once per customer. */
export function featureDriftCounter(features: readonly DriftFeature[]): FeatureDriftCounter {
  const compiled = compileFeatures({
    specVersion: 1,
    features: features.map((f) => ({ ...f.feature, name: featureKey(f.model, f.feature.name) })),
  });
  const keys = compiled.names;
  const row = new Float64Array(compiled.width);
  return {
    count(h, input) {
      compiled.fill(input, row);
      for (let i = 0; i < keys.length; i++) {
        const edges = features[i]!.edges;
        const bins = (h[keys[i]!] ??= new Array<number>(binCountOf(edges)).fill(0));
        bins[featureBinOf(edges, row[i]!)]! += 1;
      }
    },
  };
}

interface TreeGainJson {
  left_children: number[];
  split_indices: number[];
  loss_changes: number[];
}

/**
 * Total gain of each feature over the trees of an xgboost model (save_model JSON): the sum of
 * the loss reductions of every split on it, xgboost's `total_gain` importance. Indexed as the
 * model's features (the feature spec's order).
 */
export function totalGainOf(modelJson: unknown, numFeatures: number): number[] {
  const trees = (modelJson as { learner?: { gradient_booster?: { model?: { trees?: TreeGainJson[] } } } } | undefined)
    ?.learner?.gradient_booster?.model?.trees;
  if (!Array.isArray(trees)) throw new Error('not an xgboost model: no trees');
  const gain = new Array<number>(numFeatures).fill(0);
  for (const t of trees) {
    if (!Array.isArray(t.loss_changes)) throw new Error('the model has no loss_changes: gain cannot be read');
    t.left_children.forEach((left, i) => {
      if (left === -1) return;
      const f = t.split_indices[i]!;
      if (f >= 0 && f < numFeatures) gain[f]! += t.loss_changes[i]!;
    });
  }
  return gain;
}
