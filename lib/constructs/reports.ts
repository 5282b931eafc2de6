import path from 'node:path';
import { Duration, Stack, TimeZone, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import { experimentsEnvOf, marketRulesEnvOf } from '#config/decisioning-settings.ts';
import type { MarketConfig } from '#config/market-config.ts';
import type { CustomerStore } from './customer-store.ts';
import { npsLabelsIn } from '../../lambdas/adapters/models/model-labels.ts';
import { CvmFunction, REPO_ROOT } from './cvm-function.ts';

export interface ReportsProps {
  readonly config: MarketConfig;
  readonly store: CustomerStore;
  readonly logRemovalPolicy: RemovalPolicy;
  /**
   * When the snapshots are rebuilt, local time of the market (default 03:30, after the nightly
   * score-base). Daily, because each run reads the whole table: for 9M customers at ~10 KB each
   * that is ~11M read units (~$3 on demand) per run, ~$80 a month daily against ~$2,000 hourly.
   */
  readonly scheduleAt?: string;
  /** Parallel scan segments of one build (default 8). */
  readonly totalSegments?: number;
}

/**
 * Reports: the build-reports job (one parallel scan per tenant table, a daily EventBridge
 * schedule per tenant, a handful of snapshot writes per run: never a write per event) and the
 * reports API function, which only reads the stored snapshots (Query on `R#<name>`).
 */
export class Reports extends Construct {
  readonly apiFunction: CvmFunction;
  readonly buildFunction: CvmFunction;
  /** The market's EventBridge Scheduler role (the campaigns' run schedules assume it too). */
  readonly scheduleRole: iam.Role;

  constructor(scope: Construct, id: string, props: ReportsProps) {
    super(scope, id);
    const { config, store } = props;
    const fnDefaults = { logRetentionDays: config.retention.logsDays, logRemovalPolicy: props.logRemovalPolicy };
    const env = {
      MARKET: config.code,
      ...store.tableNamesEnv(),
      VALUE_TIERS: JSON.stringify(config.valueTiers),
      ...marketRulesEnvOf(config),
      ...experimentsEnvOf(config),
      REPORT_SEGMENTS: String(props.totalSegments ?? 8),
      // the functions carry no models: what each NPS version learned from, for the KPI report's label
      NPS_LABELS: JSON.stringify(npsLabelsIn(path.join(REPO_ROOT, 'models'), config.code)),
    };
    this.apiFunction = new CvmFunction(this, 'ReportsFn', {
      ...fnDefaults,
      handlerFile: 'serve-reports.ts',
      description: 'GET /v1/reports/{name}: stored report snapshots as JSON, CSV or SVG',
      memorySize: 512,
      environment: env,
    });
    this.buildFunction = new CvmFunction(this, 'BuildReportsFn', {
      ...fnDefaults,
      handlerFile: 'build-reports.ts',
      description:
        'build-reports: one parallel scan of a tenant table -> KPI, exit, acquisition and decision snapshots',
      memorySize: 1769,
      timeout: Duration.minutes(15),
      environment: env,
    });

    const tables = Object.values(store.tables) as dynamodb.ITable[];
    for (const table of tables) {
      // the API: Query on the report partitions only; no scan, no write
      this.apiFunction.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: [table.tableArn] }),
      );
      table.encryptionKey?.grantDecrypt(this.apiFunction);
      // the job: Scan the table, read the catalog (Query on gsi1), write the snapshots
      this.buildFunction.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['dynamodb:Scan', 'dynamodb:Query', 'dynamodb:PutItem'],
          resources: [table.tableArn],
        }),
      );
      this.buildFunction.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${table.tableArn}/index/gsi1`] }),
      );
      table.encryptionKey?.grantEncryptDecrypt(this.buildFunction);
    }
    // the job: the month's decisions from each decision log's byDay index (Query only, report fields only)
    for (const table of Object.values(store.decisionTables) as dynamodb.ITable[]) {
      this.buildFunction.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${table.tableArn}/index/byDay`] }),
      );
      table.encryptionKey?.grantDecrypt(this.buildFunction);
    }
    const kmsReason =
      "Snapshot writes to tables encrypted with their customer-managed key need the GenerateDataKey*/ReEncrypt* families; each statement is limited to those tables' keys.";
    if (tables.some((t) => t.encryptionKey)) {
      Validations.of(this.buildFunction.role!).acknowledge(
        { id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', reason: kmsReason },
        { id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]', reason: kmsReason },
      );
    }

    const [hour, minute] = (props.scheduleAt ?? '03:30').split(':').map(Number) as [number, number];
    // the schedules' own role, so its one finding is acknowledged where it arises
    const scheduleRole = (this.scheduleRole = new iam.Role(this, 'ScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com'),
      description: `EventBridge Scheduler: invokes the ${config.code} build-reports function and starts scheduled campaign runs`,
    }));
    const fnLogicalId = Stack.of(this).resolve(
      (this.buildFunction.node.defaultChild as lambda.CfnFunction).logicalId,
    ) as string;
    Validations.of(scheduleRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${fnLogicalId}.Arn>:*]`,
      reason:
        'The scheduler target grant covers the build-reports function and its versions/aliases (`:*`); it names that one function only.',
    });
    for (const tenant of config.tenants) {
      new scheduler.Schedule(this, `Daily-${tenant.id}`, {
        description: `build-reports of tenant ${tenant.id}, daily at ${props.scheduleAt ?? '03:30'} (${config.timezone})`,
        schedule: scheduler.ScheduleExpression.cron({
          minute: String(minute),
          hour: String(hour),
          timeZone: TimeZone.of(config.timezone),
        }),
        target: new targets.LambdaInvoke(this.buildFunction, {
          input: scheduler.ScheduleTargetInput.fromObject({ tenant: tenant.id }),
          retryAttempts: 2,
          role: scheduleRole,
        }),
      });
    }
  }
}
