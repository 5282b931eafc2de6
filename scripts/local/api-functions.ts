import type { ApiFunction } from '#http/routes.ts';
import type { ProxyHandler } from './api-gateway.ts';

/**
 * The Lambda entry of each API function, loaded the way Lambda loads it (module scope runs once).
 * A capability that adds an API function adds its line here and its construct in the stack; every
 * `fn` the route table names must have one, so a route never reaches another function locally.
 */
export const API_FUNCTIONS: Record<ApiFunction, () => Promise<{ handler: unknown }>> = {
  meta: () => import('#handlers/serve-meta.ts'),
  customers: () => import('#handlers/serve-customers.ts'),
  decisions: () => import('#handlers/serve-decisions.ts'),
  events: () => import('#handlers/serve-events.ts'),
  audit: () => import('#handlers/serve-audit.ts'),
  campaigns: () => import('#handlers/serve-campaigns.ts'),
  audiences: () => import('#handlers/serve-audiences.ts'),
  reports: () => import('#handlers/serve-reports.ts'),
  channels: () => import('#handlers/serve-channels.ts'),
};

export async function loadApiFunctions(): Promise<Partial<Record<ApiFunction, ProxyHandler>>> {
  const entries = await Promise.all(
    Object.entries(API_FUNCTIONS).map(async ([fn, load]) => [fn, (await load()).handler as ProxyHandler] as const),
  );
  return Object.fromEntries(entries);
}
