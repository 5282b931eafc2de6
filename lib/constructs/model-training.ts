import path from 'node:path';
import { Aws, Duration, NestedStack, RemovalPolicy, Size, type Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { physicalName, type MarketConfig } from '#config/market-config.ts';
import { REPO_ROOT, retentionFor } from './cvm-function.ts';
import { nagText } from './distributed-map.ts';
import { XGBOOST_REGISTRIES, xgboostImageUri } from './scoring.ts';
import { type TrainingHead, trainingHeadsOf } from './training-hyperparameters.ts';
import { modelBucketNameIn, trainingInputPrefix, trainingOutputPrefix, trainingRunsPrefix } from './training-layout.ts';

const MODELS_ROOT = path.join(REPO_ROOT, 'models');
/** SageMaker's limit on a training job name. */
const MAX_JOB_NAME = 63;
/** The hex digits of a run id: the first group of a UUID, unique enough among one model's runs. */
const RUN_ID_LENGTH = 8;

/**
 * The model bucket's name, known before deploy, so a team can upload to it: the account makes it
 * unique (a pseudo parameter when the config names none; `account` for a name to print).
 */
export function modelBucketName(
  config: Pick<MarketConfig, 'code' | 'stage' | 'aws'>,
  account = config.aws.account ?? Aws.ACCOUNT_ID,
): string {
  const name = modelBucketNameIn(config, account);
  if (config.aws.account && name.length > 63)
    throw new Error(`model bucket name ${name} is longer than S3's 63 characters`);
  return name;
}

/** The objects under a prefix of the bucket, by its name (the policies need no reference to it). */
const objectsArn = (bucketName: string, prefix: string) => `arn:${Aws.PARTITION}:s3:::${bucketName}/${prefix}*`;

/** `tech-support` -> `TechSupport`: state names and result paths. */
const idOf = (s: string) =>
  s
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');

/** An S3 URI given as it is: the roles' policies are written here, not granted by the task. */
class S3Uri extends tasks.S3Location {
  constructor(private readonly uri: string) {
    super();
  }
  bind(): tasks.S3LocationConfig {
    return { uri: this.uri };
  }
}

export interface ModelTrainingProps {
  readonly config: MarketConfig;
  readonly logRemovalPolicy: RemovalPolicy;
}

/**
 * The optional retraining workflow (`models.awsTraining.enabled`), for teams that retrain in AWS
 * rather than with `npm run train`: CloudFormation has no training-job resource, so a Standard
 * state machine runs SageMaker training jobs (`createTrainingJob.sync`) with the built-in XGBoost
 * image of the market's region (the serving image, `XGBOOST_IMAGE_VERSION`), one job per head of
 * the model named in the input (`{"model": "churn"}`), one after another (a new account's quota
 * of training instances is small), each with the hyperparameters its pinned version was trained
 * with. It reads `train.csv` (label first, no header) under the model's `training/input/<head>/`
 * of the market's model bucket, writes the artifacts under `training/output/<head>/`, then
 * records the run (job names, artifact URIs, final metrics) as `training/runs/<run id>.json`.
 *
 * It serves nothing: promotion stays `npm run models -- promote` in the repository, a reviewed
 * change of pins.json, because the pins are code (what a deploy serves is what the repository
 * says, and a rollback is a revert). Everything is in one nested stack, one resource in a market
 * stack that is at its 500-resource limit with the most tenants; no Lambda (the run is recorded
 * by the S3 service integration), so no per-function alarms land in the market's stack either.
 */
export class ModelTraining extends Construct {
  readonly stack: NestedStack;
  readonly bucket: s3.Bucket;
  readonly stateMachine: sfn.StateMachine;
  /** The SageMaker execution role the jobs run as. */
  readonly jobRole: iam.Role;
  /** The heads trained per pinned model. */
  readonly heads: Readonly<Record<string, readonly TrainingHead[]>>;
  private readonly config: MarketConfig;

  constructor(scope: Construct, id: string, props: ModelTrainingProps) {
    super(scope, id);
    const { config, logRemovalPolicy } = props;
    this.config = config;
    const training = config.models.awsTraining;
    const models = Object.entries(config.scoring.models);
    if (models.length === 0)
      throw new Error(`models.awsTraining: market ${config.code} pins no model to retrain (scoring.models)`);
    this.heads = Object.fromEntries(
      models.map(([model, pin]) => [model, trainingHeadsOf(MODELS_ROOT, config.code, model, pin.version)]),
    );

    this.stack = new NestedStack(this, 'Stack', {
      description: `SageMaker retraining workflow of market ${config.code}, stage ${config.stage.name}`,
    });
    const stack = this.stack;
    const bucketName = modelBucketName(config);
    this.bucket = new s3.Bucket(stack, 'Bucket', {
      bucketName,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // a new upload replaces the last run's input: the old one stays a version behind it
      versioned: true,
      removalPolicy: config.stage.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Only the training jobs and the workflow write here (their roles are limited to the training prefixes) and a team uploads training files with its own credentials; CloudTrail records the API calls, and access logs would need a second bucket per market.',
    });
    const objects = (prefix: string) => objectsArn(bucketName, prefix);

    // --- the role SageMaker runs the jobs as --------------------------------------------------
    this.jobRole = new iam.Role(stack, 'JobRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: `SageMaker training jobs of market ${config.code}: read the training input, write the artifacts, pull the XGBoost image, write logs`,
    });
    const inputs = models.flatMap(([model]) =>
      this.heads[model]!.map((h) => trainingInputPrefix(config.code, model, h.name)),
    );
    const outputs = models.flatMap(([model]) =>
      this.heads[model]!.map((h) => trainingOutputPrefix(config.code, model, h.name)),
    );
    this.jobRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': inputs.map((p) => `${p}*`) } },
      }),
    );
    this.jobRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: inputs.map(objects) }),
    );
    this.jobRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: outputs.map(objects) }),
    );
    const region = config.aws.region;
    const image = xgboostImageUri(region);
    this.jobRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
        resources: [`arn:${stack.partition}:ecr:${region}:${XGBOOST_REGISTRIES[region]}:repository/sagemaker-xgboost`],
      }),
    );
    this.jobRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }),
    );
    const jobLogs = `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:/aws/sagemaker/TrainingJobs`;
    this.jobRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        resources: [jobLogs, `${jobLogs}:log-stream:*`],
      }),
    );
    this.jobRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': ['/aws/sagemaker/TrainingJobs'] } },
      }),
    );

    // --- the workflow ---------------------------------------------------------------------------
    const machineName = physicalName(config, 'model-training');
    const unknown = new sfn.Fail(stack, 'UnknownModel', {
      error: 'UnknownModel',
      cause: `The input's model is not one this market pins: ${models.map(([m]) => m).join(', ')}`,
    });
    const choose = new sfn.Choice(stack, 'Model').otherwise(unknown);
    for (const [model, pin] of models)
      choose.when(sfn.Condition.stringEquals('$.model', model), this.trainModel(config, model, pin.version, image));

    const machineLogs = new logs.LogGroup(stack, 'Logs', {
      retention: retentionFor(config.retention.logsDays),
      removalPolicy: logRemovalPolicy,
    });
    const longest = Math.max(...Object.values(this.heads).map((hs) => hs.length));
    this.stateMachine = new sfn.StateMachine(stack, 'StateMachine', {
      stateMachineName: machineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(choose),
      // every head of the largest model at its longest, and an hour for the queues of SageMaker
      timeout: Duration.minutes(longest * training.maxRuntimeMinutes + 60),
      logs: { destination: machineLogs, level: sfn.LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });
    this.acknowledge(stack);
  }

  /** A pinned model's chain: its run id, its heads' jobs one after another, the record. */
  private trainModel(config: MarketConfig, model: string, version: string, image: string): sfn.IChainable {
    const { stack } = this;
    const training = config.models.awsTraining;
    const market = config.code;
    const start = new sfn.Pass(stack, `Start${idOf(model)}`, {
      comment: `A run of ${model}: its id names the jobs and the record`,
      parameters: {
        market,
        model,
        retrains: version,
        run: sfn.JsonPath.arrayGetItem(sfn.JsonPath.stringSplit(sfn.JsonPath.uuid(), '-'), 0),
        execution: sfn.JsonPath.stringAt('$$.Execution.Id'),
        startedAt: sfn.JsonPath.stringAt('$$.Execution.StartTime'),
      },
    });
    let chain = sfn.Chain.start(start);
    const heads = this.heads[model]!;
    for (const head of heads) {
      // a single-head model's head is the model: its jobs are named once
      const jobPrefix = physicalName(config, ...(heads.length === 1 ? [model] : [model, head.name]));
      if (jobPrefix.length + 1 + RUN_ID_LENGTH > MAX_JOB_NAME)
        throw new Error(
          `models.awsTraining: the job names of ${model}/${head.name} would be longer than ${MAX_JOB_NAME}`,
        );
      const job = new tasks.SageMakerCreateTrainingJob(stack, `Train${idOf(model)}${idOf(head.name)}`, {
        comment: `${model}/${head.name} with the hyperparameters of ${model} version ${version}`,
        integrationPattern: sfn.IntegrationPattern.RUN_JOB,
        trainingJobName: sfn.JsonPath.format(`${jobPrefix}-{}`, sfn.JsonPath.stringAt('$.run')),
        role: this.jobRole,
        algorithmSpecification: {
          trainingImage: tasks.DockerImage.fromRegistry(image),
          trainingInputMode: tasks.InputMode.FILE,
        },
        hyperparameters: head.hyperparameters,
        inputDataConfig: [
          {
            channelName: 'train',
            contentType: 'text/csv',
            dataSource: {
              s3DataSource: {
                s3DataType: tasks.S3DataType.S3_PREFIX,
                s3DataDistributionType: tasks.S3DataDistributionType.FULLY_REPLICATED,
                s3Location: new S3Uri(
                  `s3://${this.bucket.bucketName}/${trainingInputPrefix(market, model, head.name)}`,
                ),
              },
            },
          },
        ],
        outputDataConfig: {
          s3OutputLocation: new S3Uri(
            `s3://${this.bucket.bucketName}/${trainingOutputPrefix(market, model, head.name)}`,
          ),
        },
        resourceConfig: {
          instanceCount: 1,
          instanceType: new ec2.InstanceType(training.instanceType.replace(/^ml\./, '')),
          volumeSize: Size.gibibytes(training.volumeSizeGb),
        },
        stoppingCondition: { maxRuntime: Duration.minutes(training.maxRuntimeMinutes) },
        enableNetworkIsolation: true,
        resultSelector: {
          trainingJobName: sfn.JsonPath.stringAt('$.TrainingJobName'),
          modelArtifacts: sfn.JsonPath.stringAt('$.ModelArtifacts.S3ModelArtifacts'),
          finalMetrics: sfn.JsonPath.objectAt('$.FinalMetricDataList'),
        },
        resultPath: `$.heads.${idOf(head.name)}`,
      });
      chain = chain.next(job);
    }
    const runs = trainingRunsPrefix(market, model);
    const record = new tasks.CallAwsService(stack, `Record${idOf(model)}`, {
      comment: 'The run, for the team that brings the artifacts into the repository',
      service: 's3',
      action: 'putObject',
      parameters: {
        Bucket: this.bucket.bucketName,
        Key: sfn.JsonPath.format(`${runs}{}.json`, sfn.JsonPath.stringAt('$.run')),
        ContentType: 'application/json',
        Body: sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt('$')),
      },
      iamAction: 's3:PutObject',
      iamResources: [objectsArn(modelBucketName(config), runs)],
      resultPath: sfn.JsonPath.DISCARD,
    });
    return chain.next(record);
  }

  /** What cdk-nag flags and why it stands. */
  private acknowledge(stack: Stack): void {
    const partition = nagText(stack, stack.partition);
    const region = nagText(stack, stack.region);
    const account = nagText(stack, stack.account);
    // the name as cdk-nag prints it: the account is a pseudo parameter when the config has none
    const s3Partition = nagText(stack, Aws.PARTITION);
    const bucket = modelBucketName(this.config, this.config.aws.account ?? '<AWS::AccountId>');
    const prefixes = Object.keys(this.heads);
    Validations.of(this.jobRole).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'ecr:GetAuthorizationToken has no resource-level permissions; cloudwatch:PutMetricData is limited by condition to the SageMaker training-job namespace.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::arn:${partition}:logs:${region}:${account}:log-group:/aws/sagemaker/TrainingJobs:log-stream:*]`,
        reason: "SageMaker names a job's log streams after the job and its instance at run time, in its one log group.",
      },
      ...prefixes.flatMap((model) =>
        this.heads[model]!.flatMap((h) =>
          [trainingInputPrefix, trainingOutputPrefix].map((prefixOf) => ({
            id: `AwsSolutions-IAM5[Resource::arn:${s3Partition}:s3:::${bucket}/${prefixOf(this.config.code, model, h.name)}*]`,
            reason:
              "The objects under one head's training input (read) or output (write) prefix: a team names its input files, SageMaker names the artifact after the job.",
          })),
        ),
      ),
    );
    Validations.of(this.stateMachine.role).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'sagemaker:ListTags, which the .sync integration calls, has no resource-level permissions.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::arn:${partition}:sagemaker:${region}:${account}:training-job/*]`,
        reason:
          "Each run names its jobs with a new run id at run time; the statement is the task integration's own (Create, Describe, Stop, AddTags on training jobs), and iam:PassRole is only for the job role, to sagemaker.amazonaws.com.",
      },
      ...prefixes.map((model) => ({
        id: `AwsSolutions-IAM5[Resource::arn:${s3Partition}:s3:::${bucket}/${trainingRunsPrefix(this.config.code, model)}*]`,
        reason: "The workflow writes a run's record under the model's runs prefix, named by the run id at run time.",
      })),
    );
  }
}
