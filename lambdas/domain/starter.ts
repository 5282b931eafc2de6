import { createHash } from 'node:crypto';
import type { Action } from './action.ts';
import type { TenantId } from './ids.ts';
import type { Trigger } from './triggers.ts';
import type { Stamp } from './versioned.ts';

/**
 * A market's starting content (market config `starter`): the action catalog and triggers every
 * tenant has on day one. The seeder writes them at deploy (and `npm start`) and then manages
 * only what it wrote: an item a tenant has written through the API is the tenant's.
 */
export interface Starter {
  actions: Action[];
  triggers: Trigger[];
}

/** Who the audit trail names for what the seeder writes. */
export const SEED_ACTOR = 'seed';

/** What a seeded item carries beside its content: the seeder's mark and the hash of what it wrote. */
export interface SeedMark {
  managedBy: typeof SEED_ACTOR;
  seedHash: string;
}

/** One starter item as stored: its content and, while it is still the seeder's, the seed mark. */
export interface StoredSeedItem<T> {
  item: T;
  seed?: SeedMark;
}

/**
 * One seeded write: the seed hash of the content, when it is made, and, for an update, the seed
 * hash and stamp of the stored item it replaces (the write moves its version on, as an API write does).
 */
export interface SeedWrite {
  hash: string;
  at: string;
  replaces?: { seedHash: string; stamp: Stamp };
}

/**
 * Where the seeder writes one kind of item (actions, triggers) in a tenant's table. The port
 * keeps the API's own write path untouched: a PUT through the API replaces the whole item and so
 * drops the seed mark, which is what hands the item to the tenant.
 */
export interface SeedTarget<T> {
  readSeeded(tenant: TenantId, id: string): Promise<(StoredSeedItem<T> & { stamp: Stamp }) | undefined>;
  /** Ids the seeder has ever created for the tenant; one of them absent now was deleted by the tenant. */
  seededIds(tenant: TenantId): Promise<ReadonlySet<string>>;
  /**
   * Writes `item` with the seed mark `write.hash`: without `write.replaces` only if the item is
   * absent (and records the id as seeded), else only if it still carries that seed hash and
   * version. False when that condition no longer holds (a tenant wrote in between).
   */
  writeSeeded(tenant: TenantId, item: T, write: SeedWrite): Promise<boolean>;
}

/** JSON with object keys sorted and `undefined` dropped, so equal content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** SHA-256 (hex) of the canonical JSON: the seed hash of an item, or of a whole starter set. */
export const contentHash = (value: unknown): string => createHash('sha256').update(canonicalJson(value)).digest('hex');

export type SeedStep =
  | { write: 'create' }
  | { write: 'update'; expected: string }
  | { skip: 'unchanged' | 'tenant-owned' | 'tenant-deleted' };

/**
 * What the seeder does with one item of the config. An item is still the seeder's only while it
 * carries the seed mark and its content is exactly what that mark's hash says was written;
 * anything else was written by the tenant and is left alone, and so is an item the tenant deleted.
 */
export function seedStep<T>(desiredHash: string, stored: StoredSeedItem<T> | undefined, everSeeded: boolean): SeedStep {
  if (!stored) return everSeeded ? { skip: 'tenant-deleted' } : { write: 'create' };
  const { seed } = stored;
  if (seed?.managedBy !== SEED_ACTOR || contentHash(stored.item) !== seed.seedHash) return { skip: 'tenant-owned' };
  return seed.seedHash === desiredHash ? { skip: 'unchanged' } : { write: 'update', expected: seed.seedHash };
}

/**
 * The first admin key of a tenant, issued at deploy, has a key id that says so; an interrupted
 * earlier attempt left such a record without a stored key, and the next attempt revokes it.
 */
export const INITIAL_ADMIN_KEY_MARK = 'admin-initial';
export const initialAdminKeyId = (tenant: TenantId, suffix: string): string =>
  `${tenant}-${INITIAL_ADMIN_KEY_MARK}-${suffix}`;
export const isInitialAdminKeyId = (tenant: TenantId, keyId: string): boolean =>
  keyId.startsWith(`${tenant}-${INITIAL_ADMIN_KEY_MARK}-`);

/**
 * Where a tenant's first admin key goes (Secrets Manager in AWS). Write-only on purpose: the
 * seeder never reads a key back, and a secret that holds a value means the key was issued.
 */
export interface AdminKeyVault {
  hasKey(tenant: TenantId): Promise<boolean>;
  store(tenant: TenantId, apiKey: string): Promise<void>;
}
