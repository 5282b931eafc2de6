import type { Action } from './action.ts';
import type { ContactLedger, LedgerBounds, StoredLedger } from './contact-ledger.ts';
import type { CustomerState, StateView, StoredStateView } from './customer-state.ts';
import type { CvmEvent } from './events.ts';
import type { OutboundMessage, Trigger } from './triggers.ts';
import type { ApiKeyRecord } from './api-key.ts';
import type { CustomerRecord, Profile, Scores } from './customer.ts';
import type { CustomerId, TenantId } from './ids.ts';

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

export interface KeyStore {
  find(keyHash: string): Promise<ApiKeyRecord | undefined>;
  save(keyHash: string, record: ApiKeyRecord): Promise<void>;
}

/** A stored key with the version its conditional writes compare against. */
export interface StoredKey {
  keyHash: string;
  record: ApiKeyRecord;
  /** Bumped by every write; 0 for a record written before keys had versions. */
  version: number;
}

/**
 * Key administration (create, list, rotate, revoke): the key store plus a tenant's keys by hash.
 * Every change of a key is conditional on the version it was read at, so concurrent rotations
 * and revocations never overwrite each other's changes with a stale copy.
 */
export interface KeyAdminStore extends KeyStore {
  list(tenant: TenantId): Promise<StoredKey[]>;
  /** One key, read strongly consistent (a retry after a lost conditional write). */
  load(keyHash: string): Promise<StoredKey | undefined>;
  /** Writes a new key (version 1); throws if the hash is already stored. */
  insert(keyHash: string, record: ApiKeyRecord): Promise<void>;
  /** Replaces a key if it is still at `version`: true when written, false when another writer came first. */
  replace(keyHash: string, record: ApiKeyRecord, version: number): Promise<boolean>;
}

/** Where a revoked or expired key may still be accepted from: API Gateway's authorizer cache. */
export interface AuthorizerCache {
  /**
   * Forgets every cached authorization. `flushed`: the next request is authorized afresh;
   * `nothing-cached`: no running gateway holds a cache (the local runtime is stopped).
   */
  flush(): Promise<'flushed' | 'nothing-cached'>;
}

/** A tenant's action catalog (offers, service treatments, retention actions). */
export interface ActionCatalog {
  get(tenant: TenantId, actionId: string): Promise<Action | undefined>;
  /**
   * The tenant's actions. `including` names actions the caller knows exist (a campaign's): a
   * cached list that lacks one of them is stale, not authoritative.
   */
  list(tenant: TenantId, options?: { including?: readonly string[] }): Promise<Action[]>;
  put(tenant: TenantId, action: Action): Promise<void>;
  remove(tenant: TenantId, actionId: string): Promise<boolean>;
}

/** What scoring reads about a customer: the profile and the derived state. */
export interface ScoringRequest {
  profile: Profile;
  state?: StateView;
}

/**
 * Scores one customer with the pinned models. `source` says who answered: the SageMaker endpoint,
 * or the in-process evaluator of the same artifact (embedded mode, or a fallback whose
 * `fallbackReason` is timeout, throttled, error or circuit-open).
 */
export interface ScoringPort {
  score(input: ScoringRequest): Promise<{ scores: Scores; source: 'sagemaker' | 'embedded'; fallbackReason?: string }>;
  /**
   * Scores many customers at once (the nightly run's blocks), each answer as `score` gives it, in
   * order. A port without it is asked one customer at a time.
   */
  scoreBatch?(inputs: readonly ScoringRequest[]): Promise<Array<Awaited<ReturnType<ScoringPort['score']>>>>;
  /** `{<model>: <version>}` of the models answering. */
  readonly modelVersions: Record<string, string>;
}

/** Writes a customer's latest scores onto the stored profile (never onto a tombstone). */
export interface ScoreStore {
  /** 'missing' when there is no live profile (absent or erased); nothing is written then. */
  saveScores(tenant: TenantId, customerId: CustomerId, scores: Scores): Promise<'written' | 'missing'>;
}

/** One stored customer as a scan of the tenant table meets it. */
export interface ScannedCustomer {
  customerId: CustomerId;
  record: CustomerRecord;
  state?: StateView;
}

/** Reads a tenant's live profiles (with state), one parallel-scan segment at a time. */
export interface ProfileScan {
  scanSegment(tenant: TenantId, segment: number, totalSegments: number): AsyncIterable<ScannedCustomer>;
}

