import { DynamoAuditLog } from '#adapters/dynamo/audit-log.ts';
import type { AuditLog } from '#domain/audit.ts';
import type { Clock } from '#domain/clock.ts';
import type { PlatformEnv } from './platform-env.ts';
import { platformBase } from './platform.ts';

/** The audit API's ports, built once per container. */
export function auditPortsFor(env: PlatformEnv): { audit: AuditLog; clock: Clock } {
  const { db, clock, tableOf } = platformBase(env);
  return { audit: new DynamoAuditLog(db, tableOf), clock };
}
