import type { Action } from '#domain/action.ts';
import type { ActionCatalog } from '#domain/ports/catalog.ts';
import type { Versioned, VersionedStore } from '#domain/versioned.ts';

/**
 * A list younger than this is trusted even when it lacks an action the caller named: a campaign
 * naming a deleted action must not turn every contact into a catalog Query.
 */
const MIN_REFRESH_MS = 1000;

/**
 * The catalog as the decision path reads it: the tenant's list cached in the container for a
 * short TTL (one catalog Query per container per TTL, not per decision). Writes through this
 * wrapper drop the tenant's entry so the writing container sees its own change at once; another
 * container's write is seen after the TTL, or at once by a caller that names the new action.
 */
export class CachedActionCatalog implements ActionCatalog, VersionedStore<Action> {
  private readonly lists = new Map<string, { at: number; actions: Promise<Action[]> }>();

  constructor(
    private readonly inner: ActionCatalog & VersionedStore<Action>,
    private readonly ttlMs: number,
    private readonly nowMs: () => number,
  ) {}

  async list(tenant: string, options?: { including?: readonly string[] }): Promise<Action[]> {
    const hit = this.lists.get(tenant);
    if (hit && this.nowMs() - hit.at < this.ttlMs) {
      const actions = await hit.actions;
      if (!options?.including || this.nowMs() - hit.at < MIN_REFRESH_MS) return actions;
      const known = new Set(actions.map((a) => a.actionId));
      if (options.including.every((id) => known.has(id))) return actions;
    }
    return this.load(tenant);
  }

  private load(tenant: string): Promise<Action[]> {
    const actions = this.inner.list(tenant);
    this.lists.set(tenant, { at: this.nowMs(), actions });
    actions.catch(() => this.lists.delete(tenant));
    return actions;
  }

  get(tenant: string, actionId: string) {
    return this.inner.get(tenant, actionId);
  }

  read(tenant: string, actionId: string, options?: { consistent?: boolean }) {
    return this.inner.read(tenant, actionId, options);
  }

  async write(tenant: string, stored: Versioned<Action>, expectedVersion: number) {
    await this.inner.write(tenant, stored, expectedVersion);
    this.lists.delete(tenant);
  }

  async erase(tenant: string, actionId: string, expectedVersion: number) {
    await this.inner.erase(tenant, actionId, expectedVersion);
    this.lists.delete(tenant);
  }

  async put(tenant: string, action: Action) {
    await this.inner.put(tenant, action);
    this.lists.delete(tenant);
  }

  async remove(tenant: string, actionId: string) {
    const removed = await this.inner.remove(tenant, actionId);
    this.lists.delete(tenant);
    return removed;
  }
}
