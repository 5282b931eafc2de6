import { randomBytes } from 'node:crypto';
import { offsetClock, systemClock } from '#adapters/clock.ts';
import { documentClient } from '#adapters/dynamo/client.ts';
import type { Clock } from '#domain/clock.ts';
import { meter } from './container-meter.ts';
import type { PlatformEnv } from './platform-env.ts';
import { decisionTablesOf, ownedTablesOf, tenantTableOf } from './tenant-tables.ts';

// a function whose composition joins two (the campaign functions: decisions' and the processor's
// ports) builds one client, not one each
const built = new WeakMap<PlatformEnv, ReturnType<typeof baseOf>>();

/**
 * What every function's composition builds its own adapters on, once per container: each function
 * takes only the stores its use cases name (composition/<function>.ts), so its bundle carries no
 * other function's adapters.
 */
export function platformBase(env: PlatformEnv): PlatformBase {
  let base = built.get(env);
  if (!base) {
    base = baseOf(env);
    built.set(env, base);
  }
  return base;
}

/** The platform clock: CVM_NOW runs it from a chosen instant (local runs and demos only). */
export const platformClock = (env: { CVM_NOW?: string | undefined }): Clock =>
  env.CVM_NOW ? offsetClock(new Date(env.CVM_NOW), Date.now) : systemClock;

/**
 * The DynamoDB client of a function: the capacity each call consumes is metered to the table's
 * tenant (no extra call or write).
 */
export const meteredDocumentClient = (
  env: { DYNAMODB_ENDPOINT?: string | undefined; AWS_REGION?: string | undefined },
  tenantTables: Record<string, string | readonly string[]>,
) => documentClient({ endpoint: env.DYNAMODB_ENDPOINT, region: env.AWS_REGION, metering: { meter, tenantTables } });

function baseOf(env: PlatformEnv) {
  const tableOf = tenantTableOf(env.TENANT_TABLES);
  return {
    db: meteredDocumentClient(env, ownedTablesOf(env)),
    clock: platformClock(env),
    tableOf,
    decisionTableOf: tenantTableOf(decisionTablesOf(env)),
    /**
     * Per-tenant metering (EMF in Lambda, .local/metering.jsonl locally); API calls are metered by
     * the pipeline, DynamoDB capacity by `db`. Entry points flush it when the invocation ends.
     */
    meter,
  };
}

export type PlatformBase = ReturnType<typeof baseOf>;

/** The id of a resource the platform creates (decisions, audiences): 12 base-36 characters from 64 random bits. */
export const randomResourceId = (): string =>
  randomBytes(8).readBigUInt64BE().toString(36).padStart(12, '0').slice(-12);
