/** Ports of the decision log, the learned response counts and the daily volume caps. */
import type { CustomerId, TenantId } from '../ids.ts';

/**
 * The tenant's decision log (its own table, keyed by decision id, with TTL). What the contact
 * policy needs of a decision is in the customer's contact ledger (ContactLedgers); deciding for a
 * customer never reads the log.
 */
export interface DecisionLog {
  /** The full record to the log. */
  record(tenant: TenantId, record: import('../decisioning/decision-record.ts').DecisionRecord): Promise<void>;
  /** The full record of a decision id (new ids only; expired records included: the caller checks). */
  find(
    tenant: TenantId,
    decisionId: string,
  ): Promise<import('../decisioning/decision-record.ts').DecisionRecord | undefined>;
  /** What a response needs: from the log, or for a legacy customer-prefixed id, from its item under the customer. */
  findOffered(
    tenant: TenantId,
    decisionId: string,
  ): Promise<import('../decisioning/decision-record.ts').OfferedDecision | undefined>;
  /**
   * Sets the response on the offer once (a second response for it is a 'duplicate'); for a legacy
   * decision, on its item under the customer.
   */
  recordResponse(
    tenant: TenantId,
    decision: import('../decisioning/decision-record.ts').OfferedDecision,
    actionId: string,
    response: import('../decisioning/decision-record.ts').OfferResponse,
    at: string,
  ): Promise<ResponseOutcome>;
}

/**
 * What became of a response: recorded, or a duplicate of the answer already stored (which is what
 * the caller is told, whatever it sent), or refused.
 */
export type ResponseOutcome =
  | 'recorded'
  | { duplicateOf: { response: import('../decisioning/decision-record.ts').OfferResponse; at: string } }
  | 'not-offered'
  | 'not-found';

/** A customer's decisions in the log, for subject access and erasure (the log's index by customer). */
export interface CustomerDecisions {
  ofCustomer(
    tenant: TenantId,
    customerId: CustomerId,
  ): Promise<import('../decisioning/decision-record.ts').DecisionRecord[]>;
  /** Deletes them all; answers how many. */
  eraseCustomer(tenant: TenantId, customerId: CustomerId): Promise<number>;
}

/** Learned response counts per action and segment (Beta update of the propensity). */
export interface LearningStore {
  stats(
    tenant: TenantId,
    segment: string,
    actionIds: readonly string[],
  ): Promise<Map<string, { trials: number; successes: number }>>;
  add(tenant: TenantId, actionId: string, segment: string, success: boolean): Promise<void>;
}

/** Per-action daily volume caps; `reserve` takes one unit of the day's cap or answers false. */
export interface VolumeCounter {
  reserve(tenant: TenantId, actionId: string, day: string, perDay: number, key: string): Promise<boolean>;
}
