import { CachedConnections } from '#adapters/cache/cached-connections.ts';
import type { Transport } from '#adapters/delivery/aws-channel-connector.ts';
import { EmailConnector, emailTransport, sesClient } from '#adapters/delivery/email-connector.ts';
import { HandOffConnector } from '#adapters/delivery/handoff-connector.ts';
import { PushConnector, pushTransport, snsClient } from '#adapters/delivery/push-connector.ts';
import { SmsConnector, smsClient, smsTransport } from '#adapters/delivery/sms-connector.ts';
import { WebhookConnector } from '#adapters/delivery/webhook-connector.ts';
import { DynamoCapacityCounter } from '#adapters/dynamo/capacity-counter.ts';
import { DynamoChannelConnections } from '#adapters/dynamo/channel-connections.ts';
import { DynamoCustomerRepo } from '#adapters/dynamo/customer-repo.ts';
import { FileOutboundQueue } from '#adapters/local/file-outbound.ts';
import { localChannelTransport } from '#adapters/local/local-channel-transport.ts';
import { LocalDeliveryQueue } from '#adapters/local/local-outbound-queue.ts';
import { sqsClient } from '#adapters/sqs/client.ts';
import { SqsDeliveryQueue } from '#adapters/sqs/delivery-queue.ts';
import { SqsOutboundQueue } from '#adapters/sqs/outbound-queue.ts';
import type { DeliveryPorts } from '#app/deliver-outbound.ts';
import { capacityOf } from '#domain/delivery/capacity.ts';
import type { AwsSendingType } from '#domain/delivery/connection.ts';
import type { Connector, DeliveryRecorder } from '#domain/delivery/ports.ts';
import { RETRY_POLICY } from '#domain/delivery/retry.ts';
import type { CustomerRepo } from '#domain/ports/customers.ts';
import type { OutboundQueue } from '#domain/ports/events.ts';
import type { Meter } from '#domain/usage-readings.ts';
import { logger } from '#edge/logger.ts';
import { type DeliveryEnv, sealerOf, targetPolicyOf } from './delivery-env.ts';
import { platformBase } from './platform.ts';

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
  const base = platformBase(env.platform);
  const { tableOf } = base;
  const local = env.platform.CVM_LOCAL_DIR;
  const sqs = local ? undefined : sqsClient(env.platform.AWS_REGION);
  const handoff = local ? new FileOutboundQueue(local) : new SqsOutboundQueue(sqs!, env.HANDOFF_QUEUES);
  const market = env.platform.MARKET_RULES;
  const customers = new DynamoCustomerRepo(base.db, tableOf);
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
      ...awsConnectorsOf(local !== undefined, env.platform.AWS_REGION, customers, handoff),
    },
    queue: local ? new LocalDeliveryQueue() : new SqsDeliveryQueue(sqs!, env.platform.OUTBOUND_QUEUES),
    customers,
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
