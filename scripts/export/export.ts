/**
 * Exports a tenant's stored customers as a training table, so models can be retrained on the
 * platform's own data:
 *
 *   npm run export -- --market demo --tenant consumer --out consumer.csv [--aws] [--segments 4]
 *
 * Columns: `id`, every feature of the market's pinned models in feature-spec order (the same
 * `compileFeatures` code training and serving use; churn's features first, other heads' extra
 * features after, each once; a missing value is an empty cell), then the labels:
 * - `churn`: 1 when the state records a churn (`customer.churned` events), else the profile's
 *   `attributes.churned`/`attributes.churn` when an import carried one, else empty;
 * - `nps`: the latest `survey.nps` score in the state, else empty.
 * Before the labels, `churnedAt`: when the state says the customer churned (`customer.churned`),
 * so training can label churn within a window after a snapshot (`npm run train -- --from-export`).
 * Beside the file, `<out>.meta.json` (ExportMeta): when it was taken, the tenant, and the
 * definition of every feature column, so training checks it reads them as serving computes them.
 * Reads with a paginated parallel Scan of the tenant table (local DynamoDB, or `--aws`).
 */
import { deploymentOf } from '#config/market-config.ts';
import { createWriteStream, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';
import { documentClient } from '#adapters/dynamo/client.ts';
import { DynamoScoreStore } from '#adapters/dynamo/score-store.ts';
import { tenantTableName } from '#adapters/dynamo/table-design.ts';
import { fileModelSource } from '#adapters/models/file-model-store.ts';
import { loadMarket } from '#config/markets/index.ts';
import type { CustomerRecord } from '#domain/customer.ts';
import { csvLine } from '#domain/csv.ts';
import type { ProfileScan } from '#domain/ports/scoring.ts';
import { compileFeatures, type FeatureDef } from '#domain/scoring/features.ts';
import { loadPinnedModels } from '#domain/scoring/model-store.ts';
import { defineCli, marketAt, marketOption, stageOption, tenantOf } from '../lib/args.ts';
import { localDynamo } from '../lib/local-dynamo.ts';
import { progressBar } from '../lib/progress.ts';
import { MODELS_DIR } from '../ml/paths.ts';

/** 1/0 from state first (churn events), then an imported attribute; undefined when unknown. */
export function churnLabel(record: CustomerRecord, state: Record<string, unknown> | undefined): 0 | 1 | undefined {
  if (state?.['churn'] || state?.['status'] === 'churned') return 1;
  const a = record.attributes?.['churned'] ?? record.attributes?.['churn'];
  if (a === true || a === 1 || a === 'Yes' || a === 'yes' || a === 'true') return 1;
  if (a === false || a === 0 || a === 'No' || a === 'no' || a === 'false') return 0;
  return state && 'status' in state ? 0 : undefined;
}

/** When the customer churned, while the state says churned (a re-acquired customer has no churn date). */
export function churnedAt(state: Record<string, unknown> | undefined): string | undefined {
  const at = (state?.['churn'] as { at?: unknown } | undefined)?.at;
  return state?.['status'] === 'churned' && typeof at === 'string' ? at : undefined;
}

/** `<out>.meta.json`: what training needs to know about an export besides its rows. */
export interface ExportMeta {
  exportVersion: 1;
  market: string;
  tenant: string;
  /** When the scan started: the features are the customers' as of then. */
  exportedAt: string;
  rows: number;
  /** The feature columns in order, as the serving feature code computed them. */
  features: FeatureDef[];
  labels: Record<'churnedAt' | 'churn' | 'nps', string>;
}

export const metaPathOf = (out: string): string => `${out}.meta.json`;

export function npsLabel(state: Record<string, unknown> | undefined): number | undefined {
  const score = (state?.['lastNps'] as { score?: unknown } | undefined)?.score;
  return typeof score === 'number' ? score : undefined;
}

export interface ExportOptions {
  market: string;
  tenant: string;
  out: string;
  scan: ProfileScan;
  totalSegments?: number;
  modelsDir?: string;
  /** Called after each customer written, with the count so far. */
  onProgress?: (rows: number) => void;
  /** When the export is taken (default now). */
  now?: Date;
}

export async function exportFeatures(
  opts: ExportOptions,
): Promise<{ rows: number; columns: string[]; churnLabelled: number; npsLabelled: number }> {
  const market = loadMarket(opts.market);
  const models = await loadPinnedModels(
    fileModelSource(opts.modelsDir ?? MODELS_DIR),
    market.code,
    market.scoring.models,
  );
  const ordered = [...models].sort((a, b) => Number(b.kind === 'churn') - Number(a.kind === 'churn'));
  const defs = new Map<string, FeatureDef>();
  for (const m of ordered)
    for (const h of m.heads) for (const f of h.spec.features) if (!defs.has(f.name)) defs.set(f.name, f);
  const features = compileFeatures({ specVersion: 1, features: [...defs.values()] });
  const exportedAt = (opts.now ?? new Date()).toISOString();
  const columns = ['id', ...features.names, 'churnedAt', 'churn', 'nps'];
  const out = createWriteStream(opts.out);
  out.write(csvLine(columns));
  const row = new Float64Array(features.width);
  let rows = 0;
  let churnLabelled = 0;
  let npsLabelled = 0;
  const segments = opts.totalSegments ?? 1;
  for (let segment = 0; segment < segments; segment++) {
    for await (const c of opts.scan.scanSegment(opts.tenant, segment, segments)) {
      features.fill({ profile: c.record, ...(c.state ? { state: c.state } : {}) }, row);
      const churn = churnLabel(c.record, c.state);
      const nps = npsLabel(c.state);
      if (churn !== undefined) churnLabelled++;
      if (nps !== undefined) npsLabelled++;
      if (!out.write(csvLine([c.customerId, ...row, churnedAt(c.state), churn, nps]))) await once(out, 'drain');
      rows++;
      opts.onProgress?.(rows);
    }
  }
  out.end();
  await once(out, 'finish');
  const meta: ExportMeta = {
    exportVersion: 1,
    market: market.code,
    tenant: opts.tenant,
    exportedAt,
    rows,
    features: [...defs.values()],
    labels: {
      churnedAt: "when the state records the customer's churn (customer.churned), while it is churned",
      churn: '1 when the state records a churn, else an imported attributes.churned/churn, else empty',
      nps: 'the latest survey.nps score in the state, else empty',
    },
  };
  writeFileSync(metaPathOf(opts.out), `${JSON.stringify(meta, null, 2)}\n`);
  return { rows, columns, churnLabelled, npsLabelled };
}

const cli = defineCli({
  name: 'export',
  summary:
    "Writes a tenant's stored customers as a training table (id, the pinned models' features, churn and nps labels), read with a parallel scan of its table: the local runtime's DynamoDB, or the deployed table with --aws.",
  options: {
    market: marketOption(),
    stage: stageOption(),
    tenant: {
      type: 'string',
      required: true,
      placeholder: '<id>',
      description: 'the tenant whose customers are exported',
    },
    out: { type: 'string', required: true, placeholder: '<csv>', description: 'where the table goes' },
    segments: { type: 'number', integer: true, min: 1, max: 1000, default: 4, description: 'parallel scan segments' },
    aws: { type: 'boolean', description: 'read the deployed table (credentials from the environment)' },
  },
});

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = cli.parse();
  const market = marketAt(args.market, args.stage);
  const tenant = tenantOf(market, args.tenant);
  const dynamo = args.aws ? { endpoint: undefined, stop: async () => {} } : await localDynamo(market);
  try {
    const store = new DynamoScoreStore(documentClient({ endpoint: dynamo.endpoint, region: market.aws.region }), (t) =>
      tenantTableName(deploymentOf(market), t),
    );
    const started = performance.now();
    const progress = progressBar('exporting customers');
    const s = await exportFeatures({
      market: market.code,
      tenant,
      out: args.out,
      scan: store,
      totalSegments: args.segments,
      onProgress: progress.update,
    });
    progress.done(s.rows);
    console.error(
      `exported ${s.rows} customers (${s.columns.length - 4} features; churn label on ${s.churnLabelled}, NPS label on ${s.npsLabelled}) in ${((performance.now() - started) / 1000).toFixed(2)} s -> ${args.out}`,
    );
  } finally {
    await dynamo.stop();
  }
}
