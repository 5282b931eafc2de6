import type { ContactRecord } from './action.ts';
import type { CustomerId, TenantId } from './ids.ts';

/**
 * The contact ledger as the event processor reads it: only for a batch in which a trigger would
 * fire, so the common event pays no read for it. (A port like those in ports.ts; it sits apart
 * because the trigger path is its only reader.)
 */
export interface ContactHistory {
  /** The customer's decisions, trigger firings and campaign contacts since `since` (ISO). */
  customerContacts(tenant: TenantId, customerId: CustomerId, since: string): Promise<ContactRecord[]>;
  /** The marketing contacts of every member of the household since `since` (the household cap's ledger). */
  householdContacts(tenant: TenantId, householdId: string, since: string): Promise<ContactRecord[]>;
}
