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
import { physicalName, type MarketConfig } from '#config/market-config.ts';
import { METER_NAMES } from '../../lambdas/domain/metering.ts';
import {
  DIMENSION,
  FALLBACK_REASONS,
  METRIC,
  METRICS_NAMESPACE,
  METRICS_SERVICE,
} from '../../lambdas/adapters/metrics/platform-metrics.ts';

export interface ObservabilityProps {
  readonly config: MarketConfig;
  readonly restApi: apigw.RestApi;
  /** The API stage name (X-Ray names API Gateway traces `<api name>/<stage>`). */
  readonly stageName: string;
  /** Functions to graph and alarm on (errors, duration), by a short name. */
  readonly functions: Record<string, IFunction>;
  /** Dead-letter queues: depth graphed and alarmed on any message. */
  readonly deadLetterQueues?: IQueue[];
}

const PERIOD = Duration.minutes(5);

/**
 * Health of one market at a glance: a dashboard (API requests, latency p50/p99, 4xx/5xx, Lambda
 * errors and duration per function, decisions by channel, trigger firings per tenant, SageMaker
 * fallbacks, DLQ depth, workflow failures, meters per tenant), alarms on 5xx rate, p99 latency,
 * Lambda errors and the scoring fallback rate (thresholds from the config's `alerting`) to one
 * encrypted, TLS-only SNS topic (e-mail from config), and the X-Ray sampling rule of the API from
 * `tracingSampleRate`. Other constructs register later through `addQueueAlarm`,
 * `addWorkflowAlarm` and `notify`. The platform metrics are read with the names and dimensions
 * their emitters use (lambdas/adapters/metrics/platform-metrics.ts).
 */
