import { noLedger } from '#domain/contact-ledger.ts';
import type { CustomerRecord } from '#domain/customer.ts';
import { ConflictError, PreconditionFailedError } from '#domain/errors.ts';
import type { CustomerAggregate, CustomerRepo } from '#domain/ports/customers.ts';

/** A stored copy nobody can change: reads hand it out as is, and a use case that mutated a loaded record throws. */
function frozenCopy<T>(value: T): T {
  const copy = structuredClone(value);
  const freeze = (v: unknown) => {
    if (v && typeof v === 'object' && !Object.isFrozen(v)) {
      Object.freeze(v);
      for (const child of Object.values(v)) freeze(child);
    }
  };
  freeze(copy);
  return copy;
}

/** An in-memory CustomerRepo with the same conditional semantics, for use-case tests. */
export class MemoryCustomerRepo implements CustomerRepo {
  readonly profiles = new Map<string, CustomerRecord | { erasedAt: string }>();
  writes = 0;
  private key = (tenant: string, id: string) => `${tenant}/${id}`;

  async load(tenant: string, id: string): Promise<CustomerAggregate> {
    const p = this.profiles.get(this.key(tenant, id));
    if (!p) return { ledger: noLedger(), contacts: [] };
    return 'erasedAt' in p
      ? { ledger: noLedger(), contacts: [], erasedAt: p.erasedAt }
      : { record: p, ledger: noLedger(), contacts: [] };
  }
  async save(tenant: string, record: CustomerRecord, expected: number | undefined) {
    const cur = this.profiles.get(this.key(tenant, record.customerId));
    if (cur && 'erasedAt' in cur) throw new ConflictError('erased');
    if (expected !== undefined && (cur?.version ?? 0) !== expected) throw new PreconditionFailedError('version');
    this.profiles.set(this.key(tenant, record.customerId), frozenCopy(record));
    this.writes++;
  }
  async loadProfiles(tenant: string, ids: string[]) {
    const out = new Map<string, CustomerRecord | 'erased'>();
    for (const id of ids) {
      const p = this.profiles.get(this.key(tenant, id));
      if (p) out.set(id, 'erasedAt' in p ? 'erased' : p);
    }
    return out;
  }
  async saveMany(tenant: string, records: CustomerRecord[]) {
    for (const r of records) this.profiles.set(this.key(tenant, r.customerId), frozenCopy(r));
    this.writes += records.length;
    return { written: records.length, failed: [] };
  }
  async erase(tenant: string, id: string, at: Date) {
    this.profiles.set(this.key(tenant, id), { erasedAt: at.toISOString() });
    return { itemsDeleted: 1 };
  }
  async exportAll(tenant: string, id: string) {
    const p = this.profiles.get(this.key(tenant, id));
    return p ? [{ ...p, kind: 'erasedAt' in p ? 'tombstone' : 'profile' }] : [];
  }
  async household(tenant: string, householdId: string) {
    return [...this.profiles.entries()]
      .filter(([k, p]) => k.startsWith(`${tenant}/`) && !('erasedAt' in p) && p.householdId === householdId)
      .map(([, p]) => p as CustomerRecord);
  }
}
