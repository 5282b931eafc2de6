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
