import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import * as xray from 'aws-cdk-lib/aws-xray';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';
import { physicalName, type MarketConfig, type TenantConfig } from '#config/market-config.ts';
import { METER_NAMES } from '../../lambdas/domain/usage-readings.ts';
import {
  DIMENSION,
  FALLBACK_REASONS,
  METRIC,
  METRICS_NAMESPACE,
  METRICS_SERVICE,
} from '../../lambdas/adapters/metrics/platform-metrics.ts';
import { across, inRunsOf } from './alarm-math.ts';
import { tagTenant } from './cost-allocation.ts';
import { CvmFunction } from './cvm-function.ts';
import { RUNBOOK, withRunbook } from './runbook.ts';
import { tableAlarms } from './table-alarms.ts';

export interface ObservabilityProps {
  readonly config: MarketConfig;
  readonly restApi: apigw.RestApi;
  /** The API stage name (X-Ray names API Gateway traces `<api name>/<stage>`). */
  readonly stageName: string;
  /** Functions to graph, by a short name (`watchAllFunctions` alarms on every function of the stack). */
  readonly functions: Record<string, lambda.IFunction>;
  /** The functions that answer API requests (and the authorizer): alarmed on their p99 duration. */
  readonly apiFunctions?: Record<string, lambda.IFunction>;
  /** Dead-letter queues: depth graphed and alarmed on any message. */
  readonly deadLetterQueues?: IQueue[];
}

