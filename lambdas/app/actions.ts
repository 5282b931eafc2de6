import type { Action } from '#domain/action.ts';
import { treatmentProblems, type ContentRules } from '#domain/delivery/message-content.ts';
import { InvalidInputError, NotFoundError } from '#domain/errors.ts';
import type { TenantId } from '#domain/ids.ts';
import type { AuditLog } from '#domain/audit.ts';
import type { Clock } from '#domain/clock.ts';
import type { Page, PagedList, PageRequest } from '#domain/paging.ts';
import type { IfMatch } from '#domain/preconditions.ts';
import { nextStamp, stamped, type Stamp, type VersionedStore } from '#domain/versioned.ts';
import { recordChange, type Actor } from './audit-trail.ts';
import { changeVersioned } from './versioned-write.ts';

/** The tenant's action catalog: list, read, create or replace, remove; each action versioned (ETag). */
export interface ActionPorts {
  catalog: VersionedStore<Action>;
  clock: Clock;
  audit?: AuditLog;
  /** The market's content rules (SMS segments): without them, only placeholders are checked. */
  content?: ContentRules;
}

/** GET /v1/actions: a page of the catalog in id order, each action with its version. */
export const listActions =
  (ports: { actionPages: PagedList<Action & Stamp> }) =>
  (tenant: TenantId, request: PageRequest): Promise<Page<Action & Stamp>> =>
    ports.actionPages.page(tenant, request);

export const getAction =
  (ports: ActionPorts) =>
  async (tenant: TenantId, actionId: string): Promise<Action & Stamp> => {
    const stored = await ports.catalog.read(tenant, actionId);
    if (!stored) throw new NotFoundError(`action ${actionId} not found`);
    return stamped(stored);
  };

/** PUT: creates or replaces the action; with If-Match only over the version it names (versioned-write.ts). */
export const putAction =
  (ports: ActionPorts) =>
  async (
    tenant: TenantId,
    action: Action,
    actor?: Actor,
    ifMatch?: IfMatch,
  ): Promise<{ created: boolean; action: Action & Stamp }> => {
    const problems = treatmentProblems(action.treatments, ports.content);
    if (problems.length) throw new InvalidInputError('a treatment text cannot be sent as written', problems);
    const { existing, written } = await changeVersioned({
      subject: `action ${action.actionId}`,
      ifMatch,
      read: (consistent) => ports.catalog.read(tenant, action.actionId, { consistent }),
      apply: async (existing) => {
        const written = { value: action, ...nextStamp(existing, ports.clock.now().toISOString()) };
        await ports.catalog.write(tenant, written, existing?.version ?? 0);
        return { existing, written };
      },
    });
    await recordChange(ports, tenant, actor, 'action.put', action.actionId, { before: existing?.value, after: action });
    return { created: !existing, action: stamped(written) };
  };

/** DELETE: removes the action; with If-Match only at the version it names. */
export const deleteAction =
  (ports: ActionPorts) =>
  async (tenant: TenantId, actionId: string, actor?: Actor, ifMatch?: IfMatch): Promise<void> => {
    const before = await changeVersioned({
      subject: `action ${actionId}`,
      ifMatch,
      read: (consistent) => ports.catalog.read(tenant, actionId, { consistent }),
      apply: async (existing) => {
        if (!existing) throw new NotFoundError(`action ${actionId} not found`);
        await ports.catalog.erase(tenant, actionId, existing.version);
        return existing.value;
      },
    });
    await recordChange(ports, tenant, actor, 'action.deleted', actionId, { before });
  };
