import { Duration, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { marketRulesEnvOf } from '#config/decisioning-settings.ts';
import { deliveryEnvOf } from '#config/delivery-config.ts';
import { deploymentOf, type MarketConfig } from '#config/market-config.ts';
import { OUTBOUND_QUEUE } from '../../lambdas/adapters/sqs/queue-design.ts';
import type { CustomerStore } from './customer-store.ts';
import { CvmFunction } from './cvm-function.ts';

export interface DeliveryProps {
  readonly config: MarketConfig;
  readonly store: CustomerStore;
  /** tenant -> its outbound queue (EventPipeline). */
  readonly outboundQueues: Record<string, sqs.IQueue>;
  /** tenant -> its hand-off queue (EventPipeline). */
  readonly handoffQueues: Record<string, sqs.IQueue>;
  readonly logRemovalPolicy: RemovalPolicy;
}

/**
 * Messages leave the platform: the sender (one function, an event source per tenant outbound
 * queue) holds each message until its time, re-checks the customer, keeps the channel's capacity
 * and sends it through the tenant's connection (a webhook, or the hand-off queue); and the channels
 * API where a tenant's admin sets those connections. Webhook secrets are sealed with the tenant's
 * KMS key (the key of its tables, which both functions may use through their table grants) under
 * an encryption context naming tenant and channel: a sealed value opens nowhere else, and every
 * opening is a Decrypt in CloudTrail.
 */
export class Delivery extends Construct {
  readonly sender: CvmFunction;
  readonly apiFunction: CvmFunction;

  constructor(scope: Construct, id: string, props: DeliveryProps) {
    super(scope, id);
    const { config, store, outboundQueues, handoffQueues } = props;
    const stack = Stack.of(this);
    const urls = (queues: Record<string, sqs.IQueue>) =>
      stack.toJsonString(Object.fromEntries(Object.entries(queues).map(([k, q]) => [k, q.queueUrl])));
    const keys = Object.fromEntries(
      Object.entries(store.tables).map(([tenant, table]) => {
        if (!table.encryptionKey) throw new Error(`the table of tenant ${tenant} has no customer-managed key`);
        return [tenant, table.encryptionKey];
      }),
    );
    const env = {
      MARKET: config.code,
      DEPLOYMENT: deploymentOf(config),
      ...store.tableNamesEnv(),
      ...marketRulesEnvOf(config),
      ...deliveryEnvOf(config),
      CHANNEL_KEYS: stack.toJsonString(Object.fromEntries(Object.entries(keys).map(([t, k]) => [t, k.keyArn]))),
    };
    const fnDefaults = { logRetentionDays: config.retention.logsDays, logRemovalPolicy: props.logRemovalPolicy };

    this.sender = new CvmFunction(this, 'SenderFn', {
      ...fnDefaults,
      handlerFile: 'deliver-outbound.ts',
      description:
        "Tenant outbound queues -> each channel's connection (webhook, hand-off queue), on time, in capacity",
      memorySize: 512,
      timeout: Duration.seconds(OUTBOUND_QUEUE.senderTimeoutSeconds),
      environment: { ...env, OUTBOUND_QUEUES: urls(outboundQueues), HANDOFF_QUEUES: urls(handoffQueues) },
    });
    for (const [tenant, queue] of Object.entries(outboundQueues)) {
      this.sender.addEventSource(
        new SqsEventSource(queue, {
          batchSize: OUTBOUND_QUEUE.batchSize,
          maxBatchingWindow: Duration.seconds(OUTBOUND_QUEUE.maxBatchingWindowSeconds),
          maxConcurrency: OUTBOUND_QUEUE.maxConcurrency,
          reportBatchItemFailures: true,
        }),
      );
      // holds go back on the same queue
      queue.grantSendMessages(this.sender);
      handoffQueues[tenant]?.grantSendMessages(this.sender);
      // connections, capacity counters and the re-check's profiles live in the tenant's table
      store.grantReadWrite(this.sender, tenant);
    }

    this.apiFunction = new CvmFunction(this, 'ChannelsFn', {
      ...fnDefaults,
      handlerFile: 'channels-api.ts',
      description: "Channels API: a tenant's channel connections and their signing secrets",
      memorySize: 512,
      environment: env,
    });
    store.grantReadWrite(this.apiFunction);
  }
}
