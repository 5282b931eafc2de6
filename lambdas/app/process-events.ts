import type { ContactRecord } from '#domain/action.ts';
import type { Clock } from '#domain/clock.ts';
import { defaultContactPolicy, type ContactPolicy } from '#domain/contact-policy.ts';
import type { CustomerRecord } from '#domain/customer.ts';
import {
  emptyState,
  keysToLookUp,
  measureState,
  type CustomerState,
  type StateConfig,
} from '#domain/customer-state.ts';
import type { SignalThresholds } from '#domain/decisioning/signals.ts';
import { ConflictError } from '#domain/errors.ts';
import { foldEvents, type Fold, type PolicyView } from '#domain/event-fold.ts';
import type { CvmEvent } from '#domain/events.ts';
import type { CustomerId, TenantId } from '#domain/ids.ts';
import type { ActionCatalog } from '#domain/ports/catalog.ts';
import type { ConsentWrite, CustomerStateRepo, OutboundQueue, TriggerStore } from '#domain/ports/events.ts';
import type { ContactLedgers } from '#domain/ports/contact-ledgers.ts';
import type { VolumeCounter } from '#domain/ports/decisions.ts';
import type { Rescorer } from '#domain/scoring/realtime-score.ts';
import { MAX_ID_RECORDS_PER_WRITE } from '#domain/state/applied-ids.ts';
import { contactOf, ledgerWithPending } from '#domain/pending-contacts.ts';
import type { MarketRules, OutboundMessage } from '#domain/triggers.ts';
import { reserveDailyCaps, type Reservations } from './process-events/daily-caps.ts';
import { ledgerLegacyOutbox } from './process-events/legacy-outbox.ts';
import { outboxHandOff } from './process-events/outbox.ts';
import { outcomeOf, totalOutcome, type ProcessOutcome } from './process-events/outcome.ts';
import { firingWrites, policyViewOf, readPolicyLedgers, type PolicyLedgers } from './process-events/policy-ledger.ts';
import { triggerRulesCache, type TriggerRules } from './process-events/trigger-rules.ts';
import { experimentGroup, type ExperimentConfig } from '#domain/decisioning/experiments.ts';

export { totalOutcome, type ProcessOutcome } from './process-events/outcome.ts';
export { ProcessorWiringError } from './process-events/wiring-error.ts';

export interface ProcessPorts {
  states: CustomerStateRepo;
  outbound: OutboundQueue;
  triggers: TriggerStore;
  catalog: ActionCatalog;
  clock: Clock;
  market: MarketRules;
  stateConfig: StateConfig;
  /** How long a container trusts its copy of a tenant's triggers and their actions. */
  triggerCacheMs?: number;
  /**
   * The market's contact policy, the one decisions and campaigns use. Absent: the platform
   * defaults (DEFAULT_CONTACT_LIMITS) in the market's time zone and quiet hours.
   */
  policy?: ContactPolicy;
  /** The decision path's signal thresholds, which actions' eligibility rules read (default: the platform's). */
  thresholds?: SignalThresholds;
  /** The market's experiment: its global control group gets no marketing firings (as in decisions). */
  experiments?: ExperimentConfig;
  /**
   * The contact ledgers (the one decisions and campaigns commit to); wherever a trigger can fire
   * they are needed, and their absence then fails the batch.
   */
  ledgers?: ContactLedgers;
  /** Per-action daily caps, shared with decisions; needed once an action with `limits.perDay` fires. */
  volume?: VolumeCounter;
  /**
   * The pinned churn model's re-scorer (absent when the model reads no state feature): an event that
   * moves a feature it reads re-scores the customer in process, into the state item of the same write.
   */
  rescore?: Rescorer;
}

const MAX_ATTEMPTS = 8;

/** What one attempt folds from, read fresh after a lost write race. */
interface Attempt {
  tenant: TenantId;
  customerId: CustomerId;
  profile?: CustomerRecord;
  now: Date;
  version: number;
  /** The stored state measured at `now`. */
  start: CustomerState;
  /** Firings an earlier attempt wrote but did not hand off. */
  leftover: OutboundMessage[];
  /** Keys of these events that id records hold already. */
  recorded: ReadonlySet<string>;
  rules: TriggerRules;
}

const byTime = (a: CvmEvent, b: CvmEvent) =>
  Date.parse(a.occurredAt) - Date.parse(b.occurredAt) || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);

