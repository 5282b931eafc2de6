import { Stack, Tag, Tags, type IAspect } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { MarketConfig, TenantConfig } from '#config/market-config.ts';

export const TAG_MARKET = 'cvm:market';
export const TAG_TENANT = 'cvm:tenant';
export const TAG_COST_CENTER = 'cvm:cost-center';
export const TAG_ENVIRONMENT = 'cvm:environment';
export const TAG_COMPONENT = 'cvm:component';
/**
 * `<market>/<stage>/<tenant>` (`shared` for what no tenant owns): unique per billing unit, since a
 * tenant id such as `consumer` exists in several markets and a market has several stages. Each
 * tenant's AWS Budget filters on it, and the cost report groups the account's cost by it, which
 * gives market, stage and tenant in one Cost Explorer grouping.
 */
export const TAG_BILLING_UNIT = 'cvm:billing-unit';
/** The six cost-allocation tags every taggable resource carries (activate them in Billing). */
export const COST_TAGS = [
  TAG_MARKET,
  TAG_TENANT,
  TAG_COST_CENTER,
  TAG_ENVIRONMENT,
  TAG_COMPONENT,
  TAG_BILLING_UNIT,
] as const;

/** Resources no tenant owns alone; their cost is split by metered usage in the cost report. */
export const SHARED_TENANT = 'shared';

/** The billing unit of a tenant (or of the shared resources) of one deployment: `demo/prod/consumer`. */
export const billingUnitOf = (config: Pick<MarketConfig, 'code' | 'stage'>, tenant: string): string =>
  `${config.code}/${config.stage.name}/${tenant}`;

/**
 * Marks everything under `scope` as the tenant's: its tenant, cost centre and billing unit. Every
 * construct that builds a tenant's own resources (tables, key, queues, usage plan, secrets,
 * alarms) tags them through here, so the three never disagree.
 */
export function tagTenant(scope: IConstruct, config: Pick<MarketConfig, 'code' | 'stage'>, tenant: TenantConfig): void {
  Tags.of(scope).add(TAG_TENANT, tenant.id);
  Tags.of(scope).add(TAG_COST_CENTER, tenant.costCenter);
  Tags.of(scope).add(TAG_BILLING_UNIT, billingUnitOf(config, tenant.id));
}

/**
 * Below the default Tags.of(...).add priority (100), so a construct that tags its tenant's
 * resources (`tagTenant(silo, config, tenant)`) always wins over these defaults.
 */
const DEFAULT_TAG_PRIORITY = 50;

/**
 * `CustomerStore` -> `customer-store`: the component is the top-level construct under the market's
 * stack, also for what lives in a nested stack (`Audiences/Stack/AudiencesFn` -> `audiences`).
 */
export function componentOf(node: IConstruct): string {
  let stack = Stack.of(node);
  while (stack.nestedStackParent) stack = stack.nestedStackParent;
  const scopes = node.node.scopes;
  const top = scopes[scopes.indexOf(stack) + 1];
  if (!top || top === stack) return 'platform';
  return top.node.id
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .toLowerCase();
}

/**
 * The one cost-allocation Aspect: market, tenant (default `shared`), cost centre (default the
 * market's shared one), environment, component and billing unit (default `<market>/<stage>/shared`)
 * on every taggable resource.
 */
export class CostAllocationTags implements IAspect {
  constructor(private readonly config: MarketConfig) {}

  visit(node: IConstruct): void {
    const defaults: Record<(typeof COST_TAGS)[number], string> = {
      [TAG_MARKET]: this.config.code,
      [TAG_TENANT]: SHARED_TENANT,
      [TAG_COST_CENTER]: this.config.sharedCostCenter,
      [TAG_ENVIRONMENT]: this.config.stage.environment,
      [TAG_COMPONENT]: componentOf(node),
      [TAG_BILLING_UNIT]: billingUnitOf(this.config, SHARED_TENANT),
    };
    // Tag.visit only acts on taggable L1 resources (TagManager v1 and v2) and ignores the rest.
    for (const [key, value] of Object.entries(defaults)) {
      new Tag(key, value, { priority: DEFAULT_TAG_PRIORITY }).visit(node);
    }
  }
}
