import { experimentsEnvOf } from '#config/decisioning-settings.ts';
import { deploymentOf } from '#config/market-config.ts';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { keysTableName, tenantTableName } from '#adapters/dynamo/table-design.ts';
import { defineCli, marketAt, marketOption, stageOption, tenantOf } from '../lib/args.ts';
import { localDynamo } from '../lib/local-dynamo.ts';
import { ticker } from '../lib/progress.ts';
import { eventPipelineEnv } from '../local/event-pipeline.ts';

/**
 * npm run build-reports -- [--market demo] [--tenant consumer] [--now <ISO>]
 * Runs the scheduled build-reports job once against local DynamoDB (the running `npm start`'s, or
 * its own on .local): one parallel scan per tenant, snapshots written as `R#<name>` items. With a
 * runtime started at CVM_NOW it uses that runtime's platform clock.
 */
const cli = defineCli({
  name: 'build-reports',
  summary:
    "Runs the scheduled build-reports job once against local DynamoDB (the running `npm start`'s, or its own on .local): one parallel scan per tenant, snapshots written as R#<name> items.",
  options: {
    market: marketOption(),
    stage: stageOption(),
    tenant: { type: 'string', placeholder: '<id>', description: 'only this tenant (default: every tenant)' },
    now: {
      type: 'string',
      placeholder: '<ISO time>',
      description: "the job's clock (default: the running runtime's platform clock, else now)",
      validate: (v) => (Number.isNaN(Date.parse(v)) ? 'expected an ISO time, e.g. 2026-11-24T10:00:00Z' : undefined),
    },
  },
});
const args = cli.parse();
const market = marketAt(args.market, args.stage);
if (args.tenant !== undefined) tenantOf(market, args.tenant);
const dir = resolve(process.env['CVM_LOCAL_DIR'] ?? '.local');
const runtimeFile = join(dir, 'runtime.json');
const runtime = existsSync(runtimeFile)
  ? (JSON.parse(readFileSync(runtimeFile, 'utf8')) as { cvmNow?: string; startedAt?: string })
  : {};
const now =
  args.now ??
  (runtime.cvmNow && runtime.startedAt
    ? new Date(Date.parse(runtime.cvmNow) + Date.now() - Date.parse(runtime.startedAt)).toISOString()
    : undefined);

const dynamo = await localDynamo(market, dir);
try {
  Object.assign(process.env, {
    MARKET: market.code,
    TENANT_TABLES: JSON.stringify(
      Object.fromEntries(market.tenants.map((t) => [t.id, tenantTableName(deploymentOf(market), t.id)])),
    ),
    KEYS_TABLE: keysTableName(deploymentOf(market)),
    VALUE_TIERS: JSON.stringify(market.valueTiers),
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    AWS_REGION: market.aws.region,
    POWERTOOLS_DEV: 'false',
    LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'WARN',
    ...eventPipelineEnv(market),
    ...experimentsEnvOf(market),
    ...(now ? { CVM_NOW: now } : {}),
  });
  const { handler } = await import('#handlers/build-reports.ts');
  const started = performance.now();
  const progress = ticker('building reports');
  const results = await handler(args.tenant ? { tenant: args.tenant } : {});
  progress.stop();
  for (const r of results)
    console.log(
      `${r.tenant.padEnd(12)} ${String(r.customers).padStart(7)} customers  ${r.snapshots} snapshots  (${r.periods.join(', ')})`,
    );
  console.log(`built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
} finally {
  await dynamo.stop();
}
