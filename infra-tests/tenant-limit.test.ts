import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { MAX_TENANTS_PER_MARKET, MarketConfigError, parseMarketConfig } from '#config/market-config.ts';
import { demo } from '../lib/config/markets/demo.ts';
import { synthMarket } from './synth.ts';

const tenantsOf = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    ...demo.tenants[0]!,
    id: `tenant-${i}`,
    costCenter: `CC-${i}`,
    monthlyBudgetUsd: 1000,
  }));
const marketWith = (n: number) =>
  parseMarketConfig('demo', { ...demo, tenants: tenantsOf(n), delivery: { ...demo.delivery, tenants: {} } });
const resourcesOf = (template: Template) => Object.keys(template.toJSON()['Resources']).length;

describe('tenants per market', () => {
  it(`fits ${MAX_TENANTS_PER_MARKET} tenants, the most a market takes, each with a budget, into one stack of at most 500 resources`, () => {
    const { stack, template } = synthMarket(marketWith(MAX_TENANTS_PER_MARKET));
    expect(resourcesOf(template)).toBeLessThanOrEqual(500);
    // the budgets are one nested stack in the market's stack, whatever their number
    const budgets = Template.fromStack(stack.budgets.stack!);
    budgets.resourceCountIs('AWS::Budgets::Budget', MAX_TENANTS_PER_MARKET);
    expect(resourcesOf(budgets)).toBe(MAX_TENANTS_PER_MARKET);
    // and the audience uploads (bucket, their API function and /v1/audiences) one more: the
    // function's role, log group, invoke permission and errors alarm count there, not here
    template.resourceCountIs('AWS::CloudFormation::Stack', 2);
    const audiences = Template.fromStack(stack.audiences.stack);
    for (const type of ['AWS::Lambda::Function', 'AWS::IAM::Role', 'AWS::Lambda::Permission', 'AWS::CloudWatch::Alarm'])
      audiences.resourceCountIs(type, 1);
  });

  it(`still fits ${MAX_TENANTS_PER_MARKET} tenants with the SageMaker training workflow on: it is one nested stack more`, () => {
    const market = marketWith(MAX_TENANTS_PER_MARKET);
    const { stack, template } = synthMarket({
      ...market,
      models: { ...market.models, awsTraining: { ...market.models.awsTraining, enabled: true } },
    });
    expect(resourcesOf(template)).toBeLessThanOrEqual(500);
    template.resourceCountIs('AWS::CloudFormation::Stack', 3);
    expect(resourcesOf(Template.fromStack(stack.training!.stack))).toBeGreaterThan(0);
  });

  it('refuses a market with more, naming the field', () => {
    expect(() => marketWith(MAX_TENANTS_PER_MARKET + 1)).toThrow(MarketConfigError);
    expect(() => marketWith(MAX_TENANTS_PER_MARKET + 1)).toThrow(/tenants: at most 12 tenants/);
  });

  it('refuses delivery settings for a tenant the market does not have', () => {
    expect(() =>
      parseMarketConfig('demo', { ...demo, delivery: { tenants: { nobody: { sms: { dailyCap: 1 } } } } }),
    ).toThrow(/delivery\.tenants\.nobody: not a tenant of this market/);
  });
});
