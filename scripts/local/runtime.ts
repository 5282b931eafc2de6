import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import {
  DECISION_TABLE,
  decisionTableBeside,
  IDEMPOTENCY_TABLE,
  idempotencyTableName,
  KEYS_TABLE,
  TENANT_TABLE,
  keysTableName,
  tenantTableName,
} from '#adapters/dynamo/table-design.ts';
import { documentClient } from '#adapters/dynamo/client.ts';
import { DynamoKeyStore } from '#adapters/dynamo/key-store.ts';
import { hashApiKey, newApiKey } from '#domain/api-key.ts';
import { loadMarket } from '#config/markets/index.ts';
import { deploymentOf, type MarketConfig } from '#config/market-config.ts';
import { ownerOnly, startDynamoLocal, type DynamoLocal } from '../../lambdas/test-support/dynamo-local.ts';
import { lockDataFolder } from './folder-lock.ts';
import { LOCAL_ADMIN_TOKEN_HEADER, localAdminRoute } from './local-admin.ts';
import { ensureTable } from '../../lambdas/test-support/ensure-table.ts';
import { seedCatalog } from './seed-catalog.ts';
import { decisioningEnvOf } from '#config/decisioning-settings.ts';
import { gateway, type AuthorizerHandler, type LocalRequest } from './api-gateway.ts';
import { loadApiFunctions } from './api-functions.ts';
import { serveHttp } from './http-server.ts';
import { localUploadRoute } from './upload-route.ts';
import { eventPipelineEnv, startEventPipeline } from './event-pipeline.ts';
import { campaignRunsTimer } from './campaign-runs-timer.ts';
import { reportsTimer } from './reports-timer.ts';
import { deliveryLocalEnv, startSenders } from './senders.ts';
import { localCustomerRefSalt } from './salt.ts';

export interface RuntimeOptions {
  market?: string;
  port?: number;
  /** Where data, keys and outbound files live (default .local). */
  dir?: string;
  fresh?: boolean;
  now?: string;
  timeScale?: number;
  /** How often the build-reports job runs while data changes (default 30 s; CVM_REPORTS_INTERVAL_S). */
  reportsIntervalMs?: number;
  /**
   * DynamoDB Local in memory instead of in `<dir>/dynamodb` (CVM_DYNAMO_IN_MEMORY=1): nothing
   * survives a stop, but it serves ~1.7x the requests of the disk mode; the benchmarks use it.
   */
  inMemory?: boolean;
}

export interface TenantKeys {
  apiKey: string;
  channelKey: string;
}

export interface Runtime {
  baseUrl: string;
  market: MarketConfig;
  tenants: Record<string, TenantKeys>;
  dynamo: DynamoLocal;
  /** Runs the build-reports job now, for every tenant (it also runs on a timer while data changes). */
  buildReports(): Promise<unknown>;
  stop(): Promise<void>;
}

/** Raw keys exist only in the local runtime's own folder; the table keeps hashes, as in AWS. */
async function ensureKeys(
  dir: string,
  market: MarketConfig,
  store: DynamoKeyStore,
): Promise<Record<string, TenantKeys>> {
  const file = join(dir, 'keys.json');
  let keys: Record<string, TenantKeys> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  for (const tenant of market.tenants) {
    const have = keys[tenant.id];
    const next = have ?? { apiKey: newApiKey(tenant.id, 'admin'), channelKey: newApiKey(tenant.id, 'channel') };
    // a record already there is kept, so a rotation or revocation made with `npm run keys` sticks
    const saveNew = async (key: string, scope: 'admin' | 'channel') => {
      if (!(await store.find(hashApiKey(key))))
        await store.save(hashApiKey(key), {
          keyId: `${tenant.id}-${scope}-local`,
          tenant: tenant.id,
          scope,
          status: 'active',
        });
    };
    await saveNew(next.apiKey, 'admin');
    await saveNew(next.channelKey, 'channel');
    keys = { ...keys, [tenant.id]: next };
  }
  writePrivate(file, JSON.stringify(keys, null, 2));
  return keys;
}

/** A file only its owner may read (mode 0600, an existing file included). */
function writePrivate(file: string, text: string): void {
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600);
}

