import * as z from 'zod';
import { systemClock } from '#adapters/clock.ts';
import { DynamoActionCatalog } from '#adapters/dynamo/action-catalog.ts';
import { DynamoAuditLog } from '#adapters/dynamo/audit-log.ts';
import { documentClient } from '#adapters/dynamo/client.ts';
import { DynamoKeyStore } from '#adapters/dynamo/key-store.ts';
import { DynamoTriggerStore } from '#adapters/dynamo/trigger-store.ts';
import { SecretsAdminKeyVault } from '#adapters/secrets/admin-key-vault.ts';
import type { MarketSeedPorts, SeedLog } from '#app/seed-market.ts';
import { Json, parsedEnv, PlatformEnv } from './platform-env.ts';
import { tenantTableOf } from './tenant-tables.ts';

/** The seed function's settings: the tables of the platform env plus each tenant's admin-key secret. */
const SeedEnv = PlatformEnv.pick({
  MARKET: true,
  TENANT_TABLES: true,
  KEYS_TABLE: true,
  DYNAMODB_ENDPOINT: true,
  AWS_REGION: true,
}).extend({
  /** `<market>-<stage>`: names the custom resource (its physical id). */
  DEPLOYMENT: z.string().min(1),
  /** tenant -> ARN of the secret its first admin key goes to. */
  ADMIN_KEY_SECRETS: Json(z.record(z.string(), z.string())),
});
export type SeedEnv = z.infer<typeof SeedEnv>;

export function seedEnv(source: NodeJS.ProcessEnv = process.env): SeedEnv {
  return parsedEnv(SeedEnv, source);
}

/** The seed function's adapters: the tenant tables, the key table, the admin-key secrets. */
export function seedPortsFor(env: SeedEnv, log: SeedLog): MarketSeedPorts {
  const db = documentClient({ endpoint: env.DYNAMODB_ENDPOINT, region: env.AWS_REGION });
  const tableOf = tenantTableOf(env.TENANT_TABLES);
  return {
    actions: new DynamoActionCatalog(db, tableOf),
    triggers: new DynamoTriggerStore(db, tableOf),
    keys: new DynamoKeyStore(db, env.KEYS_TABLE),
    vault: new SecretsAdminKeyVault(env.ADMIN_KEY_SECRETS),
    audit: new DynamoAuditLog(db, tableOf),
    clock: systemClock,
    log,
  };
}
