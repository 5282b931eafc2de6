import type { Action, ContactRecord } from '#domain/action.ts';
import type { Clock } from '#domain/clock.ts';
import type { ContactHistory } from '#domain/contact-history.ts';
import { defaultContactPolicy, historyDays, historySince, type ContactPolicy } from '#domain/contact-policy.ts';
import { MARKETING_KINDS } from '#domain/contact-window.ts';
import type { CustomerRecord } from '#domain/customer.ts';
import { applyEvent, emptyState, measureState, type CustomerState, type StateConfig } from '#domain/customer-state.ts';
import { localDay } from '#domain/decisioning/decision-id.ts';
import type { SignalThresholds } from '#domain/decisioning/signals.ts';
import { ConflictError } from '#domain/errors.ts';
import type { CvmEvent } from '#domain/events.ts';
import type { CustomerId, TenantId } from '#domain/ids.ts';
import type { ActionCatalog, CustomerStateRepo, OutboundQueue, TriggerStore, VolumeCounter } from '#domain/ports.ts';
import {
  contactOf,
  evaluateTriggers,
  ledgerWithPending,
  type MarketRules,
  type OutboundMessage,
  type Trigger,
  type TriggerFiring,
  type TriggerRefusal,
} from '#domain/triggers.ts';

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
  /** The contact ledger; wherever a trigger can fire it is needed, and its absence then fails the batch. */
  history?: ContactHistory;
  /** Per-action daily caps, shared with decisions; needed once an action with `limits.perDay` fires. */
  volume?: VolumeCounter;
}

export interface ProcessOutcome {
  applied: number;
  duplicates: number;
  /** Events of an erased customer, dropped. */
  dropped: number;
  /** Messages handed off for this call's events (one per firing). */
  messages: number;
  /** Triggers whose rules held but the contact policy refused: nothing sent, no cooldown started. */
  triggersRefused: number;
  /** `triggersRefused` by the policy's reason code (`channel-limit`, `declined-recently`, `volume-cap`, ...). */
  refusals: Record<string, number>;
}

const MAX_ATTEMPTS = 8;

/** The processor was built without a port a firing needs: retrying cannot help, redeploying can. */
export class ProcessorWiringError extends Error {
  override readonly name = 'ProcessorWiringError';
}

const outcomeOf = (
  o: Pick<ProcessOutcome, 'applied' | 'duplicates' | 'dropped'>,
  firings = 0,
  refused: readonly TriggerRefusal[] = [],
): ProcessOutcome => {
  const refusals: Record<string, number> = {};
  for (const r of refused) refusals[r.reason.code] = (refusals[r.reason.code] ?? 0) + 1;
  return { ...o, messages: firings, triggersRefused: refused.length, refusals };
};

/** The outcomes of a batch's customer groups, summed (what a handler publishes as metrics). */
export function totalOutcome(outcomes: readonly ProcessOutcome[]): ProcessOutcome {
  const total = outcomeOf({ applied: 0, duplicates: 0, dropped: 0 });
  for (const o of outcomes) {
    total.applied += o.applied;
    total.duplicates += o.duplicates;
    total.dropped += o.dropped;
    total.messages += o.messages;
    total.triggersRefused += o.triggersRefused;
    for (const [code, n] of Object.entries(o.refusals)) total.refusals[code] = (total.refusals[code] ?? 0) + n;
  }
  return total;
}

const byTime = (a: CvmEvent, b: CvmEvent) =>
  Date.parse(a.occurredAt) - Date.parse(b.occurredAt) || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);

interface Rules {
  until: number;
  triggers: Trigger[];
  actions: Map<string, Action>;
  /** How far back the policy looks for these triggers' actions. */
  historyDays: number;
}

/** The ledgers and volume answers one fold asks the policy with. */
interface PolicyView {
  contacts: readonly ContactRecord[];
  household?: readonly ContactRecord[];
  granted: Set<string>;
  spent: Set<string>;
}

