import type { Clock } from '#domain/clock.ts';
import { NotFoundError } from '#domain/errors.ts';
import type { CvmEvent } from '#domain/events.ts';
import type { TenantId } from '#domain/ids.ts';
import type { EventQueue, TriggerStore } from '#domain/ports.ts';
import type { Trigger } from '#domain/triggers.ts';
import type { AuditLog } from '#domain/audit.ts';
import { recordChange, type Actor } from './audit-trail.ts';

export interface EventPorts {
  events: EventQueue;
  triggers: TriggerStore;
  clock: Clock;
  audit?: AuditLog;
}

export interface Rejected {
  index: number;
  eventId?: string;
  errors: { field: string; message: string }[];
}

/** How far ahead of the platform clock an event may claim to have happened (clock skew). */
const MAX_FUTURE_MS = 15 * 60_000;

/**
 * Queues the valid events on the tenant's own queue (all of them or, if the queue fails, none
 * is acknowledged) and reports the rest. An event dated in the future is rejected: it would sit
 * in every window.
 */
export const ingestEvents =
  (ports: EventPorts) =>
  async (
    tenant: TenantId,
    valid: { index: number; event: CvmEvent }[],
    rejected: Rejected[],
  ): Promise<{ accepted: number; rejected: Rejected[] }> => {
    const limit = ports.clock.now().getTime() + MAX_FUTURE_MS;
    const queued: CvmEvent[] = [];
    const refused = [...rejected];
    for (const { index, event } of valid) {
      if (Date.parse(event.occurredAt) > limit) {
        refused.push({
          index,
          eventId: event.eventId,
          errors: [{ field: 'occurredAt', message: 'lies in the future' }],
        });
      } else queued.push(event);
    }
    if (queued.length) await ports.events.enqueue(tenant, queued);
    return { accepted: queued.length, rejected: refused.sort((a, b) => a.index - b.index) };
  };

export const listTriggers = (ports: EventPorts) => async (tenant: TenantId) => ({
  items: (await ports.triggers.list(tenant)).sort((a, b) => (a.triggerId < b.triggerId ? -1 : 1)),
});

export const getTrigger =
  (ports: EventPorts) =>
  async (tenant: TenantId, triggerId: string): Promise<Trigger> => {
    const found = await ports.triggers.get(tenant, triggerId);
    if (!found) throw new NotFoundError(`trigger ${triggerId} not found`);
    return found;
  };

export const putTrigger =
  (ports: EventPorts) =>
  async (tenant: TenantId, trigger: Trigger, actor?: Actor): Promise<{ created: boolean; trigger: Trigger }> => {
    const existing = await ports.triggers.get(tenant, trigger.triggerId);
    await ports.triggers.put(tenant, trigger);
    await recordChange(ports, tenant, actor, 'trigger.put', trigger.triggerId, { before: existing, after: trigger });
    return { created: !existing, trigger };
  };

export const deleteTrigger =
  (ports: EventPorts) =>
  async (tenant: TenantId, triggerId: string, actor?: Actor): Promise<void> => {
    const before = await ports.triggers.get(tenant, triggerId);
    if (!(await ports.triggers.remove(tenant, triggerId))) throw new NotFoundError(`trigger ${triggerId} not found`);
    await recordChange(ports, tenant, actor, 'trigger.deleted', triggerId, { before });
  };
