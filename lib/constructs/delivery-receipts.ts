import { Stack, type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deploymentOf, physicalName, type MarketConfig } from '#config/market-config.ts';
import type { CustomerStore } from './customer-store.ts';
import { CvmFunction } from './cvm-function.ts';

export interface DeliveryReceiptsProps {
  readonly config: MarketConfig;
  readonly store: CustomerStore;
  /** tenant -> its event queue (EventPipeline): receipts become events there. */
  readonly eventQueues: Record<string, sqs.IQueue>;
  readonly logRemovalPolicy: RemovalPolicy;
}

/** The services whose event destinations publish delivery receipts to the topic. */
const PUBLISHERS = ['sms-voice.amazonaws.com', 'ses.amazonaws.com'];

/**
 * Delivery receipts of the AWS channels: one SNS topic per market (`cvm-<deployment>-receipts`),
 * the event destination that the operator's End User Messaging SMS and SES configuration sets
 * (the ones tenants name in their `sms` and `email` connections) publish to, and the receipts
 * function that turns each receipt into a `message.delivered` / `message.failed` event on the
 * tenant's event queue (tenant, message and customer come back in the message's tags). The topic
 * is encrypted with its own key, which only those two services of this account may use to
 * publish, and takes TLS only.
 */
export class DeliveryReceipts extends Construct {
  readonly topic: sns.Topic;
  readonly receiptsFunction: CvmFunction;

  constructor(scope: Construct, id: string, props: DeliveryReceiptsProps) {
    super(scope, id);
    const { config, store, eventQueues } = props;
    const account = Stack.of(this).account;
    const key = new kms.Key(this, 'TopicKey', {
      description: `Delivery receipts topic of market ${config.code}, stage ${config.stage.name}`,
      enableKeyRotation: true,
      removalPolicy: props.logRemovalPolicy,
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: PUBLISHERS.map((p) => new iam.ServicePrincipal(p)),
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', {
      topicName: physicalName(config, 'receipts'),
      displayName: `telco-cvm ${config.code} ${config.stage.name} delivery receipts`,
      masterKey: key,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: PUBLISHERS.map((p) => new iam.ServicePrincipal(p)),
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
    );

    const stack = Stack.of(this);
    this.receiptsFunction = new CvmFunction(this, 'ReceiptsFn', {
      handlerFile: 'record-delivery-receipts.ts',
      description:
        'SMS and SES delivery receipts (SNS) -> message.delivered / message.failed on the tenant event queue',
      memorySize: 256,
      logRetentionDays: config.retention.logsDays,
      logRemovalPolicy: props.logRemovalPolicy,
      environment: {
        MARKET: config.code,
        DEPLOYMENT: deploymentOf(config),
        ...store.tableNamesEnv(),
        EVENT_QUEUES: stack.toJsonString(
          Object.fromEntries(Object.entries(eventQueues).map(([tenant, q]) => [tenant, q.queueUrl])),
        ),
      },
    });
    for (const queue of Object.values(eventQueues)) queue.grantSendMessages(this.receiptsFunction);
    this.topic.addSubscription(new subscriptions.LambdaSubscription(this.receiptsFunction));
  }
}
