/** Port of a tenant's action catalog. */
import type { Action } from '../action.ts';
import type { TenantId } from '../ids.ts';

/** A tenant's action catalog (offers, service treatments, retention actions). */
export interface ActionCatalog {
  get(tenant: TenantId, actionId: string): Promise<Action | undefined>;
  /**
   * The tenant's actions. `including` names actions the caller knows exist (a campaign's): a
   * cached list that lacks one of them is stale, not authoritative.
   */
  list(tenant: TenantId, options?: { including?: readonly string[] }): Promise<Action[]>;
  put(tenant: TenantId, action: Action): Promise<void>;
  remove(tenant: TenantId, actionId: string): Promise<boolean>;
}
