import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import * as xray from 'aws-cdk-lib/aws-xray';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';
import type { MarketConfig } from '#config/market-config.ts';
import { METER_NAMES, METER_NAMESPACE, METER_SERVICE } from '../../lambdas/domain/metering.ts';

export interface ObservabilityProps {
  readonly config: MarketConfig;
  readonly restApi: apigw.RestApi;
  /** The API stage name (X-Ray names API Gateway traces `<api name>/<stage>`). */
  readonly stageName: string;
  /** Functions to graph and alarm on (errors, duration), by a short name. */
  readonly functions: Record<string, IFunction>;
  /** Dead-letter queues: depth graphed and alarmed on any message. */
  readonly deadLetterQueues?: IQueue[];
  /** @default 1 (percent of requests answered 5xx over 5 minutes) */
  readonly serverErrorRatePercent?: number;
  /** @default 1000 ms of API p99 latency */
  readonly p99LatencyMs?: number;
}

const PERIOD = Duration.minutes(5);

/**
 * Health of one market at a glance: a dashboard (API requests, latency p50/p99, 4xx/5xx, Lambda
 * errors and duration per function, DLQ depth, workflow failures, meters per tenant), alarms on
 * 5xx rate, p99 latency and Lambda errors to one encrypted, TLS-only SNS topic (e-mail from
 * config), and the X-Ray sampling rule of the API from `tracingSampleRate`. Other constructs
 * register later through `addQueueAlarm`, `addWorkflowAlarm` and `notify`.
 */
export class Observability extends Construct {
  readonly alarmTopic: sns.Topic;
  readonly dashboard: cloudwatch.Dashboard;
  readonly samplingRule: xray.CfnSamplingRule;
  readonly alarms: cloudwatch.Alarm[] = [];
  private readonly action: SnsAction;
  private readonly config: MarketConfig;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const { config, restApi } = props;
    this.config = config;

