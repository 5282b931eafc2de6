import { join } from 'node:path';
import * as z from 'zod';
import { CachedConnections } from '#adapters/cache/cached-connections.ts';
import type { Transport } from '#adapters/delivery/aws-channel-connector.ts';
import { EmailConnector, emailTransport, sesClient } from '#adapters/delivery/email-connector.ts';
import { HandOffConnector } from '#adapters/delivery/handoff-connector.ts';
import { PushConnector, pushTransport, snsClient } from '#adapters/delivery/push-connector.ts';
import { SmsConnector, smsClient, smsTransport } from '#adapters/delivery/sms-connector.ts';
import { WebhookConnector } from '#adapters/delivery/webhook-connector.ts';
import { ResolvingWebhookTargets } from '#adapters/delivery/webhook-targets.ts';
import { DynamoCapacityCounter } from '#adapters/dynamo/capacity-counter.ts';
import { DynamoChannelConnections } from '#adapters/dynamo/channel-connections.ts';
import { KmsSecretSealer } from '#adapters/kms/kms-secret-sealer.ts';
import { FileOutboundQueue } from '#adapters/local/file-outbound.ts';
import { localChannelTransport } from '#adapters/local/local-channel-transport.ts';
import { LocalDeliveryQueue } from '#adapters/local/local-outbound-queue.ts';
import { LocalSecretSealer } from '#adapters/local/local-secret-sealer.ts';
import { sqsClient } from '#adapters/sqs/client.ts';
import { SqsDeliveryQueue } from '#adapters/sqs/delivery-queue.ts';
import { SqsOutboundQueue } from '#adapters/sqs/outbound-queue.ts';
import type { ChannelPorts } from '#app/channels.ts';
import type { DeliveryPorts } from '#app/deliver-outbound.ts';
import { CHANNELS } from '#domain/customer.ts';
import { capacityOf } from '#domain/delivery/capacity.ts';
import type { AwsSendingType } from '#domain/delivery/connection.ts';
import type { Connector, DeliveryRecorder, SecretSealer } from '#domain/delivery/ports.ts';
import { RETRY_POLICY } from '#domain/delivery/retry.ts';
import type { TargetPolicy } from '#domain/delivery/webhook-target.ts';
import type { CustomerRepo } from '#domain/ports/customers.ts';
import type { OutboundQueue } from '#domain/ports/events.ts';
import type { Meter } from '#domain/usage-readings.ts';
import { logger } from '#edge/logger.ts';
import { Json, parsedEnv, platformEnv, type PlatformEnv } from './platform-env.ts';
import { adaptersFor } from './platform.ts';

const Channel = z.enum(CHANNELS);
const Capacity = z.object({
  ratePerSecond: z.number().positive().optional(),
  dailyCap: z.number().int().min(0).optional(),
  overCap: z.enum(['defer', 'drop']),
});
const Capacities = z.partialRecord(Channel, Capacity);

/** The sender's and the channels API's settings beyond the platform's, parsed once, in one place. */
const DeliveryVariables = z.object({
  /** The market's `delivery` config as lib/config/delivery-config.ts deliveryEnvOf writes it. */
  DELIVERY: Json(
    z.object({
      channels: Capacities,
      tenants: z.record(z.string(), Capacities),
      allowPrivateTargets: z.boolean(),
      marketChannels: z.array(Channel).min(1),
      /** The market's AWS region (push connections' platform applications must be in it). */
      region: z.string().optional(),
    }),
  ).default({ channels: {}, tenants: {}, allowPrivateTargets: false, marketChannels: [...CHANNELS] }),
  /** tenant -> its hand-off queue URL (`queue` connections, in AWS). */
  HANDOFF_QUEUES: Json(z.record(z.string(), z.string())).default({}),
  /** tenant -> the KMS key that seals its channel secrets (its table's key, in AWS). */
  CHANNEL_KEYS: Json(z.record(z.string(), z.string())).default({}),
  /** How long the sender caches a connection: a change reaches it within this. */
  CHANNEL_CACHE_SECONDS: z.coerce.number().min(0).default(30),
});
type DeliveryVariables = z.infer<typeof DeliveryVariables>;

export interface DeliveryEnv extends DeliveryVariables {
  platform: PlatformEnv;
}

export function deliveryEnv(source: NodeJS.ProcessEnv = process.env): DeliveryEnv {
  const platform = platformEnv(source);
  const parsed = parsedEnv(DeliveryVariables, source);
  return { platform, ...parsed };
}

