import { randomBytes } from 'node:crypto';
import type { Action } from '#domain/action.ts';
import type { KeyScope } from '#domain/api-key.ts';
import type { AuditLog } from '#domain/audit.ts';
import type { Clock } from '#domain/clock.ts';
import type { TenantId } from '#domain/ids.ts';
import type { KeyAdminStore } from '#domain/ports/keys.ts';
import {
  contentHash,
  initialAdminKeyId,
  isInitialAdminKeyId,
  SEED_ACTOR,
  seedStep,
  type AdminKeyVault,
  type SeedTarget,
  type Starter,
} from '#domain/starter.ts';
import type { Trigger } from '#domain/triggers.ts';
import { recordChange } from './audit-trail.ts';
import { keyAdmin } from './keys.ts';

/** Structured log lines (Powertools in Lambda); fields name tenants and item ids, never customers. */
export interface SeedLog {
  info(message: string, fields: Record<string, unknown>): void;
}

export interface StarterPorts {
  actions: SeedTarget<Action>;
  triggers: SeedTarget<Trigger>;
  clock: Clock;
  audit?: AuditLog;
  log?: SeedLog;
}

export interface SeedCounts {
  created: number;
  updated: number;
  unchanged: number;
  /** Left alone: written or deleted by the tenant. */
  skipped: number;
}
export type StarterReport = Record<TenantId, { actions: SeedCounts; triggers: SeedCounts }>;

async function seedItems<T>(
  ports: StarterPorts,
  tenant: TenantId,
  kind: 'action' | 'trigger',
  target: SeedTarget<T>,
  items: readonly T[],
  idOf: (item: T) => string,
): Promise<SeedCounts> {
  const counts: SeedCounts = { created: 0, updated: 0, unchanged: 0, skipped: 0 };
  const everSeeded = await target.seededIds(tenant);
  const skip = (id: string, reason: string) => {
    counts.skipped++;
    ports.log?.info('seeding left a tenant item alone', { tenant, kind, id, reason });
  };
  for (const item of items) {
    const id = idOf(item);
    const hash = contentHash(item);
    const stored = await target.readSeeded(tenant, id);
    const step = seedStep(hash, stored, everSeeded.has(id));
    if ('skip' in step) {
      if (step.skip === 'unchanged') counts.unchanged++;
      else skip(id, step.skip);
      continue;
    }
    const at = ports.clock.now().toISOString();
    const replaces = step.write === 'update' && stored ? { seedHash: step.expected, stamp: stored.stamp } : undefined;
    if (!(await target.writeSeeded(tenant, item, { hash, at, ...(replaces ? { replaces } : {}) }))) {
      // the conditional write lost to a tenant's write made since the read: theirs stands
      skip(id, 'tenant-wrote-meanwhile');
      continue;
    }
    counts[step.write === 'create' ? 'created' : 'updated']++;
    await recordChange(ports, tenant, { keyId: SEED_ACTOR }, `${kind}.put`, id, { before: stored?.item, after: item });
  }
  return counts;
}

/**
 * Applies a market's starter catalog and triggers to each tenant: creates what is absent,
 * updates what the seeder wrote and nobody changed since, and leaves alone what a tenant wrote
 * or deleted and what the config no longer lists. A second run with the same config writes nothing.
 */
export const seedStarter =
  (ports: StarterPorts) =>
  async (input: { tenants: readonly TenantId[]; starter: Starter }): Promise<StarterReport> => {
    const report: StarterReport = {};
    for (const tenant of input.tenants) {
      report[tenant] = {
        actions: await seedItems(ports, tenant, 'action', ports.actions, input.starter.actions, (a) => a.actionId),
        triggers: await seedItems(ports, tenant, 'trigger', ports.triggers, input.starter.triggers, (t) => t.triggerId),
      };
    }
    return report;
  };

export interface AdminKeyPorts {
  keys: KeyAdminStore;
  vault: AdminKeyVault;
  clock: Clock;
  audit?: AuditLog;
  log?: SeedLog;
  /** The raw key generator (tests pin it). */
  newKey?: (tenant: TenantId, scope: KeyScope) => string;
}

/**
 * Each tenant's first admin key, issued once: the hash goes to the key table (the record
 * `npm run keys` writes), the key itself only to the vault. A tenant whose vault already holds a
 * key is left alone, so a later deploy never rotates it. The hash is saved before the key is
 * stored: if the run dies in between, the next one revokes that record (nobody holds its key) and
 * issues a fresh key.
 */
export const issueFirstAdminKeys =
  (ports: AdminKeyPorts) =>
  async (tenants: readonly TenantId[]): Promise<Record<TenantId, 'issued' | 'kept'>> => {
    const admin = keyAdmin({
      keys: ports.keys,
      clock: ports.clock,
      ...(ports.newKey ? { newKey: ports.newKey } : {}),
      newKeyId: (tenant) => initialAdminKeyId(tenant, randomBytes(4).toString('hex')),
      onChange: (c, actor) =>
        recordChange(ports, c.tenant, { keyId: actor }, c.what, c.keyId, { before: c.before, after: c.after }),
    });
    const out: Record<TenantId, 'issued' | 'kept'> = {};
    for (const tenant of tenants) {
      if (await ports.vault.hasKey(tenant)) {
        out[tenant] = 'kept';
        continue;
      }
      for (const { record } of await ports.keys.list(tenant)) {
        if (record.status === 'active' && isInitialAdminKeyId(tenant, record.keyId)) {
          await admin.revoke(tenant, record.keyId, SEED_ACTOR);
          ports.log?.info('revoked an admin key an interrupted seeding left unstored', { tenant, keyId: record.keyId });
        }
      }
      const { keyId, apiKey } = await admin.create(tenant, 'admin', SEED_ACTOR);
      await ports.vault.store(tenant, apiKey);
      ports.log?.info('issued the first admin key', { tenant, keyId });
      out[tenant] = 'issued';
    }
    return out;
  };

export type MarketSeedPorts = StarterPorts & AdminKeyPorts;

/** What `cdk deploy` applies through its custom resource: the starter content, then the first keys. */
export const seedMarket =
  (ports: MarketSeedPorts) => async (input: { tenants: readonly TenantId[]; starter: Starter }) => ({
    starter: await seedStarter(ports)(input),
    adminKeys: await issueFirstAdminKeys(ports)(input.tenants),
  });
