import type { TenantId } from './ids.ts';

/**
 * What a store keeps beside a resource the API lets tenants edit (actions, triggers): its
 * version, which every write moves on and the ETag `"<version>"` names, and when it was made and
 * last changed. The domain objects themselves (Action, Trigger) do not carry it, so the decision
 * and trigger paths see them as before.
 */
export interface Stamp {
  version: number;
  /** Absent on an item stored before versions existed. */
  createdAt?: string;
  updatedAt?: string;
}

export interface Versioned<T> extends Stamp {
  value: T;
}

/**
 * A store of versioned resources. `write` and `erase` name the version they expect to replace
 * (0: none stored) and throw a PreconditionFailedError when the stored one is at another: another
 * writer won the race, and the caller reads again (app/versioned-write.ts).
 */
export interface VersionedStore<T> {
  /** The resource and its stamp; consistent after a lost race (an eventually consistent read may be older). */
  read(tenant: TenantId, id: string, options?: { consistent?: boolean }): Promise<Versioned<T> | undefined>;
  write(tenant: TenantId, stored: Versioned<T>, expectedVersion: number): Promise<void>;
  erase(tenant: TenantId, id: string, expectedVersion: number): Promise<void>;
}

/** The resource as GET and lists show it: its fields and its stamp (read-only in a PUT body). */
export const stamped = <T extends object>({ value, ...stamp }: Versioned<T>): T & Stamp => ({ ...value, ...stamp });

/**
 * The stamp a write gives: the next version, the first write's time and this one's. An item
 * stored before versions existed does not know when it was made, so it keeps no createdAt.
 */
export function nextStamp(current: Stamp | undefined, now: string): Stamp {
  const createdAt = current ? current.createdAt : now;
  return { version: (current?.version ?? 0) + 1, ...(createdAt ? { createdAt } : {}), updatedAt: now };
}
