import { deploymentOf } from '#config/market-config.ts';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { documentClient } from '#adapters/dynamo/client.ts';
import { DynamoReportStore } from '#adapters/dynamo/report-store.ts';
import { tenantTableName } from '#adapters/dynamo/table-design.ts';
import { reportHtml } from '#domain/reports/render.ts';
import { GRANULARITIES, REPORT_NAMES, type ReportSnapshot } from '#domain/reports/report.ts';
import { isPeriod } from '#http/schemas/reports.ts';
import { defineCli, marketAt, marketOption, stageOption, tenantOf } from '../lib/args.ts';
import { localDynamo } from '../lib/local-dynamo.ts';

/**
 * npm run report -- --market demo --name kpis --out report.html
 *   [--tenant consumer] [--granularity month|day] [--from yyyy-mm] [--to yyyy-mm]   (--name all: every report)
 * A self-contained HTML page (inline SVG charts and tables) of stored report snapshots: read from
 * the running `npm start` over HTTP with the tenant's admin key, else straight from local DynamoDB.
 */
const period = (v: string) => (isPeriod(v) ? undefined : 'expected a real month yyyy-mm or day yyyy-mm-dd');
const cli = defineCli({
  name: 'report',
  summary:
    "Writes a self-contained HTML page (inline SVG charts and tables) of stored report snapshots, read from the running `npm start` with the tenant's admin key, else straight from local DynamoDB.",
  options: {
    market: marketOption(),
    stage: stageOption(),
    tenant: { type: 'string', placeholder: '<id>', description: "the tenant (default: the market's first)" },
    name: {
      type: 'string',
      default: 'kpis',
      choices: [...REPORT_NAMES, 'all'],
      placeholder: '<report>',
      description: 'the report, or all',
    },
    out: { type: 'string', default: 'report.html', placeholder: '<html>', description: 'where the page goes' },
    granularity: {
      type: 'string',
      default: 'month',
      choices: GRANULARITIES,
      placeholder: '<g>',
      description: 'periods',
    },
    from: { type: 'string', placeholder: 'yyyy-mm', description: 'first period', validate: period },
    to: { type: 'string', placeholder: 'yyyy-mm', description: 'last period', validate: period },
  },
});
const args = cli.parse();
const market = marketAt(args.market, args.stage);
const tenant = args.tenant === undefined ? market.tenants[0]!.id : tenantOf(market, args.tenant);
const names = args.name === 'all' ? [...REPORT_NAMES] : [args.name];
const granularity = args.granularity;

async function fromRuntime(baseUrl: string, apiKey: string): Promise<ReportSnapshot[] | undefined> {
  try {
    const health = await fetch(`${baseUrl}/v1/health`, { signal: AbortSignal.timeout(2000) });
    if (!health.ok) return undefined;
  } catch {
    return undefined;
  }
  const out: ReportSnapshot[] = [];
  for (const name of names) {
    const q = new URLSearchParams({
      granularity,
      ...(args.from ? { from: args.from } : {}),
      ...(args.to ? { to: args.to } : {}),
    });
    const res = await fetch(`${baseUrl}/v1/reports/${name}?${q}`, { headers: { 'x-api-key': apiKey } });
    if (!res.ok) throw new Error(`GET /v1/reports/${name}: ${res.status} ${await res.text()}`);
    out.push(...((await res.json()) as { periods: ReportSnapshot[] }).periods);
  }
  return out;
}

const dir = resolve(process.env['CVM_LOCAL_DIR'] ?? '.local');
const runtimeFile = join(dir, 'runtime.json');
const runtime = existsSync(runtimeFile)
  ? (JSON.parse(readFileSync(runtimeFile, 'utf8')) as {
      baseUrl: string;
      market?: string;
      tenants: Record<string, { apiKey: string }>;
    })
  : undefined;
const key = runtime && (runtime.market ?? market.code) === market.code ? runtime.tenants[tenant]?.apiKey : undefined;
let snapshots = runtime && key ? await fromRuntime(runtime.baseUrl, key) : undefined;
let source = runtime?.baseUrl ?? '';
if (!snapshots) {
  const dynamo = await localDynamo(market, dir);
  try {
    const store = new DynamoReportStore(documentClient({ endpoint: dynamo.endpoint, region: market.aws.region }), (t) =>
      tenantTableName(deploymentOf(market), t),
    );
    snapshots = [];
    for (const name of names) {
      snapshots.push(
        ...(await store.read(tenant, name as ReportSnapshot['name'], granularity, {
          ...(args.from ? { from: args.from } : {}),
          ...(args.to ? { to: args.to } : {}),
        })),
      );
    }
    source = `local DynamoDB ${dynamo.endpoint}`;
  } finally {
    await dynamo.stop();
  }
}
writeFileSync(args.out, reportHtml(`telco-cvm ${market.code} · ${tenant} · ${names.join(', ')}`, snapshots));
console.log(
  `wrote ${args.out}: ${snapshots.length} snapshot(s) of ${names.join(', ')} from ${source}${snapshots.length ? '' : ' (none yet: run npm run build-reports)'}`,
);
