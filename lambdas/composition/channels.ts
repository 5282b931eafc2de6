import { ResolvingWebhookTargets } from '#adapters/delivery/webhook-targets.ts';
import { DynamoAuditLog } from '#adapters/dynamo/audit-log.ts';
import { DynamoChannelConnections } from '#adapters/dynamo/channel-connections.ts';
import type { ChannelPorts } from '#app/channels.ts';
import { type DeliveryEnv, sealerOf, targetPolicyOf } from './delivery-env.ts';
import { platformBase } from './platform.ts';

/** The channels API's ports. */
export function channelPortsFor(env: DeliveryEnv): ChannelPorts {
  const base = platformBase(env.platform);
  return {
    connections: new DynamoChannelConnections(base.db, base.tableOf),
    sealer: sealerOf(env),
    targets: new ResolvingWebhookTargets(targetPolicyOf(env)),
    clock: base.clock,
    audit: new DynamoAuditLog(base.db, base.tableOf),
    channels: env.DELIVERY.marketChannels,
    ...(env.DELIVERY.region ? { region: env.DELIVERY.region } : {}),
  };
}
