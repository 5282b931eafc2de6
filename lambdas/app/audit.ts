import type { AuditLog, AuditPage } from '#domain/audit.ts';
import type { Clock } from '#domain/clock.ts';
import type { TenantId } from '#domain/ids.ts';

/** The caller's own audit trail, newest first; the current month unless one is asked for. */
export const listAudit =
  (ports: { audit: AuditLog; clock: Clock }) =>
  async (tenant: TenantId, query: { month?: string; limit?: number; nextToken?: string }): Promise<AuditPage> =>
    ports.audit.list(tenant, query.month ?? ports.clock.now().toISOString().slice(0, 7), {
      ...(query.limit ? { limit: query.limit } : {}),
      ...(query.nextToken ? { nextToken: query.nextToken } : {}),
    });
