import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type CfnResource, NestedStack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import type { MarketConfig } from '#config/market-config.ts';
import { loadMarket } from '#config/markets/index.ts';
import { REPO_ROOT } from '../lib/constructs/cvm-function.ts';
import type { ModelManifest } from '../lambdas/domain/scoring/model-store.ts';
import { type Synthesized, synthMarket } from './synth.ts';

type Resources = Record<string, { Type: string; Properties?: Record<string, any> }>;
type State = { Type: string; Resource?: unknown; Parameters?: Record<string, any>; Next?: string };
type Statement = { Action: string | string[]; Resource: unknown; Condition?: Record<string, any> };

const demo = loadMarket('demo');
const withTraining = (
  config: MarketConfig,
  training: Partial<MarketConfig['models']['awsTraining']> = {},
  region?: string,
) => ({
  ...config,
  ...(region ? { aws: { ...config.aws, region } } : {}),
  models: { ...config.models, awsTraining: { ...config.models.awsTraining, enabled: true, ...training } },
});

const off = synthMarket(demo);
const on = synthMarket(withTraining(demo, { instanceType: 'ml.c5.xlarge', volumeSizeGb: 20, maxRuntimeMinutes: 90 }));
const usEast = synthMarket(withTraining(demo, {}, 'us-east-1'));

