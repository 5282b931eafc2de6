import type { Action } from '#domain/action.ts';
import { customerBounds, householdBounds, type LedgerBounds } from '#domain/contact-ledger.ts';
import { historyDays, type ContactPolicy } from '#domain/contact-policy.ts';
import type { FoldRules } from '#domain/event-fold.ts';
import type { TenantId } from '#domain/ids.ts';
import type { ActionCatalog } from '#domain/ports/catalog.ts';
import type { TriggerStore } from '#domain/ports/events.ts';

export interface TriggerRules extends FoldRules {
  actions: Map<string, Action>;
  /**
   * The limits of the whole catalog, not only the triggers' actions: a firing's commit prunes the
   * customer's ledger to them, and must not drop a contact another action's limit still counts.
   */
  bounds: LedgerBounds;
  household: LedgerBounds;
  /** How far back the contact policy looks for the catalog (what a ledger built from items of before it reads). */
  historyDays: number;
}

/**
 * A tenant's enabled triggers, its catalog and the ledger bounds they give, kept by the container
 * for `ttlMs`: the rules change rarely and are read for every batch.
 */
export function triggerRulesCache(
  ports: { triggers: TriggerStore; catalog: ActionCatalog },
  policy: ContactPolicy,
  ttlMs: number,
): (tenant: TenantId, nowMs: number) => Promise<TriggerRules> {
  const cache = new Map<TenantId, TriggerRules & { until: number }>();
  return async (tenant, nowMs) => {
    const hit = cache.get(tenant);
    if (hit && hit.until > nowMs) return hit;
    const [all, catalog] = await Promise.all([ports.triggers.list(tenant), ports.catalog.list(tenant)]);
    const triggers = all.filter((t) => t.enabled);
    const used = new Set(triggers.map((t) => t.actionId));
    const actions = new Map(catalog.filter((a) => used.has(a.actionId)).map((a) => [a.actionId, a]));
    const entry = {
      until: nowMs + ttlMs,
      triggers,
      actions,
      bounds: customerBounds(policy, catalog),
      household: householdBounds(policy),
      historyDays: historyDays(policy, catalog),
    };
    cache.set(tenant, entry);
    return entry;
  };
}
