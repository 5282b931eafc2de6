/**
 * Writes the training histograms beside each pinned model version (or one given version):
 * - `score-histogram.json`: the distribution of the model's scores over its training file, scored
 *   by the serving evaluator (which matches xgboost to 1e-6 on the parity fixtures), in the bins a
 *   score-base run counts into;
 * - `feature-histogram.json`: every feature of the model, ordered by total gain over its trees
 *   (all heads), with bin edges cut from its training values and the training counts in them.
 * The score-base report compares each night's distributions with them (PSI, ScorePsi/FeaturePsi).
 * Both are derived from the version's own files and the training data, so rewriting them gives
 * the same bytes; they never change what the model predicts.
 *
 *   npx tsx scripts/ml/score-histogram.ts --market demo            # the pinned versions
 *   npx tsx scripts/ml/score-histogram.ts --market demo --newest   # each model's newest (train.sh runs this)
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { fixedClock } from '#domain/clock.ts';
import { scoringInputOf } from '#domain/datasets/usage-state.ts';
import { binEdgesOf, featureHistogramOf, totalGainOf } from '#domain/scoring/feature-drift.ts';
import { compileFeatures, type FeatureDef, type ScoringInput } from '#domain/scoring/features.ts';
import { headPath, loadModel, type LoadedModel, type ModelSource } from '#domain/scoring/model-store.ts';
import { count, countScores, HISTOGRAM_BINS, type Histograms } from '#domain/scoring/psi.ts';
import { Scorer } from '#domain/scoring/scorer.ts';
import type { FeatureHistogramFile, ScoreHistogramFile } from '#domain/scoring/training-histogram.ts';
import { fileModelSource } from '#adapters/models/file-model-store.ts';
import { loadMarket } from '#config/markets/index.ts';
import { datasetOf, readDatasetCsv } from './datasets.ts';
import { versionsOf } from './model-versions.ts';
import { DATA_DIR, MODELS_DIR } from './paths.ts';

/** The distinct features of a model's heads with their summed total gain, highest first. */
async function rankedFeatures(
  source: ModelSource,
  market: string,
  loaded: LoadedModel,
): Promise<Array<{ def: FeatureDef; gain: number }>> {
  const byName = new Map<string, { def: FeatureDef; gain: number }>();
  for (const head of loaded.heads) {
    const json = await source.readJson(headPath(market, loaded.model, loaded.version, head.dir, 'model.json'));
    const gain = totalGainOf(json, head.spec.features.length);
    head.spec.features.forEach((def, i) => {
      const seen = byName.get(def.name);
      if (seen && JSON.stringify([seen.def.source, seen.def.encoding]) !== JSON.stringify([def.source, def.encoding]))
        throw new Error(`${loaded.model}: feature '${def.name}' is defined differently in two heads`);
      byName.set(def.name, { def, gain: (seen?.gain ?? 0) + gain[i]! });
    });
  }
  return [...byName.values()].sort((a, b) => b.gain - a.gain || a.def.name.localeCompare(b.def.name));
}

/** Training rows as customers (profile and state), or as feature vectors with their column names. */
export type TrainingRows =
  | { inputs: readonly ScoringInput[] }
  | { matrix: { names: readonly string[]; rows: readonly Float64Array[] } };

/** The score key of a head, as a score-base run counts it (psi.ts). */
const scoreKeyOf = (loaded: LoadedModel, head: LoadedModel['heads'][number]) =>
  loaded.kind === 'churn' ? 'churn' : loaded.kind === 'nps' ? 'nps' : `crossSell.${head.product ?? head.name}`;

