/**
 * Writes `models/<market>/<model>/<version>/score-histogram.json` for each pinned model: the
 * distribution of the model's scores over its training file, scored by the serving evaluator
 * (which matches xgboost to 1e-6 on the parity fixtures), in the bins a score-base run counts
 * into. The score-base report compares each night's distribution with it (PSI).
 *
 *   npx tsx scripts/ml/score-histogram.ts --market demo
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { fixedClock } from '#domain/clock.ts';
import { loadModel } from '#domain/scoring/model-store.ts';
import { countScores, HISTOGRAM_BINS, type Histograms } from '#domain/scoring/psi.ts';
import { Scorer } from '#domain/scoring/scorer.ts';
import type { ScoreHistogramFile } from '#domain/scoring/training-histogram.ts';
import { fileModelSource } from '#adapters/models/file-model-store.ts';
import { loadMarket } from '#config/markets/index.ts';
import { datasetOf, readDatasetCsv } from './datasets.ts';
import { DATA_DIR, MODELS_DIR } from './paths.ts';

export async function writeScoreHistograms(
  market: string,
  modelsDir = MODELS_DIR,
  log: (s: string) => void = () => {},
): Promise<void> {
  const { schema, trainFile } = datasetOf(market);
  const rows = readDatasetCsv(resolve(DATA_DIR, trainFile), schema);
  const profiles = rows.flatMap((row, i) => {
    const m = schema.toProfile(row, i + 1);
    return m.ok ? [m.profile] : [];
  });
  const source = fileModelSource(modelsDir);
  for (const [model, pin] of Object.entries(loadMarket(market).scoring.models)) {
    const loaded = await loadModel(source, market, model, pin.version);
    const scorer = new Scorer([loaded], fixedClock('2000-01-01T00:00:00Z'));
    const scores: Histograms = {};
    for (const profile of profiles) countScores(scores, scorer.score({ profile }));
    const file: ScoreHistogramFile = {
      histogramVersion: 1,
      model,
      version: pin.version,
      bins: HISTOGRAM_BINS,
      source: `${trainFile}: ${profiles.length} mapped rows scored by the in-process evaluator`,
      scores,
    };
    const path = join(modelsDir, market, model, pin.version, 'score-histogram.json');
    writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`);
    log(`${path}: ${Object.keys(scores).join(', ')}`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { market: { type: 'string', default: 'demo' } } });
  await writeScoreHistograms(values.market!, MODELS_DIR, (s) => process.stderr.write(`${s}\n`));
}
