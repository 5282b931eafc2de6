import { Duration, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { decisioningEnvOf, marketRulesEnvOf } from '#config/decisioning-settings.ts';
import { deploymentOf, type MarketConfig } from '#config/market-config.ts';
import {
  EVENT_QUEUE,
  eventDlqName,
  eventQueueName,
  handoffQueueName,
  OUTBOUND_QUEUE,
  outboundDlqName,
  outboundQueueName,
} from '../../lambdas/adapters/sqs/queue-design.ts';
import { tagTenant } from './cost-allocation.ts';
import type { CustomerStore } from './customer-store.ts';
import { CvmFunction } from './cvm-function.ts';
import { modelBundleDirs } from './decisioning.ts';
import { encryptedQueue, tenantQueueAlarms, tlsOnly } from './queue-alarms.ts';

export interface EventPipelineProps {
  readonly config: MarketConfig;
  readonly store: CustomerStore;
  readonly logRemovalPolicy: RemovalPolicy;
}

/**
 * Event ingestion and the outbound hand-off, siloed per tenant (every queue tagged with its tenant,
 * so its messaging cost is exact): the tenant's event queue + DLQ feeding one processor with an
 * event source per queue; the tenant's outbound queue (all channels, the channel a message
 * attribute), which the sender reads (lib/constructs/delivery.ts); its hand-off queue, where the
 * sender puts messages of `queue` connections for an operator's own sender; and one outbound DLQ
 * both redrive into. Alarms, three per tenant: a message in a DLQ, and the age of the oldest
 * message and the backlog of its event, outbound and hand-off queues. Also the events API that
 * fills the event queues and manages triggers.
 */
export class EventPipeline extends Construct {
  readonly apiFunction: CvmFunction;
  readonly processor: CvmFunction;
  readonly queues: Record<string, sqs.Queue> = {};
  readonly deadLetterQueues: Record<string, sqs.Queue> = {};
  /** tenant -> its outbound queue (the processor and campaigns send, the sender reads). */
  readonly outboundQueues: Record<string, sqs.Queue> = {};
  /** tenant -> its hand-off queue (the sender sends, an operator's sender reads). */
  readonly handoffQueues: Record<string, sqs.Queue> = {};
  readonly outboundDeadLetterQueues: Record<string, sqs.Queue> = {};
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: EventPipelineProps) {
    super(scope, id);
    const { config, store } = props;
    const stack = Stack.of(this);
    const deployment = deploymentOf(config);
    const { oldestMessageMinutes, backlogMessages } = config.delivery.alarms;

    for (const tenant of config.tenants) {
      const silo = new Construct(this, `Tenant-${tenant.id}`);
      const dlq = encryptedQueue(silo, 'EventsDlq', {
        queueName: eventDlqName(deployment, tenant.id),
        retentionPeriod: Duration.days(EVENT_QUEUE.dlqRetentionDays),
      });
      this.queues[tenant.id] = encryptedQueue(silo, 'Events', {
        queueName: eventQueueName(deployment, tenant.id),
        visibilityTimeout: Duration.seconds(EVENT_QUEUE.visibilityTimeoutSeconds),
        retentionPeriod: Duration.days(EVENT_QUEUE.retentionDays),
        deadLetterQueue: { queue: dlq, maxReceiveCount: EVENT_QUEUE.maxReceiveCount },
      });
      this.deadLetterQueues[tenant.id] = dlq;

      const outboundDlq = encryptedQueue(silo, 'OutboundDlq', {
        queueName: outboundDlqName(deployment, tenant.id),
        retentionPeriod: Duration.days(OUTBOUND_QUEUE.dlqRetentionDays),
      });
      const redrive = { queue: outboundDlq, maxReceiveCount: OUTBOUND_QUEUE.maxReceiveCount };
      const outbound = encryptedQueue(silo, 'Outbound', {
        queueName: outboundQueueName(deployment, tenant.id),
        visibilityTimeout: Duration.seconds(OUTBOUND_QUEUE.visibilityTimeoutSeconds),
        retentionPeriod: Duration.days(OUTBOUND_QUEUE.retentionDays),
        deadLetterQueue: redrive,
      });
      const handoff = encryptedQueue(silo, 'Handoff', {
        queueName: handoffQueueName(deployment, tenant.id),
        retentionPeriod: Duration.days(OUTBOUND_QUEUE.handoffRetentionDays),
        deadLetterQueue: redrive,
      });
      this.outboundQueues[tenant.id] = outbound;
      this.handoffQueues[tenant.id] = handoff;
      this.outboundDeadLetterQueues[tenant.id] = outboundDlq;
      tlsOnly(silo, [dlq, this.queues[tenant.id]!, outboundDlq, outbound, handoff]);
      // events age and backlog by the same thresholds as the outbound queues: half an hour late is late
      this.alarms.push(
        ...tenantQueueAlarms(silo, {
          tenant: tenant.id,
          queues: { events: this.queues[tenant.id]!, outbound, handoff },
          deadLetterQueues: { events: dlq, outbound: outboundDlq },
          oldestMessageMinutes,
          backlogMessages,
        }),
      );
      tagTenant(silo, config, tenant);
    }

    const fnDefaults = { logRetentionDays: config.retention.logsDays, logRemovalPolicy: props.logRemovalPolicy };
    const eventEnv = {
      MARKET: config.code,
      DEPLOYMENT: deploymentOf(config),
      ...store.tableNamesEnv(),
      VALUE_TIERS: JSON.stringify(config.valueTiers),
      ...marketRulesEnvOf(config),
      DEDUPE_WINDOW_HOURS: String(config.dedupeWindowHours),
      EVENTS_MIN_OCCURRED_AT: config.events.minOccurredAt,
    };
    const urls = (queues: Record<string, sqs.Queue>) =>
      stack.toJsonString(Object.fromEntries(Object.entries(queues).map(([k, q]) => [k, q.queueUrl])));

    this.apiFunction = new CvmFunction(this, 'EventsFn', {
      ...fnDefaults,
      handlerFile: 'serve-events.ts',
      description: 'POST /v1/events onto the tenant queue; trigger rules',
      memorySize: 1024,
      environment: { ...eventEnv, EVENT_QUEUES: urls(this.queues) },
    });
    for (const queue of Object.values(this.queues)) queue.grantSendMessages(this.apiFunction);
    store.grantReadWrite(this.apiFunction);

    this.processor = new CvmFunction(this, 'ProcessEventsFn', {
      ...fnDefaults,
      handlerFile: 'process-events.ts',
      description: "Tenant event queues -> customer state, triggers -> the tenant's outbound queue",
      memorySize: 1024,
      timeout: Duration.seconds(EVENT_QUEUE.processorTimeoutSeconds),
      // triggers ask the market's one contact policy, as decisions and campaigns do
      environment: { ...eventEnv, ...decisioningEnvOf(config), OUTBOUND_QUEUES: urls(this.outboundQueues) },
      // the pinned churn model, which re-scores a customer when an event moves a feature it reads
      bundleDirs: modelBundleDirs(config).filter((d) => d.to.startsWith(`models/${config.code}/churn/`)),
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