/** Writes both histogram files of one model version from the rows it was trained on. */
export async function writeVersionHistograms(opts: {
  market: string;
  model: string;
  version: string;
  rows: TrainingRows;
  /** Where the rows came from, for the files' `source`. */
  sourceLabel: string;
  modelsDir?: string;
  log?: (s: string) => void;
}): Promise<void> {
  const { market, model, version, rows, sourceLabel, modelsDir = MODELS_DIR, log = () => {} } = opts;
  const source = fileModelSource(modelsDir);
  const loaded = await loadModel(source, market, model, version);
  const scores: Histograms = {};
  const ranked = await rankedFeatures(source, market, loaded);
  const what = 'inputs' in rows ? 'mapped rows' : 'rows';
  let n: number;
  let columns: Float64Array[];
  if ('inputs' in rows) {
    const { inputs } = rows;
    n = inputs.length;
    const scorer = new Scorer([loaded], fixedClock('2000-01-01T00:00:00Z'));
    for (const input of inputs) countScores(scores, scorer.score(input));
    const compiled = compileFeatures({ specVersion: 1, features: ranked.map((r) => r.def) });
    columns = ranked.map(() => new Float64Array(n));
    const row = new Float64Array(compiled.width);
    inputs.forEach((input, p) => {
      compiled.fill(input, row);
      for (let i = 0; i < row.length; i++) columns[i]![p] = row[i]!;
    });
  } else {
    // feature vectors (an export's): each head reads its features by name, as the scorer would
    const { names, rows: matrix } = rows.matrix;
    n = matrix.length;
    const at = new Map(names.map((name, i) => [name, i]));
    const indexOf = (name: string) => {
      const i = at.get(name);
      if (i === undefined) throw new Error(`${model}/${version}: no column '${name}' in the training rows`);
      return i;
    };
    for (const head of loaded.heads) {
      const from = head.spec.features.map((f) => indexOf(f.name));
      const row = new Float64Array(from.length);
      for (const r of matrix) {
        from.forEach((i, j) => {
          row[j] = r[i]!;
        });
        count(scores, scoreKeyOf(loaded, head), head.evaluator.predict(row));
      }
    }
    columns = ranked.map((r) => Float64Array.from(matrix, (m) => m[indexOf(r.def.name)]!));
  }
  const scoreFile: ScoreHistogramFile = {
    histogramVersion: 1,
    model,
    version,
    bins: HISTOGRAM_BINS,
    source: `${sourceLabel}: ${n} ${what} scored by the in-process evaluator`,
    scores,
  };
  const dir = join(modelsDir, market, model, version);
  writeFileSync(join(dir, 'score-histogram.json'), `${JSON.stringify(scoreFile, null, 2)}\n`);

  const featureFile: FeatureHistogramFile = {
    histogramVersion: 1,
    model,
    version,
    ranking: 'total gain (sum of the loss reductions of its splits) over every tree of every head, highest first',
    source: `${sourceLabel}: ${n} ${what}`,
    features: ranked.map(({ def, gain }, i) => {
      const values = Array.from(columns[i]!);
      const edges = binEdgesOf(values);
      return { ...def, gain: Number(gain.toFixed(4)), edges, counts: featureHistogramOf(edges, values) };
    }),
  };
  writeFileSync(join(dir, 'feature-histogram.json'), `${JSON.stringify(featureFile, null, 2)}\n`);
  log(
    `${dir}: scores ${Object.keys(scores).join(', ')}; features by gain ${ranked
      .slice(0, 5)
      .map((r) => r.def.name)
      .join(', ')}, ...`,
  );
}

/**
 * The histograms of every pinned model of a market, from the market's training file; with
 * `newest`, of each model's newest version instead (what training just wrote, before it is pinned,
 * so a promotion never serves a version without a drift baseline).
 */
export async function writeScoreHistograms(
  market: string,
  modelsDir = MODELS_DIR,
  log: (s: string) => void = () => {},
  which: 'pinned' | 'newest' = 'pinned',
): Promise<void> {
  const { schema, trainFile } = datasetOf(market);
  const rows = readDatasetCsv(resolve(DATA_DIR, trainFile), schema);
  // the state a row's usage gives does not depend on the day it is dated from (usage-state.ts)
  const now = new Date('2026-01-01T00:00:00Z');
  const inputs = rows.flatMap((row, i) => {
    const m = schema.toProfile(row, i + 1);
    return m.ok ? [scoringInputOf(m, now)] : [];
  });
  for (const [model, pin] of Object.entries(loadMarket(market).scoring.models)) {
    const version = which === 'pinned' ? pin.version : versionsOf(modelsDir, market, model).at(-1);
    if (version === undefined) continue;
    await writeVersionHistograms({
      market,
      model,
      version,
      rows: { inputs },
      sourceLabel: trainFile,
      modelsDir,
      log,
    });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: { market: { type: 'string', default: 'demo' }, newest: { type: 'boolean', default: false } },
  });
  await writeScoreHistograms(
    values.market!,
    MODELS_DIR,
    (s) => process.stderr.write(`${s}\n`),
    values.newest ? 'newest' : 'pinned',
  );
}
