import { NestedStack, Stack } from 'aws-cdk-lib';
import * as budgets from 'aws-cdk-lib/aws-budgets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { physicalName, type MarketConfig } from '#config/market-config.ts';
import { billingUnitOf, TAG_BILLING_UNIT, tagTenant } from './cost-allocation.ts';

/** Where each budget alerts: at these percentages of the budget, of actual and of forecast spend. */
export const BUDGET_THRESHOLDS_PERCENT = [80, 100] as const;
export const BUDGET_NOTIFICATION_TYPES = ['ACTUAL', 'FORECASTED'] as const;

/** A tenant's budget name: one per market, stage and tenant, as budget names are unique per account. */
export const budgetNameOf = (config: Pick<MarketConfig, 'code' | 'stage'>, tenant: string): string =>
  physicalName(config, tenant);

/** The Budgets cost filter of one billing unit's tag (`user:<key>$<value>`, an activated tag). */
export const billingUnitFilter = (config: Pick<MarketConfig, 'code' | 'stage'>, tenant: string) => ({
  TagKeyValue: [`user:${TAG_BILLING_UNIT}$${billingUnitOf(config, tenant)}`],
});

export interface TenantBudgetsProps {
  readonly config: MarketConfig;
  /** The market's alarm topic (`Observability.alarmTopic`): where the budgets alert. */
  readonly topic: sns.ITopic;
}

/**
 * One AWS Budget per tenant that has `monthlyBudgetUsd`: monthly cost of its billing unit (the
 * `cvm:billing-unit=<market>/<stage>/<tenant>` tag on its own resources), amortized and net of
 * discounts like the cost report, credits and refunds left out (a promotional credit must not
 * hide a tenant running ahead of plan), alerting the alarm topic at 80% and 100% of actual and of
 * forecast spend (four notifications of the five a budget takes).
 *
 * The budgets live in a nested stack: CloudFormation takes 500 resources per stack and a market of
 * 12 tenants already has 496 (docs/capacity.md); the nested stack is one resource in the market's
 * stack whatever the number of budgets, so `MAX_TENANTS_PER_MARKET` stays 12. No tenant with a
 * budget, no nested stack.
 */
export class TenantBudgets extends Construct {
  /** The budgets by tenant id. */
  readonly budgets: Record<string, budgets.CfnBudget> = {};
  /** The nested stack that holds them, when there is one. */
  readonly stack?: NestedStack;

  constructor(scope: Construct, id: string, props: TenantBudgetsProps) {
    super(scope, id);
    const { config, topic } = props;
    const tenants = config.tenants.filter((t) => t.monthlyBudgetUsd !== undefined);
    if (tenants.length === 0) return;
    allowBudgetsToPublish(topic);

    this.stack = new NestedStack(this, 'Stack', {
      description: `AWS Budgets of the tenants of market ${config.code}, stage ${config.stage.name}`,
    });
    const holder = new Construct(this.stack, 'Budgets');
    for (const tenant of tenants) {
      this.budgets[tenant.id] = new budgets.CfnBudget(holder, `Budget-${tenant.id}`, {
        budget: {
          budgetName: budgetNameOf(config, tenant.id),
          budgetType: 'COST',
          timeUnit: 'MONTHLY',
          budgetLimit: { amount: tenant.monthlyBudgetUsd!, unit: 'USD' },
          costFilters: billingUnitFilter(config, tenant.id),
          costTypes: { useAmortized: true, includeCredit: false, includeRefund: false },
        },
        notificationsWithSubscribers: BUDGET_NOTIFICATION_TYPES.flatMap((notificationType) =>
          BUDGET_THRESHOLDS_PERCENT.map((threshold) => ({
            notification: {
              notificationType,
              comparisonOperator: 'GREATER_THAN',
              threshold,
              thresholdType: 'PERCENTAGE',
            },
            subscribers: [{ subscriptionType: 'SNS', address: topic.topicArn }],
          })),
        ),
      });
      tagTenant(this.budgets[tenant.id]!, config, tenant);
    }
  }
}

/**
 * AWS Budgets publishes to an SNS topic only when the topic policy lets budgets.amazonaws.com
 * publish, and to an encrypted topic only when the key lets it encrypt; both for this account's
 * budgets only (confused deputy: aws:SourceAccount and the budgets ARN).
 */
function allowBudgetsToPublish(topic: sns.ITopic): void {
  const stack = Stack.of(topic);
  const principal = new iam.ServicePrincipal('budgets.amazonaws.com');
  const conditions = {
    StringEquals: { 'aws:SourceAccount': stack.account },
    ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:budgets::${stack.account}:*` },
  };
  topic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'BudgetsPublish',
      principals: [principal],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions,
    }),
  );
  topic.masterKey?.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'BudgetsUseKey',
      principals: [principal],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions,
    }),
  );
}
