import {
  LEASE_SKEW_MS,
  migratedRetainedUntil,
  readerMayHold,
  type AudienceRetentionMigrationStore,
} from '#domain/campaign/audience-migration.ts';
import type { Clock } from '#domain/clock.ts';
import type { TenantId } from '#domain/ids.ts';

export interface AudienceRetentionMigrationPorts {
  store: AudienceRetentionMigrationStore;
  clock: Clock;
  /** Market config `retention.audienceDays`. */
  audienceDays: number;
}

export interface AudienceRetentionSummary {
  tenant: TenantId;
  /** Audiences found in the old list. */
  listed: number;
  /** Moved to the list by expiry in this run. */
  migrated: number;
  /** Of those, expired at the migration: already older than the retention. */
  expiredNow: number;
  /** Id items given their TTL in this run. */
  ids: number;
  /** Being read by an upload reader (mid-upload): left in the old list, for a later run. */
  deferred: { audienceId: string; leaseUntil: string }[];
  /** Listed, but moved or deleted meanwhile: nothing to do. */
  skipped: number;
}

/**
 * Moves a tenant's audiences of before retention to retention: each gets its expiry, every id
 * its TTL, and its entry leaves the old list. Safe to run again (the old list is the work left:
 * a second run finds it empty and writes nothing), to resume after a crash (an expiry already set
 * is kept, ids already carrying the TTL are not written again), and while the platform serves:
 * an audience a reader holds mid-upload is deferred, and one fenced is claimed later with its expiry.
 * `dryRun` only reads, and says what a run would do.
 */
export const migrateAudienceRetention =
  (ports: AudienceRetentionMigrationPorts) =>
  async (tenant: TenantId, options: { dryRun?: boolean } = {}): Promise<AudienceRetentionSummary> => {
    const { store, clock, audienceDays } = ports;
    const migratedAt = clock.now();
    const summary: AudienceRetentionSummary = {
      tenant,
      listed: 0,
      migrated: 0,
      expiredNow: 0,
      ids: 0,
      deferred: [],
      skipped: 0,
    };
    for await (const page of store.legacyAudiences(tenant)) {
      // one audience at a time: its ids are written in parallel already, and a run this paced
      // leaves the table's capacity to the traffic it serves meanwhile
      for (const audienceId of page) {
        summary.listed++;
        const found = await store.read(tenant, audienceId);
        if (!found?.legacy) {
          summary.skipped++;
          continue;
        }
        const { record } = found;
        const now = clock.now();
        if (readerMayHold(record, now)) {
          summary.deferred.push({ audienceId, leaseUntil: record.leaseUntil! });
          continue;
        }
        // an interrupted run's expiry stands: its ids may already carry it
        const retainedUntil = record.retainedUntil ?? migratedRetainedUntil(record.createdAt, audienceDays, migratedAt);
        const expiredNow = Date.parse(retainedUntil) <= now.getTime();
        if (options.dryRun) {
          summary.migrated++;
          if (expiredNow) summary.expiredNow++;
          continue;
        }
        const leaseOverBefore = new Date(now.getTime() - LEASE_SKEW_MS).toISOString();
        if (!(await store.setExpiry(tenant, record, retainedUntil, leaseOverBefore))) {
          // claimed (or moved) between the read and the write: the next run sees which
          const again = await store.read(tenant, audienceId);
          if (again?.legacy && again.record.leaseUntil)
            summary.deferred.push({ audienceId, leaseUntil: again.record.leaseUntil });
          else summary.skipped++;
          continue;
        }
        summary.ids += await store.expireIds(tenant, record, retainedUntil);
        if (await store.relist(tenant, audienceId, retainedUntil)) {
          summary.migrated++;
          if (expiredNow) summary.expiredNow++;
        } else summary.skipped++;
      }
    }
    return summary;
  };