export async function startRuntime(opts: RuntimeOptions = {}): Promise<Runtime> {
  const market = loadMarket(opts.market ?? 'demo');
  const dir = resolve(opts.dir ?? '.local');
  // first of all: a folder another runtime uses is refused before anything in it is touched
  const lock = await lockDataFolder(dir);
  ownerOnly(dir);
  if (opts.fresh) {
    rmSync(join(dir, 'dynamodb'), { recursive: true, force: true });
    rmSync(join(dir, 'keys.json'), { force: true });
    rmSync(join(dir, 'outbound'), { recursive: true, force: true });
    rmSync(join(dir, 'uploads'), { recursive: true, force: true });
  }
  mkdirSync(join(dir, 'outbound'), { recursive: true });
  // DynamoDB Local is supervised: if it dies (a crash, or the fault test's SIGKILL) it comes back
  // on the same port and data folder after CVM_DYNAMO_RESTART_MS (default 1000; -1 leaves it dead),
  // and runtime.json gets its new pid. Meanwhile the API answers 503 and the queues redeliver.
  const restartAfterMs = Number(process.env['CVM_DYNAMO_RESTART_MS'] ?? 1000);
  let writeRuntimeFile = (): void => undefined;
  let dynamo: DynamoLocal;
  try {
    dynamo = await startDynamoLocal({
      ...(opts.inMemory ? {} : { dir: join(dir, 'dynamodb') }),
      ...(restartAfterMs >= 0
        ? {
            restartAfterMs,
            onRestart: (pid: number) => {
              lock.noteDynamo(pid);
              writeRuntimeFile();
            },
          }
        : {}),
    });
  } catch (err) {
    lock.release();
    throw err;
  }
  lock.noteDynamo(dynamo.pid);
  try {
    const client = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: market.aws.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const tenantTables = Object.fromEntries(
      market.tenants.map((t) => [t.id, tenantTableName(deploymentOf(market), t.id)]),
    );
    const decisionTables = Object.fromEntries(
      Object.entries(tenantTables).map(([tenant, table]) => [tenant, decisionTableBeside(table)]),
    );
    for (const table of Object.values(tenantTables)) await ensureTable(client, table, TENANT_TABLE);
    for (const table of Object.values(decisionTables)) await ensureTable(client, table, DECISION_TABLE);
    await ensureTable(client, keysTableName(deploymentOf(market)), KEYS_TABLE);
    await ensureTable(client, idempotencyTableName(deploymentOf(market)), IDEMPOTENCY_TABLE);
    client.destroy();

    const tenants = await ensureKeys(
      dir,
      market,
      new DynamoKeyStore(documentClient({ endpoint: dynamo.endpoint }), keysTableName(deploymentOf(market))),
    );
    await seedCatalog(market, dynamo.endpoint, tenantTables);

    // The handlers read their configuration from the environment exactly as in Lambda.
    Object.assign(process.env, {
      MARKET: market.code,
      DEPLOYMENT: deploymentOf(market),
      TENANT_TABLES: JSON.stringify(tenantTables),
      DECISION_TABLES: JSON.stringify(decisionTables),
      KEYS_TABLE: keysTableName(deploymentOf(market)),
      IDEMPOTENCY_TABLE: idempotencyTableName(deploymentOf(market)),
      VALUE_TIERS: JSON.stringify(market.valueTiers),
      ...decisioningEnvOf(market),
      AUDIENCE_RETENTION_DAYS: String(market.retention.audienceDays),
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      AWS_REGION: market.aws.region,
      CVM_LOCAL_DIR: dir,
      CUSTOMER_REF_SALT: process.env['CUSTOMER_REF_SALT'] ?? localCustomerRefSalt(dir),
      // per-tenant meters go to <dir>/metering.jsonl (the cost report's --estimate reads them)
      CVM_METER: 'local',
      CVM_TIME_SCALE: String(opts.timeScale ?? 1),
      ...(opts.now ? { CVM_NOW: new Date(opts.now).toISOString() } : {}),
      USAGE_KEY_SECRETS: '{}',
      ...eventPipelineEnv(market),
      ...deliveryLocalEnv(market),
      POWERTOOLS_DEV: process.env['POWERTOOLS_DEV'] ?? 'false',
    });
    const [functions, authorizer] = await Promise.all([loadApiFunctions(), import('#handlers/authorize-request.ts')]);
    const reports = reportsTimer({
      intervalMs: opts.reportsIntervalMs ?? Number(process.env['CVM_REPORTS_INTERVAL_S'] ?? 30) * 1000,
    });
    const routed = gateway(functions, authorizer.handler as AuthorizerHandler);
    // the local stand-in for FlushStageAuthorizersCache, which `npm run keys` calls after a revocation
    const adminToken = randomBytes(24).toString('base64url');
    const admin = localAdminRoute(adminToken, { flushAuthorizerCache: routed.flushAuthorizerCache });
    const dispatch = (req: LocalRequest) => {
      reports.saw(req.method);
      return admin(req) ?? routed(req);
    };
    // audience uploads (a presigned S3 PUT in AWS) stream to <dir>/uploads
    const uploads = localUploadRoute(dir, process.env['CVM_NOW']);
    const server: Server = await serveHttp(dispatch, opts.port ?? 3000, undefined, uploads);
    if (opts.fresh) for (const d of ['queues', 'dlq']) rmSync(join(dir, d), { recursive: true, force: true });
    const pipeline = await startEventPipeline({ market, dir, timeScale: opts.timeScale ?? 1 });
    const senders = await startSenders({ market, dir, timeScale: opts.timeScale ?? 1 });
    // scheduled campaigns' runs start on the platform clock (EventBridge Scheduler in AWS)
    const runs = await campaignRunsTimer({ intervalMs: 250 });
    const { port } = server.address() as { port: number };
    const baseUrl = `http://localhost:${port}`;
    // cvmNow/startedAt: scripts (npm run build-reports) run on the same platform clock as this runtime
    const clockOrigin = opts.now
      ? { cvmNow: new Date(opts.now).toISOString(), startedAt: new Date().toISOString() }
      : {};
    // admin keys and the admin token: owner-only, as the folder
    writeRuntimeFile = () =>
      writePrivate(
        join(dir, 'runtime.json'),
        JSON.stringify(
          {
            baseUrl,
            tenants,
            dynamoEndpoint: dynamo.endpoint,
            dynamoPid: dynamo.pid,
            market: market.code,
            pid: process.pid,
            localAdmin: { header: LOCAL_ADMIN_TOKEN_HEADER, token: adminToken },
            ...clockOrigin,
          },
          null,
          2,
        ),
      );
    writeRuntimeFile();
    return {
      baseUrl,
      market,
      tenants,
      dynamo,
      buildReports: () => reports.run(),
      async stop() {
        await reports.stop();
        await runs.stop();
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
        await pipeline.stop();
        await senders.stop();
        await dynamo.stop();
        lock.release();
      },
    };
  } catch (err) {
    await dynamo.stop();
    lock.release();
    throw err;
  }
}
