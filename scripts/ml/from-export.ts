/**
 * Builds training jobs from the platform's own analyst export (`npm run export`) instead of the
 * market's public dataset: the loop from stored customers back to a new model version.
 *
 *   npx tsx scripts/ml/from-export.ts --market demo --file consumer.csv [--out .local/ml-export]
 *       [--churn-window-days 90] [--snapshot 2026-09-01] [--models models]
 *
 * - churn: the export's feature columns (computed by the serving feature code when it was taken,
 *   `<file>.meta.json` holds their definitions) and the label "churned within N days after the
 *   snapshot" from the churn date the state records (export-labels.ts);
 * - nps: the collected `survey.nps` answers once there are `models.nps.minSurveys` of them;
 *   with fewer no NPS job is written and the model trained on the SYNTHETIC set keeps serving;
 * - cross-sell: not from an export (its labels are holdings, which the public dataset has).
 * Each model's features must be columns of the export with the definitions its spec has: one
 * definition for training and serving. Writes `<out>/<market>/<model>/...` as features.ts does,
 * with the next version under the models root (never an existing one); train.py trains them.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { parse } from 'csv-parse/sync';
import { loadMarket } from '#config/markets/index.ts';
import { csvOf, type CsvCell } from '#domain/csv.ts';
import type { FeatureDef } from '#domain/scoring/features.ts';
import type { ModelManifest } from '#domain/scoring/model-store.ts';
import { type ExportMeta, metaPathOf } from '../export/export.ts';
import { churnLabelOf, churnWindowOf, DEFAULT_CHURN_WINDOW_DAYS, npsAnswerOf } from './export-labels.ts';
import { modelDefsOf, type HeadDef } from './model-defs.ts';
import { nextVersion } from './model-versions.ts';
import { MODELS_DIR } from './paths.ts';
import { writeVersionHistograms } from './score-histogram.ts';

export interface FromExportOptions {
  market: string;
  /** The export's CSV; its `<file>.meta.json` must lie beside it. */
  file: string;
  /** Work directory of the jobs (train.py --work). */
  out: string;
  /** The models root the next versions are counted in (train.py --models). */
  modelsDir?: string;
  churnWindowDays?: number;
  snapshot?: Date;
  /** Collected NPS answers needed to train on them (default: the market's models.nps.minSurveys). */
  minSurveys?: number;
  /** Caps the boosting rounds of each job: a quick run (a dry run of the loop, its test), not a model to ship. */
  maxRounds?: number;
  log?: (s: string) => void;
}

/** Where a job's rows came from: train.py's model card writes it into the Data section. */
export interface ExportSource {
  kind: 'export';
  file: string;
  tenant: string;
  exportedAt: string;
  snapshot: string;
  rows: number;
  labelRule: string;
  /** `observed` labels, or `synthetic` ones (not written by this module, which trains on observed only). */
  labels: 'observed';
  left: Record<string, number>;
}

export interface FromExportSummary {
  jobs: Array<{ model: string; version: string; rows: number; positives?: number }>;
  skipped: Array<{ model: string; why: string }>;
  surveys: number;
}

const sameDef = (a: FeatureDef, b: FeatureDef) =>
  a.source === b.source && JSON.stringify(a.encoding) === JSON.stringify(b.encoding);

/** The head's features as columns of the export, or why they cannot be. */
function columnsOf(head: HeadDef, meta: ExportMeta): string | undefined {
  const byName = new Map(meta.features.map((f) => [f.name, f]));
  for (const f of head.spec.features) {
    const col = byName.get(f.name);
    if (!col)
      return `feature '${f.name}' is not a column of the export (export again with a model pinned that reads it)`;
    if (!sameDef(col, f))
      return `feature '${f.name}' was exported as ${col.source} ${JSON.stringify(col.encoding)}, the model reads ${f.source} ${JSON.stringify(f.encoding)}`;
  }
  return undefined;
}

