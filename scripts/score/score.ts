/**
 * Scores a CSV of customers with a market's models, in process, with the serving code.
 *
 *   npm run score -- --market demo --input customers.csv --output scores.csv [--pin nps=1] [--models models]
 *
 * The input is in the market's dataset schema (demo: IBM Telco, ir: Iranian churn). Output:
 * `id,churn,crossSell.<product>...,nps.score,nps.class`, one line per input row in input order
 * (id = customerID for IBM, the 1-based data-row number for Iranian). A row that cannot be
 * mapped keeps its line with empty scores; the reason goes to stderr.
 * Models: the versions the market config pins; `--pin model=version` overrides; a model
 * present under models/<market>/ but not pinned is used at its highest version, with a note.
 */
import { createReadStream, createWriteStream, existsSync, readdirSync, statSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'csv-parse';
import { loadMarket } from '#config/markets/index.ts';
import { systemClock } from '#adapters/clock.ts';
import type { Clock } from '#domain/clock.ts';
import { scoringInputOf } from '#domain/datasets/usage-state.ts';
import { loadModel, type LoadedModel } from '#domain/scoring/model-store.ts';
import { Scorer } from '#domain/scoring/scorer.ts';
import { fileModelSource } from '#adapters/models/file-model-store.ts';
import { defineCli, marketOption } from '../lib/args.ts';
import { fileProgress } from '../lib/progress.ts';
import { datasetOf } from '../ml/datasets.ts';
import { MODELS_DIR } from '../ml/paths.ts';
import { csvLine, type CsvCell } from '#domain/csv.ts';

export interface ScoreOptions {
  market: string;
  input: string;
  output: string;
  pins?: Record<string, string>;
  modelsDir?: string;
  clock?: Clock;
  warn?: (line: string) => void;
  /** Called as the input is read: bytes of it so far and rows scored. */
  onProgress?: (bytesRead: number, rows: number) => void;
}

export interface ScoreSummary {
  rows: number;
  scored: number;
  unmapped: number;
  columns: string[];
  models: Record<string, string>;
}

const num = (v: number | undefined, digits: number) => (v === undefined ? undefined : Number(v.toFixed(digits)));

/** Model name -> version: the market's pins, then overrides, then unpinned models on disk. */
export function resolveVersions(
  market: string,
  modelsDir: string,
  overrides: Record<string, string>,
  warn: (s: string) => void,
): Record<string, string> {
  const pinned = Object.fromEntries(Object.entries(loadMarket(market).scoring.models).map(([m, p]) => [m, p.version]));
  const versions: Record<string, string> = { ...pinned, ...overrides };
  const marketDir = join(modelsDir, market);
  if (existsSync(marketDir)) {
    for (const model of readdirSync(marketDir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort()) {
      if (versions[model]) continue;
      const available = readdirSync(join(marketDir, model)).filter((v) =>
        existsSync(join(marketDir, model, v, 'manifest.json')),
      );
      const latest = available.sort((a, b) => Number(b) - Number(a) || b.localeCompare(a))[0];
      if (!latest) continue;
      versions[model] = latest;
      warn(
        `note: model '${model}' is not pinned in market '${market}'; using version ${latest} from ${marketDir} (pin it in the market config or pass --pin ${model}=${latest})`,
      );
    }
  }
  return versions;
}

export async function scoreFile(opts: ScoreOptions): Promise<ScoreSummary> {
  const warn = opts.warn ?? ((s: string) => process.stderr.write(`${s}\n`));
  const modelsDir = resolve(opts.modelsDir ?? MODELS_DIR);
  const { schema } = datasetOf(opts.market);
  const versions = resolveVersions(opts.market, modelsDir, opts.pins ?? {}, warn);
  const source = fileModelSource(modelsDir);
  const models: LoadedModel[] = await Promise.all(
    Object.entries(versions).map(([m, v]) => loadModel(source, opts.market, m, v)),
  );
  const scorer = new Scorer(models, opts.clock ?? systemClock);
  const now = (opts.clock ?? systemClock).now();
  const kinds = new Set(models.map((m) => m.kind));
  const products = scorer.crossSellProducts;
  const columns = [
    'id',
    ...(kinds.has('churn') ? ['churn'] : []),
    ...products.map((p) => `crossSell.${p}`),
    ...(kinds.has('nps') ? ['nps.score', 'nps.class'] : []),
  ];

  // The output is opened only once the input's header checks out, so a wrong file leaves none.
  let out: WriteStream | undefined;
  const write = async (cells: CsvCell[]) => {
    if (!out) {
      out = createWriteStream(opts.output);
      out.write(csvLine(columns));
    }
    if (!out.write(csvLine(cells))) await once(out, 'drain');
  };
  const inputStream = createReadStream(opts.input);
  const parser = inputStream.pipe(
    parse({ columns: true, bom: true, skip_empty_lines: true, relax_column_count: true }),
  );
  let rows = 0;
  let scored = 0;
  let headerChecked = false;
  for await (const row of parser as AsyncIterable<Record<string, string>>) {
    if (!headerChecked) {
      const missing = schema.columns.filter((c) => !(c in row));
      if (missing.length) {
        throw new Error(
          `${opts.input} is not a ${schema.name} file: missing column(s) ${missing.map((m) => `'${m}'`).join(', ')}`,
        );
      }
      headerChecked = true;
    }
    rows++;
    const id = schema.rowId(row, rows);
    const mapped = schema.toProfile(row, rows);
    if (!mapped.ok) {
      warn(`row ${rows} (${id.slice(0, 64)}): not scored: ${mapped.reasons.join('; ')}`);
      await write([id, ...columns.slice(1).map(() => undefined)]);
      continue;
    }
    // a row's usage period is read as the importer's state, as in training (usage-state.ts)
    const s = scorer.score(scoringInputOf(mapped, now));
    const cells: CsvCell[] = [id];
    if (kinds.has('churn')) cells.push(num(s.churn?.value, 6));
    for (const p of products) cells.push(num(s.crossSell?.[p]?.value, 6));
    if (kinds.has('nps')) cells.push(num(s.nps?.score, 3), s.nps?.class ?? '');
    await write(cells);
    scored++;
    opts.onProgress?.(inputStream.bytesRead, rows);
  }
  if (!out) {
    out = createWriteStream(opts.output);
    out.write(csvLine(columns));
  }
  out.end();
  await once(out, 'finish');
  return { rows, scored, unmapped: rows - scored, columns, models: scorer.modelVersions };
}

const cli = defineCli({
  name: 'score',
  summary:
    "Scores a CSV of customers in the market's dataset schema with its models, in process, with the serving code: one output line per input row, in input order.",
  options: {
    market: marketOption(),
    input: {
      type: 'file',
      required: true,
      placeholder: '<csv>',
      description: "customers in the market's dataset schema",
    },
    output: { type: 'string', required: true, placeholder: '<csv>', description: 'where the scores go' },
    pin: {
      type: 'string',
      multiple: true,
      placeholder: 'model=version',
      description: 'use this version of a model instead of the pinned one (repeatable)',
      validate: (v) => (/^[^=]+=[^=]+$/.test(v) ? undefined : 'expected model=version'),
    },
    models: { type: 'string', placeholder: '<dir>', description: 'the models folder (default models/)' },
  },
});

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await cli.run(async (args) => {
    const pins = Object.fromEntries(args.pin.map((p) => p.split('=') as [string, string]));
    const t0 = performance.now();
    const progress = fileProgress('scoring', statSync(args.input).size);
    const s = await scoreFile({
      market: args.market,
      input: args.input,
      output: args.output,
      pins,
      ...(args.models ? { modelsDir: args.models } : {}),
      onProgress: progress.update,
    });
    progress.done(s.rows);
    process.stderr.write(
      `scored ${s.scored} of ${s.rows} rows (${s.unmapped} not mappable) with ${JSON.stringify(s.models)} in ${((performance.now() - t0) / 1000).toFixed(2)} s -> ${args.output}\n`,
    );
  });
}
