import { APIGatewayClient, paginateGetUsage, paginateGetUsagePlans } from '@aws-sdk/client-api-gateway';
import type { TenantUsage, UsageSource } from '#domain/cost/ports.ts';
import type { TenantId } from '#domain/ids.ts';
import { monthRange } from './cloudwatch-usage-source.ts';

/** The name lib/constructs/api.ts gives a tenant's usage plan (`deployment` is `<market>-<stage>`). */
export const usagePlanName = (deployment: string, tenant: TenantId) => `cvm-${deployment}-${tenant}`;

/** The last day of a month, `yyyy-mm-dd` (GetUsage's endDate is inclusive). */
function lastDayOf(month: string): string {
  const { end } = monthRange(month);
  return new Date(end.getTime() - 86_400_000).toISOString().slice(0, 10);
}

/**
 * API requests per tenant as API Gateway counted them: each tenant has its own usage plan
 * (`cvm-<market>-<stage>-<tenant>`), found with GetUsagePlans, and GetUsage answers the month's daily
 * `[used, remaining]` per key of the plan; the used counts add up to the tenant's `ApiRequest`.
 * Both calls follow `position`. A tenant without a plan is left out (its figure then comes from
 * the meters, see CombinedUsageSource).
 */
export class UsagePlanUsageSource implements UsageSource {
  readonly method =
    "API Gateway GetUsage of each tenant's usage plan (cvm-<market>-<stage>-<tenant>): requests API Gateway counted against the tenant's key, as ApiRequest";

  /** `deployment` is `<market>-<stage>`: the plans of one stage only, when several share the account. */
  constructor(
    private readonly tenants: readonly TenantId[],
    private readonly deployment: string,
    private readonly client: APIGatewayClient = new APIGatewayClient({}),
  ) {}

  async usage(_market: string, month: string): Promise<TenantUsage> {
    const wanted = new Map(this.tenants.map((t) => [usagePlanName(this.deployment, t), t]));
    const plans = new Map<TenantId, string>();
    for await (const page of paginateGetUsagePlans({ client: this.client, pageSize: 500 }, {})) {
      for (const plan of page.items ?? []) {
        const tenant = plan.name ? wanted.get(plan.name) : undefined;
        if (tenant && plan.id) plans.set(tenant, plan.id);
      }
    }
    const startDate = `${monthRange(month).start.toISOString().slice(0, 10)}`;
    const endDate = lastDayOf(month);
    const out: TenantUsage = {};
    for (const [tenant, usagePlanId] of plans) {
      let used = 0;
      for await (const page of paginateGetUsage(
        { client: this.client, pageSize: 500 },
        { usagePlanId, startDate, endDate },
      )) {
        for (const days of Object.values(page.items ?? {})) {
          for (const day of days) used += day[0] ?? 0;
        }
      }
      out[tenant] = { ApiRequest: used };
    }
    return out;
  }
}
