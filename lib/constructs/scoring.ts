import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ArnFormat, Duration, RemovalPolicy, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { physicalName, type MarketConfig } from '#config/market-config.ts';
import { headKey, type EndpointMap } from '../../lambdas/adapters/sagemaker/endpoints.ts';
import type { ModelManifest } from '../../lambdas/domain/scoring/model-store.ts';
import type { CustomerStore } from './customer-store.ts';
import { CvmFunction, REPO_ROOT, retentionFor } from './cvm-function.ts';
import { modelTarball } from './model-tarball.ts';
import { grantDistributedMap, nagText } from './distributed-map.ts';

export const SCORE_BASE_ASL = path.join(REPO_ROOT, 'lib', 'workflows', 'score-base.asl.json');
const MODELS_ROOT = path.join(REPO_ROOT, 'models');

/**
 * The SageMaker built-in XGBoost inference image, version 1.7-1 (the models are saved by xgboost
 * 1.7), per region: the ECR account of `inference.versions["1.7-1"].registries` in
 * aws/sagemaker-python-sdk src/sagemaker/image_uri_config/xgboost.json.
 */
export const XGBOOST_IMAGE_VERSION = '1.7-1';
export const XGBOOST_REGISTRIES: Record<string, string> = {
  'af-south-1': '510948584623',
  'ap-east-1': '651117190479',
  'ap-northeast-1': '354813040037',
  'ap-northeast-2': '366743142698',
  'ap-northeast-3': '867004704886',
  'ap-south-1': '720646828776',
  'ap-south-2': '628508329040',
  'ap-southeast-1': '121021644041',
  'ap-southeast-2': '783357654285',
  'ap-southeast-3': '951798379941',
  'ap-southeast-4': '106583098589',
  'ca-central-1': '341280168497',
  'ca-west-1': '190319476487',
  'eu-central-1': '492215442770',
  'eu-central-2': '680994064768',
  'eu-north-1': '662702820516',
  'eu-south-1': '978288397137',
  'eu-south-2': '104374241257',
  'eu-west-1': '141502667606',
  'eu-west-2': '764974769150',
  'eu-west-3': '659782779980',
  'il-central-1': '898809789911',
  'me-central-1': '272398656194',
  'me-south-1': '801668240914',
  'sa-east-1': '737474898029',
  'us-east-1': '683313688378',
  'us-east-2': '257758044811',
  'us-west-1': '746614075791',
  'us-west-2': '246618743249',
};

export function xgboostImageUri(region: string): string {
  const account = XGBOOST_REGISTRIES[region];
  if (!account)
    throw new Error(
      `scoring: no SageMaker XGBoost image is known for region '${region}'; add it to XGBOOST_REGISTRIES from the SageMaker Python SDK's xgboost.json`,
    );
  return `${account}.dkr.ecr.${region}.amazonaws.com/sagemaker-xgboost:${XGBOOST_IMAGE_VERSION}`;
}

export interface ScoringProps {
  readonly config: MarketConfig;
  readonly store: CustomerStore;
  readonly logRemovalPolicy: RemovalPolicy;
}

/** `churn` -> `Churn`, `cross-sell/tech-support` -> `CrossSellTechSupport`: construct ids. */
const idOf = (s: string) =>
  s
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
const nameOf = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-');

/**
 * Scoring: the nightly score-base workflow (always) and, in `sagemaker` mode, the pinned model
 * versions on SageMaker with the built-in XGBoost container: serverless (one endpoint per model
 * head, no idle cost) or real-time (one multi-model endpoint serving every head).
 */
