import { randomBytes } from 'node:crypto';
import { hashApiKey, keyIsUsable, newApiKey, type ApiKeyRecord, type KeyScope } from '#domain/api-key.ts';
import type { Clock } from '#domain/clock.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '#domain/errors.ts';
import type { TenantId } from '#domain/ids.ts';
import type { AuthorizerCache, KeyAdminStore, StoredKey } from '#domain/ports/keys.ts';

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
  /** Flushed after a revocation or rotation, so the change is not hidden behind cached answers. */
  authorizerCache?: AuthorizerCache;
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
 * What became of the authorizer cache after a change: `flushed` or `nothing-cached` (the change
 * holds for the next request), `not-configured` or `failed` (cached answers may outlive it for
 * up to the cache TTL, 60 s).
 */
export type CacheOutcome = 'flushed' | 'nothing-cached' | 'not-configured' | { failed: string };

/** How often a change of one key is retried after losing a conditional write to another writer. */
const MAX_ATTEMPTS = 10;

/**
 * API key administration per tenant. Only hashes are stored; a new key is returned once, to be
 * shown to the operator and never kept. Rotation issues a new key and lets the old ones of the
 * same scope run on for an overlap window (both work until it ends).
 *
 * Concurrency: every change of a key is a conditional write on the version it was read at, and is
 * recomputed from a fresh read when another writer came first, so no change is lost or undone.
 * A rotation writes its new key as `issuing` and activates it only after it has expired the old
 * ones; other rotations expire only keys that were `active` when they listed them. So a key a
 * rotation prints stays valid until a rotation that started after it was activated expires it
 * deliberately, and two concurrent rotations never expire each other's new keys.
 */
export const keyAdmin = (ports: KeyPorts) => {
  const makeKey = ports.newKey ?? newApiKey;
  const makeId =
    ports.newKeyId ?? ((tenant: TenantId, scope: KeyScope) => `${tenant}-${scope}-${randomBytes(4).toString('hex')}`);
  const notify = async (change: KeyChange, actor: string) => {
    if (ports.onChange) await ports.onChange(change, actor);
  };

  /**
   * Applies `next` to one key: a conditional replace, re-read and recomputed when another writer
   * changed the key first. `next` answers undefined when the key needs no change (as it now is).
   */
  async function changeKey(
    stored: StoredKey,
    next: (current: ApiKeyRecord) => ApiKeyRecord | undefined,
  ): Promise<{ before: ApiKeyRecord; after: ApiKeyRecord; written: boolean } | undefined> {
    let current: StoredKey | undefined = stored;
    for (let attempt = 0; attempt < MAX_ATTEMPTS && current; attempt++) {
      const after = next(current.record);
      if (!after) return { before: current.record, after: current.record, written: false };
      if (await ports.keys.replace(current.keyHash, after, current.version))
        return { before: current.record, after, written: true };
      current = await ports.keys.load(current.keyHash);
    }
    if (!current) return undefined; // deleted meanwhile (TTL): nothing left to change
    throw new ConflictError(`key ${stored.record.keyId} kept changing under this command; run it again`);
  }

  async function flushCache(): Promise<CacheOutcome> {
    if (!ports.authorizerCache) return 'not-configured';
    try {
      return await ports.authorizerCache.flush();
    } catch (err) {
      return { failed: err instanceof Error ? err.message : String(err) };
    }
  }

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
    await ports.keys.insert(hashApiKey(apiKey), record);
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
   * New key of `scope`; every other key of that scope that was usable when the rotation listed
   * them (or just `keyId`) expires at now + overlap. A key that already expires sooner keeps its
   * earlier end; a key another rotation is still issuing is not touched.
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
    const old = (await ports.keys.list(tenant)).filter(
      (k) =>
        k.record.scope === opts.scope && keyIsUsable(k.record, now) && (!opts.keyId || k.record.keyId === opts.keyId),
    );
    if (opts.keyId && old.length === 0)
      throw new NotFoundError(`tenant ${tenant} has no usable ${opts.scope} key ${opts.keyId}`);

    const apiKey = makeKey(tenant, opts.scope);
    const keyHash = hashApiKey(apiKey);
    const issuing: ApiKeyRecord = {
      keyId: makeId(tenant, opts.scope),
      tenant,
      scope: opts.scope,
      status: 'issuing',
      createdAt: now.toISOString(),
    };
    await ports.keys.insert(keyHash, issuing);

    const until = new Date(now.getTime() + opts.overlapHours * 3_600_000);
    const expiring: { keyId: string; expiresAt: string }[] = [];
    for (const k of old) {
      const changed = await changeKey(k, (current) => {
        // revoked or expired meanwhile: nothing to shorten
        if (!keyIsUsable(current, now)) return undefined;
        const end = current.expiresAt ? new Date(current.expiresAt) : undefined;
        if (end && end <= until) return undefined;
        return { ...current, expiresAt: until.toISOString() };
      });
      // unchanged and no longer usable: revoked or expired by another writer meanwhile
      if (!changed || (!changed.written && !keyIsUsable(changed.after, now))) continue;
      if (changed.written) {
        await notify(
          {
            tenant,
            keyId: k.record.keyId,
            what: 'key.rotated',
            before: withoutTenant(changed.before),
            after: withoutTenant(changed.after),
          },
          actor,
        );
      }
      if (changed.after.expiresAt) expiring.push({ keyId: k.record.keyId, expiresAt: changed.after.expiresAt });
    }

    const activated = await changeKey({ keyHash, record: issuing, version: 1 }, (current) =>
      current.status === 'issuing' ? { ...current, status: 'active' } : undefined,
    );
    if (activated?.after.status !== 'active')
      throw new ConflictError(`the new key ${issuing.keyId} was revoked before the rotation finished`);
    await notify({ tenant, keyId: issuing.keyId, what: 'key.created', after: withoutTenant(activated.after) }, actor);
    const cache = await flushCache();
    return { created: { keyId: issuing.keyId, apiKey, record: view(activated.after, now) }, expiring, cache };
  }

  async function revoke(tenant: TenantId, keyId: string, actor = 'cli'): Promise<KeyView & { cache: CacheOutcome }> {
    const found = (await ports.keys.list(tenant)).find((k) => k.record.keyId === keyId);
    if (!found) throw new NotFoundError(`tenant ${tenant} has no key ${keyId}`);
    const changed = await changeKey(found, (current) =>
      current.status === 'revoked' ? undefined : { ...current, status: 'revoked' },
    );
    if (!changed) throw new NotFoundError(`tenant ${tenant} has no key ${keyId}`);
    if (changed.written) {
      await notify(
        {
          tenant,
          keyId,
          what: 'key.revoked',
          before: withoutTenant(changed.before),
          after: withoutTenant(changed.after),
        },
        actor,
      );
    }
    const cache = await flushCache();
    return { ...view(changed.after, ports.clock.now()), cache };
  }

  return { create, list, rotate, revoke };
};