export function buildFromExport(opts: FromExportOptions): FromExportSummary {
  const { market, file, out, modelsDir = MODELS_DIR, log = () => {} } = opts;
  const metaPath = metaPathOf(file);
  if (!existsSync(metaPath))
    throw new Error(
      `${metaPath} not found: train from a file written by npm run export, with its .meta.json beside it`,
    );
  const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as ExportMeta;
  if (meta.exportVersion !== 1) throw new Error(`${metaPath}: unknown exportVersion ${String(meta.exportVersion)}`);
  if (meta.market !== market) throw new Error(`${file} is an export of market '${meta.market}', not '${market}'`);
  const config = loadMarket(market);
  const minSurveys = opts.minSurveys ?? config.models.nps.minSurveys;
  const window = churnWindowOf(
    new Date(meta.exportedAt),
    opts.churnWindowDays ?? DEFAULT_CHURN_WINDOW_DAYS,
    opts.snapshot,
  );
  const rows = parse(readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  const surveys = rows.filter((r) => npsAnswerOf(r) !== undefined).length;
  const summary: FromExportSummary = { jobs: [], skipped: [], surveys };
  // the work directory holds this run's jobs only: train.py trains every job it finds there
  rmSync(join(out, market), { recursive: true, force: true });
  const source = (labelRule: string, used: number, left: Record<string, number>): ExportSource => ({
    kind: 'export',
    file: basename(file),
    tenant: meta.tenant,
    exportedAt: meta.exportedAt,
    snapshot: window.snapshot.toISOString(),
    rows: used,
    labelRule,
    labels: 'observed',
    left,
  });

  for (const def of modelDefsOf(market)) {
    const head = def.heads[0]!;
    let label: (r: Record<string, string>) => number | string;
    let rule: string;
    if (def.kind === 'churn') {
      label = (r) => churnLabelOf(r, window);
      rule = `churned: 1 when the state records a churn (customer.churned) within ${window.days} days after the snapshot ${window.snapshot.toISOString().slice(0, 10)}, 0 when the customer was still active ${window.days} days after it; customers who had left before the snapshot, and churns known only from an imported flag (no date), are left out`;
    } else if (def.kind === 'nps') {
      if (surveys < minSurveys) {
        const why = `${surveys} collected survey.nps answers, fewer than models.nps.minSurveys (${minSurveys}): the model trained on the SYNTHETIC survey set keeps serving`;
        summary.skipped.push({ model: def.model, why });
        log(`${market}/${def.model}: ${why}`);
        continue;
      }
      label = (r) => npsAnswerOf(r) ?? 'no-answer';
      rule = `the customer's latest collected survey.nps answer (0-10); customers without one are left out (${surveys} answers)`;
    } else {
      const why = 'trains from the market dataset (its labels are product holdings, not in an export)';
      summary.skipped.push({ model: def.model, why });
      log(`${market}/${def.model}: ${why}`);
      continue;
    }
    if (def.heads.length !== 1) throw new Error(`${def.model}: a model trained from an export has one head`);
    const problem = columnsOf(head, meta);
    if (problem) throw new Error(`${market}/${def.model}: ${problem}`);

    const paramsOf = (h: HeadDef) =>
      opts.maxRounds ? { ...h.params, num_round: Math.min(Number(h.params['num_round']), opts.maxRounds) } : h.params;
    const names = head.spec.features.map((f) => f.name);
    const matrix: CsvCell[][] = [];
    const left: Record<string, number> = {};
    let positives = 0;
    for (const r of rows) {
      const y = label(r);
      if (typeof y === 'string') {
        left[y] = (left[y] ?? 0) + 1;
        continue;
      }
      matrix.push([r['id']!, ...names.map((n) => (r[n] === '' || r[n] === undefined ? Number.NaN : Number(r[n]))), y]);
      if (y === 1) positives++;
    }
    if (def.kind === 'churn' && (positives === 0 || positives === matrix.length))
      throw new Error(
        `${market}/${def.model}: ${positives} of ${matrix.length} customers churned within the window: both classes are needed to train`,
      );
    const version = nextVersion(modelsDir, market, def.model);
    const manifest: ModelManifest = {
      manifestVersion: 1,
      model: def.model,
      version,
      kind: def.kind,
      heads: [{ name: head.name, dir: head.dir }],
      labels: 'observed',
    };
    const dir = join(out, market, def.model);
    mkdirSync(join(dir, head.dir), { recursive: true });
    writeFileSync(join(dir, head.dir, 'features.csv'), csvOf(['id', ...names, 'label'], matrix));
    writeFileSync(join(dir, head.dir, 'feature-spec.json'), `${JSON.stringify(head.spec, null, 2)}\n`);
    const job = {
      market,
      dataset: basename(file),
      source: source(rule, matrix.length, left),
      manifest,
      heads: [
        { name: head.name, dir: head.dir, objective: head.objective, params: paramsOf(head), rows: matrix.length },
      ],
    };
    writeFileSync(join(dir, 'job.json'), `${JSON.stringify(job, null, 2)}\n`);
    summary.jobs.push({
      model: def.model,
      version,
      rows: matrix.length,
      ...(def.kind === 'churn' ? { positives } : {}),
    });
    log(
      `${market}/${def.model} ${version}: ${matrix.length} rows from ${basename(file)}${def.kind === 'churn' ? `, ${positives} churned in the window` : ''}${Object.keys(left).length ? `; left out: ${JSON.stringify(left)}` : ''}`,
    );
  }
  return summary;
}

/**
 * After train.py: the training histograms of each version the jobs under `out` produced, from the
 * same rows (score-histogram.json, feature-histogram.json), so the nightly drift has its baseline.
 */
export async function writeExportHistograms(
  market: string,
  out: string,
  modelsDir = MODELS_DIR,
  log: (s: string) => void = () => {},
): Promise<string[]> {
  const written: string[] = [];
  const root = join(out, market);
  for (const model of existsSync(root) ? readdirSync(root) : []) {
    const jobPath = join(root, model, 'job.json');
    if (!existsSync(jobPath)) continue;
    const job = JSON.parse(readFileSync(jobPath, 'utf8')) as {
      dataset: string;
      manifest: ModelManifest;
      heads: Array<{ dir: string }>;
    };
    const { version } = job.manifest;
    if (!existsSync(join(modelsDir, market, model, version, 'manifest.json'))) continue;
    const csv = parse(readFileSync(join(root, model, job.heads[0]!.dir, 'features.csv'), 'utf8'), {
      skip_empty_lines: true,
    }) as string[][];
    const [header, ...body] = csv;
    const names = header!.slice(1, -1);
    const rows = body.map((r) => Float64Array.from(r.slice(1, -1), (v) => (v === '' ? Number.NaN : Number(v))));
    await writeVersionHistograms({
      market,
      model,
      version,
      rows: { matrix: { names, rows } },
      sourceLabel: job.dataset,
      modelsDir,
      log,
    });
    written.push(`${model}/${version}`);
  }
  return written;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      market: { type: 'string' },
      file: { type: 'string' },
      out: { type: 'string', default: '.local/ml-export' },
      models: { type: 'string', default: MODELS_DIR },
      'churn-window-days': { type: 'string', default: String(DEFAULT_CHURN_WINDOW_DAYS) },
      snapshot: { type: 'string' },
      histograms: { type: 'boolean' },
    },
  });
  if (values.market && values.histograms) {
    await writeExportHistograms(values.market, values.out!, values.models!, (s) => process.stdout.write(`${s}\n`));
    process.exit(0);
  }
  if (!values.market || !values.file) {
    process.stderr.write(
      'usage: npx tsx scripts/ml/from-export.ts --market <m> --file <export.csv> [--out dir] [--churn-window-days 90] [--snapshot yyyy-mm-dd]\n',
    );
    process.exit(2);
  }
  try {
    buildFromExport({
      market: values.market,
      file: values.file,
      out: values.out!,
      modelsDir: values.models!,
      churnWindowDays: Number(values['churn-window-days']),
      ...(values.snapshot ? { snapshot: new Date(values.snapshot) } : {}),
      log: (s) => process.stdout.write(`${s}\n`),
    });
  } catch (e) {
    process.stderr.write(`train: ${(e as Error).message}\n`);
    process.exit(1);
  }
}
