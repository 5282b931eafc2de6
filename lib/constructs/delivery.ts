import { ArnFormat, Duration, Stack, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { marketRulesEnvOf } from '#config/decisioning-settings.ts';
import { deliveryEnvOf } from '#config/delivery-config.ts';
import { deploymentOf, type MarketConfig } from '#config/market-config.ts';
import { OUTBOUND_QUEUE } from '../../lambdas/adapters/sqs/queue-design.ts';
import type { CustomerStore } from './customer-store.ts';
import { CvmFunction } from './cvm-function.ts';
import { nagText } from './distributed-map.ts';

/**
 * What the `sms`, `email` and `push` connections need, and nothing more: send a text from the
 * account's origination identities through its configuration sets, send an e-mail from its SES
 * identities through its configuration sets, publish to mobile endpoints: each in the market's
 * region and account only. Tenants choose their identities and applications at run time (PUT
 * /v1/channels), so the resources are the account's of each kind, not named ones.
 */
function grantAwsSending(fn: CvmFunction, stack: Stack, region: string): void {
  const arn = (service: string, resource: string) =>
    stack.formatArn({ service, region, resource, resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
  const grants = [
    {
      actions: ['sms-voice:SendTextMessage'],
      resources: ['phone-number', 'sender-id', 'pool', 'configuration-set'].map((r) => arn('sms-voice', r)),
      why: "SendTextMessage from any of the account's origination identities (phone numbers, sender IDs, pools) through its configuration sets in the market region: tenants name theirs in their channel connection at run time.",
    },
    {
      actions: ['ses:SendEmail'],
      resources: ['identity', 'configuration-set'].map((r) => arn('ses', r)),
      why: 'SendEmail from any verified SES identity of the account through its configuration sets in the market region: tenants name their sender in their channel connection at run time.',
    },
    {
      actions: ['sns:Publish'],
      resources: [arn('sns', 'endpoint')],
      why: "Publish to mobile push endpoints of the market region only (no topics): a customer's device endpoint is read from the profile at send time.",
    },
  ];
  const partition = nagText(stack, stack.partition);
  const account = nagText(stack, stack.account);
  for (const g of grants) fn.addToRolePolicy(new iam.PolicyStatement({ actions: g.actions, resources: g.resources }));
  Validations.of(fn.role!).acknowledge(
    ...grants.flatMap((g) =>
      g.resources.map((r) => ({
        id: `AwsSolutions-IAM5[Resource::${r.replace(stack.partition, partition).replace(stack.account, account)}]`,
        reason: g.why,
      })),
    ),
  );
}

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
        "Tenant outbound queues -> each channel's connection (webhook, hand-off queue, SMS, SES, SNS push), on time, in capacity",
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

    grantAwsSending(this.sender, stack, config.aws.region);

    this.apiFunction = new CvmFunction(this, 'ChannelsFn', {
      ...fnDefaults,
      handlerFile: 'serve-channels.ts',
      description: "Channels API: a tenant's channel connections and their signing secrets",
      memorySize: 512,
      environment: env,
    });
    store.grantReadWrite(this.apiFunction);
  }
}