const PERIOD = Duration.minutes(5);
const ALARMS_PER_STATUS_WIDGET = 100;

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
  /**
   * In every mode, so switching a market to SageMaker cannot leave it unwatched; in embedded mode
   * nothing calls an endpoint, the rate reads 0 and the alarm stays OK.
   */
  readonly scoringFallbackRateAlarm: cloudwatch.Alarm;
  /** On the nightly ScorePsi of the pinned models (none when the market pins no model). */
  readonly scoreDriftAlarms: cloudwatch.Alarm[];
  private readonly action: SnsAction;
  private readonly config: MarketConfig;
  private queueDepth?: cloudwatch.GraphWidget;
  private readonly functionNames = new Map<lambda.IFunction, string>();
  private readonly statusWidgets: cloudwatch.IAlarm[][] = [];

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
        alarmDescription: withRunbook(
          `More than ${rate}% of API requests of market ${config.code} answered 5xx over 5 minutes`,
          RUNBOOK.api5xxRate,
        ),
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
        alarmDescription: withRunbook(
          `API p99 latency of market ${config.code} above ${latency} ms for 15 minutes`,
          RUNBOOK.apiLatency,
        ),
        metric: p99,
        threshold: latency,
        evaluationPeriods: 3,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
    for (const [name, fn] of fns) this.functionNames.set(fn, name);
    const apiFns = Object.entries(props.apiFunctions ?? {});
    // one alarm reads up to 10 functions' p99 (a run of 10 per alarm past that): one threshold, the
    // API's, since an API function slower than the API's budget is where the API's p99 goes
    for (const [i, run] of inRunsOf(apiFns).entries()) {
      this.track(
        new cloudwatch.Alarm(this, `ApiFunctionsP99${i ? i + 1 : ''}`, {
          alarmDescription: withRunbook(
            `The p99 duration of an API function of market ${config.code} (${run.map(([n]) => n).join(', ')}) above ${latency} ms for 15 minutes`,
            RUNBOOK.functionDuration,
          ),
          metric: across(
            'MAX',
            run.map(([name, fn]) => fn.metricDuration({ period: PERIOD, statistic: 'p99', label: name })),
            { label: 'p99 duration (ms)', period: PERIOD },
          ),
          threshold: latency,
          evaluationPeriods: 3,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    }
    this.scoringFallbackRateAlarm = this.watchScoringFallbacks();
    this.scoreDriftAlarms = this.watchScoreDrift();
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
    this.graphDeadLetterQueue(queue);
    const depth = queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' });
    return this.track(
      new cloudwatch.Alarm(this, `Depth-${queue.node.addr.slice(0, 10)}`, {
        alarmDescription: withRunbook(description, RUNBOOK.deadLetters),
        metric: depth,
        threshold: 0,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
  }

  /**
   * Failed, timed-out or aborted executions of a workflow: graphed and alarmed. `scope` is where
   * the alarm lives: a nested stack's workflow gets its alarm in that stack, so it costs the
   * market's stack, at its 500-resource limit, nothing more than the nested stack itself.
   */
  addWorkflowAlarm(
    stateMachine: IStateMachine,
    name = stateMachine.node.id,
    scope: Construct = this,
  ): cloudwatch.Alarm {
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
      new cloudwatch.Alarm(scope, `Workflow-${name}`, {
        alarmDescription: withRunbook(
          `Workflow ${name} of market ${this.config.code} failed, timed out or was aborted`,
          RUNBOOK.workflowFailures,
        ),
        metric: failed,
        threshold: 0,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
  }

  /** A dead-letter queue's depth on the market's one DLQ widget (its alarm is its owner's). */
  graphDeadLetterQueue(queue: IQueue, label = `${queue.node.scope?.node.id}/${queue.node.id}`): void {
    this.graphQueueDepth(
      queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum', label }),
    );
  }

  /**
   * Errors and throttles of every function of the stack, found in the construct tree rather than
   * listed, so the functions CDK makes for its own constructs (custom resource providers, log
   * retention, bucket deployment) are watched too. Errors one alarm per function (which one failed
   * matters), in the function's own stack when that is a nested one; throttles one alarm per run of
   * 10 functions (what to do is the same for all: the account's concurrency). Call once, after
   * every construct is built.
   */
  watchAllFunctions(): void {
    const all = this.allFunctions();
    const named = all.map(
      (fn) => [this.functionNames.get(fn) ?? fn.node.path.split('/').slice(1).join('/'), fn] as const,
    );
    for (const [name, fn] of named) {
      // a nested stack's function is alarmed in that stack, like its workflow (addWorkflowAlarm)
      const home = Stack.of(fn);
      this.track(
        new cloudwatch.Alarm(home.nestedStackParent ? home : this, `Errors-${name.replaceAll('/', '-')}`, {
          alarmDescription: withRunbook(
            `Lambda ${name} of market ${this.config.code} raised errors in 2 consecutive 5-minute periods`,
            RUNBOOK.functionErrors,
          ),
          metric: fn.metricErrors({ period: PERIOD, statistic: 'Sum' }),
          threshold: 0,
          evaluationPeriods: 2,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    }
    for (const [i, run] of inRunsOf(named).entries()) {
      this.track(
        new cloudwatch.Alarm(this, `Throttles${i + 1}`, {
          alarmDescription: withRunbook(
            `Lambda throttled invocations of market ${this.config.code} (${run.map(([n]) => n).join(', ')})`,
            RUNBOOK.functionThrottles,
          ),
          metric: across(
            'SUM',
            run.map(([name, fn]) => fn.metricThrottles({ period: PERIOD, statistic: 'Sum', label: name })),
            { label: 'throttles', period: PERIOD },
          ),
          threshold: 0,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    }
  }

  /**
   * Tracing follows `tracingSampleRate`: above 0, every house function sends its segment (init,
   * invocation, duration, errors) in the traces API Gateway samples at that rate (Lambda follows
   * the caller's decision; queue- and schedule-started invocations are sampled at Lambda's own
   * rate, which is not configurable); at 0, no function traces. No SDK call has its own
   * subsegment since the X-Ray SDK left the bundles (docs/operations.md, tracing).
   */
  applyTracing(): void {
    if (this.config.tracingSampleRate > 0) return;
    for (const fn of this.allFunctions()) {
      if (!(fn instanceof CvmFunction)) continue;
      (fn.node.defaultChild as lambda.CfnFunction).tracingConfig = { mode: lambda.Tracing.PASS_THROUGH };
    }
  }

  private allFunctions(): lambda.Function[] {
    return Stack.of(this)
      .node.findAll()
      .filter((c): c is lambda.Function => c instanceof lambda.Function);
  }

  /**
   * Throttling and server errors of a group of tables: a tenant's (tagged with it, like its
   * tables) or the market's shared ones (`tenant` undefined).
   */
  addTableAlarms(tables: Record<string, dynamodb.ITable>, tenant?: TenantConfig): cloudwatch.Alarm[] {
    const scope = new Construct(this, tenant ? `Tenant-${tenant.id}` : 'SharedTables');
    if (tenant) {
      tagTenant(scope, this.config, tenant);
    }
    const owner = tenant ? `tenant ${tenant.id}` : `market ${this.config.code}`;
    return tableAlarms(scope, owner, tables).map((alarm) => this.track(alarm));
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
        alarmDescription: withRunbook(
          `More than ${threshold}% of online scorings of market ${config.code} fell back to the in-process evaluator for 15 minutes`,
          RUNBOOK.scoringFallbacks,
        ),
        metric: rate,
        threshold,
        evaluationPeriods: 3,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
  }

  /**
   * The nightly drift of the pinned models: ScorePsi per model graphed against the alarm
   * threshold, FeaturePsi found by a search (the watched features are whatever each model's
   * `feature-histogram.json` ranks first, not known here), and one alarm on the worst model's PSI
   * over a day, so it costs one resource whatever the tenants and at most 10 models per alarm.
   * Every tenant's run writes into the same per-model series; the Maximum is the worst tenant.
   */
  private watchScoreDrift(): cloudwatch.Alarm[] {
    const { config } = this;
    const day = Duration.days(1);
    const threshold = config.models.psiAlarmThreshold;
    const models = Object.keys(config.scoring.models).sort();
    if (models.length === 0) return [];
    const psi = models.map((model) =>
      this.platformMetric(METRIC.scorePsi, { [DIMENSION.model]: model }, model).with({
        statistic: 'Maximum',
        period: day,
      }),
    );
    const dims = [DIMENSION.service, DIMENSION.market, DIMENSION.model, DIMENSION.feature].join(',');
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Score drift (PSI per model)',
        width: 12,
        left: psi,
        leftAnnotations: [
          { value: threshold, label: 'alarm' },
          { value: 0.1, label: 'moderate' },
        ],
        leftYAxis: { min: 0, showUnits: false },
      }),
      new cloudwatch.GraphWidget({
        title: 'Feature drift (PSI of the top features)',
        width: 12,
        left: [
          new cloudwatch.MathExpression({
            expression: `SEARCH('{${METRICS_NAMESPACE},${dims}} MetricName="${METRIC.featurePsi}" ${DIMENSION.market}="${config.code}"', 'Maximum', ${day.toSeconds()})`,
            usingMetrics: {},
            period: day,
            label: '',
          }),
        ],
        leftAnnotations: [{ value: threshold, label: 'alarm' }],
        leftYAxis: { min: 0, showUnits: false },
      }),
    );
    return inRunsOf(models.map((model, i) => [model, psi[i]!] as const)).map((run, i) =>
      this.track(
        new cloudwatch.Alarm(this, `ScoreDrift${i ? i + 1 : ''}`, {
          alarmDescription: withRunbook(
            `The nightly score distribution of a model of market ${config.code} (${run.map(([m]) => m).join(', ')}) drifted from its training data: PSI above ${threshold}`,
            RUNBOOK.scoreDrift,
          ),
          metric: across(
            'MAX',
            run.map(([, m]) => m),
            { label: 'worst model PSI', period: day },
          ),
          threshold,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          // no run, no value: a failed run is the workflow alarm's, not a drift
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      ),
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
    this.showStatus(alarm);
    return alarm;
  }

  /** An alarm status widget shows at most 100 alarms: one more widget per 100 (read at synth). */
  private showStatus(alarm: cloudwatch.Alarm): void {
    let shown = this.statusWidgets.at(-1);
    if (!shown || shown.length === ALARMS_PER_STATUS_WIDGET) {
      shown = [];
      this.statusWidgets.push(shown);
      const n = this.statusWidgets.length;
      this.dashboard.addWidgets(
        new cloudwatch.AlarmStatusWidget({ title: n === 1 ? 'Alarms' : `Alarms (${n})`, alarms: shown, width: 24 }),
      );
    }
    shown.push(alarm);
  }
}
