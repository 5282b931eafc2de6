import type { ApiFunction } from '#http/routes.ts';
import type { ProxyHandler } from './api-gateway.ts';

/**
 * The Lambda entry of each API function, loaded the way Lambda loads it (module scope runs once).
 * A capability that adds an API function adds its line here and its construct in the stack.
 */
export const API_FUNCTIONS: Partial<Record<ApiFunction, () => Promise<{ handler: unknown }>>> = {
  meta: () => import('#handlers/meta-api.ts'),
  customers: () => import('#handlers/customers-api.ts'),
  decisions: () => import('#handlers/decisions-api.ts'),
  events: () => import('#handlers/events-api.ts'),
  audit: () => import('#handlers/audit-api.ts'),
  campaigns: () => import('#handlers/campaigns-api.ts'),
  reports: () => import('#handlers/reports-api.ts'),
  channels: () => import('#handlers/channels-api.ts'),
};

export async function loadApiFunctions(): Promise<Partial<Record<ApiFunction, ProxyHandler>>> {
  const entries = await Promise.all(
    Object.entries(API_FUNCTIONS).map(async ([fn, load]) => [fn, (await load()).handler as ProxyHandler] as const),
  );
  return Object.fromEntries(entries);
}