export class Scoring extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly segmentFunction: CvmFunction;
  readonly reportFunction: CvmFunction;
  /** `<model>/<head>` -> endpoint (sagemaker mode only). */
  readonly endpoints: EndpointMap = {};
  private readonly endpointArns: string[] = [];
  private readonly config: MarketConfig;

  constructor(scope: Construct, id: string, props: ScoringProps) {
    super(scope, id);
    const { config, store, logRemovalPolicy } = props;
    this.config = config;
    const fnDefaults = { logRetentionDays: config.retention.logsDays, logRemovalPolicy };
    const scoringEnv = {
      MARKET: config.code,
      TENANT_TABLES: store.tableNamesEnv().TENANT_TABLES,
      MODELS_DIR: '/var/task/models',
      MODEL_PINS: JSON.stringify(config.scoring.models),
      WRITE_DELTA: String(config.scoring.writeDelta),
      PSI_TOP_FEATURES: String(config.models.psiTopFeatures),
    };
    const models = [{ from: path.join(MODELS_ROOT, config.code), to: `models/${config.code}` }];

    // --- score-base workflow -----------------------------------------------------------------
    this.segmentFunction = new CvmFunction(this, 'ScoreSegmentFn', {
      ...fnDefaults,
      handlerFile: 'score-segment.ts',
      description: 'score-base: scores one parallel-scan segment of a tenant table, writes moved scores',
      memorySize: 1769, // one full vCPU: the evaluator is CPU-bound
      timeout: Duration.minutes(15),
      environment: scoringEnv,
      bundleDirs: models,
    });
    store.grantScoring(this.segmentFunction);
    this.reportFunction = new CvmFunction(this, 'ScoreReportFn', {
      ...fnDefaults,
      handlerFile: 'score-report.ts',
      description: 'score-base: totals and score drift (PSI) against the training histograms',
      memorySize: 512,
      timeout: Duration.minutes(1),
      environment: scoringEnv,
      bundleDirs: models,
    });
    store.grantScoreRunReads(this.reportFunction);

    const machineName = physicalName(config, 'score-base');
    const machineLogs = new logs.LogGroup(this, 'ScoreBaseLogs', {
      retention: retentionFor(config.retention.logsDays),
      removalPolicy: logRemovalPolicy,
    });
    this.stateMachine = new sfn.StateMachine(this, 'ScoreBase', {
      stateMachineName: machineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromFile(SCORE_BASE_ASL),
      definitionSubstitutions: {
        ScoreSegmentFn: this.segmentFunction.functionArn,
        ScoreReportFn: this.reportFunction.functionArn,
      },
      logs: { destination: machineLogs, level: sfn.LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });
    const role = this.stateMachine.role;
    // Invoke exactly the two task functions (no ':*' qualifier: the ASL names the unqualified ARNs).
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [this.segmentFunction.functionArn, this.reportFunction.functionArn],
      }),
    );
    grantDistributedMap(role, machineName);

    // --- nightly schedule, one per tenant, in the market's time zone ------------------------
    const [hour, minute] = config.scoring.scheduleAt.split(':');
    for (const tenant of config.tenants) {
      new scheduler.Schedule(this, `Nightly-${tenant.id}`, {
        description: `Nightly score-base of tenant ${tenant.id} (${config.scoring.scheduleAt} ${config.timezone})`,
        schedule: scheduler.ScheduleExpression.cron({
          minute: String(Number(minute)),
          hour: String(Number(hour)),
          timeZone: TimeZone.of(config.timezone),
        }),
        target: new targets.StepFunctionsStartExecution(this.stateMachine, {
          input: scheduler.ScheduleTargetInput.fromObject({
            tenant: tenant.id,
            totalSegments: config.scoring.totalSegments,
          }),
          retryAttempts: 3,
        }),
      });
    }

    if (config.scoring.mode === 'sagemaker') this.deployEndpoints();
  }

  /** Grants a function InvokeEndpoint on the market's endpoints (nothing in embedded mode). */
  grantInvoke(grantee: iam.IGrantable): void {
    if (this.endpointArns.length === 0) return;
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['sagemaker:InvokeEndpoint'], resources: this.endpointArns }),
    );
  }

  /** What the online scoring port (composition/scoring-env.ts) reads. */
  scoringEnvironment(): Record<
    'SCORING_MODE' | 'SAGEMAKER_ENDPOINTS' | 'LATENCY_BUDGET_MS' | 'MODEL_PINS' | 'WRITE_DELTA',
    string
  > {
    return {
      SCORING_MODE: this.config.scoring.mode,
      SAGEMAKER_ENDPOINTS: JSON.stringify(this.endpoints),
      LATENCY_BUDGET_MS: String(this.config.scoring.endpoint.latencyBudgetMs),
      MODEL_PINS: JSON.stringify(this.config.scoring.models),
      WRITE_DELTA: String(this.config.scoring.writeDelta),
    };
  }

  private deployEndpoints(): void {
    const { config } = this;
    const stack = Stack.of(this);
    const endpoint = config.scoring.endpoint;
    const image = xgboostImageUri(config.aws.region);

    // One tarball per model head of each pinned version.
    const heads: Array<{ key: string; asset: s3assets.Asset }> = [];
    for (const [model, pin] of Object.entries(config.scoring.models)) {
      const dir = path.join(MODELS_ROOT, config.code, model, pin.version);
      const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as ModelManifest;
      for (const head of manifest.heads) {
        const key = headKey(model, head.name);
        const asset = new s3assets.Asset(this, `Artifact${idOf(key)}V${idOf(pin.version)}`, {
          path: modelTarball(readFileSync(path.join(dir, head.dir, 'model.json'))),
        });
        heads.push({ key, asset });
      }
    }

    const role = new iam.Role(this, 'SageMakerRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: `SageMaker execution role of the ${config.code} scoring endpoints: read the model artifacts, pull the XGBoost image, write logs`,
    });
    for (const { asset } of heads) asset.grantRead(role);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
        resources: [
          `arn:${stack.partition}:ecr:${config.aws.region}:${XGBOOST_REGISTRIES[config.aws.region]}:repository/sagemaker-xgboost`,
        ],
      }),
    );
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }));
    const logGroupArn = stack.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: '/aws/sagemaker/Endpoints/*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        resources: [logGroupArn, `${logGroupArn}:*`],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': ['/aws/sagemaker/Endpoints'] } },
      }),
    );
    const region = nagText(stack, stack.region);
    const partition = nagText(stack, stack.partition);
    const nag: Array<{ id: string; reason: string }> = [
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'ecr:GetAuthorizationToken has no resource-level permissions; cloudwatch:PutMetricData is limited by condition to the SageMaker endpoint namespace.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::arn:${partition}:logs:${region}:<AWS::AccountId>:log-group:/aws/sagemaker/Endpoints/*]`,
        reason:
          'SageMaker names endpoint log groups after the endpoint at deploy time; the wildcard covers only SageMaker endpoint log groups.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::arn:${partition}:logs:${region}:<AWS::AccountId>:log-group:/aws/sagemaker/Endpoints/*:*]`,
        reason:
          'Log streams inside the SageMaker endpoint log groups above; streams are created per instance at run time.',
      },
      {
        id: 'AwsSolutions-IAM5[Action::s3:GetObject*]',
        reason:
          'The asset grant is read-only (GetObject*, GetBucket*, List*) on the model artifacts in the CDK asset bucket.',
      },
      {
        id: 'AwsSolutions-IAM5[Action::s3:GetBucket*]',
        reason:
          'The asset grant is read-only (GetObject*, GetBucket*, List*) on the model artifacts in the CDK asset bucket.',
      },
      {
        id: 'AwsSolutions-IAM5[Action::s3:List*]',
        reason:
          'The asset grant is read-only (GetObject*, GetBucket*, List*) on the model artifacts in the CDK asset bucket.',
      },
    ];
    for (const bucket of new Set(heads.map((h) => nagText(stack, h.asset.s3BucketName)))) {
      nag.push({
        id: `AwsSolutions-IAM5[Resource::arn:${partition}:s3:::${bucket}/*]`,
        reason:
          'The CDK asset grant covers objects of the bootstrap asset bucket that holds the model.tar.gz artifacts; the role is read-only and only SageMaker assumes it.',
      });
    }
    Validations.of(role).acknowledge(...nag);

    const container = (
      extra: Partial<sagemaker.CfnModel.ContainerDefinitionProperty>,
    ): sagemaker.CfnModel.ContainerDefinitionProperty => ({ image, ...extra });
    const modelNag = (m: sagemaker.CfnModel) =>
      Validations.of(m).acknowledge({
        id: 'AwsSolutions-SM1',
        reason:
          'The model runs with network isolation (no outbound network at all) and needs no VPC resources; the platform has no VPC.',
      });

    if (endpoint.kind === 'real-time') {
      // One multi-model endpoint: every head is a model.tar.gz under the asset bucket, addressed by TargetModel.
      const bucket = heads[0]?.asset.s3BucketName;
      if (!bucket) return;
      const model = new sagemaker.CfnModel(this, 'MultiModel', {
        executionRoleArn: role.roleArn,
        enableNetworkIsolation: true,
        primaryContainer: container({ mode: 'MultiModel', modelDataUrl: `s3://${bucket}/` }),
      });
      model.node.addDependency(role);
      modelNag(model);
      const key = new kms.Key(this, 'EndpointKey', {
        description: `Storage volumes of the ${config.code} ${config.stage.name} scoring endpoint`,
        enableKeyRotation: true,
        removalPolicy: config.stage.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      });
      key.grantEncryptDecrypt(role);
      const kmsReason =
        "The endpoint's storage volumes are encrypted with its own key; the GenerateDataKey*/ReEncrypt* families are limited to that one key.";
      Validations.of(role).acknowledge(
        { id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', reason: kmsReason },
        { id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]', reason: kmsReason },
      );
      const cfg = new sagemaker.CfnEndpointConfig(this, 'EndpointConfig', {
        kmsKeyId: key.keyArn,
        productionVariants: [
          {
            variantName: 'all',
            modelName: model.attrModelName,
            instanceType: endpoint.instanceType,
            initialInstanceCount: endpoint.instanceCount,
            initialVariantWeight: 1,
          },
        ],
      });
      const ep = new sagemaker.CfnEndpoint(this, 'Endpoint', { endpointConfigName: cfg.attrEndpointConfigName });
      this.endpointArns.push(ep.ref);
      for (const h of heads)
        this.endpoints[h.key] = { endpointName: ep.attrEndpointName, targetModel: h.asset.s3ObjectKey };
      return;
    }

    // Serverless: one endpoint per head (serverless endpoints host one model each, idle costs nothing).
    for (const h of heads) {
      const id = idOf(h.key);
      const model = new sagemaker.CfnModel(this, `Model${id}`, {
        executionRoleArn: role.roleArn,
        enableNetworkIsolation: true,
        primaryContainer: container({ modelDataUrl: h.asset.s3ObjectUrl }),
      });
      model.node.addDependency(role);
      modelNag(model);
      const cfg = new sagemaker.CfnEndpointConfig(this, `EndpointConfig${id}`, {
        productionVariants: [
          {
            variantName: 'all',
            modelName: model.attrModelName,
            serverlessConfig: { memorySizeInMb: endpoint.memoryMb, maxConcurrency: endpoint.maxConcurrency },
          },
        ],
      });
      Validations.of(cfg).acknowledge({
        id: 'AwsSolutions-SM2',
        reason:
          'Serverless endpoints have no ML storage volume and SageMaker rejects KmsKeyId on a serverless endpoint config; artifacts are encrypted at rest in S3.',
      });
      const ep = new sagemaker.CfnEndpoint(this, `Endpoint${id}`, {
        endpointConfigName: cfg.attrEndpointConfigName,
        endpointName: physicalName(config, nameOf(h.key)).slice(0, 63),
      });
      this.endpointArns.push(ep.ref);
      this.endpoints[h.key] = { endpointName: ep.attrEndpointName };
    }
  }
}
