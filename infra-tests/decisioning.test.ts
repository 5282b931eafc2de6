import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { loadMarket } from '#config/markets/index.ts';
import { CustomerStore } from '../lib/constructs/customer-store.ts';
import { Decisioning, modelBundleDirs } from '../lib/constructs/decisioning.ts';
import { RemovalPolicy } from 'aws-cdk-lib';
import { existsSync } from 'node:fs';

/** The decisioning construct on its own, beside the customer store it reads and writes. */
const config = loadMarket('demo');
const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const stack = new Stack(app, 'DecisioningUnderTest', { env: { region: config.aws.region } });
const store = new CustomerStore(stack, 'CustomerStore', { config });
const decisioning = new Decisioning(stack, 'Decisioning', { config, store, logRemovalPolicy: RemovalPolicy.DESTROY });
const template = Template.fromStack(stack);
const fnId = stack.resolve((decisioning.apiFunction.node.defaultChild as unknown as { logicalId: string }).logicalId) as string;
const fn = template.toJSON()['Resources'][fnId];

describe('the decisioning construct', () => {
  it('builds one decisions function on the house defaults with the market settings in its env', () => {
    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' } });
    const vars = fn.Properties.Environment.Variables;
    expect(vars.MARKET).toBe('demo');
    const settings = JSON.parse(vars.DECISIONING);
    expect(settings).toMatchObject({
      timeZone: config.timezone,
      decisionLogDays: config.retention.decisionLogDays,
      experiments: { controlPercent: 5, challengerPercent: 20 },
      serviceLevels: { platinum: 'dedicated-desk', bronze: 'self-service' },
      models: config.scoring.models,
    });
  });

  it('may read and write every tenant table, and nothing else of the store', () => {
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: Match.arrayWith([{ Ref: Match.stringLikeRegexp('DecisioningDecisionsFnRole') }]) },
    });
    const text = JSON.stringify(policies);
    for (const action of ['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:BatchGetItem']) expect(text).toContain(action);
    for (const tenant of config.tenants) expect(text).toMatch(new RegExp(`Tenant${tenant.id}Table`, 'i'));
    expect(text).not.toMatch(/KeysTable/);
  });

  it('bundles the pinned model versions that exist in the repository', () => {
    const dirs = modelBundleDirs(config);
    expect(dirs.map((d) => d.to).sort()).toEqual(Object.entries(config.scoring.models).map(([m, p]) => `models/demo/${m}/${p.version}`).sort());
    for (const d of dirs) expect(existsSync(d.from), d.from).toBe(true);
  });

  it('passes the AWS Solutions checks, with only reasoned acknowledgements', () => {
    const violations = new AwsSolutionsChecks().validateScope(stack).violations
      .flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${(r as { constructPath?: string }).constructPath ?? r.resourceLogicalId}`));
    expect(violations).toEqual([]);
    const acks = decisioning.node.findAll().flatMap((c) => c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.entries(m.data as Record<string, string>)));
    expect(acks.length).toBeGreaterThan(0);
    for (const [, reason] of acks) expect(reason.length).toBeGreaterThanOrEqual(40);
  });
});
