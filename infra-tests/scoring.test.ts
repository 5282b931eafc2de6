import { AwsSolutionsChecks } from 'cdk-nag';
import type { CfnResource, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { tenantTableName } from '#adapters/dynamo/table-design.ts';
import { deploymentOf, physicalName, type MarketConfig } from '#config/market-config.ts';
import { loadMarket } from '#config/markets/index.ts';
import { xgboostImageUri, XGBOOST_REGISTRIES } from '../lib/constructs/scoring.ts';
import { synthMarket } from './synth.ts';

type Resources = Record<string, { Type: string; Properties?: Record<string, any> }>;

const demo = loadMarket('demo');
const withScoring = (
  scoring: Partial<MarketConfig['scoring']>,
  endpoint: Partial<MarketConfig['scoring']['endpoint']> = {},
  region?: string,
): MarketConfig => ({
  ...demo,
  ...(region ? { aws: { ...demo.aws, region } } : {}),
  scoring: { ...demo.scoring, ...scoring, endpoint: { ...demo.scoring.endpoint, ...endpoint } },
});

const embedded = synthMarket(demo);
const serverless = synthMarket(
  withScoring({ mode: 'sagemaker' }, { kind: 'serverless', memoryMb: 3072, maxConcurrency: 7 }),
);
const realTime = synthMarket(
  withScoring(
    { mode: 'sagemaker' },
    { kind: 'real-time', instanceType: 'ml.c5.xlarge', instanceCount: 2 },
    'us-east-1',
  ),
);

const resourcesOf = (s: { template: { toJSON(): unknown } }) =>
  (s.template.toJSON() as { Resources: Resources }).Resources;
const ofType = (r: Resources, type: string) => Object.entries(r).filter(([, x]) => x.Type === type);
const headCount = 1 + 7 + 1; // churn, seven cross-sell products, nps

function nagFindings(stack: Stack): string[] {
  return new AwsSolutionsChecks()
    .validateScope(stack)
    .violations.flatMap((v) =>
      v.violatingResources.map(
        (r) => `${v.ruleName} at ${(r as { constructPath?: string }).constructPath ?? r.resourceLogicalId}`,
      ),
    );
}

describe('embedded scoring', () => {
  it('deploys no SageMaker resources', () => {
    const types = new Set(Object.values(resourcesOf(embedded)).map((r) => r.Type));
    for (const t of types) expect(t.startsWith('AWS::SageMaker::'), t).toBe(false);
  });

  it('still deploys the score-base workflow and its nightly schedules', () => {
    embedded.template.resourcePropertiesCountIs(
      'AWS::StepFunctions::StateMachine',
      { StateMachineName: physicalName(demo, 'score-base') },
      1,
    );
    // other capabilities (reports) have schedules of their own: count the score-base ones
    embedded.template.resourcePropertiesCountIs(
      'AWS::Scheduler::Schedule',
      { Description: Match.stringLikeRegexp('score-base') },
      demo.tenants.length,
    );
  });
});

describe('score-base workflow', () => {
  const resources = resourcesOf(embedded);
  const [machineId, machine] = ofType(resources, 'AWS::StepFunctions::StateMachine')[0]!;
  const idOf = (c: { node: { defaultChild?: unknown } }) =>
    embedded.stack.resolve((c.node.defaultChild as CfnResource).logicalId) as string;
  const segmentId = idOf(embedded.stack.scoring.segmentFunction);
  const reportId = idOf(embedded.stack.scoring.reportFunction);

  it('is a Standard state machine with logging and tracing', () => {
    expect(machine.Properties).toMatchObject({
      StateMachineName: physicalName(demo, 'score-base'),
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
    });
  });

  it('substitutes the two task functions into the ASL', () => {
    const subs = machine.Properties!['DefinitionSubstitutions'] as Record<string, unknown>;
    expect(subs['ScoreSegmentFn']).toEqual({ 'Fn::GetAtt': [segmentId, 'Arn'] });
    expect(subs['ScoreReportFn']).toEqual({ 'Fn::GetAtt': [reportId, 'Arn'] });
    // DefinitionBody.fromFile ships lib/workflows/score-base.asl.json as an asset (the same file the local runtime runs)
    expect(machine.Properties!['DefinitionS3Location']).toMatchObject({
      Bucket: expect.anything(),
      Key: expect.stringMatching(/\.json$/),
    });
  });

  it('may invoke only its own task functions and manage only its own child executions', () => {
    const roleId = (machine.Properties!['RoleArn'] as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
    const statements = ofType(resources, 'AWS::IAM::Policy')
      .filter(([, p]) => (p.Properties!['Roles'] as { Ref: string }[]).some((r) => r.Ref === roleId))
      .flatMap(
        ([, p]) => p.Properties!['PolicyDocument']['Statement'] as { Action: string | string[]; Resource: unknown }[],
      );
    const invoke = statements.filter((s) => [s.Action].flat().includes('lambda:InvokeFunction'));
    expect(invoke).toHaveLength(1);
    expect(invoke[0]!.Resource).toEqual(
      expect.arrayContaining([{ 'Fn::GetAtt': [segmentId, 'Arn'] }, { 'Fn::GetAtt': [reportId, 'Arn'] }]),
    );
    expect(invoke[0]!.Resource).toHaveLength(2);
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions.filter((a) => !/^(lambda:InvokeFunction|states:|logs:|xray:)/.test(a))).toEqual([]);
    for (const s of statements.filter((x) => [x.Action].flat().some((a) => a.startsWith('states:')))) {
      expect(JSON.stringify(s.Resource)).toContain(physicalName(demo, 'score-base'));
    }
    expect(machineId).toBeDefined();
  });

  type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };
  const statementsOf = (fnId: string) => {
    const roleId = (resources[fnId]!.Properties!['Role'] as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
    return ofType(resources, 'AWS::IAM::Policy')
      .filter(([, p]) => (p.Properties!['Roles'] as { Ref: string }[]).some((r) => r.Ref === roleId))
      .flatMap(([, p]) => p.Properties!['PolicyDocument']['Statement'] as Statement[]);
  };
  const tableIds = ofType(resources, 'AWS::DynamoDB::Table')
    .filter(([, t]) =>
      demo.tenants.some((x) => t.Properties!['TableName'] === tenantTableName(deploymentOf(demo), x.id)),
    )
    .map(([id]) => id);

  it('lets the segment function scan and update the tenant tables and keep its outcome, nothing else on them', () => {
    const dynamo = statementsOf(segmentId)
      .flatMap((s) => [s.Action].flat())
      .filter((a) => a.startsWith('dynamodb:'));
    expect([...new Set(dynamo)].sort()).toEqual(['dynamodb:PutItem', 'dynamodb:Scan', 'dynamodb:UpdateItem']);
  });

  it("lets the report step Query only the runs' partitions (SB#) of each tenant table, nothing else", () => {
    const dynamo = statementsOf(reportId).filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')));
    expect(tableIds).toHaveLength(demo.tenants.length);
    for (const st of dynamo) {
      expect(st.Action).toBe('dynamodb:Query');
      expect(st.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['SB#*'] } });
    }
    // one table ARN per tenant (CDK merges the statements), no index
    const granted = dynamo.flatMap((st) => [st.Resource].flat() as { 'Fn::GetAtt': [string, string] }[]);
    expect(granted.every((r) => r['Fn::GetAtt'][1] === 'Arn')).toBe(true);
    expect(granted.map((r) => r['Fn::GetAtt'][0]).sort()).toEqual([...tableIds].sort());
    // and decrypts with the tables' keys, writes nothing
    const kms = statementsOf(reportId).flatMap((s) => [s.Action].flat().filter((a) => a.startsWith('kms:')));
    expect(kms.filter((a) => a !== 'kms:Decrypt')).toEqual([]);
  });

  it('gives the task functions the pins, delta and models directory the handlers read', () => {
    const vars = resources[segmentId]!.Properties!['Environment']['Variables'] as Record<string, string>;
    expect(JSON.parse(vars['MODEL_PINS']!)).toEqual(demo.scoring.models);
    expect(Number(vars['WRITE_DELTA'])).toBe(demo.scoring.writeDelta);
    expect(vars['MODELS_DIR']).toBe('/var/task/models');
  });

  it('starts nightly per tenant at the configured local time of the market', () => {
    const schedules = ofType(resources, 'AWS::Scheduler::Schedule').filter(([, r]) =>
      String(r.Properties?.['Description'] ?? '').includes('score-base'),
    );
    expect(schedules).toHaveLength(demo.tenants.length);
    const [hour, minute] = demo.scoring.scheduleAt.split(':').map(Number);
    for (const [, s] of schedules) {
      expect(s.Properties).toMatchObject({
        ScheduleExpression: `cron(${minute} ${hour} * * ? *)`,
        ScheduleExpressionTimezone: demo.timezone,
        Target: { Arn: { Ref: machineId } },
      });
    }
    const inputs = schedules.map(
      ([, s]) => JSON.parse(s.Properties!['Target']['Input'] as string) as { tenant: string; totalSegments: number },
    );
    expect(inputs.map((i) => i.tenant).sort()).toEqual(demo.tenants.map((t) => t.id).sort());
    for (const i of inputs) expect(i.totalSegments).toBe(demo.scoring.totalSegments);
  });
});