const resourcesOf = (t: Template) => t.toJSON()['Resources'] as Resources;
const trainingOf = (s: Synthesized) => {
  const nested = Template.fromStack(s.stack.training!.stack);
  const resources = resourcesOf(nested);
  const [, machine] = Object.entries(resources).find(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine')!;
  // the definition is a Fn::Join of text and references: references become their logical ids
  const text = (machine.Properties!['DefinitionString']['Fn::Join'][1] as unknown[])
    .map((p) => (typeof p === 'string' ? p : JSON.stringify(p).replace(/"/g, '\\"')))
    .join('');
  const states = (JSON.parse(text) as { States: Record<string, State> }).States;
  return { nested, resources, states };
};
const onTraining = trainingOf(on);
const jobs = (states: Record<string, State>) =>
  Object.values(states).filter((s) => String(s.Resource).includes('sagemaker:createTrainingJob.sync'));
const statementsOf = (resources: Resources, roleId: string): Statement[] =>
  Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties!['Roles']).includes(`"${roleId}"`))
    .flatMap((r) => r.Properties!['PolicyDocument']['Statement'] as Statement[]);
const idOf = (s: Synthesized, c: CfnResource) => s.stack.resolve(c.logicalId) as string;

/** The pinned version's heads and what train.py recorded of each head's training. */
function trainerRecord(config: MarketConfig) {
  return Object.entries(config.scoring.models).flatMap(([model, pin]) => {
    const dir = path.join(REPO_ROOT, 'models', config.code, model, pin.version);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as ModelManifest;
    return manifest.heads.map((head) => ({
      model,
      head: head.name,
      metrics: JSON.parse(readFileSync(path.join(dir, head.dir, 'metrics.json'), 'utf8')) as {
        params: Record<string, unknown>;
        numRound: number;
      },
    }));
  });
}

describe('the SageMaker training workflow, off (the default)', () => {
  it('adds nothing: no nested stack, no training job, no model bucket', () => {
    expect(demo.models.awsTraining.enabled).toBe(false);
    expect(off.stack.training).toBeUndefined();
    const everything = [
      off.template,
      ...off.stack.node
        .findAll()
        .filter(NestedStack.isNestedStack)
        .map((n) => Template.fromStack(n)),
    ];
    for (const t of everything) {
      expect(JSON.stringify(t.toJSON())).not.toContain('createTrainingJob');
      expect(JSON.stringify(t.toJSON())).not.toContain('-models-');
    }
  });

  it('is one resource in the market stack when on: the nested stack', () => {
    const count = (s: Synthesized) => Object.keys(resourcesOf(s.template)).length;
    expect(count(on) - count(off)).toBe(1);
    const nestedId = idOf(on, on.stack.training!.stack.nestedStackResource!);
    expect(resourcesOf(on.template)[nestedId]!.Type).toBe('AWS::CloudFormation::Stack');
  });
});

describe('the SageMaker training workflow, on', () => {
  const heads = trainerRecord(on.config);

  it('trains every head of every pinned model with the .sync integration', () => {
    expect(heads.length).toBe(1 + 7 + 1); // churn, seven cross-sell products, nps
    expect(jobs(onTraining.states)).toHaveLength(heads.length);
  });

  it("uses the built-in XGBoost 1.7-1 image of the market's region", () => {
    for (const job of jobs(onTraining.states))
      expect(job.Parameters!['AlgorithmSpecification']).toEqual({
        TrainingImage: '510948584623.dkr.ecr.af-south-1.amazonaws.com/sagemaker-xgboost:1.7-1',
        TrainingInputMode: 'File',
      });
    for (const job of jobs(trainingOf(usEast).states))
      expect(job.Parameters!['AlgorithmSpecification']['TrainingImage']).toBe(
        '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1',
      );
  });

  it.each(heads.map((h) => [`${h.model}/${h.head}`, h] as const))(
    'gives %s the hyperparameters train.py trained its pinned version with',
    (_, { model, head, metrics }) => {
      const job = jobs(onTraining.states).find((j) =>
        String(j.Parameters!['OutputDataConfig']['S3OutputPath']).includes(`/${model}/training/output/${head}/`),
      );
      const expected = Object.fromEntries([
        ['num_round', String(metrics.numRound)],
        ...Object.entries(metrics.params).map(([k, v]) => [k, String(v)]),
      ]);
      expect(job!.Parameters!['HyperParameters']).toEqual(expected);
      // the names the built-in container takes for the rounds and the L2 term
      expect(Object.keys(expected)).toEqual(
        expect.arrayContaining(['num_round', 'lambda', 'eta', 'max_depth', 'objective']),
      );
    },
  );

  it("reads train.csv (text/csv) from the head's input prefix and writes under its output prefix of the model bucket", () => {
    const bucket = Object.entries(onTraining.resources).find(([, r]) => r.Type === 'AWS::S3::Bucket')![0];
    for (const { model, head } of heads) {
      const job = jobs(onTraining.states).find((j) =>
        String(j.Parameters!['OutputDataConfig']['S3OutputPath']).includes(`/${model}/training/output/${head}/`),
      )!;
      const p = job.Parameters!;
      expect(p['OutputDataConfig']['S3OutputPath']).toBe(
        `s3://{"Ref":"${bucket}"}/models/demo/${model}/training/output/${head}/`,
      );
      expect(p['InputDataConfig']).toEqual([
        {
          ChannelName: 'train',
          ContentType: 'text/csv',
          DataSource: {
            S3DataSource: {
              S3Uri: `s3://{"Ref":"${bucket}"}/models/demo/${model}/training/input/${head}/`,
              S3DataType: 'S3Prefix',
              S3DataDistributionType: 'FullyReplicated',
            },
          },
        },
      ]);
      expect(p['ResourceConfig']).toEqual({ InstanceCount: 1, InstanceType: 'ml.c5.xlarge', VolumeSizeInGB: 20 });
      expect(p['StoppingCondition']).toEqual({ MaxRuntimeInSeconds: 90 * 60 });
      expect(p['EnableNetworkIsolation']).toBe(true);
      expect(p['TrainingJobName.$']).toMatch(/^States\.Format\('cvm-demo-dev-[a-z-]+-\{\}', \$\.run\)$/);
    }
  });

  it("records each run (job names and artifact URIs) under the model's runs prefix", () => {
    const records = Object.values(onTraining.states).filter((s) => String(s.Resource).includes('aws-sdk:s3:putObject'));
    expect(records).toHaveLength(Object.keys(on.config.scoring.models).length);
    for (const r of records)
      expect(r.Parameters!['Key.$']).toMatch(
        /^States\.Format\('models\/demo\/[a-z-]+\/training\/runs\/\{\}\.json', \$\.run\)$/,
      );
    for (const r of records) expect(r.Parameters!['Body.$']).toBe('States.JsonToString($)');
    for (const job of jobs(onTraining.states)) {
      expect((job as { ResultSelector?: object }).ResultSelector).toEqual({
        'trainingJobName.$': '$.TrainingJobName',
        'modelArtifacts.$': '$.ModelArtifacts.S3ModelArtifacts',
        'finalMetrics.$': '$.FinalMetricDataList',
      });
      expect((job as { ResultPath?: string }).ResultPath).toMatch(/^\$\.heads\.[A-Za-z]+$/);
    }
  });

  it('lets the job role read only the input prefixes and write only the output prefixes; only SageMaker assumes it', () => {
    const training = on.stack.training!;
    const roleId = training.stack.resolve((training.jobRole.node.defaultChild as CfnResource).logicalId) as string;
    const role = onTraining.resources[roleId]!;
    expect(role.Properties!['AssumeRolePolicyDocument']['Statement']).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' } },
    ]);
    const s3 = statementsOf(onTraining.resources, roleId).filter((s) =>
      [s.Action].flat().some((a) => a.startsWith('s3:')),
    );
    const byAction = Object.fromEntries(s3.map((s) => [[s.Action].flat().join(','), s]));
    expect(Object.keys(byAction).sort()).toEqual(['s3:GetObject', 's3:ListBucket', 's3:PutObject']);
    const prefixes = (s: Statement) =>
      [s.Resource].flat().map((r) =>
        JSON.stringify(r)
          .replace(/.*\/models\//, 'models/')
          .replace(/"\]\]\}$/, ''),
      );
    expect(prefixes(byAction['s3:GetObject']!).sort()).toEqual(
      heads.map((h) => `models/demo/${h.model}/training/input/${h.head}/*`).sort(),
    );
    expect(prefixes(byAction['s3:PutObject']!).sort()).toEqual(
      heads.map((h) => `models/demo/${h.model}/training/output/${h.head}/*`).sort(),
    );
    expect(byAction['s3:ListBucket']!.Condition).toEqual({
      StringLike: { 's3:prefix': heads.map((h) => `models/demo/${h.model}/training/input/${h.head}/*`) },
    });
  });

  it('lets the workflow pass the job role to SageMaker only', () => {
    const machineRole = on.stack.training!.stateMachine.role;
    const roleId = on.stack.training!.stack.resolve((machineRole.node.defaultChild as CfnResource).logicalId) as string;
    const passRole = statementsOf(onTraining.resources, roleId).filter((s) =>
      [s.Action].flat().includes('iam:PassRole'),
    );
    expect(passRole).toHaveLength(1);
    expect(passRole[0]!.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } });
    const jobRoleId = on.stack.training!.stack.resolve(
      (on.stack.training!.jobRole.node.defaultChild as CfnResource).logicalId,
    );
    expect(passRole[0]!.Resource).toEqual({ 'Fn::GetAtt': [jobRoleId, 'Arn'] });
  });

  it("alarms on failed, timed-out and aborted runs inside its own stack, to the market's alarm topic", () => {
    const alarms = Object.values(onTraining.resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
    expect(alarms).toHaveLength(1);
    const read = JSON.stringify(alarms[0]!.Properties!['Metrics']);
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted'])
      expect(read).toContain(metric);
    expect(alarms[0]!.Properties!['AlarmDescription']).toMatch(/\(runbook: docs\/operations\.md#workflow-failures\)$/);
  });

  it('refuses a market that pins no model', () => {
    expect(() => synthMarket(withTraining({ ...demo, scoring: { ...demo.scoring, models: {} } }))).toThrow(
      /pins no model to retrain/,
    );
  });
});
