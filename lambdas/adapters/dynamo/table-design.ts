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

/** Shared by the market: hashes of API keys -> tenant and scope. */
export const KEYS_TABLE: TableDesign = {
  partitionKey: { name: 'pk', type: 'S' },
  indexes: [],
  ttlAttribute: 'expiresAtEpoch',
};

export const tenantTableName = (market: string, tenant: string) => `cvm-${market}-${tenant}`;
export const keysTableName = (market: string) => `cvm-${market}-keys`;
