import { type ApiClient, apiClient, fetchTransport } from '../../scripts/lib/api/api-client.ts';
import type { StartedRuntime } from '../../scripts/local/npm-start.ts';

export interface TenantApi {
  /** The tenant's admin key: everything. */
  admin: ApiClient;
  /** One of the tenant's channel keys: customers, events, decisions, responses. */
  channel: ApiClient;
  keys: { apiKey: string; channelKey: string };
}

/** The typed API client of the local runtime, as a tenant's admin and as its channel. */
export function tenantApi(rt: StartedRuntime, tenant: string): TenantApi {
  const keys = rt.info.tenants[tenant];
  if (!keys) throw new Error(`tenant ${tenant} is not in runtime.json`);
  const transport = fetchTransport(rt.info.baseUrl);
  return {
    admin: apiClient(transport, { key: keys.apiKey }),
    channel: apiClient(transport, { key: keys.channelKey }),
    keys,
  };
}

/** The typed client with no key: the public routes, and what the API answers a caller without one. */
export const anonymousApi = (rt: StartedRuntime): ApiClient => apiClient(fetchTransport(rt.info.baseUrl));
