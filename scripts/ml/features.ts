/**
 * Builds the training matrices of a market's models with the serving feature code.
 *
 *   npx tsx scripts/ml/features.ts --market demo [--out .local/ml]
 *
 * For each model head writes `<out>/<market>/<model>/<head dir>/features.csv` (id, features in
 * spec order, label; missing as an empty cell) and `feature-spec.json`, and
 * `<out>/<market>/<model>/job.json` (manifest, objectives, training parameters) for train.py.
 * The manifest names the next version of each model (one after the newest under models/).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import type { ProfileWithId } from '#domain/datasets/dataset-schema.ts';
import { csvOf, type CsvCell } from '#domain/csv.ts';
import { scoringInputOf } from '#domain/datasets/usage-state.ts';
import { compileFeatures, type ScoringInput } from '#domain/scoring/features.ts';
import type { ModelManifest } from '#domain/scoring/model-store.ts';
import { datasetOf, readDatasetCsv } from './datasets.ts';
import { modelDefsOf, type ModelDef } from './model-defs.ts';
import { nextVersion } from './model-versions.ts';
import { DATA_DIR, MODELS_DIR } from './paths.ts';
import { generateSurvey, surveyCsv } from './synthetic-nps.ts';

/** A training row: its profile and label, and what the features read (the profile, and the state its usage gives). */
interface Mapped {
  profile: ProfileWithId;
  churned: boolean | undefined;
  input: ScoringInput;
}

/**
 * The day a row's usage period is dated from: any day gives the same 30-day counters, and a fixed
 * one keeps the matrices identical between runs.
 */
const TRAINING_NOW = new Date('2026-01-01T00:00:00Z');

export function buildMarket(market: string, outRoot: string, log: (s: string) => void = () => {}): void {
  const { schema, trainFile } = datasetOf(market);
  const rows = readDatasetCsv(resolve(DATA_DIR, trainFile), schema);
  const mapped: Mapped[] = [];
  rows.forEach((row, i) => {
    const m = schema.toProfile(row, i + 1);
    if (m.ok) mapped.push({ profile: m.profile, churned: m.label?.churned, input: scoringInputOf(m, TRAINING_NOW) });
    else log(`row ${i + 1}: skipped (${m.reasons.join('; ')})`);
  });
  const defs = modelDefsOf(market);
  let survey = new Map<string, number>();
  if (defs.some((d) => d.needsSurvey)) {
    const answers = generateSurvey(mapped.map((m) => m.profile));
    mkdirSync(join(outRoot, market), { recursive: true });
    writeFileSync(join(outRoot, market, 'nps-survey.synthetic.csv'), surveyCsv(answers));
    survey = new Map(answers.map((a) => [a.customerId, a.score]));
  }
  for (const def of defs) buildModel(def, mapped, survey, join(outRoot, market, def.model), trainFile, log);
}

function buildModel(
  def: ModelDef,
  mapped: Mapped[],
  survey: Map<string, number>,
  dir: string,
  trainFile: string,
  log: (s: string) => void,
): void {
  const manifest: ModelManifest = {
    manifestVersion: 1,
    model: def.model,
    // a new directory every time: versions are immutable (scripts/ml/model-versions.ts)
    version: nextVersion(MODELS_DIR, def.market, def.model),
    kind: def.kind,
    heads: def.heads.map(({ name, dir: d, product, requiresAny }) => ({
      name,
      dir: d,
      ...(product ? { product } : {}),
      ...(requiresAny ? { requiresAny } : {}),
    })),
  };
  const heads = [];
  for (const head of def.heads) {
    const compiled = compileFeatures(head.spec);
    const row = new Float64Array(compiled.width);
    const rows: CsvCell[][] = [];
    let positives = 0;
    for (const { profile, churned, input } of mapped) {
      if (!head.inPopulation(profile)) continue;
      const label = head.label(profile, churned, survey);
      if (label === undefined) continue;
      compiled.fill(input, row);
      rows.push([profile.customerId, ...row, label]);
      if (label === 1) positives++;
    }
    const headDir = join(dir, head.dir);
    mkdirSync(headDir, { recursive: true });
    writeFileSync(join(headDir, 'features.csv'), csvOf(['id', ...compiled.names, 'label'], rows));
    writeFileSync(join(headDir, 'feature-spec.json'), `${JSON.stringify(head.spec, null, 2)}\n`);
    heads.push({
      name: head.name,
      dir: head.dir,
      objective: head.objective,
      params: head.params,
      rows: rows.length,
    });
    log(
      `${def.market}/${def.model}/${head.name}: ${rows.length} rows, ${compiled.width} features${head.objective === 'binary:logistic' ? `, ${positives} positive` : ''}`,
    );
  }
  writeFileSync(
    join(dir, 'job.json'),
    `${JSON.stringify({ market: def.market, dataset: trainFile, manifest, heads }, null, 2)}\n`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: { market: { type: 'string' }, out: { type: 'string', default: '.local/ml' } },
  });
  if (!values.market) {
    process.stderr.write('usage: npx tsx scripts/ml/features.ts --market <demo|ir> [--out .local/ml]\n');
    process.exit(2);
  }
  buildMarket(values.market, values.out, (s) => process.stdout.write(`${s}\n`));
}
