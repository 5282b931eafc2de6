import type { ContactRecord } from '#domain/action.ts';
import {
  ledgerContactsOf,
  ledgerRecords,
  noLedger,
  withResponse,
  type ContactLedger,
  type StoredLedger,
} from '#domain/contact-ledger.ts';
import type { ContactLedgers, LedgerWrites } from '#domain/ports/contact-ledgers.ts';
import { plainCopy } from './plain-copy.ts';

/** In-memory contact ledgers with the DynamoDB adapter's semantics: versioned, every write of a commit or none. */
export class MemoryLedgers implements ContactLedgers {
  /** `C#<customerId>` and `HL#<householdId>`. */
  readonly items = new Map<string, StoredLedger>();
  reads = 0;
  commits = 0;

  /** A copy of the ledger stored under `key`, not counted as a read (the profile's Query reads it). */
  copy(key: string): StoredLedger {
    return plainCopy(this.items.get(key) ?? noLedger());
  }

  async customer(_t: string, customerId: string) {
    this.reads++;
    return this.copy(`C#${customerId}`);
  }

  async household(_t: string, householdId: string) {
    this.reads++;
    return this.copy(`HL#${householdId}`);
  }

  /** Whether every ledger of `w` is still at the version it was read at. */
  holds(w: LedgerWrites): boolean {
    const at = (key: string) => this.items.get(key)?.version ?? 0;
    return (
      at(`C#${w.customerId}`) === w.customer.expectedVersion &&
      (!w.household || at(`HL#${w.household.householdId}`) === w.household.expectedVersion)
    );
  }

  /** Writes `w` (the caller checked `holds`). */
  apply(w: LedgerWrites): void {
    const put = (key: string, ledger: ContactLedger, expected: number) =>
      this.items.set(key, { ledger: plainCopy(ledger), version: expected + 1 });
    put(`C#${w.customerId}`, w.customer.ledger, w.customer.expectedVersion);
    if (w.household) put(`HL#${w.household.householdId}`, w.household.ledger, w.household.expectedVersion);
    this.commits++;
  }

  async commit(_t: string, w: LedgerWrites) {
    if (!this.holds(w)) return false;
    this.apply(w);
    return true;
  }

  async recordResponse(
    _t: string,
    customerId: string,
    actionId: string,
    response: 'accepted' | 'declined' | 'ignored',
    at: string,
  ) {
    const current = this.items.get(`C#${customerId}`);
    if (current)
      this.items.set(`C#${customerId}`, {
        ledger: withResponse(current.ledger, actionId, response, at),
        version: current.version + 1,
      });
  }

  /** A contact another writer (a decision) committed, as it is (tests arrange ledgers with it). */
  add(customerId: string, record: Omit<ContactRecord, 'source'> & { source?: ContactRecord['source'] }): void {
    const current = this.copy(`C#${customerId}`);
    let ledger: ContactLedger = {
      ...current.ledger,
      contacts: [...ledgerContactsOf([{ source: 'decision', ...record }]), ...current.ledger.contacts],
    };
    if (record.response)
      ledger = withResponse(ledger, record.actionId, record.response, record.respondedAt ?? record.at);
    this.items.set(`C#${customerId}`, { ledger, version: current.version + 1 });
  }

  /** The customer's ledger as the policy reads it. */
  records(customerId: string): ContactRecord[] {
    return ledgerRecords(this.copy(`C#${customerId}`).ledger).filter((r) => !r.response);
  }
}
