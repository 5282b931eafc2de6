import { decisionTableBeside } from '#adapters/dynamo/table-design.ts';
import type { PlatformEnv } from './platform-env.ts';

/** Maps a tenant to its own table; a tenant without one is a wiring fault, never a fallback. */
export function tenantTableOf(tables: Record<string, string>): (tenant: string) => string {
  return (tenant) => {
    const table = tables[tenant];
    if (!table) throw new Error("no table is configured for the caller's tenant");
    return table;
  };
}

/**
 * tenant -> its decision log table: DECISION_TABLES, else each tenant table's name with
 * `-decisions` (table-design.ts decisionTableBeside), never another tenant's.
 */
export function decisionTablesOf(env: Pick<PlatformEnv, 'TENANT_TABLES' | 'DECISION_TABLES'>): Record<string, string> {
  return (
    env.DECISION_TABLES ??
    Object.fromEntries(Object.entries(env.TENANT_TABLES).map(([tenant, table]) => [tenant, decisionTableBeside(table)]))
  );
}

/** Every table a tenant owns, for metering the capacity they consume to it. */
export function ownedTablesOf(
  env: Pick<PlatformEnv, 'TENANT_TABLES' | 'DECISION_TABLES'>,
): Record<string, readonly string[]> {
  const decisions = decisionTablesOf(env);
  return Object.fromEntries(
    Object.entries(env.TENANT_TABLES).map(([tenant, table]) => [
      tenant,
      decisions[tenant] ? [table, decisions[tenant]] : [table],
    ]),
  );
}
