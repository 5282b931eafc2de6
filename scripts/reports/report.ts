import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { documentClient } from '#adapters/dynamo/client.ts';
import { DynamoReportStore } from '#adapters/dynamo/report-store.ts';
import { tenantTableName } from '#adapters/dynamo/table-design.ts';
import { reportHtml } from '#domain/reports/render.ts';
import { isReportName, REPORT_NAMES, type Granularity, type ReportSnapshot } from '#domain/reports/report.ts';
import { loadMarket } from '#config/markets/index.ts';
import { cliArgs } from '../lib/args.ts';
import { localDynamo } from '../lib/local-dynamo.ts';

/**
 * npm run report -- --market demo --name kpis --out report.html
 *   [--tenant consumer] [--granularity month|day] [--from yyyy-mm] [--to yyyy-mm]   (--name all: every report)
 * A self-contained HTML page (inline SVG charts and tables) of stored report snapshots: read from
 * the running `npm start` over HTTP with the tenant's admin key, else straight from local DynamoDB.
 */
const args = cliArgs({
  market: { type: 'string', default: 'demo' },
  tenant: { type: 'string' },
  name: { type: 'string', default: 'kpis' },
  out: { type: 'string', default: 'report.html' },
  granularity: { type: 'string', default: 'month' },
  from: { type: 'string' },
  to: { type: 'string' },
});
const market = loadMarket(args.market);
const tenant = args.tenant ?? market.tenants[0]!.id;
const names = args.name === 'all' ? [...REPORT_NAMES] : [args.name];
for (const n of names) {
  if (!isReportName(n)) {
    console.error(`--name must be one of: ${REPORT_NAMES.join(', ')}, all`);
    process.exit(2);
  }
}
if (args.granularity !== 'month' && args.granularity !== 'day') {
  console.error('--granularity must be month or day');
  process.exit(2);
}
const granularity = args.granularity as Granularity;

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
      tenantTableName(market.code, t),
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
