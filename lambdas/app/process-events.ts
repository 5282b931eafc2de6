import type { Action, ContactRecord } from '#domain/action.ts';
import type { Clock } from '#domain/clock.ts';
import { applyEvent, emptyState, measureState, type StateConfig } from '#domain/customer-state.ts';
import { ConflictError } from '#domain/errors.ts';
import type { CvmEvent } from '#domain/events.ts';
import type { CustomerId, TenantId } from '#domain/ids.ts';
import type { ActionCatalog, CustomerStateRepo, OutboundQueue, TriggerStore } from '#domain/ports.ts';
import { evaluateTriggers, type MarketRules, type OutboundMessage, type Trigger } from '#domain/triggers.ts';

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
}

export interface ProcessOutcome {
  applied: number;
  duplicates: number;
  /** Events of an erased customer, dropped. */
  dropped: number;
  messages: number;
}

const MAX_ATTEMPTS = 8;

export const contactOf = (m: OutboundMessage): ContactRecord => ({
  id: m.messageId,
  at: m.createdAt,
  channel: m.channel,
  actionId: m.actionId,
  kind: m.kind,
  source: m.reason.type === 'decision' ? 'decision' : m.reason.type,
});

const byTime = (a: CvmEvent, b: CvmEvent) =>
  Date.parse(a.occurredAt) - Date.parse(b.occurredAt) || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);

/**
 * Applies one customer's events (one fold, one conditional write) and hands off the trigger
 * firings. Exactly-once: the applied event ids live in the state item, so the fold and the ids
 * are written together; firings ride in the same write (an outbox) and are handed off after it,
 * under deterministic message ids, so a crash anywhere repeats a hand-off but never a firing.
 */
export const processCustomerEvents = (ports: ProcessPorts) => {
  const cache = new Map<TenantId, { until: number; triggers: Trigger[]; actions: Map<string, Action> }>();
  const ttl = ports.triggerCacheMs ?? 30_000;

  async function rulesOf(tenant: TenantId, nowMs: number) {
    const hit = cache.get(tenant);
    if (hit && hit.until > nowMs) return hit;
    const triggers = (await ports.triggers.list(tenant)).filter((t) => t.enabled);
    const actions = new Map<string, Action>();
    await Promise.all([...new Set(triggers.map((t) => t.actionId))].map(async (id) => {
      const a = await ports.catalog.get(tenant, id);
      if (a) actions.set(id, a);
    }));
    const entry = { until: nowMs + ttl, triggers, actions };
    cache.set(tenant, entry);
    return entry;
  }

  async function handOff(tenant: TenantId, customerId: CustomerId, outbox: OutboundMessage[], version: number) {
    if (outbox.length === 0) return;
    await ports.outbound.send(outbox);
    await ports.states.recordContacts(tenant, customerId, outbox.map(contactOf));
    await ports.states.clearOutbox(tenant, customerId, version);
  }

  return async (tenant: TenantId, customerId: CustomerId, events: CvmEvent[]): Promise<ProcessOutcome> => {
    const ordered = [...events].sort(byTime);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const loaded = await ports.states.loadForEvents(tenant, customerId);
      if (loaded.erased) return { applied: 0, duplicates: 0, dropped: events.length, messages: 0 };
      const now = ports.clock.now();
      const version = loaded.stored?.version ?? 0;
      const leftover = loaded.stored?.outbox ?? [];
      const rules = await rulesOf(tenant, now.getTime());
      let state = loaded.stored ? measureState(loaded.stored.state, now, ports.stateConfig) : emptyState(now);
      const fresh: OutboundMessage[] = [];
      let applied = 0;
      for (const event of ordered) {
        const next = applyEvent(state, event, now, ports.stateConfig);
        if (next === state) continue;
        applied++;
        state = next;
        const candidates = rules.triggers.filter((t) => t.eventType === event.type);
        if (candidates.length === 0) continue;
        const verdict = evaluateTriggers(candidates, {
          tenant, customerId, ...(loaded.profile ? { profile: loaded.profile } : {}), state, event, now, market: ports.market, actions: rules.actions,
        });
        state = { ...state, fired: verdict.fired };
        fresh.push(...verdict.firings.map((f) => f.message));
      }
      const duplicates = events.length - applied;
      if (applied === 0) {
        // Nothing new; finish a hand-off an earlier attempt may have left behind.
        await handOff(tenant, customerId, leftover, version);
        return { applied: 0, duplicates, dropped: 0, messages: 0 };
      }
      const outbox = [...leftover, ...fresh];
      if (!(await ports.states.saveState(tenant, customerId, state, outbox, version))) continue;
      await handOff(tenant, customerId, outbox, version + 1);
      return { applied, duplicates, dropped: 0, messages: fresh.length };
    }
    throw new ConflictError(`customer state kept changing under ${MAX_ATTEMPTS} attempts; the events will be redelivered`);
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