// --- events, state and triggers (issue 4) ---------------------------------------------------

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
  consent: Partial<Record<import('./customer.ts').Channel, boolean>>;
  expectedVersion: number;
  at: string;
  audit: import('./audit.ts').AuditEntry;
}

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
    response: import('./decisioning/decision-record.ts').OfferResponse,
    at: string,
  ): Promise<void>;
}

/** Where a ledger built from the items of before it starts, and the bounds it is pruned to. */
export interface LegacyWindow {
  since: string;
  bounds: LedgerBounds;
  now: Date;
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

/**
 * The tenant's decision log (its own table, keyed by decision id, with TTL). What the contact
 * policy needs of a decision is in the customer's contact ledger (ContactLedgers); deciding for a
 * customer never reads the log.
 */
export interface DecisionLog {
  /** The full record to the log. */
  record(tenant: TenantId, record: import('./decisioning/decision-record.ts').DecisionRecord): Promise<void>;
  /** The full record of a decision id (new ids only; expired records included: the caller checks). */
  find(
    tenant: TenantId,
    decisionId: string,
  ): Promise<import('./decisioning/decision-record.ts').DecisionRecord | undefined>;
  /** What a response needs: from the log, or for a legacy customer-prefixed id, from its item under the customer. */
  findOffered(
    tenant: TenantId,
    decisionId: string,
  ): Promise<import('./decisioning/decision-record.ts').OfferedDecision | undefined>;
  /**
   * Sets the response on the offer once (a second response for it is a 'duplicate'); for a legacy
   * decision, on its item under the customer.
   */
  recordResponse(
    tenant: TenantId,
    decision: import('./decisioning/decision-record.ts').OfferedDecision,
    actionId: string,
    response: import('./decisioning/decision-record.ts').OfferResponse,
    at: string,
  ): Promise<ResponseOutcome>;
}

/**
 * What became of a response: recorded, or a duplicate of the answer already stored (which is what
 * the caller is told, whatever it sent), or refused.
 */
export type ResponseOutcome =
  | 'recorded'
  | { duplicateOf: { response: import('./decisioning/decision-record.ts').OfferResponse; at: string } }
  | 'not-offered'
  | 'not-found';

/** A customer's decisions in the log, for subject access and erasure (the log's index by customer). */
export interface CustomerDecisions {
  ofCustomer(
    tenant: TenantId,
    customerId: CustomerId,
  ): Promise<import('./decisioning/decision-record.ts').DecisionRecord[]>;
  /** Deletes them all; answers how many. */
  eraseCustomer(tenant: TenantId, customerId: CustomerId): Promise<number>;
}

/** The decisions made on some days, as the reports read them (the log's index by day, report fields only). */
export interface DecisionReportSource {
  /** `days`: UTC calendar days `yyyy-mm-dd`; parts 0..parts-1, read in parallel, together yield each decision once. */
  decisionsOn(
    tenant: TenantId,
    days: readonly string[],
    part: number,
    parts: number,
  ): AsyncIterable<import('./reports/report.ts').ReportDecision>;
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

/** Per-tenant metering (ApiRequest, Event, Decision, Score, CampaignContact, WorkflowExecution): see metering.ts. */
export type { Meter, MeterName, MeterReading } from './metering.ts';

// --- reports (issue 9) --------------------------------------------------------------------------

/** Reads a tenant's customers (profile and state), one parallel-scan segment at a time. */
export interface ReportScan {
  scanSegment(
    tenant: TenantId,
    segment: number,
    totalSegments: number,
  ): AsyncIterable<import('./reports/report.ts').ReportCustomer>;
}

/** Report snapshots (`R#<name>`, `<granularity>#<period>`): written by the build-reports job, read by the API. */
export interface ReportStore {
  save(tenant: TenantId, snapshots: import('./reports/report.ts').ReportSnapshot[]): Promise<void>;
  /** Periods `from`..`to` (inclusive) ascending; without them, the latest period only. */
  read(
    tenant: TenantId,
    name: import('./reports/report.ts').ReportName,
    granularity: import('./reports/report.ts').Granularity,
    range: { from?: string; to?: string },
  ): Promise<import('./reports/report.ts').ReportSnapshot[]>;
}
