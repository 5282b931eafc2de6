import type { TenantId } from '../ids.ts';
import type { AudienceRecord } from './audience-upload.ts';
import { audienceRetainedUntil } from './retention.ts';

/**
 * The one-off migration of the uploaded audiences created before retention (the old `AUDIENCES`
 * list, no expiry): each gets the expiry it would have had, its record and every id item the TTL,
 * and its entry moves to the list sorted by expiry, so erasure and subject access stop reading
 * every old audience in full.
 */

/**
 * A lease may have been taken on another machine's clock: one is taken as over only this long
 * after its end, so a reader whose lease looks expired here has stopped writing.
 */
export const LEASE_SKEW_MS = 60_000;

/**
 * When a migrated audience expires: its retention from its creation, as if it had been created
 * under retention, but not before the migration. One already older than the retention expires at
 * the migration (kept no longer than the market's limit allows, the same as a new one would be),
 * and not in the past: erasure reads the audiences expired within the TTL's lag, so its ids stay
 * erasable until TTL has deleted them.
 */
export function migratedRetainedUntil(createdAt: string, audienceDays: number, migratedAt: Date): string {
  const due = audienceRetainedUntil(new Date(createdAt), audienceDays);
  return Date.parse(due) > migratedAt.getTime() ? due : migratedAt.toISOString();
}

/**
 * Whether a reader may still be storing ids without a TTL: one holds the audience under a lease
 * that has not run out (with the clock skew allowed) at `now`.
 */
export const readerMayHold = (audience: Pick<AudienceRecord, 'status' | 'leaseUntil'>, now: Date): boolean =>
  audience.status === 'processing' &&
  audience.leaseUntil !== undefined &&
  Date.parse(audience.leaseUntil) + LEASE_SKEW_MS > now.getTime();

/** An audience of the old list, as the migration reads it (consistently). */
export interface LegacyListed {
  record: AudienceRecord;
  /** Still listed in the old list: false once an earlier (or concurrent) run moved it. */
  legacy: boolean;
}

/**
 * The steps of the migration, each idempotent, in the order that keeps every id reachable by
 * erasure and none without a TTL: the expiry on the record (fenced against a reader holding it),
 * then the ids' TTL, then the record's TTL and its move to the new list.
 */
export interface AudienceRetentionMigrationStore {
  /** The audience ids in the old list, a page at a time. */
  legacyAudiences(tenant: TenantId): AsyncIterable<string[]>;
  /** The record and whether it is still in the old list; undefined when it is gone. */
  read(tenant: TenantId, audienceId: string): Promise<LegacyListed | undefined>;
  /**
   * Sets the expiry on a record still in the old list, unless a reader holds it under a lease that
   * ends after `leaseOverBefore` (false then). Readers that claim it later store their ids with the TTL.
   */
  setExpiry(tenant: TenantId, record: AudienceRecord, retainedUntil: string, leaseOverBefore: string): Promise<boolean>;
  /** Gives every stored id of the audience the TTL of `retainedUntil`; how many it wrote. Never re-creates an erased id. */
  expireIds(
    tenant: TenantId,
    audience: Pick<AudienceRecord, 'audienceId' | 'shards'>,
    retainedUntil: string,
  ): Promise<number>;
  /** Gives the record its TTL and moves it from the old list to the list by expiry (false when already moved). */
  relist(tenant: TenantId, audienceId: string, retainedUntil: string): Promise<boolean>;
}
