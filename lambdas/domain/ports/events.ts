/** Ports of the event path (issue 4): customer state with its outbox, the event and outbound queues, and trigger rules. */
import type { CustomerState } from '../customer-state.ts';
import type { CvmEvent } from '../events.ts';
import type { OutboundMessage, Trigger } from '../triggers.ts';
import type { CustomerRecord } from '../customer.ts';
import type { CustomerId, TenantId } from '../ids.ts';
import type { LedgerWrites } from './contact-ledgers.ts';

/** A customer's folded state as stored, with the version that guards the next write. */
export interface StoredState {
  state: CustomerState;
  version: number;
  /** Firings written with the state but not yet handed off (crash recovery). */
  outbox: OutboundMessage[];
  /**
   * Whether the outbox's firings are in the contact ledger already (written with it, as this
   * processor does). An outbox of before the ledger is not: the processor adds it before going on.
   */
  outboxInLedger: boolean;
}

export interface CustomerStateRepo {
  /** Profile or tombstone, and the state (an item of the old layout migrated), of one customer in one read. */
  loadForEvents(
    tenant: TenantId,
    customerId: CustomerId,
  ): Promise<{ profile?: CustomerRecord; erased: boolean; stored?: StoredState }>;
  /**
   * Which of `keys` (event keys) the customer's id records hold inside their window at `now`: a
   * strongly consistent read, asked only while the state says records may hold live keys.
   */
  recordedIds(tenant: TenantId, customerId: CustomerId, keys: readonly string[], now: Date): Promise<Set<string>>;
  /**
   * Writes state and outbox if the stored version is still `expectedVersion` (0: none yet); false on
   * a lost race. The state's `newIdRecords` become id records in the same atomic write (at most
   * MAX_ID_RECORDS_PER_WRITE of state/applied-ids.ts), never attributes of the item. `ledger`: the
   * outbox's new firings committed to the contact ledgers in the same atomic write, conditional on
   * their versions too (a lost race on either is a lost race). `consent`: an opt-out's profile
   * update and audit entry, in the same atomic write.
   */
  saveState(
    tenant: TenantId,
    customerId: CustomerId,
    state: CustomerState,
    outbox: OutboundMessage[],
    expectedVersion: number,
    ledger?: LedgerWrites,
    consent?: ConsentWrite,
  ): Promise<boolean>;
  /** Empties the outbox of the state at `version` (a no-op if it moved on). */
  clearOutbox(tenant: TenantId, customerId: CustomerId, version: number): Promise<void>;
}

/**
 * An opt-out reply's consent change (`message.inbound`), committed in the same atomic write as the
 * state that applies its event, so it takes effect exactly once: the profile's consent, if the
 * profile is still at `expectedVersion` (else a lost race, folded again), and its audit entry.
 */
export interface ConsentWrite {
  consent: Partial<Record<import('../customer.ts').Channel, boolean>>;
  expectedVersion: number;
  at: string;
  audit: import('../audit.ts').AuditEntry;
}

/** The tenant's own event queue (SQS in AWS, the local queue in `npm start`). */
export interface EventQueue {
  enqueue(tenant: TenantId, events: CvmEvent[]): Promise<void>;
}

/** The per-channel outbound hand-off; consumers dedupe on `messageId`. */
export interface OutboundQueue {
  send(messages: OutboundMessage[]): Promise<void>;
}

/** A tenant's trigger rules (tenant table, `T#<triggerId>`). */
export interface TriggerStore {
  get(tenant: TenantId, triggerId: string): Promise<Trigger | undefined>;
  list(tenant: TenantId): Promise<Trigger[]>;
  put(tenant: TenantId, trigger: Trigger): Promise<void>;
  remove(tenant: TenantId, triggerId: string): Promise<boolean>;
}