export class Observability extends Construct {
  readonly alarmTopic: sns.Topic;
  readonly dashboard: cloudwatch.Dashboard;
  readonly samplingRule: xray.CfnSamplingRule;
  readonly alarms: cloudwatch.Alarm[] = [];
  /** sagemaker mode only: in embedded mode nothing calls an endpoint, so nothing can fall back. */
  readonly scoringFallbackRateAlarm?: cloudwatch.Alarm;
  private readonly action: SnsAction;
  private readonly config: MarketConfig;
  private queueDepth?: cloudwatch.GraphWidget;

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
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: `telco-cvm ${config.code} ${config.stage.name} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    if (config.alarmTopicEmail)
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(config.alarmTopicEmail));
    this.action = new SnsAction(this.alarmTopic);

    // --- tracing: the API's sampling rule (Lambda follows API Gateway's decision) ----------
    this.samplingRule = new xray.CfnSamplingRule(this, 'SamplingRule', {
      samplingRule: {
        ruleName: physicalName(config).slice(0, 32),
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
      dashboardName: physicalName(config),
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
      new cloudwatch.GraphWidget({
        title: 'Lambda errors',
        left: fns.map(([name, fn]) => fn.metricErrors({ period: PERIOD, label: name })),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Lambda duration p99 (ms)',
        left: fns.map(([name, fn]) => fn.metricDuration({ period: PERIOD, statistic: 'p99', label: name })),
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Decisions by channel',
        width: 12,
        stacked: true,
        left: config.channels.map((channel) =>
          this.platformMetric(METRIC.decision, { [DIMENSION.channel]: channel }, channel),
        ),
      }),
      new cloudwatch.GraphWidget({
        title: 'Trigger firings per tenant',
        width: 12,
        stacked: true,
        left: config.tenants.map((t) => this.platformMetric(METRIC.triggerFired, { [DIMENSION.tenant]: t.id }, t.id)),
      }),
    );
    this.dashboard.addWidgets(
      ...METER_NAMES.map(
        (name) =>
          new cloudwatch.GraphWidget({
            title: `${name} per tenant`,
            width: 8,
            left: config.tenants.map((t) => this.meterMetric(name, t.id)),
          }),
      ),
    );

    // --- alarms ------------------------------------------------------------------------------
    const rate = config.alerting.serverErrorRatePercent;
    this.track(
      new cloudwatch.Alarm(this, 'Api5xxRate', {
        alarmDescription: `More than ${rate}% of API requests of market ${config.code} answered 5xx over 5 minutes`,
        metric: new cloudwatch.MathExpression({
          expression: 'IF(requests > 0, 100 * errors / requests, 0)',
          usingMetrics: { errors: errors5xx, requests: count },
          period: PERIOD,
          label: '5xx %',
        }),
        threshold: rate,
        evaluationPeriods: 2,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
    const latency = config.alerting.p99LatencyMs;
    this.track(
      new cloudwatch.Alarm(this, 'ApiP99Latency', {
        alarmDescription: `API p99 latency of market ${config.code} above ${latency} ms for 15 minutes`,
        metric: p99,
        threshold: latency,
        evaluationPeriods: 3,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
    for (const [name, fn] of fns) {
      this.track(
        new cloudwatch.Alarm(this, `Errors-${name}`, {
          alarmDescription: `Lambda ${name} of market ${config.code} raised errors in 2 consecutive 5-minute periods`,
          metric: fn.metricErrors({ period: PERIOD, statistic: 'Sum' }),
          threshold: 0,
          evaluationPeriods: 2,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    }
    if (config.scoring.mode === 'sagemaker') this.scoringFallbackRateAlarm = this.watchScoringFallbacks();
    this.dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 }));
    for (const dlq of props.deadLetterQueues ?? []) this.addQueueAlarm(dlq);
  }

  /** A meter of one tenant as the EMF adapter writes it (namespace telco-cvm; service, market, tenant). */
  meterMetric(name: string, tenant: string): cloudwatch.Metric {
    return this.platformMetric(name, { [DIMENSION.tenant]: tenant }, tenant);
  }

  /**
   * A platform metric of this market as Powertools writes it: `service` and `market` on every
   * blob, plus the metric's own dimension (none for ScoringRequest).
   */
  platformMetric(name: string, own: Record<string, string>, label: string): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName: name,
      dimensionsMap: { [DIMENSION.service]: METRICS_SERVICE, [DIMENSION.market]: this.config.code, ...own },
      statistic: 'Sum',
      period: PERIOD,
      label,
    });
  }

  /**
   * Sends existing alarms (e.g. another construct's DLQ alarms) to the alarm topic. Alarms on an
   * SQS queue's depth are graphed on the DLQ depth widget too: the constructs that own the queues
   * alarm on them, so this is where the dashboard learns of them.
   */
  notify(...alarms: cloudwatch.IAlarm[]): void {
    for (const alarm of alarms) {
      if (!(alarm instanceof cloudwatch.Alarm)) continue;
      this.track(alarm);
      const metric = alarm.metric;
      if (
        metric instanceof cloudwatch.Metric &&
        metric.namespace === 'AWS/SQS' &&
        metric.metricName === 'ApproximateNumberOfMessagesVisible'
      ) {
        this.graphQueueDepth(metric.with({ label: alarm.node.scope?.node.id ?? alarm.node.id }));
      }
    }
  }

  /** Depth of a (dead-letter) queue: graphed, and alarmed as soon as a message waits in it. */
  addQueueAlarm(queue: IQueue, description = `Messages wait in ${queue.node.path}`): cloudwatch.Alarm {
    const depth = queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' });
    this.graphQueueDepth(depth.with({ label: queue.node.id }));
    return this.track(
      new cloudwatch.Alarm(this, `Depth-${queue.node.addr.slice(0, 10)}`, {
        alarmDescription: description,
        metric: depth,
        threshold: 0,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
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
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: `Workflow: ${name}`,
        left: [stateMachine.metricSucceeded({ period: PERIOD }), failed],
        width: 6,
      }),
    );
    return this.track(
      new cloudwatch.Alarm(this, `Workflow-${name}`, {
        alarmDescription: `Workflow ${name} of market ${this.config.code} failed, timed out or was aborted`,
        metric: failed,
        threshold: 0,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
  }

  /**
   * Online scorings answered by the in-process evaluator instead of SageMaker: graphed by reason
   * beside their rate, and alarmed on the rate. A rate rather than a count, so the threshold holds
   * at any traffic; each reason's series is FILLed because a reason that did not occur in a period
   * has no data point there, and the sum must not go missing with it.
   */
  private watchScoringFallbacks(): cloudwatch.Alarm {
    const { config } = this;
    const requests = this.platformMetric(METRIC.scoringRequest, {}, 'scorings');
    const byReason = FALLBACK_REASONS.map((reason) =>
      this.platformMetric(METRIC.scoringFallback, { [DIMENSION.reason]: reason }, reason),
    );
    const ids = byReason.map((_, i) => `fallback${i}`);
    const fallbacks = ids.map((id) => `FILL(${id}, 0)`).join(' + ');
    const rate = new cloudwatch.MathExpression({
      expression: `IF(requests > 0, 100 * (${fallbacks}) / requests, 0)`,
      usingMetrics: { requests, ...Object.fromEntries(ids.map((id, i) => [id, byReason[i]!])) },
      period: PERIOD,
      label: 'fallback %',
    });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'SageMaker fallbacks',
        width: 12,
        left: byReason,
        stacked: true,
        right: [rate],
        rightYAxis: { min: 0, label: '%', showUnits: false },
      }),
    );
    const threshold = config.alerting.scoringFallbackRatePercent;
    return this.track(
      new cloudwatch.Alarm(this, 'ScoringFallbackRate', {
        alarmDescription: `More than ${threshold}% of online scorings of market ${config.code} fell back to the in-process evaluator for 15 minutes`,
        metric: rate,
        threshold,
        evaluationPeriods: 3,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
  }

  /** One widget for every dead-letter queue of the market, however many tenants and channels it has. */
  private graphQueueDepth(depth: cloudwatch.IMetric): void {
    if (!this.queueDepth) {
      this.queueDepth = new cloudwatch.GraphWidget({ title: 'DLQ depth (messages)', width: 12, left: [] });
      this.dashboard.addWidgets(this.queueDepth);
    }
    this.queueDepth.addLeftMetric(depth);
  }

  private track(alarm: cloudwatch.Alarm): cloudwatch.Alarm {
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
    return alarm;
  }
}
