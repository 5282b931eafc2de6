import { randomBytes } from 'node:crypto';
import { hashApiKey, keyIsUsable, newApiKey, type ApiKeyRecord, type KeyScope } from '#domain/api-key.ts';
import type { Clock } from '#domain/clock.ts';
import { InvalidInputError, NotFoundError } from '#domain/errors.ts';
import type { TenantId } from '#domain/ids.ts';
import type { KeyAdminStore } from '#domain/ports.ts';

export interface KeyChange {
  tenant: TenantId;
  keyId: string;
  what: 'key.created' | 'key.rotated' | 'key.revoked';
  before?: Omit<ApiKeyRecord, 'tenant'>;
  after?: Omit<ApiKeyRecord, 'tenant'>;
}

export interface KeyPorts {
  keys: KeyAdminStore;
  clock: Clock;
  /** The raw key generator (tests pin it). */
  newKey?: (tenant: TenantId, scope: KeyScope) => string;
  newKeyId?: (tenant: TenantId, scope: KeyScope) => string;
  /** Told about every change, e.g. to write the audit log. */
  onChange?: (change: KeyChange, actorKeyId: string) => Promise<void>;
}

export interface KeyView {
  keyId: string;
  scope: KeyScope;
  status: ApiKeyRecord['status'];
  usable: boolean;
  createdAt?: string;
  expiresAt?: string;
}

const view = (r: ApiKeyRecord, now: Date): KeyView => ({
  keyId: r.keyId,
  scope: r.scope,
  status: r.status,
  usable: keyIsUsable(r, now),
  ...(r.createdAt ? { createdAt: r.createdAt } : {}),
  ...(r.expiresAt ? { expiresAt: r.expiresAt } : {}),
});
const withoutTenant = ({ tenant: _t, ...rest }: ApiKeyRecord) => rest;

/**
 * API key administration per tenant. Only hashes are stored; a new key is returned once, to be
 * shown to the operator and never kept. Rotation issues a new key and lets the old ones of the
 * same scope run on for an overlap window (both work until it ends).
 */
export const keyAdmin = (ports: KeyPorts) => {
  const makeKey = ports.newKey ?? newApiKey;
  const makeId =
    ports.newKeyId ?? ((tenant: TenantId, scope: KeyScope) => `${tenant}-${scope}-${randomBytes(4).toString('hex')}`);
  const notify = async (change: KeyChange, actor: string) => {
    if (ports.onChange) await ports.onChange(change, actor);
  };

  async function create(
    tenant: TenantId,
    scope: KeyScope,
    actor = 'cli',
  ): Promise<{ keyId: string; apiKey: string; record: KeyView }> {
    const apiKey = makeKey(tenant, scope);
    const record: ApiKeyRecord = {
      keyId: makeId(tenant, scope),
      tenant,
      scope,
      status: 'active',
      createdAt: ports.clock.now().toISOString(),
    };
    await ports.keys.save(hashApiKey(apiKey), record);
    await notify({ tenant, keyId: record.keyId, what: 'key.created', after: withoutTenant(record) }, actor);
    return { keyId: record.keyId, apiKey, record: view(record, ports.clock.now()) };
  }

  async function list(tenant: TenantId): Promise<KeyView[]> {
    const now = ports.clock.now();
    return (await ports.keys.list(tenant))
      .map((k) => view(k.record, now))
      .sort((a, b) => a.keyId.localeCompare(b.keyId));
  }

  /**
   * New key of `scope`; every other usable key of that scope (or just `keyId`) expires at
   * now + overlap. A key that already expires sooner keeps its earlier end.
   */
  async function rotate(
    tenant: TenantId,
    opts: { scope: KeyScope; overlapHours: number; keyId?: string },
    actor = 'cli',
  ) {
    if (!Number.isFinite(opts.overlapHours) || opts.overlapHours < 0 || opts.overlapHours > 24 * 30) {
      throw new InvalidInputError('the overlap is 0 to 720 hours', [
        { field: 'overlapHours', message: 'between 0 and 720' },
      ]);
    }
    const now = ports.clock.now();
    const existing = await ports.keys.list(tenant);
    const old = existing.filter(
      (k) =>
        k.record.scope === opts.scope && keyIsUsable(k.record, now) && (!opts.keyId || k.record.keyId === opts.keyId),
    );
    if (opts.keyId && old.length === 0)
      throw new NotFoundError(`tenant ${tenant} has no usable ${opts.scope} key ${opts.keyId}`);
    const created = await create(tenant, opts.scope, actor);
    const until = new Date(now.getTime() + opts.overlapHours * 3_600_000);
    const expiring: { keyId: string; expiresAt: string }[] = [];
    for (const k of old) {
      const current = k.record.expiresAt ? new Date(k.record.expiresAt) : undefined;
      const expiresAt = (current && current < until ? current : until).toISOString();
      const after: ApiKeyRecord = { ...k.record, expiresAt };
      await ports.keys.save(k.keyHash, after);
      await notify(
        {
          tenant,
          keyId: k.record.keyId,
          what: 'key.rotated',
          before: withoutTenant(k.record),
          after: withoutTenant(after),
        },
        actor,
      );
      expiring.push({ keyId: k.record.keyId, expiresAt });
    }
    return { created, expiring };
  }

  async function revoke(tenant: TenantId, keyId: string, actor = 'cli'): Promise<KeyView> {
    const found = (await ports.keys.list(tenant)).find((k) => k.record.keyId === keyId);
    if (!found) throw new NotFoundError(`tenant ${tenant} has no key ${keyId}`);
    const after: ApiKeyRecord = { ...found.record, status: 'revoked' };
    await ports.keys.save(found.keyHash, after);
    await notify(
      { tenant, keyId, what: 'key.revoked', before: withoutTenant(found.record), after: withoutTenant(after) },
      actor,
    );
    return view(after, ports.clock.now());
  }

  return { create, list, rotate, revoke };
};