/**
 * Where webhooks may point: public HTTPS targets in AWS (private ones when the market allows);
 * the local runtime also reaches loopback, over plain http too.
 */
export const targetPolicyOf = (env: DeliveryEnv): TargetPolicy => ({
  allowPrivateTargets: env.DELIVERY.allowPrivateTargets,
  allowLoopback: env.platform.CVM_LOCAL_DIR !== undefined,
});

/** Secrets sealed with the tenant's KMS key in AWS, with a local key file in `npm start`. */
const sealerOf = (env: DeliveryEnv): SecretSealer =>
  env.platform.CVM_LOCAL_DIR
    ? new LocalSecretSealer(join(env.platform.CVM_LOCAL_DIR, 'channel-secrets.key'))
    : new KmsSecretSealer(env.CHANNEL_KEYS);

/** The channels API's ports. */
export function channelPortsFor(env: DeliveryEnv): ChannelPorts {
  const base = adaptersFor(env.platform);
  return {
    connections: new DynamoChannelConnections(base.db, base.tableOf),
    sealer: sealerOf(env),
    targets: new ResolvingWebhookTargets(targetPolicyOf(env)),
    clock: base.clock,
    audit: base.audit,
    channels: env.DELIVERY.marketChannels,
    ...(env.DELIVERY.region ? { region: env.DELIVERY.region } : {}),
  };
}

/**
 * The SMS, e-mail and push connectors. In AWS each sends through its SDK client in the sender's
 * region; locally there is no AWS, so each request is built and addressed the same way and then
 * written to the channel's outbound file (`.local/outbound/<channel>.jsonl`, as `queue`
 * connections are) with a log line naming type, channel and message id.
 */
function awsConnectorsOf(
  local: boolean,
  region: string | undefined,
  profiles: Pick<CustomerRepo, 'loadProfiles'>,
  outbound: OutboundQueue,
): Record<AwsSendingType, Connector> {
  const localTransport = (type: AwsSendingType): Transport<unknown> =>
    localChannelTransport(type, outbound, (sent) =>
      logger.info('AWS send written to the local outbound file (no AWS locally)', sent),
    );
  return {
    sms: new SmsConnector(profiles, local ? localTransport('sms') : smsTransport(smsClient(region))),
    email: new EmailConnector(profiles, local ? localTransport('email') : emailTransport(sesClient(region))),
    push: new PushConnector(profiles, local ? localTransport('push') : pushTransport(snsClient(region))),
  };
}

/**
 * The sender's ports. In AWS the queues are SQS (the tenant's outbound queue for holds and retries,
 * its hand-off queue for `queue` connections); with CVM_LOCAL_DIR they are the local runtime's
 * queues and the outbound files.
 */
export function senderPortsFor(env: DeliveryEnv, record?: DeliveryRecorder, meter?: Meter): DeliveryPorts {
  const base = adaptersFor(env.platform);
  const { tableOf } = base;
  const local = env.platform.CVM_LOCAL_DIR;
  const sqs = local ? undefined : sqsClient(env.platform.AWS_REGION);
  const handoff = local ? new FileOutboundQueue(local) : new SqsOutboundQueue(sqs!, env.HANDOFF_QUEUES);
  const market = env.platform.MARKET_RULES;
  return {
    clock: base.clock,
    connections: new CachedConnections(
      new DynamoChannelConnections(base.db, tableOf),
      env.CHANNEL_CACHE_SECONDS * 1000,
    ),
    sealer: sealerOf(env),
    connectors: {
      queue: new HandOffConnector(handoff),
      webhook: new WebhookConnector({ policy: targetPolicyOf(env), clock: base.clock }),
      ...awsConnectorsOf(local !== undefined, env.platform.AWS_REGION, base.customers, handoff),
    },
    queue: local ? new LocalDeliveryQueue() : new SqsDeliveryQueue(sqs!, env.platform.OUTBOUND_QUEUES),
    customers: base.customers,
    capacity: new DynamoCapacityCounter(base.db, tableOf),
    settings: {
      timeZone: market.timezone,
      quietHours: market.quietHours,
      capacity: (tenant, channel) => capacityOf(env.DELIVERY, tenant, channel),
      retry: RETRY_POLICY,
      timeScale: env.platform.CVM_TIME_SCALE,
    },
    ...(record ? { record } : {}),
    ...(meter ? { meter } : {}),
  };
}
