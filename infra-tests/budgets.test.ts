import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { loadMarket } from '#config/markets/index.ts';
import { parseMarketConfig, physicalName } from '#config/market-config.ts';
import { demo as demoInput } from '../lib/config/markets/demo.ts';
import { BUDGET_NOTIFICATION_TYPES, BUDGET_THRESHOLDS_PERCENT } from '../lib/constructs/budgets.ts';
import { TAG_BILLING_UNIT, TAG_TENANT } from '../lib/constructs/cost-allocation.ts';
import { synthMarket } from './synth.ts';
import { type Resource, templateQueries } from './template-queries.ts';

/** The demo market gives both its tenants a monthly budget (lib/config/markets/demo.ts). */
const demo = synthMarket();
const { config, stack } = demo;
const { ofType, idOf } = templateQueries(demo);
const topic = idOf(stack.observability.alarmTopic);
const nested = Template.fromStack(stack.budgets.stack!);
const budgets = Object.values(nested.toJSON()['Resources'] as Record<string, Resource>).filter(
  (r) => r.Type === 'AWS::Budgets::Budget',
);
const budgetNamed = (name: string) => budgets.find((b) => b.Properties!['Budget']['BudgetName'] === name);

/** The budgets' nested stack (the market has others, such as the audience uploads) and its topic parameter. */
const budgetsStackId = stack.resolve(stack.budgets.stack!.nestedStackResource!.logicalId) as string;
const [nestedStackId, nestedStack] = ofType('AWS::CloudFormation::Stack').find(([id]) => id === budgetsStackId)!;
const topicParameter = Object.entries(nestedStack.Properties!['Parameters'] as Record<string, unknown>).find(
  ([, v]) => JSON.stringify(v) === JSON.stringify({ Ref: topic }),
)?.[0];

describe('per-tenant budgets', () => {
  it('are one nested stack in the market stack, which passes it the alarm topic', () => {
    expect(nestedStackId).toBeDefined();
    expect(topicParameter).toBeDefined();
    expect(budgets).toHaveLength(config.tenants.filter((t) => t.monthlyBudgetUsd).length);
    expect(budgets).toHaveLength(2);
  });

  it.each(config.tenants.map((t) => [t.id, t] as const))(
    'give tenant %s a monthly cost budget named for market, stage and tenant, on its billing-unit tag',
    (id, tenant) => {
      const budget = budgetNamed(physicalName(config, id));
      expect(budget, `no budget cvm-demo-dev-${id}`).toBeDefined();
      expect(budget!.Properties!['Budget']).toEqual({
        BudgetName: `cvm-demo-dev-${id}`,
        BudgetType: 'COST',
        TimeUnit: 'MONTHLY',
        BudgetLimit: { Amount: tenant.monthlyBudgetUsd, Unit: 'USD' },
        CostFilters: { TagKeyValue: [`user:cvm:billing-unit$demo/dev/${id}`] },
        CostTypes: { UseAmortized: true, IncludeCredit: false, IncludeRefund: false },
      });
    },
  );

  it.each(config.tenants.map((t) => [t.id] as const))(
    "alert at 80 and 100 per cent of tenant %s's actual and forecast spend, to the alarm topic",
    (id) => {
      const notifications = budgetNamed(physicalName(config, id))!.Properties!['NotificationsWithSubscribers'] as {
        Notification: Record<string, unknown>;
        Subscribers: unknown[];
      }[];
      expect(notifications.map((n) => n.Notification)).toEqual(
        BUDGET_NOTIFICATION_TYPES.flatMap((type) =>
          BUDGET_THRESHOLDS_PERCENT.map((threshold) => ({
            NotificationType: type,
            ComparisonOperator: 'GREATER_THAN',
            Threshold: threshold,
            ThresholdType: 'PERCENTAGE',
          })),
        ),
      );
      expect(notifications.map((n) => n.Notification['NotificationType'])).toEqual([
        'ACTUAL',
        'ACTUAL',
        'FORECASTED',
        'FORECASTED',
      ]);
      expect(notifications.map((n) => n.Notification['Threshold'])).toEqual([80, 100, 80, 100]);
      for (const n of notifications)
        expect(n.Subscribers).toEqual([{ SubscriptionType: 'SNS', Address: { Ref: topicParameter } }]);
    },
  );

  it('are tagged with their tenant and billing unit', () => {
    for (const tenant of config.tenants) {
      const tags = Object.fromEntries(
        (
          budgetNamed(physicalName(config, tenant.id))!.Properties!['ResourceTags'] as { Key: string; Value: string }[]
        ).map((t) => [t.Key, t.Value]),
      );
      expect(tags).toMatchObject({ [TAG_TENANT]: tenant.id, [TAG_BILLING_UNIT]: `demo/dev/${tenant.id}` });
    }
  });

  it("may publish to the alarm topic and use its key, this account's budgets only", () => {
    const policy = ofType('AWS::SNS::TopicPolicy').find(([, p]) =>
      (p.Properties!['Topics'] as unknown[]).some((t) => JSON.stringify(t) === JSON.stringify({ Ref: topic })),
    )![1];
    const statements = policy.Properties!['PolicyDocument']['Statement'] as Record<string, unknown>[];
    const publish = statements.find((s) => JSON.stringify(s['Principal']).includes('budgets.amazonaws.com'))!;
    expect(publish).toMatchObject({ Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: topic } });
    expect(JSON.stringify(publish['Condition'])).toContain('aws:SourceAccount');
    expect(JSON.stringify(publish['Condition'])).toContain(':budgets::');

    const keyId = (
      ofType('AWS::SNS::Topic').find(([id]) => id === topic)![1].Properties!['KmsMasterKeyId'] as {
        'Fn::GetAtt': [string];
      }
    )['Fn::GetAtt'][0];
    const keyStatements = ofType('AWS::KMS::Key').find(([id]) => id === keyId)![1].Properties!['KeyPolicy'][
      'Statement'
    ] as Record<string, unknown>[];
    const useKey = keyStatements.find((s) => JSON.stringify(s['Principal']).includes('budgets.amazonaws.com'))!;
    expect(useKey['Action']).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
    expect(JSON.stringify(useKey['Condition'])).toContain('aws:SourceAccount');
  });

  it('are left out, nested stack and topic grant with them, for a market whose tenants have none', () => {
    const base = loadMarket('demo');
    const none = synthMarket({ ...base, tenants: base.tenants.map(({ monthlyBudgetUsd: _, ...t }) => t) });
    expect(none.stack.budgets.stack).toBeUndefined();
    // only the budgets' nested stack goes; the others stay
    none.template.resourceCountIs('AWS::CloudFormation::Stack', ofType('AWS::CloudFormation::Stack').length - 1);
    expect(JSON.stringify(none.template.toJSON())).not.toContain('budgets.amazonaws.com');
  });

  it('refuses a budget that is not a positive amount, naming the field', () => {
    const withBudget = (monthlyBudgetUsd: number) =>
      parseMarketConfig('demo', {
        ...demoInput,
        tenants: demoInput.tenants.map((t, i) => (i === 0 ? { ...t, monthlyBudgetUsd } : t)),
      });
    expect(() => withBudget(0)).toThrow(/tenants\.0\.monthlyBudgetUsd/);
    expect(withBudget(150).tenants[0]!.monthlyBudgetUsd).toBe(150);
  });
});
