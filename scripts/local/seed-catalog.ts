import { systemClock } from '#adapters/clock.ts';
import { DynamoActionCatalog } from '#adapters/dynamo/action-catalog.ts';
import { DynamoAuditLog } from '#adapters/dynamo/audit-log.ts';
import { documentClient } from '#adapters/dynamo/client.ts';
import { DynamoTriggerStore } from '#adapters/dynamo/trigger-store.ts';
import { seedStarter, type StarterReport } from '#app/seed-market.ts';
import type { MarketConfig } from '#config/market-config.ts';

/**
 * Seeds the market's starter catalog and triggers (config `starter`) into each tenant table with
 * the use case and adapters `cdk deploy` runs, so a tenant's edits survive restarts here as there.
 * The first admin keys are the runtime's own (`.local/keys.json`), not Secrets Manager's.
 */
export async function seedCatalog(
  market: MarketConfig,
  endpoint: string,
  tenantTables: Record<string, string>,
): Promise<StarterReport> {
  const db = documentClient({ endpoint, region: market.aws.region });
  const tableOf = (tenant: string) => tenantTables[tenant]!;
  try {
    return await seedStarter({
      actions: new DynamoActionCatalog(db, tableOf),
      triggers: new DynamoTriggerStore(db, tableOf),
      audit: new DynamoAuditLog(db, tableOf),
      clock: systemClock,
    })({ tenants: Object.keys(tenantTables), starter: market.starter });
  } finally {
    db.destroy();
  }
}
