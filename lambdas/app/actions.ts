import type { Action } from '#domain/action.ts';
import { NotFoundError } from '#domain/errors.ts';
import type { TenantId } from '#domain/ids.ts';
import type { AuditLog } from '#domain/audit.ts';
import type { Clock } from '#domain/clock.ts';
import type { ActionCatalog } from '#domain/ports.ts';
import { recordChange, type Actor } from './audit-trail.ts';

/** The tenant's action catalog: list, read, create or replace, remove. */
export interface ActionPorts {
  catalog: ActionCatalog;
  clock: Clock;
  audit?: AuditLog;
}

export const listActions = (ports: ActionPorts) => async (tenant: TenantId) => ({
  items: (await ports.catalog.list(tenant)).sort((a, b) => (a.actionId < b.actionId ? -1 : 1)),
});

export const getAction =
  (ports: ActionPorts) =>
  async (tenant: TenantId, actionId: string): Promise<Action> => {
    const action = await ports.catalog.get(tenant, actionId);
    if (!action) throw new NotFoundError(`action ${actionId} not found`);
    return action;
  };

export const putAction =
  (ports: ActionPorts) =>
  async (tenant: TenantId, action: Action, actor?: Actor): Promise<{ created: boolean; action: Action }> => {
    const existing = await ports.catalog.get(tenant, action.actionId);
    await ports.catalog.put(tenant, action);
    await recordChange(ports, tenant, actor, 'action.put', action.actionId, { before: existing, after: action });
    return { created: !existing, action };
  };

export const deleteAction =
  (ports: ActionPorts) =>
  async (tenant: TenantId, actionId: string, actor?: Actor): Promise<void> => {
    const before = await ports.catalog.get(tenant, actionId);
    if (!(await ports.catalog.remove(tenant, actionId))) throw new NotFoundError(`action ${actionId} not found`);
    await recordChange(ports, tenant, actor, 'action.deleted', actionId, { before });
  };
