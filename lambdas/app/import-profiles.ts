import type { Clock } from '#domain/clock.ts';
import { sameProfile, type CustomerRecord, type Profile } from '#domain/customer.ts';
import type { TenantId } from '#domain/ids.ts';
import type { CustomerRepo } from '#domain/ports.ts';

export interface ImportResult {
  written: number;
  unchanged: number;
  rejected: { customerId: string; reason: string }[];
}

/**
 * Bulk upsert of profiles. A profile that is already stored unchanged costs no write, so
 * importing the same file twice leaves the same data (and the same versions); erased
 * customers are refused, never recreated.
 */
export const importProfiles =
  (ports: { customers: CustomerRepo; clock: Clock }) =>
  async (tenant: TenantId, profiles: (Profile & { customerId: string })[]): Promise<ImportResult> => {
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
    return result;
  };
