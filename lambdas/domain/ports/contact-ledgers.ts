/** Ports of the contact ledgers (issue 15): what the contact policy counts, per customer and per household. */
import type { ContactLedger, LedgerBounds, StoredLedger } from '../contact-ledger.ts';
import type { CustomerId, TenantId } from '../ids.ts';

/** A ledger's next content, written only if it is still at the version it was read at. */
export interface LedgerWrite {
  ledger: ContactLedger;
  expectedVersion: number;
}

/** One commit: the customer's ledger and, for a household member's marketing contact, the household's, atomically. */
export interface LedgerWrites {
  customerId: CustomerId;
  customer: LedgerWrite;
  household?: LedgerWrite & { householdId: string };
}

/**
 * The contact ledgers (issue 15, item 3): one small item per customer and per household holding
 * what the contact policy counts, bounded by its limits. Decisions read the customer's with its
 * profile and state (CustomerRepo.load); a re-read after a lost race, the trigger path and the
 * household cap read here.
 */
export interface ContactLedgers {
  /**
   * The customer's ledger, strongly consistent. With none stored yet, one built from the customer's
   * contact items of before the ledger (`H#`, from `legacySince` on), not stored until a commit.
   */
  customer(tenant: TenantId, customerId: CustomerId, legacy: LegacyWindow): Promise<StoredLedger>;
  /** The household's ledger (`consistent` for a re-read after a lost race); likewise from its members' items of before. */
  household(tenant: TenantId, householdId: string, legacy: LegacyWindow, consistent: boolean): Promise<StoredLedger>;
  /** Writes the ledgers if neither changed since they were read; false on a lost race (nothing written). */
  commit(tenant: TenantId, writes: LedgerWrites): Promise<boolean>;
  /**
   * A response to an offer, into the customer's ledger (a decline suppresses, an acceptance is a
   * campaign's take-up) with its version moved on, so a commit that read before it reads again.
   * A customer without a stored ledger keeps the response where its legacy decision is.
   */
  recordResponse(
    tenant: TenantId,
    customerId: CustomerId,
    actionId: string,
    response: import('../decisioning/decision-record.ts').OfferResponse,
    at: string,
  ): Promise<void>;
}

/** Where a ledger built from the items of before it starts, and the bounds it is pruned to. */
export interface LegacyWindow {
  since: string;
  bounds: LedgerBounds;
  now: Date;
}