/** In time order, in writes small enough for one transaction of id records each. */
function slicesOf(events: readonly CvmEvent[]): CvmEvent[][] {
  const ordered = [...events].sort(byTime);
  const out: CvmEvent[][] = [];
  for (let i = 0; i < ordered.length; i += MAX_ID_RECORDS_PER_WRITE)
    out.push(ordered.slice(i, i + MAX_ID_RECORDS_PER_WRITE));
  return out;
}

/**
 * The profile's consent after the batch's opt-out replies, with one audit entry naming their
 * events, written with the state (exactly once: a redelivered reply is a duplicate of the fold).
 */
function consentWriteOf(a: Attempt, fold: Fold): ConsentWrite | undefined {
  if (!a.profile || !fold.consent || fold.optOuts.length === 0) return undefined;
  const at = a.now.toISOString();
  const events = fold.optOuts.map((o) => o.eventId);
  return {
    consent: fold.consent,
    expectedVersion: a.profile.version,
    at,
    audit: {
      id: `opt-out-${events[0]}`,
      tenant: a.tenant,
      keyId: `event:${events.join(',')}`,
      what: 'customer.consent',
      subject: a.customerId,
      at,
      before: a.profile.consent ?? {},
      after: fold.consent,
    },
  };
}

/** A fold under the contact policy, and the ledgers it was asked with (read only when something fired). */
interface Decided {
  fold: Fold;
  ledgers?: PolicyLedgers;
}

/**
 * Applies one customer's events (one fold, one conditional write per slice of at most 94 events)
 * and hands off the trigger firings. Exactly-once: an applied event's key is written with the state
 * (in the item, or for a heavy sender as an id record in the same transaction); firings ride in the
 * same write (the outbox) and are handed off after it, so a crash anywhere repeats a hand-off but
 * never a firing or an event.
 *
 * Every firing is asked of the contact policy over the customer's contact ledger (and its
 * household's), and committed to them in the state's own transaction, conditional on the versions
 * read: a decision or campaign contact committed meanwhile makes the write a lost race, and the
 * batch is folded again. The ledgers are read only when the fold, asked with none, fires: contacts
 * can only take firings away, so a fold that fires nothing without them fires nothing with them.
 */
