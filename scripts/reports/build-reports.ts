import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { keysTableName, tenantTableName } from '#adapters/dynamo/table-design.ts';
import { loadMarket } from '#config/markets/index.ts';
import { cliArgs } from '../lib/args.ts';
import { localDynamo } from '../lib/local-dynamo.ts';
import { eventPipelineEnv } from '../local/event-pipeline.ts';

/**
 * npm run build-reports -- [--market demo] [--tenant consumer] [--now <ISO>]
 * Runs the scheduled build-reports job once against local DynamoDB (the running `npm start`'s, or
 * its own on .local): one parallel scan per tenant, snapshots written as `R#<name>` items. With a
 * runtime started at CVM_NOW it uses that runtime's platform clock.
 */
const args = cliArgs({
  market: { type: 'string', default: 'demo' },
  tenant: { type: 'string' },
  now: { type: 'string' },
});
const market = loadMarket(args.market);
if (args.tenant && !market.tenants.some((t) => t.id === args.tenant)) {
  console.error(`--tenant must be one of: ${market.tenants.map((t) => t.id).join(', ')}`);
  process.exit(2);
}
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
      Object.fromEntries(market.tenants.map((t) => [t.id, tenantTableName(market.code, t.id)])),
    ),
    KEYS_TABLE: keysTableName(market.code),
    VALUE_TIERS: JSON.stringify(market.valueTiers),
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    AWS_REGION: market.aws.region,
    POWERTOOLS_DEV: 'false',
    LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'WARN',
    ...eventPipelineEnv(market),
    ...(now ? { CVM_NOW: now } : {}),
  });
  const { handler } = await import('#handlers/build-reports.ts');
  const started = performance.now();
  const results = await handler(args.tenant ? { tenant: args.tenant } : {});
  for (const r of results)
    console.log(
      `${r.tenant.padEnd(12)} ${String(r.customers).padStart(7)} customers  ${r.snapshots} snapshots  (${r.periods.join(', ')})`,
    );
  console.log(`built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
} finally {
  await dynamo.stop();
}
