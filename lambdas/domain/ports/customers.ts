/** Ports of the customer store: a customer's profile, state and contact ledger read together, and their writes. */
import type { LedgerBounds, StoredLedger } from '../contact-ledger.ts';
import type { StoredStateView } from '../customer-state.ts';
import type { CustomerRecord } from '../customer.ts';
import type { CustomerId, TenantId } from '../ids.ts';

/** Everything stored under one customer, fetched together (one Query in DynamoDB). */
export interface CustomerAggregate {
  record?: CustomerRecord;
  state?: StoredStateView;
  /** The customer's contact ledger (version 0 and empty when none is stored). */
  ledger: StoredLedger;
  /** What the customer's recent contacts look like to a reader (`recentContacts`): the ledger's. */
  contacts: Record<string, unknown>[];
  erasedAt?: string;
}

/**
 * `expectedVersion`: a number makes the write conditional on that stored version;
 * `undefined` writes unconditionally (still refusing an erased customer).
 */
export interface CustomerRepo {
  /**
   * Profile, state and the contact ledger, in one bounded read whatever the customer's history. A
   * customer with no ledger yet but contact items of before it (`H#`) gets a ledger built from them:
   * from `contactsSince` on (the contact policy's longest window) with the bounds given, else the
   * newest few (enough to show). `consistent` reads the latest write (after a lost write race).
   */
  load(
    tenant: TenantId,
    customerId: CustomerId,
    opts?: { contactsSince?: string; bounds?: LedgerBounds; now?: Date; consistent?: boolean },
  ): Promise<CustomerAggregate>;
  save(tenant: TenantId, record: CustomerRecord, expectedVersion: number | undefined): Promise<void>;
  /** Profiles of many customers at once; erased customers map to 'erased'. */
  loadProfiles(tenant: TenantId, customerIds: CustomerId[]): Promise<Map<CustomerId, CustomerRecord | 'erased'>>;
  saveMany(tenant: TenantId, records: CustomerRecord[]): Promise<{ written: number; failed: CustomerRecord[] }>;
  erase(tenant: TenantId, customerId: CustomerId, at: Date): Promise<{ itemsDeleted: number }>;
  exportAll(tenant: TenantId, customerId: CustomerId): Promise<Record<string, unknown>[]>;
  household(tenant: TenantId, householdId: string): Promise<CustomerRecord[]>;
}