describe('SageMaker scoring', () => {
  it('uses the built-in XGBoost 1.7-1 image of the market region', () => {
    expect(xgboostImageUri('af-south-1')).toBe('510948584623.dkr.ecr.af-south-1.amazonaws.com/sagemaker-xgboost:1.7-1');
    expect(xgboostImageUri('us-east-1')).toBe('683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1');
    expect(() => xgboostImageUri('xx-nowhere-1')).toThrow(/xx-nowhere-1/);
    expect(Object.keys(XGBOOST_REGISTRIES).length).toBeGreaterThan(20);
    for (const [, m] of ofType(resourcesOf(serverless), 'AWS::SageMaker::Model')) {
      expect(m.Properties!['PrimaryContainer']['Image']).toBe(xgboostImageUri('af-south-1'));
      expect(m.Properties!['EnableNetworkIsolation']).toBe(true);
    }
    for (const [, m] of ofType(resourcesOf(realTime), 'AWS::SageMaker::Model')) {
      expect(m.Properties!['PrimaryContainer']['Image']).toBe(xgboostImageUri('us-east-1'));
    }
  });

  it('serverless: one endpoint per model head, sized by config, with no instances', () => {
    const r = resourcesOf(serverless);
    expect(ofType(r, 'AWS::SageMaker::Model')).toHaveLength(headCount);
    expect(ofType(r, 'AWS::SageMaker::Endpoint')).toHaveLength(headCount);
    for (const [, c] of ofType(r, 'AWS::SageMaker::EndpointConfig')) {
      const [variant] = c.Properties!['ProductionVariants'] as Record<string, any>[];
      expect(variant!['ServerlessConfig']).toEqual({ MemorySizeInMB: 3072, MaxConcurrency: 7 });
      expect(variant!['InstanceType']).toBeUndefined();
    }
    expect(Object.keys(serverless.stack.scoring.endpoints).sort()).toContain('cross-sell/tech-support');
  });

  it('real-time: one multi-model endpoint on the configured instances, encrypted with its own key', () => {
    const r = resourcesOf(realTime);
    const models = ofType(r, 'AWS::SageMaker::Model');
    expect(models).toHaveLength(1);
    expect(models[0]![1].Properties!['PrimaryContainer']).toMatchObject({ Mode: 'MultiModel' });
    const configs = ofType(r, 'AWS::SageMaker::EndpointConfig');
    expect(configs).toHaveLength(1);
    expect(configs[0]![1].Properties).toMatchObject({
      KmsKeyId: { 'Fn::GetAtt': [expect.any(String), 'Arn'] },
      ProductionVariants: [expect.objectContaining({ InstanceType: 'ml.c5.xlarge', InitialInstanceCount: 2 })],
    });
    realTime.template.resourceCountIs('AWS::SageMaker::Endpoint', 1);
    const targets = Object.values(realTime.stack.scoring.endpoints);
    expect(targets).toHaveLength(headCount);
    expect(new Set(targets.map((t) => realTime.stack.resolve(t.targetModel))).size).toBe(headCount);
  });

  it('gives the SageMaker role no managed policy and only read access to the artifacts', () => {
    for (const s of [serverless, realTime]) {
      const r = resourcesOf(s);
      const [roleId, role] = ofType(r, 'AWS::IAM::Role').find(([, x]) =>
        JSON.stringify(x.Properties!['AssumeRolePolicyDocument']).includes('sagemaker.amazonaws.com'),
      )!;
      expect(role.Properties!['ManagedPolicyArns']).toBeUndefined();
      const actions = ofType(r, 'AWS::IAM::Policy')
        .filter(([, p]) => (p.Properties!['Roles'] as { Ref: string }[]).some((x) => x.Ref === roleId))
        .flatMap(([, p]) =>
          (p.Properties!['PolicyDocument']['Statement'] as { Action: string | string[] }[]).flatMap((st) =>
            [st.Action].flat(),
          ),
        );
      expect(actions.filter((a) => a.startsWith('s3:') && !/^s3:(GetObject\*|GetBucket\*|List\*)$/.test(a))).toEqual(
        [],
      );
    }
  });

  it('passes the AWS Solutions checks in both endpoint kinds', () => {
    // the scoring construct's own findings (nag.test.ts checks the whole embedded stack)
    const ours = (s: Stack) => nagFindings(s).filter((f) => f.includes(`/Scoring/`));
    expect(ours(serverless.stack)).toEqual([]);
    expect(ours(realTime.stack)).toEqual([]);
  });
});
