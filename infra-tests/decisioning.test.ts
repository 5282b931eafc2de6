import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { loadMarket } from '#config/markets/index.ts';
import { CustomerStore } from '../lib/constructs/customer-store.ts';
import { Decisioning, modelBundleDirs } from '../lib/constructs/decisioning.ts';
import { RemovalPolicy } from 'aws-cdk-lib';
import { existsSync } from 'node:fs';
import type { MarketConfig } from '#config/market-config.ts';
import { synthMarket, type Synthesized } from './synth.ts';

/** The decisioning construct on its own, beside the customer store it reads and writes. */
const config = loadMarket('demo');
const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const stack = new Stack(app, 'DecisioningUnderTest', { env: { region: config.aws.region } });
const store = new CustomerStore(stack, 'CustomerStore', { config });
const decisioning = new Decisioning(stack, 'Decisioning', { config, store, logRemovalPolicy: RemovalPolicy.DESTROY });
const template = Template.fromStack(stack);
const fnId = stack.resolve(
  (decisioning.apiFunction.node.defaultChild as unknown as { logicalId: string }).logicalId,
) as string;
const fn = template.toJSON()['Resources'][fnId];

describe('the decisioning construct', () => {
  it('builds one decisions function on the house defaults with the market settings in its env', () => {
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
    });
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
    for (const action of [
      'dynamodb:Query',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:BatchGetItem',
    ])
      expect(text).toContain(action);
    for (const tenant of config.tenants) expect(text).toMatch(new RegExp(`Tenant${tenant.id}Table`, 'i'));
    expect(text).not.toMatch(/KeysTable/);
  });

  it('bundles the pinned model versions that exist in the repository', () => {
    const dirs = modelBundleDirs(config);
    expect(dirs.map((d) => d.to).sort()).toEqual(
      Object.entries(config.scoring.models)
        .map(([m, p]) => `models/demo/${m}/${p.version}`)
        .sort(),
    );
    for (const d of dirs) expect(existsSync(d.from), d.from).toBe(true);
  });

  it('passes the AWS Solutions checks, with only reasoned acknowledgements', () => {
    const violations = new AwsSolutionsChecks()
      .validateScope(stack)
      .violations.flatMap((v) =>
        v.violatingResources.map(
          (r) => `${v.ruleName} at ${(r as { constructPath?: string }).constructPath ?? r.resourceLogicalId}`,
        ),
      );
    expect(violations).toEqual([]);
    const acks = decisioning.node
      .findAll()
      .flatMap((c) =>
        c.node.metadata
          .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          .flatMap((m) => Object.entries(m.data as Record<string, string>)),
      );
    expect(acks.length).toBeGreaterThan(0);
    for (const [, reason] of acks) expect(reason.length).toBeGreaterThanOrEqual(40);
  });
});

describe('online scoring of the decisions function', () => {
  type Statement = { Action: string | string[]; Resource: unknown };
  const withScoring = (
    mode: MarketConfig['scoring']['mode'],
    endpoint: Partial<MarketConfig['scoring']['endpoint']> = {},
    region?: string,
  ): MarketConfig => ({
    ...config,
    ...(region ? { aws: { ...config.aws, region } } : {}),
    scoring: { ...config.scoring, mode, endpoint: { ...config.scoring.endpoint, ...endpoint } },
  });
  const decisionsFnOf = (s: Synthesized) => {
    const id = s.stack.resolve(
      (s.stack.decisioning.apiFunction.node.defaultChild as unknown as { logicalId: string }).logicalId,
    ) as string;
    return s.template.toJSON()['Resources'][id] as {
      Properties: { Role: { 'Fn::GetAtt': [string, string] }; Environment: { Variables: Record<string, unknown> } };
    };
  };
  const statementsOf = (s: Synthesized): Statement[] => {
    const roleId = decisionsFnOf(s).Properties.Role['Fn::GetAtt'][0];
    return Object.values(s.template.findResources('AWS::IAM::Policy'))
      .filter((p) => (p['Properties']['Roles'] as { Ref: string }[]).some((r) => r.Ref === roleId))
      .flatMap((p) => p['Properties']['PolicyDocument']['Statement'] as Statement[]);
  };
  const sagemakerStatementsOf = (s: Synthesized) =>
    statementsOf(s).filter((st) => [st.Action].flat().some((a) => a.startsWith('sagemaker:')));
  const endpointRefsOf = (s: Synthesized) =>
    Object.keys(s.template.findResources('AWS::SageMaker::Endpoint')).map((id) => ({ Ref: id }));

  const serverless = synthMarket(withScoring('sagemaker', { kind: 'serverless' }));
  const realTime = synthMarket(
    withScoring('sagemaker', { kind: 'real-time', instanceType: 'ml.c5.xlarge', instanceCount: 1 }, 'us-east-1'),
  );
  const embedded = synthMarket(withScoring('embedded'));

  it("in sagemaker mode may invoke exactly the market's endpoints, and nothing else of SageMaker", () => {
    for (const s of [serverless, realTime]) {
      const statements = sagemakerStatementsOf(s);
      expect(statements).toHaveLength(1);
      expect([statements[0]!.Action].flat()).toEqual(['sagemaker:InvokeEndpoint']);
      const resources = [statements[0]!.Resource].flat();
      const endpoints = endpointRefsOf(s);
      expect(endpoints.length).toBeGreaterThan(0);
      expect(resources).toHaveLength(endpoints.length);
      expect(resources).toEqual(expect.arrayContaining(endpoints));
    }
    expect(endpointRefsOf(realTime)).toHaveLength(1);
  });

  it('in sagemaker mode is told the mode, the endpoints and the latency budget the scoring port reads', () => {
    for (const s of [serverless, realTime]) {
      const vars = decisionsFnOf(s).Properties.Environment.Variables;
      const scoring = s.stack.scoring.scoringEnvironment();
      expect(vars['SCORING_MODE']).toBe('sagemaker');
      expect(vars['LATENCY_BUDGET_MS']).toBe(String(s.config.scoring.endpoint.latencyBudgetMs));
      expect(vars['SAGEMAKER_ENDPOINTS']).toEqual(s.stack.resolve(scoring.SAGEMAKER_ENDPOINTS));
      // the pins stay in DECISIONING: the function's variables share 4 KB
      expect(vars['MODEL_PINS']).toBeUndefined();
    }
  });

  it('in embedded mode has no SageMaker permission and no endpoint settings', () => {
    expect(sagemakerStatementsOf(embedded)).toEqual([]);
    expect(JSON.stringify(statementsOf(embedded))).not.toContain('sagemaker');
    const vars = decisionsFnOf(embedded).Properties.Environment.Variables;
    for (const name of ['SCORING_MODE', 'SAGEMAKER_ENDPOINTS', 'LATENCY_BUDGET_MS'])
      expect(vars[name], name).toBeUndefined();
  });

  it('keeps the decisions function free of AWS Solutions findings in sagemaker mode', () => {
    for (const s of [serverless, realTime]) {
      const ours = new AwsSolutionsChecks()
        .validateScope(s.stack)
        .violations.flatMap((v) =>
          v.violatingResources.map(
            (r) => `${v.ruleName} at ${(r as { constructPath?: string }).constructPath ?? r.resourceLogicalId}`,
          ),
        )
        .filter((f) => f.includes('/Decisioning/'));
      expect(ours).toEqual([]);
    }
  });
});
