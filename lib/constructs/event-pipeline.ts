import { Duration, Stack, Tags, type RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { decisioningEnvOf, marketRulesEnvOf } from '#config/decisioning-settings.ts';
import { deploymentOf, type MarketConfig } from '#config/market-config.ts';
import {
  EVENT_QUEUE,
  eventDlqName,
  eventQueueName,
  outboundQueueName,
} from '../../lambdas/adapters/sqs/queue-design.ts';
import { TAG_COST_CENTER, TAG_TENANT } from './cost-allocation.ts';
import type { CustomerStore } from './customer-store.ts';
import { CvmFunction } from './cvm-function.ts';

export interface EventPipelineProps {
  readonly config: MarketConfig;
  readonly store: CustomerStore;
  readonly logRemovalPolicy: RemovalPolicy;
}

/** A queue that is encrypted (SQS-managed SSE) and refuses plain HTTP. */
const secureQueue = (scope: Construct, id: string, props: sqs.QueueProps) =>
  new sqs.Queue(scope, id, { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, ...props });

function dlqAlarm(scope: Construct, dlq: sqs.Queue, description: string): cloudwatch.Alarm {
  return new cloudwatch.Alarm(scope, 'DlqAlarm', {
    alarmDescription: description,
    metric: dlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}

/**
 * Event ingestion: per tenant an SQS queue + DLQ (tagged with the tenant, so its messaging cost
 * is exact) feeding one processor with an event source per queue; the events API that fills the
 * queues and manages triggers; and the outbound hand-off queues per channel.
 */
export class EventPipeline extends Construct {
  readonly apiFunction: CvmFunction;
  readonly processor: CvmFunction;
  readonly queues: Record<string, sqs.Queue> = {};
  readonly deadLetterQueues: Record<string, sqs.Queue> = {};
  readonly outboundQueues: Record<string, sqs.Queue> = {};
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: EventPipelineProps) {
    super(scope, id);
    const { config, store } = props;
    const stack = Stack.of(this);

    for (const tenant of config.tenants) {
      const silo = new Construct(this, `Tenant-${tenant.id}`);
      const dlq = secureQueue(silo, 'EventsDlq', {
        queueName: eventDlqName(deploymentOf(config), tenant.id),
        retentionPeriod: Duration.days(EVENT_QUEUE.dlqRetentionDays),
      });
      this.queues[tenant.id] = secureQueue(silo, 'Events', {
        queueName: eventQueueName(deploymentOf(config), tenant.id),
        visibilityTimeout: Duration.seconds(EVENT_QUEUE.visibilityTimeoutSeconds),
        retentionPeriod: Duration.days(EVENT_QUEUE.retentionDays),
        deadLetterQueue: { queue: dlq, maxReceiveCount: EVENT_QUEUE.maxReceiveCount },
      });
      this.deadLetterQueues[tenant.id] = dlq;
      this.alarms.push(
        dlqAlarm(
          silo,
          dlq,
          `Events of tenant ${tenant.id} failed ${EVENT_QUEUE.maxReceiveCount} times and wait in its DLQ`,
        ),
      );
      Tags.of(silo).add(TAG_TENANT, tenant.id);
      Tags.of(silo).add(TAG_COST_CENTER, tenant.costCenter);
    }

    for (const channel of config.channels) {
      const box = new Construct(this, `Outbound-${channel}`);
      const dlq = secureQueue(box, 'Dlq', {
        queueName: `${outboundQueueName(deploymentOf(config), channel)}-dlq`,
        retentionPeriod: Duration.days(14),
      });
      this.outboundQueues[channel] = secureQueue(box, 'Queue', {
        queueName: outboundQueueName(deploymentOf(config), channel),
        deadLetterQueue: { queue: dlq, maxReceiveCount: 5 },
      });
      this.alarms.push(dlqAlarm(box, dlq, `Outbound ${channel} messages the sender could not take`));
    }

    const fnDefaults = { logRetentionDays: config.retention.logsDays, logRemovalPolicy: props.logRemovalPolicy };
    const eventEnv = {
      MARKET: config.code,
      DEPLOYMENT: deploymentOf(config),
      ...store.tableNamesEnv(),
      VALUE_TIERS: JSON.stringify(config.valueTiers),
      ...marketRulesEnvOf(config),
      DEDUPE_WINDOW_HOURS: String(config.dedupeWindowHours),
      CONTACT_TTL_DAYS: String(config.retention.decisionLogDays),
    };
    const urls = (queues: Record<string, sqs.Queue>) =>
      stack.toJsonString(Object.fromEntries(Object.entries(queues).map(([k, q]) => [k, q.queueUrl])));

    this.apiFunction = new CvmFunction(this, 'EventsFn', {
      ...fnDefaults,
      handlerFile: 'events-api.ts',
      description: 'POST /v1/events onto the tenant queue; trigger rules',
      memorySize: 1024,
      environment: { ...eventEnv, EVENT_QUEUES: urls(this.queues) },
    });
    for (const queue of Object.values(this.queues)) queue.grantSendMessages(this.apiFunction);
    store.grantReadWrite(this.apiFunction);

    this.processor = new CvmFunction(this, 'ProcessEventsFn', {
      ...fnDefaults,
      handlerFile: 'process-events.ts',
      description: 'Tenant event queues -> customer state, triggers -> outbound queues',
      memorySize: 1024,
      timeout: Duration.seconds(EVENT_QUEUE.processorTimeoutSeconds),
      // triggers ask the market's one contact policy, as decisions and campaigns do
      environment: { ...eventEnv, ...decisioningEnvOf(config), OUTBOUND_QUEUES: urls(this.outboundQueues) },
    });
    for (const [tenant, queue] of Object.entries(this.queues)) {
      this.processor.addEventSource(
        new SqsEventSource(queue, {
          batchSize: EVENT_QUEUE.batchSize,
          maxBatchingWindow: Duration.seconds(EVENT_QUEUE.maxBatchingWindowSeconds),
          maxConcurrency: EVENT_QUEUE.maxConcurrency,
          reportBatchItemFailures: true,
        }),
      );
      store.grantReadWrite(this.processor, tenant);
    }
    for (const queue of Object.values(this.outboundQueues)) queue.grantSendMessages(this.processor);
  }

  /** The events API function, for CvmApi's `functions`. */
  get apiFunctions(): { events: IFunction } {
    return { events: this.apiFunction };
  }
}
