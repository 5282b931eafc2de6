import type { Clock } from '#domain/clock.ts';
import { NotFoundError } from '#domain/errors.ts';
import { DEFAULT_MIN_OCCURRED_AT, occurredAtProblem } from '#domain/event-time.ts';
import type { CvmEvent } from '#domain/events.ts';
import type { TenantId } from '#domain/ids.ts';
import type { EventQueue, TriggerStore } from '#domain/ports/events.ts';
import type { Trigger } from '#domain/triggers.ts';
import type { AuditLog } from '#domain/audit.ts';
import { recordChange, type Actor } from './audit-trail.ts';
import type { Page, PagedList, PageRequest } from '#domain/paging.ts';
import type { IfMatch } from '#domain/preconditions.ts';
import { nextStamp, stamped, type Stamp, type VersionedStore } from '#domain/versioned.ts';
import { changeVersioned } from './versioned-write.ts';

export interface EventPorts {
  events: EventQueue;
  triggers: TriggerStore;
  clock: Clock;
  audit?: AuditLog;
  /** The market's `events.minOccurredAt`: older events are refused (default 2000-01-01). */
  minOccurredAt?: Date;
}

export interface Rejected {
  index: number;
  eventId?: string;
  errors: { field: string; message: string }[];
}

/**
 * Queues the valid events on the tenant's own queue (all of them or, if the queue fails, none
 * is acknowledged) and reports the rest. An event dated before the market's floor or in the
 * future is rejected on its own (domain/event-time.ts).
 */
export const ingestEvents =
  (ports: EventPorts) =>
  async (
    tenant: TenantId,
    valid: { index: number; event: CvmEvent }[],
    rejected: Rejected[],
  ): Promise<{ accepted: number; rejected: Rejected[] }> => {
    const bounds = { now: ports.clock.now(), notBefore: ports.minOccurredAt ?? new Date(DEFAULT_MIN_OCCURRED_AT) };
    const queued: CvmEvent[] = [];
    const refused = [...rejected];
    for (const { index, event } of valid) {
      const problem = occurredAtProblem(event.occurredAt, bounds);
      if (problem) refused.push({ index, eventId: event.eventId, errors: [{ field: 'occurredAt', message: problem }] });
      else queued.push(event);
    }
    if (queued.length) await ports.events.enqueue(tenant, queued);
    return { accepted: queued.length, rejected: refused.sort((a, b) => a.index - b.index) };
  };

/** GET /v1/triggers: a page of the tenant's triggers in id order, each with its version. */
export const listTriggers =
  (ports: { triggerPages: PagedList<Trigger & Stamp> }) =>
  (tenant: TenantId, request: PageRequest): Promise<Page<Trigger & Stamp>> =>
    ports.triggerPages.page(tenant, request);

/** What the trigger API writes to: the triggers, each versioned (ETag). */
export interface TriggerPorts {
  triggers: VersionedStore<Trigger>;
  clock: Clock;
  audit?: AuditLog;
}

export const getTrigger =
  (ports: TriggerPorts) =>
  async (tenant: TenantId, triggerId: string): Promise<Trigger & Stamp> => {
    const found = await ports.triggers.read(tenant, triggerId);
    if (!found) throw new NotFoundError(`trigger ${triggerId} not found`);
    return stamped(found);
  };

/** PUT: creates or replaces the trigger; with If-Match only over the version it names (versioned-write.ts). */
export const putTrigger =
  (ports: TriggerPorts) =>
  async (
    tenant: TenantId,
    trigger: Trigger,
    actor?: Actor,
    ifMatch?: IfMatch,
  ): Promise<{ created: boolean; trigger: Trigger & Stamp }> => {
    const { existing, written } = await changeVersioned({
      subject: `trigger ${trigger.triggerId}`,
      ifMatch,
      read: (consistent) => ports.triggers.read(tenant, trigger.triggerId, { consistent }),
      apply: async (existing) => {
        const written = { value: trigger, ...nextStamp(existing, ports.clock.now().toISOString()) };
        await ports.triggers.write(tenant, written, existing?.version ?? 0);
        return { existing, written };
      },
    });
    await recordChange(ports, tenant, actor, 'trigger.put', trigger.triggerId, {
      before: existing?.value,
      after: trigger,
    });
    return { created: !existing, trigger: stamped(written) };
  };

/** DELETE: removes the trigger; with If-Match only at the version it names. */
export const deleteTrigger =
  (ports: TriggerPorts) =>
  async (tenant: TenantId, triggerId: string, actor?: Actor, ifMatch?: IfMatch): Promise<void> => {
    const before = await changeVersioned({
      subject: `trigger ${triggerId}`,
      ifMatch,
      read: (consistent) => ports.triggers.read(tenant, triggerId, { consistent }),
      apply: async (existing) => {
        if (!existing) throw new NotFoundError(`trigger ${triggerId} not found`);
        await ports.triggers.erase(tenant, triggerId, existing.version);
        return existing.value;
      },
    });
    await recordChange(ports, tenant, actor, 'trigger.deleted', triggerId, { before });
  };
