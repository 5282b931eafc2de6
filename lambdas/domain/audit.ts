import type { TenantId } from './ids.ts';

/** One recorded change: who (key id), which tenant, what, on what, when, before and after. */
export interface AuditEntry {
  id: string;
  tenant: TenantId;
  /** The API key (or operator, `cli:<user>`) that made the change. */
  keyId: string;
  /** e.g. `customer.consent`, `key.rotated`, `action.put`, `trigger.put`, `campaign.started`. */
  what: string;
  /** What was changed: a customer id, a key id, an action id... */
  subject: string;
  at: string;
  before?: unknown;
  after?: unknown;
}

export interface AuditPage {
  items: AuditEntry[];
  nextToken?: string;
}

/** The audit trail of a tenant: written next to the change, read by the tenant's admin key only. */
export interface AuditLog {
  record(entry: Omit<AuditEntry, 'id'>): Promise<void>;
  /** Newest first, one month (`yyyy-mm`) at a time. */
  list(tenant: TenantId, month: string, opts?: { limit?: number; nextToken?: string }): Promise<AuditPage>;
}

/**
 * Entries whose subject is a customer (`customer.*`): export shows them and erasure redacts them.
 * The log keeps an index from the customer to them, so neither reads the tenant's whole trail.
 */
export const isAboutCustomer = (entry: Pick<AuditEntry, 'what'>): boolean => entry.what.startsWith('customer.');

/** A customer's side of the audit trail: subject access and erasure. */
export interface CustomerAuditTrail {
  /** Every entry about the customer still kept, oldest first. */
  aboutCustomer(tenant: TenantId, customerId: string): Promise<AuditEntry[]>;
  /**
   * Replaces the customer id in every entry about the customer by `ref` (a salted reference that
   * whoever holds the customer id and the market's salt can recompute, so the consent history
   * stays provable) and drops the index. Idempotent; the number of entries redacted.
   */
  redactCustomer(tenant: TenantId, customerId: string, ref: string): Promise<number>;
}

/** The consent of a profile before and after a write, or undefined when it did not change. */
export function consentChange(
  before: Partial<Record<string, boolean>> | undefined,
  after: Partial<Record<string, boolean>> | undefined,
): { before: Partial<Record<string, boolean>>; after: Partial<Record<string, boolean>> } | undefined {
  const b = before ?? {};
  const a = after ?? {};
  const channels = new Set([...Object.keys(b), ...Object.keys(a)]);
  for (const c of channels) if (b[c] !== a[c]) return { before: b, after: a };
  return undefined;
}
