import * as z from 'zod';
import { CHANNELS } from '../../lambdas/domain/customer.ts';

const Channel = z.enum(CHANNELS);

/**
 * What one tenant's channel can take: messages per second, messages per local day (a call centre's
 * calls, an SMSC's contract), and what happens to a message over the daily cap: `defer` to the
 * next day's window (the first minute after quiet hours) or `drop` (counted with the reason).
 */
export const ChannelCapacity = z
  .strictObject({
    ratePerSecond: z.number().positive().max(10_000).optional(),
    dailyCap: z.number().int().min(0).max(100_000_000).optional(),
    overCap: z.enum(['defer', 'drop']).default('defer'),
  })
  .refine((c) => c.ratePerSecond !== undefined || c.dailyCap !== undefined, 'give ratePerSecond, dailyCap or both');
export type ChannelCapacity = z.infer<typeof ChannelCapacity>;

const ChannelCapacities = z.partialRecord(Channel, ChannelCapacity);

/**
 * Delivery (issue 16): how messages leave the market. Items 5 and 6 (message content, feedback)
 * add their own fields here (`maxSmsSegments`, `optOutKeywords`).
 */
export const DeliveryConfig = z.strictObject({
  /** Each tenant's capacity per channel (each tenant has its own counters of it). */
  channels: ChannelCapacities.default({}),
  /** A tenant's own capacity on a channel, instead of the market's. */
  tenants: z.record(z.string(), ChannelCapacities).default({}),
  webhooks: z
    .strictObject({
      /**
       * Webhook URLs that resolve to loopback, private or link-local addresses are refused (400)
       * unless this is true (an operator's gateway inside its own network, reached privately).
       */
      allowPrivateTargets: z.boolean().default(false),
    })
    .default({ allowPrivateTargets: false }),
  alarms: z
    .strictObject({
      /**
       * The oldest message of an outbound or hand-off queue, in minutes. A held message hops
       * every 15 minutes at most, so a message older than this is one nobody takes.
       */
      oldestMessageMinutes: z.number().int().min(16).max(20_160).default(30),
      /** Messages waiting (visible and in flight) in one queue, for 15 minutes. */
      backlogMessages: z.number().int().min(1).default(50_000),
    })
    .default({ oldestMessageMinutes: 30, backlogMessages: 50_000 }),
});
export type DeliveryConfig = z.infer<typeof DeliveryConfig>;

/** What the sender reads of it, as the one `DELIVERY` variable (lambdas/handlers/delivery-env.ts). */
export const deliveryEnvOf = (config: {
  channels: readonly string[];
  delivery: DeliveryConfig;
}): { DELIVERY: string } => ({
  DELIVERY: JSON.stringify({
    channels: config.delivery.channels,
    tenants: config.delivery.tenants,
    allowPrivateTargets: config.delivery.webhooks.allowPrivateTargets,
    marketChannels: config.channels,
  }),
});
