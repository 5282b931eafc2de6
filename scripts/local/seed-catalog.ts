import { DynamoActionCatalog } from '#adapters/dynamo/action-catalog.ts';
import { documentClient } from '#adapters/dynamo/client.ts';
import type { MarketConfig } from '#config/market-config.ts';
import { catalogOf } from '#config/markets/demo-catalog.ts';

/** Seeds the market's demo catalog into each tenant table; actions a tenant already has are kept. */
export async function seedCatalog(
  market: MarketConfig,
  endpoint: string,
  tenantTables: Record<string, string>,
): Promise<number> {
  const actions = catalogOf(market.code);
  if (actions.length === 0) return 0;
  const db = documentClient({ endpoint, region: market.aws.region });
  const catalog = new DynamoActionCatalog(db, (tenant) => tenantTables[tenant]!);
  let written = 0;
  for (const tenant of Object.keys(tenantTables)) {
    for (const action of actions) if (await catalog.putIfAbsent(tenant, action)) written++;
  }
  db.destroy();
  return written;
}