interface Fold {
  state: CustomerState;
  applied: number;
  firings: TriggerFiring[];
  refused: TriggerRefusal[];
}

/**
 * Applies one customer's events (one fold, one conditional write) and hands off the trigger
 * firings. Exactly-once: the applied event ids live in the state item, so the fold and the ids
 * are written together; firings ride in the same write (an outbox) and are handed off after it,
 * under deterministic message ids, so a crash anywhere repeats a hand-off but never a firing.
 *
 * Every firing is asked of the contact policy over the customer's ledger (the decision log doubles
 * as contact history). The ledger is read only when the fold, asked with no stored history, fires:
 * history can only take firings away, so a fold that fires nothing without it fires nothing with it.
 */
export const processCustomerEvents = (ports: ProcessPorts) => {
  const cache = new Map<TenantId, Rules>();
  const ttl = ports.triggerCacheMs ?? 30_000;
  const policy: ContactPolicy = ports.policy ?? defaultContactPolicy(ports.market);

  async function rulesOf(tenant: TenantId, nowMs: number): Promise<Rules> {
    const hit = cache.get(tenant);
    if (hit && hit.until > nowMs) return hit;
    const triggers = (await ports.triggers.list(tenant)).filter((t) => t.enabled);
    const actions = new Map<string, Action>();
    await Promise.all(
      [...new Set(triggers.map((t) => t.actionId))].map(async (id) => {
        const a = await ports.catalog.get(tenant, id);
        if (a) actions.set(id, a);
      }),
    );
    const entry = { until: nowMs + ttl, triggers, actions, historyDays: historyDays(policy, [...actions.values()]) };
    cache.set(tenant, entry);
    return entry;
  }

  async function handOff(
    tenant: TenantId,
    customerId: CustomerId,
    householdId: string | undefined,
    outbox: OutboundMessage[],
    version: number,
  ) {
    if (outbox.length === 0) return;
    await ports.outbound.send(outbox);
    // a household member's firings count against the household cap of decisions too
    await ports.states.recordContacts(tenant, customerId, outbox.map(contactOf), householdId);
    await ports.states.clearOutbox(tenant, customerId, version);
  }

  function fold(
    tenant: TenantId,
    customerId: CustomerId,
    profile: CustomerRecord | undefined,
    start: CustomerState,
    events: CvmEvent[],
    rules: Rules,
    now: Date,
    view: PolicyView,
  ): Fold {
    let state = start;
    let applied = 0;
    let { contacts, household } = view;
    const firings: TriggerFiring[] = [];
    const refused: TriggerRefusal[] = [];
    for (const event of events) {
      const next = applyEvent(state, event, now, ports.stateConfig);
      if (next === state) continue;
      applied++;
      state = next;
      const candidates = rules.triggers.filter((t) => t.eventType === event.type);
      if (candidates.length === 0) continue;
      const verdict = evaluateTriggers(candidates, {
        tenant,
        customerId,
        ...(profile ? { profile } : {}),
        state,
        event,
        now,
        defaultLanguage: ports.market.defaultLanguage,
        actions: rules.actions,
        policy,
        contacts,
        ...(household ? { householdContacts: household } : {}),
        volume: view,
        ...(ports.thresholds ? { thresholds: ports.thresholds } : {}),
      });
      state = { ...state, fired: verdict.fired };
      firings.push(...verdict.firings);
      refused.push(...verdict.refused);
      if (verdict.firings.length) {
        // the next event's triggers count this one's firings
        const added = verdict.firings.map((f) => f.contact);
        contacts = [...contacts, ...added];
        if (household) household = [...household, ...added.filter((c) => MARKETING_KINDS.has(c.kind))];
      }
    }
    return { state, applied, firings, refused };
  }

  async function ledgerOf(
    tenant: TenantId,
    customerId: CustomerId,
    profile: CustomerRecord | undefined,
    pending: ContactRecord[],
    rules: Rules,
    now: Date,
  ) {
    if (!ports.history)
      throw new ProcessorWiringError(
        'a trigger would fire but the processor has no contact history to ask the contact policy with',
      );
    const cap = policy.household;
    const householdId = cap ? profile?.householdId : undefined;
    const [stored, household] = await Promise.all([
      ports.history.customerContacts(tenant, customerId, historySince(now, rules.historyDays)),
      householdId ? ports.history.householdContacts(tenant, householdId, historySince(now, cap!.days)) : undefined,
    ]);
    return {
      contacts: ledgerWithPending(stored, pending),
      ...(household
        ? {
            household: ledgerWithPending(
              household,
              pending.filter((c) => MARKETING_KINDS.has(c.kind)),
            ),
          }
        : {}),
    };
  }

  return async (tenant: TenantId, customerId: CustomerId, events: CvmEvent[]): Promise<ProcessOutcome> => {
    const ordered = [...events].sort(byTime);
    // Reservations outlive a lost write race: a retried firing keeps its unit and takes no second.
    const granted = new Set<string>();
    const spent = new Set<string>();
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const loaded = await ports.states.loadForEvents(tenant, customerId);
      if (loaded.erased) return outcomeOf({ applied: 0, duplicates: 0, dropped: events.length });
      const now = ports.clock.now();
      const version = loaded.stored?.version ?? 0;
      const leftover = loaded.stored?.outbox ?? [];
      const pending = leftover.map(contactOf);
      const rules = await rulesOf(tenant, now.getTime());
      const start = loaded.stored ? measureState(loaded.stored.state, now, ports.stateConfig) : emptyState(now);
      const run = (view: PolicyView) => fold(tenant, customerId, loaded.profile, start, ordered, rules, now, view);

      let view: PolicyView = { contacts: ledgerWithPending([], pending), granted, spent };
      let result = run(view);
      if (result.applied === 0) {
        // Nothing new; finish a hand-off an earlier attempt may have left behind.
        await handOff(tenant, customerId, loaded.profile?.householdId, leftover, version);
        // firings an earlier, failed attempt decided: that attempt reported nothing, so they count now
        return outcomeOf({ applied: 0, duplicates: events.length, dropped: 0 }, leftover.length);
      }
      if (result.firings.length > 0) {
        view = { ...view, ...(await ledgerOf(tenant, customerId, loaded.profile, pending, rules, now)) };
        result = run(view);
      }
      // Daily caps: reserve a unit per firing; a refused reservation marks the action spent and the
      // fold runs again without it (which may let a lower-priority trigger take the channel).
      for (;;) {
        const due = result.firings.filter(
          (f) =>
            rules.actions.get(f.message.actionId)?.limits.perDay !== undefined && !granted.has(f.message.messageId),
        );
        if (due.length === 0) break;
        if (!ports.volume)
          throw new ProcessorWiringError(
            'an action with a daily cap would fire but the processor has no volume counter',
          );
        const day = localDay(now, policy.timeZone);
        let refusedAny = false;
        for (const f of due) {
          const { actionId, messageId } = f.message;
          if (
            !spent.has(actionId) &&
            (await ports.volume.reserve(tenant, actionId, day, rules.actions.get(actionId)!.limits.perDay!, messageId))
          )
            granted.add(messageId);
          else {
            spent.add(actionId);
            refusedAny = true;
          }
        }
        if (!refusedAny) break;
        result = run(view);
      }
      const fresh = result.firings.map((f) => f.message);
      const duplicates = events.length - result.applied;
      const outbox = [...leftover, ...fresh];
      if (
        !(await ports.states.saveState(tenant, customerId, result.state, outbox, version, loaded.profile?.householdId))
      )
        continue;
      await handOff(tenant, customerId, loaded.profile?.householdId, outbox, version + 1);
      return outcomeOf({ applied: result.applied, duplicates, dropped: 0 }, fresh.length, result.refused);
    }
    throw new ConflictError(
      `customer state kept changing under ${MAX_ATTEMPTS} attempts; the events will be redelivered`,
    );
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
