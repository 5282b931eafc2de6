import path from 'node:path';
import { Duration, Stack, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { decisioningEnvOf, marketRulesEnvOf } from '#config/decisioning-settings.ts';
import { physicalName, type MarketConfig } from '#config/market-config.ts';
import type { CustomerStore } from './customer-store.ts';
import { CvmFunction, REPO_ROOT, retentionFor } from './cvm-function.ts';
import { modelBundleDirs } from './decisioning.ts';
import { grantDistributedMap, stateMachineArn } from './distributed-map.ts';

/** How cdk-nag prints an ARN in a finding id: pseudo parameters as `<AWS::X>`. */
function arnText(stack: Stack, arn: string): string {
  const resolved = stack.resolve(arn) as string | { 'Fn::Join': [string, (string | { Ref: string })[]] };
  if (typeof resolved === 'string') return resolved;
  return resolved['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : `<${p.Ref}>`)).join('');
}

export const CAMPAIGN_ASL = path.join(REPO_ROOT, 'lib', 'workflows', 'campaign.asl.json');

export interface CampaignsProps {
  readonly config: MarketConfig;
  readonly store: CustomerStore;
  /** tenant -> its outbound queue (the event pipeline's), which the sender reads. */
  readonly outboundQueues: Record<string, sqs.IQueue>;
  readonly logRemovalPolicy: RemovalPolicy;
  /** The role EventBridge Scheduler assumes to start scheduled campaigns' runs (the market's schedule role). */
  readonly runScheduleRole?: iam.IRole;
}

/**
 * Campaigns: the campaigns API function (preview, start, follow, pause/resume/cancel) and the
 * campaign workflow, a Standard state machine on lib/workflows/campaign.asl.json whose every
 * task is the one campaign-step function (audience, control group, decide, hand-off, measure).
 */
export class Campaigns extends Construct {
  readonly apiFunction: CvmFunction;
  readonly stepFunction: CvmFunction;
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: CampaignsProps) {
    super(scope, id);
    const { config, store, outboundQueues, logRemovalPolicy } = props;
    const stack = Stack.of(this);
    const fnDefaults = { logRetentionDays: config.retention.logsDays, logRemovalPolicy };
    const env = {
      MARKET: config.code,
      ...store.tableNamesEnv(),
      VALUE_TIERS: JSON.stringify(config.valueTiers),
      ...decisioningEnvOf(config),
      // the market's country: the campaign preview prices SMS segments at its price
      ...marketRulesEnvOf(config),
      OUTBOUND_QUEUES: stack.toJsonString(
        Object.fromEntries(Object.entries(outboundQueues).map(([c, q]) => [c, q.queueUrl])),
      ),
      CAMPAIGN_SEGMENTS: '16',
      CAMPAIGN_SHARDS: '64',
    };

    this.stepFunction = new CvmFunction(this, 'CampaignStepFn', {
      ...fnDefaults,
      handlerFile: 'run-campaign-step.ts',
      description:
        'Campaign workflow tasks: audience segment, gate, contact shard (decide + hand-off), measure, finalize',
      memorySize: 1769,
      timeout: Duration.minutes(15),
      environment: env,
      bundleDirs: modelBundleDirs(config),
    });
    store.grantReadWrite(this.stepFunction);
    // the contact step decides, and every decision goes to the decision log
    store.grantDecisionLog(this.stepFunction);
    for (const queue of Object.values(outboundQueues)) queue.grantSendMessages(this.stepFunction);

    const machineName = physicalName(config, 'campaign');
    const machineLogs = new logs.LogGroup(this, 'CampaignLogs', {
      retention: retentionFor(config.retention.logsDays),
      removalPolicy: logRemovalPolicy,
    });
    this.stateMachine = new sfn.StateMachine(this, 'Campaign', {
      stateMachineName: machineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromFile(CAMPAIGN_ASL),
      definitionSubstitutions: { CampaignStepFn: this.stepFunction.functionArn },
      logs: { destination: machineLogs, level: sfn.LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });
    const role = this.stateMachine.role;
    // Invoke exactly the one task function (the ASL names the unqualified ARN).
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.stepFunction.functionArn] }),
    );
    grantDistributedMap(role, machineName);
    const machineArn = stateMachineArn(stack, machineName);

    this.apiFunction = new CvmFunction(this, 'CampaignsFn', {
      ...fnDefaults,
      handlerFile: 'serve-campaigns.ts',
      description: 'Campaigns API: preview, start, follow, pause, resume, cancel',
      memorySize: 1024,
      timeout: Duration.seconds(29),
      environment: { ...env, CAMPAIGN_STATE_MACHINE_ARN: machineArn },
      bundleDirs: modelBundleDirs(config),
    });
    store.grantReadWrite(this.apiFunction);
    store.grantIdempotency(this.apiFunction);
    this.apiFunction.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [machineArn] }),
    );
    if (props.runScheduleRole) this.scheduleRuns(config, props.runScheduleRole, machineArn);
  }

  /**
   * Scheduled campaigns: the API creates a run's one-time EventBridge Scheduler schedule (and deletes
   * it on cancel); the schedule invokes the step function with `start-run`, which starts the
   * workflow and schedules the next run. Schedules are not stack resources: the market's functions
   * may touch only schedules named with its prefix, and pass only the schedule role.
   */
  private scheduleRuns(config: MarketConfig, role: iam.IRole, machineArn: string): void {
    const stack = Stack.of(this);
    const prefix = physicalName(config);
    const schedules = stack.formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `default/${prefix}-run-*`,
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.stepFunction.functionArn] }),
    );
    for (const fn of [this.apiFunction, this.stepFunction]) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'],
          resources: [schedules],
        }),
      );
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['iam:PassRole'],
          resources: [role.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
        }),
      );
      fn.addEnvironment('CAMPAIGN_SCHEDULER_ROLE_ARN', role.roleArn);
      fn.addEnvironment('CAMPAIGN_SCHEDULE_PREFIX', prefix);
      Validations.of(fn.role!).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${arnText(stack, schedules)}]`,
        reason:
          "A scheduled campaign's runs are one-time schedules named per run (tenant, campaign, instant); the wildcard covers only this market's run schedules.",
      });
    }
    // the API names the step function as the target; the step function names itself (from its invocation)
    this.apiFunction.addEnvironment('CAMPAIGN_RUN_TARGET_ARN', this.stepFunction.functionArn);
    // start-run starts the workflow of the run it starts
    this.stepFunction.addEnvironment('CAMPAIGN_STATE_MACHINE_ARN', machineArn);
    this.stepFunction.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [machineArn] }),
    );
  }
}
