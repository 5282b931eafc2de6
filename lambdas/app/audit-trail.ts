import type { AuditLog } from '#domain/audit.ts';
import type { Clock } from '#domain/clock.ts';
import type { TenantId } from '#domain/ids.ts';

/** Who made a change: the caller's API key id (or an operator for scripts). */
export interface Actor {
  keyId: string;
}

/** Records one change next to it; a use case without an audit log (tests, scripts) records nothing. */
export async function recordChange(
  ports: { audit?: AuditLog; clock: Clock },
  tenant: TenantId,
  actor: Actor | undefined,
  what: string,
  subject: string,
  change: { before?: unknown; after?: unknown },
): Promise<void> {
  if (!ports.audit) return;
  await ports.audit.record({
    tenant,
    keyId: actor?.keyId ?? 'unknown',
    what,
    subject,
    at: ports.clock.now().toISOString(),
    ...change,
  });
}
