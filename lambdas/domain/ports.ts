import type { Action } from './action.ts';
import type { ApiKeyRecord } from './api-key.ts';
import type { CustomerRecord } from './customer.ts';
import type { CustomerId, TenantId } from './ids.ts';

/** Everything stored under one customer, fetched together (one Query in DynamoDB). */
export interface CustomerAggregate {
  record?: CustomerRecord;
  state?: Record<string, unknown>;
  contacts: Record<string, unknown>[];
  erasedAt?: string;
}

/**
 * `expectedVersion`: a number makes the write conditional on that stored version;
 * `undefined` writes unconditionally (still refusing an erased customer).
 */
export interface CustomerRepo {
  load(tenant: TenantId, customerId: CustomerId): Promise<CustomerAggregate>;
  save(tenant: TenantId, record: CustomerRecord, expectedVersion: number | undefined): Promise<void>;
  /** Profiles of many customers at once; erased customers map to 'erased'. */
  loadProfiles(tenant: TenantId, customerIds: CustomerId[]): Promise<Map<CustomerId, CustomerRecord | 'erased'>>;
  saveMany(tenant: TenantId, records: CustomerRecord[]): Promise<{ written: number; failed: CustomerRecord[] }>;
  erase(tenant: TenantId, customerId: CustomerId, at: Date): Promise<{ itemsDeleted: number }>;
  exportAll(tenant: TenantId, customerId: CustomerId): Promise<Record<string, unknown>[]>;
  household(tenant: TenantId, householdId: string): Promise<CustomerRecord[]>;
}

export interface KeyStore {
  find(keyHash: string): Promise<ApiKeyRecord | undefined>;
  save(keyHash: string, record: ApiKeyRecord): Promise<void>;
}

/** A tenant's action catalog (offers, service treatments, retention actions). */
export interface ActionCatalog {
  get(tenant: TenantId, actionId: string): Promise<Action | undefined>;
  list(tenant: TenantId): Promise<Action[]>;
  put(tenant: TenantId, action: Action): Promise<void>;
  remove(tenant: TenantId, actionId: string): Promise<boolean>;
}