export const processCustomerEvents = (ports: ProcessPorts) => {
  const policy: ContactPolicy = ports.policy ?? defaultContactPolicy(ports.market);
  const rulesOf = triggerRulesCache(ports, policy, ports.triggerCacheMs ?? 30_000);
  const ledgersOf = readPolicyLedgers(ports.ledgers, policy);
  const legacyOutbox = ledgerLegacyOutbox(ports.ledgers, policy);
  const reserveCaps = reserveDailyCaps(ports.volume, policy);
  const handOff = outboxHandOff(ports.outbound, ports.states);

  async function load(tenant: TenantId, customerId: CustomerId, events: CvmEvent[]): Promise<Attempt | 'erased'> {
    const loaded = await ports.states.loadForEvents(tenant, customerId);
    if (loaded.erased) return 'erased';
    const now = ports.clock.now();
    const start = loaded.stored ? measureState(loaded.stored.state, now, ports.stateConfig) : emptyState(now);
    const lookUp = keysToLookUp(start, events, now);
    const [rules, recorded] = await Promise.all([
      rulesOf(tenant, now.getTime()),
      lookUp.length ? ports.states.recordedIds(tenant, customerId, lookUp, now) : new Set<string>(),
    ]);
    const leftover = loaded.stored?.outbox ?? [];
    if (leftover.length && !loaded.stored?.outboxInLedger)
      await legacyOutbox(tenant, customerId, loaded.profile, leftover, rules, now);
    return {
      tenant,
      customerId,
      ...(loaded.profile ? { profile: loaded.profile } : {}),
      now,
      version: loaded.stored?.version ?? 0,
      start,
      leftover,
      recorded,
      rules,
    };
  }

  /** The fold under the contact policy: without the ledgers first, with them once something fires, then daily caps. */
  async function decide(a: Attempt, events: CvmEvent[], held: Reservations): Promise<Decided> {
    const pending: ContactRecord[] = a.leftover.map(contactOf);
    const fold = (view: PolicyView) =>
      foldEvents({
        tenant: a.tenant,
        customerId: a.customerId,
        ...(a.profile ? { profile: a.profile } : {}),
        start: a.start,
        events,
        now: a.now,
        stateConfig: ports.stateConfig,
        recorded: a.recorded,
        rules: a.rules,
        policy,
        view,
        defaultLanguage: ports.market.defaultLanguage,
        ...(ports.thresholds ? { thresholds: ports.thresholds } : {}),
        ...(ports.experiments ? { group: experimentGroup(a.tenant, a.customerId, ports.experiments) } : {}),
        ...(ports.market.optOutKeywords ? { optOutKeywords: ports.market.optOutKeywords } : {}),
        ...(ports.rescore ? { rescore: ports.rescore } : {}),
      });
    let view: PolicyView = { contacts: ledgerWithPending([], pending), granted: held.granted, spent: held.spent };
    const result = fold(view);
    if (result.firings.length === 0) return { fold: result };
    const ledgers = await ledgersOf(a.tenant, a.customerId, a.profile, a.rules, a.now);
    view = { ...view, ...policyViewOf(ledgers, pending) };
    return { fold: await reserveCaps(a.tenant, fold(view), a.rules, a.now, held, () => fold(view)), ledgers };
  }

  /** Nothing new: finish a hand-off an earlier attempt may have left behind. */
  async function finishLeftover(a: Attempt, events: number): Promise<ProcessOutcome> {
    await handOff(a.tenant, a.customerId, a.leftover, a.version);
    // firings an earlier, failed attempt decided: that attempt reported nothing, so they count now
    return outcomeOf({ applied: 0, duplicates: events, dropped: 0 }, a.leftover.length);
  }

  /** One conditional write of state, id records, outbox and the firings' ledgers, then the hand-off; undefined on a lost race. */
  async function commit(a: Attempt, decided: Decided, events: number): Promise<ProcessOutcome | undefined> {
    const result = decided.fold;
    const fresh = result.firings.map((f) => f.message);
    const outbox = [...a.leftover, ...fresh];
    const ledger = firingWrites(
      a.customerId,
      decided.ledgers,
      result.firings.map((f) => f.contact),
      a.rules,
      a.now,
    );
    const consent = consentWriteOf(a, result);
    if (!(await ports.states.saveState(a.tenant, a.customerId, result.state, outbox, a.version, ledger, consent)))
      return undefined;
    await handOff(a.tenant, a.customerId, outbox, a.version + 1);
    return outcomeOf(
      { applied: result.applied, duplicates: events - result.applied, dropped: 0 },
      fresh.length,
      result.refused,
    );
  }

  async function processSlice(
    tenant: TenantId,
    customerId: CustomerId,
    events: CvmEvent[],
    held: Reservations,
  ): Promise<ProcessOutcome> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const a = await load(tenant, customerId, events);
      if (a === 'erased') return outcomeOf({ applied: 0, duplicates: 0, dropped: events.length });
      const decided = await decide(a, events, held);
      if (decided.fold.applied === 0) return finishLeftover(a, events.length);
      const done = await commit(a, decided, events.length);
      if (done) return done;
    }
    throw new ConflictError(
      `customer state kept changing under ${MAX_ATTEMPTS} attempts; the events will be redelivered`,
    );
  }

  return async (tenant: TenantId, customerId: CustomerId, events: CvmEvent[]): Promise<ProcessOutcome> => {
    // Reservations outlive a lost write race: a retried firing keeps its unit and takes no second.
    const held: Reservations = { granted: new Set(), spent: new Set() };
    const outcomes: ProcessOutcome[] = [];
    for (const slice of slicesOf(events)) outcomes.push(await processSlice(tenant, customerId, slice, held));
    return totalOutcome(outcomes);
  };
};

/**
 * A batch of events from one tenant's queue, grouped by customer so each customer's events fold
 * into one write. Returns one outcome (or error) per group; groups run concurrently.
 */
export const processEventBatch = (ports: ProcessPorts) => {
  const one = processCustomerEvents(ports);
  return (tenant: TenantId, events: CvmEvent[]): Map<CustomerId, Promise<ProcessOutcome>> => {
    const groups = new Map<CustomerId, CvmEvent[]>();
    for (const e of events) groups.set(e.customerId, [...(groups.get(e.customerId) ?? []), e]);
    return new Map([...groups].map(([id, list]) => [id, one(tenant, id, list)]));
  };
};
