/**
 * The tables, described once: the CDK construct and the local runtime both build from this,
 * so local tables have exactly the keys and indexes the deployed ones have.
 */
export interface KeyAttribute {
  name: string;
  type: 'S' | 'N';
}
export interface IndexDesign {
  indexName: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  /** What the index copies of each item: all of it (the default), its keys, or its keys and these attributes. */
  projection?: { type: 'KEYS_ONLY' } | { type: 'INCLUDE'; attributes: string[] };
}
export interface TableDesign {
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  indexes: IndexDesign[];
  ttlAttribute?: string;
}

/** One per tenant: profiles, state, contact history and events of that tenant's customers. */
export const TENANT_TABLE: TableDesign = {
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  indexes: [{ indexName: 'gsi1', partitionKey: { name: 'gsi1pk', type: 'S' }, sortKey: { name: 'gsi1sk', type: 'S' } }],
  ttlAttribute: 'expiresAt',
};

/** What begins the partition key of a score-base run's items in the tenant table (the report may Query only these). */
export const SCORE_RUN_PK_PREFIX = 'SB#';

/**
 * One per tenant: the decision log, one item per decision keyed by its id, expiring after the
 * market's `retention.decisionLogDays`. A table of its own, so the nightly scans of the tenant
 * table never read it. `byCustomer` (a hash of the customer id, never the id itself, in the key)
 * finds a customer's decisions for export and erasure; `byDay` (`<UTC day>#<shard>`, sharded so
 * a busy day's writes spread over partitions) hands the reports a day's decisions with only the
 * attributes they read.
 */
export const DECISION_TABLE: TableDesign = {
  partitionKey: { name: 'id', type: 'S' },
  indexes: [
    {
      indexName: 'byCustomer',
      partitionKey: { name: 'cref', type: 'S' },
      sortKey: { name: 'at', type: 'S' },
      projection: { type: 'KEYS_ONLY' },
    },
    {
      indexName: 'byDay',
      partitionKey: { name: 'dayShard', type: 'S' },
      sortKey: { name: 'at', type: 'S' },
      projection: {
        type: 'INCLUDE',
        attributes: ['customerId', 'channel', 'experiment', 'offered', 'responses', 'valueTier', 'segment'],
      },
    },
  ],
  ttlAttribute: 'expiresAt',
};

/** Shared by the market: hashes of API keys -> tenant and scope. */
export const KEYS_TABLE: TableDesign = {
  partitionKey: { name: 'pk', type: 'S' },
  indexes: [],
  ttlAttribute: 'expiresAtEpoch',
};

/**
 * Shared by the market: Powertools idempotency records of POSTs sent with an Idempotency-Key
 * (Powertools' own layout: `id`, TTL `expiration`), kept 24 hours. The key is a hash of tenant,
 * method, path and key, so tenants share the table but never a record.
 */
export const IDEMPOTENCY_TABLE: TableDesign = {
  partitionKey: { name: 'id', type: 'S' },
  indexes: [],
  ttlAttribute: 'expiration',
};

/** Physical names carry the deployment, `<market>-<stage>` (lib/config/market-config.ts deploymentOf). */
export const tenantTableName = (deployment: string, tenant: string) => `cvm-${deployment}-${tenant}`;
export const keysTableName = (deployment: string) => `cvm-${deployment}-keys`;
export const idempotencyTableName = (deployment: string) => `cvm-${deployment}-idempotency`;
/** A tenant's decision log is named after its table: `<tenant table>-decisions`. */
export const decisionTableBeside = (tenantTable: string) => `${tenantTable}-decisions`;
export const decisionTableName = (deployment: string, tenant: string) =>
  decisionTableBeside(tenantTableName(deployment, tenant));
