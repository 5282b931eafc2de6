import type { Clock } from '#domain/clock.ts';
import { sameProfile, type CustomerRecord, type Profile } from '#domain/customer.ts';
import type { TenantId } from '#domain/ids.ts';
import type { CustomerRepo } from '#domain/ports/customers.ts';
import type { CustomerStateRepo } from '#domain/ports/events.ts';
import { stateFromUsage, type UsagePeriod } from '#domain/datasets/usage-state.ts';

export interface ImportResult {
  written: number;
  unchanged: number;
  rejected: { customerId: string; reason: string }[];
  /** Customers whose state the import created from their usage period (only when usage was given). */
  states?: number;
}

/**
 * Bulk upsert of profiles. A profile that is already stored unchanged costs no write, so
 * importing the same file twice leaves the same data (and the same versions); erased
 * customers are refused, never recreated.
 */
export const importProfiles =
  (ports: { customers: CustomerRepo; clock: Clock; states?: CustomerStateRepo }) =>
  async (
    tenant: TenantId,
    profiles: (Profile & { customerId: string })[],
    usage?: ReadonlyMap<string, UsagePeriod>,
  ): Promise<ImportResult> => {
    const result: ImportResult = { written: 0, unchanged: 0, rejected: [] };
    const byId = new Map(profiles.map((p) => [p.customerId, p]));
    if (byId.size !== profiles.length) {
      const seen = new Set<string>();
      for (const p of profiles) {
        if (seen.has(p.customerId))
          result.rejected.push({ customerId: p.customerId, reason: 'duplicate customer id in the same batch' });
        seen.add(p.customerId);
      }
    }
    const stored = await ports.customers.loadProfiles(tenant, [...byId.keys()]);
    const now = ports.clock.now().toISOString();
    const toWrite: CustomerRecord[] = [];
    for (const [customerId, { customerId: _id, ...profile }] of byId) {
      const current = stored.get(customerId);
      if (current === 'erased') {
        result.rejected.push({ customerId, reason: 'customer was erased' });
      } else if (current && sameProfile(current, profile)) {
        result.unchanged++;
      } else {
        toWrite.push({
          ...profile,
          customerId,
          version: (current?.version ?? 0) + 1,
          createdAt: current?.createdAt ?? now,
          updatedAt: now,
          ...(current?.scores ? { scores: current.scores } : {}),
        });
      }
    }
    const { written, failed } = await ports.customers.saveMany(tenant, toWrite);
    result.written += written;
    for (const f of failed)
      result.rejected.push({ customerId: f.customerId, reason: 'not written after retries (throttled)' });
    if (usage && ports.states) result.states = await seedStates(ports.states, tenant, byId, usage, result, ports.clock);
    return result;
  };

/**
 * A freshly imported customer's state from its usage period (usage-state.ts), so it scores at
 * serving as the row did in training. Only where no state exists yet (a create conditional on
 * none, and on no tombstone): once events have made one, they are the customer's behaviour and
 * an import again changes nothing, so importing the same file twice leaves the same state.
 */
async function seedStates(
  states: CustomerStateRepo,
  tenant: TenantId,
  byId: ReadonlyMap<string, unknown>,
  usage: ReadonlyMap<string, UsagePeriod>,
  result: ImportResult,
  clock: Clock,
): Promise<number> {
  const refused = new Set(result.rejected.map((r) => r.customerId));
  const now = clock.now();
  const saved = await Promise.all(
    [...byId.keys()].map((customerId) => {
      const period = usage.get(customerId);
      if (!period || refused.has(customerId)) return false;
      return states.saveState(tenant, customerId, stateFromUsage(period, now), [], 0);
    }),
  );
  return saved.filter(Boolean).length;
}