    // --- where alarms go ---------------------------------------------------------------------
    const key = new kms.Key(this, 'AlarmTopicKey', {
      description: `Alarm topic of market ${config.code}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // CloudWatch alarms publish to an encrypted topic only when they may use its key
    key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
    }));
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: `telco-cvm ${config.code} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    if (config.alarmTopicEmail) this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(config.alarmTopicEmail));
    this.action = new SnsAction(this.alarmTopic);

    // --- tracing: the API's sampling rule (Lambda follows API Gateway's decision) ----------
    this.samplingRule = new xray.CfnSamplingRule(this, 'SamplingRule', {
      samplingRule: {
        ruleName: `cvm-${config.code}`.slice(0, 32),
        priority: 100,
        fixedRate: config.tracingSampleRate,
        reservoirSize: 1,
        serviceName: `${restApi.restApiName}/${props.stageName}`,
        serviceType: '*',
        host: '*',
        httpMethod: '*',
        urlPath: '*',
        resourceArn: '*',
        version: 1,
      },
    });

    // --- the dashboard -----------------------------------------------------------------------
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `telco-cvm-${config.code}`,
      defaultInterval: Duration.hours(6),
    });
    const count = restApi.metricCount({ period: PERIOD, statistic: 'Sum' });
    const errors5xx = restApi.metricServerError({ period: PERIOD, statistic: 'Sum' });
    const errors4xx = restApi.metricClientError({ period: PERIOD, statistic: 'Sum' });
    const p50 = restApi.metricLatency({ period: PERIOD, statistic: 'p50', label: 'p50' });
    const p99 = restApi.metricLatency({ period: PERIOD, statistic: 'p99', label: 'p99' });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'API requests', left: [count], width: 6 }),
      new cloudwatch.GraphWidget({ title: 'API latency (ms)', left: [p50, p99], width: 6 }),
      new cloudwatch.GraphWidget({ title: 'API 4xx / 5xx', left: [errors4xx, errors5xx], width: 6 }),
    );
    const fns = Object.entries(props.functions);
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Lambda errors', left: fns.map(([name, fn]) => fn.metricErrors({ period: PERIOD, label: name })), width: 12 }),
      new cloudwatch.GraphWidget({ title: 'Lambda duration p99 (ms)', left: fns.map(([name, fn]) => fn.metricDuration({ period: PERIOD, statistic: 'p99', label: name })), width: 12 }),
    );
    this.dashboard.addWidgets(...METER_NAMES.map((name) => new cloudwatch.GraphWidget({
      title: `${name} per tenant`,
      width: 8,
      left: config.tenants.map((t) => this.meterMetric(name, t.id)),
    })));

    // --- alarms ------------------------------------------------------------------------------
    const rate = props.serverErrorRatePercent ?? 1;
    this.track(new cloudwatch.Alarm(this, 'Api5xxRate', {
      alarmDescription: `More than ${rate}% of API requests of market ${config.code} answered 5xx over 5 minutes`,
      metric: new cloudwatch.MathExpression({ expression: 'IF(requests > 0, 100 * errors / requests, 0)', usingMetrics: { errors: errors5xx, requests: count }, period: PERIOD, label: '5xx %' }),
      threshold: rate,
      evaluationPeriods: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }));
    const latency = props.p99LatencyMs ?? 1000;
    this.track(new cloudwatch.Alarm(this, 'ApiP99Latency', {
      alarmDescription: `API p99 latency of market ${config.code} above ${latency} ms for 15 minutes`,
      metric: p99,
      threshold: latency,
      evaluationPeriods: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }));
    for (const [name, fn] of fns) {
      this.track(new cloudwatch.Alarm(this, `Errors-${name}`, {
        alarmDescription: `Lambda ${name} of market ${config.code} raised errors in 2 consecutive 5-minute periods`,
        metric: fn.metricErrors({ period: PERIOD, statistic: 'Sum' }),
        threshold: 0,
        evaluationPeriods: 2,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }));
    }
    this.dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 }));
    for (const dlq of props.deadLetterQueues ?? []) this.addQueueAlarm(dlq);
  }

  /** A meter of one tenant as the EMF adapter writes it (namespace telco-cvm; service, market, tenant). */
  meterMetric(name: string, tenant: string): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METER_NAMESPACE,
      metricName: name,
      dimensionsMap: { service: METER_SERVICE, market: this.config.code, tenant },
      statistic: 'Sum',
      period: PERIOD,
      label: tenant,
    });
  }

  /** Sends existing alarms (e.g. another construct's DLQ alarms) to the alarm topic. */
  notify(...alarms: cloudwatch.IAlarm[]): void {
    for (const alarm of alarms) {
      if (alarm instanceof cloudwatch.Alarm) this.track(alarm);
    }
  }

  /** Depth of a (dead-letter) queue: graphed, and alarmed as soon as a message waits in it. */
  addQueueAlarm(queue: IQueue, description = `Messages wait in ${queue.node.path}`): cloudwatch.Alarm {
    const depth = queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' });
    this.dashboard.addWidgets(new cloudwatch.GraphWidget({ title: `Depth: ${queue.node.id}`, left: [depth], width: 6 }));
    return this.track(new cloudwatch.Alarm(this, `Depth-${queue.node.addr.slice(0, 10)}`, {
      alarmDescription: description,
      metric: depth,
      threshold: 0,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }));
  }

  /** Failed, timed-out or aborted executions of a workflow: graphed and alarmed. */
  addWorkflowAlarm(stateMachine: IStateMachine, name = stateMachine.node.id): cloudwatch.Alarm {
    const failed = new cloudwatch.MathExpression({
      expression: 'failed + timedOut + aborted',
      usingMetrics: {
        failed: stateMachine.metricFailed({ period: PERIOD, statistic: 'Sum' }),
        timedOut: stateMachine.metricTimedOut({ period: PERIOD, statistic: 'Sum' }),
        aborted: stateMachine.metricAborted({ period: PERIOD, statistic: 'Sum' }),
      },
      period: PERIOD,
      label: `${name} failures`,
    });
    this.dashboard.addWidgets(new cloudwatch.GraphWidget({ title: `Workflow: ${name}`, left: [stateMachine.metricSucceeded({ period: PERIOD }), failed], width: 6 }));
    return this.track(new cloudwatch.Alarm(this, `Workflow-${name}`, {
      alarmDescription: `Workflow ${name} of market ${this.config.code} failed, timed out or was aborted`,
      metric: failed,
      threshold: 0,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }));
  }

  private track(alarm: cloudwatch.Alarm): cloudwatch.Alarm {
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
    return alarm;
  }
}
