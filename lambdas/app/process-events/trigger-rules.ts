import type { Action } from '#domain/action.ts';
import { historyDays, type ContactPolicy } from '#domain/contact-policy.ts';
import type { FoldRules } from '#domain/event-fold.ts';
import type { TenantId } from '#domain/ids.ts';
import type { ActionCatalog, TriggerStore } from '#domain/ports.ts';

export interface TriggerRules extends FoldRules {
  actions: Map<string, Action>;
  /** How far back the contact policy looks for these triggers' actions. */
  historyDays: number;
}

/**
 * A tenant's enabled triggers and their actions, kept by the container for `ttlMs`: the rules
 * change rarely and are read for every batch.
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
    const triggers = (await ports.triggers.list(tenant)).filter((t) => t.enabled);
    const actions = new Map<string, Action>();
    await Promise.all(
      [...new Set(triggers.map((t) => t.actionId))].map(async (id) => {
        const a = await ports.catalog.get(tenant, id);
        if (a) actions.set(id, a);
      }),
    );
    const entry = { until: nowMs + ttlMs, triggers, actions, historyDays: historyDays(policy, [...actions.values()]) };
    cache.set(tenant, entry);
    return entry;
  };
}
