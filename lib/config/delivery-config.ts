import * as z from 'zod';
import { CHANNELS } from '../../lambdas/domain/customer.ts';
import { DEFAULT_MAX_SMS_SEGMENTS } from '../../lambdas/domain/delivery/message-content.ts';

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
 * Delivery (issue 16): how messages leave the market, what their content may be
 * (`maxSmsSegments`) and how replies opt customers out (`optOutKeywords`).
 */
export const DeliveryConfig = z.strictObject({
  /**
   * An SMS text (each placeholder at its declared width) may take at most this many parts; a longer
   * one is refused when its action is saved (lambdas/domain/delivery/message-content.ts).
   */
  maxSmsSegments: z.number().int().min(1).max(10).default(DEFAULT_MAX_SMS_SEGMENTS),
  /**
   * Per language of the market: replies that opt the customer out of the channel they came on
   * (`message.inbound`), matched case-insensitively on the trimmed whole text. `STOP` always
   * opts out, whatever the market lists (ALWAYS_OPT_OUT in lambdas/domain/delivery/opt-out.ts).
   */
  optOutKeywords: z.record(z.string(), z.array(z.string().trim().min(1).max(32)).min(1).max(20)).default({}),
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

/** What the sender reads of it, as the one `DELIVERY` variable (lambdas/composition/delivery.ts). */
export const deliveryEnvOf = (config: {
  channels: readonly string[];
  delivery: DeliveryConfig;
  aws?: { region: string };
}): { DELIVERY: string } => ({
  DELIVERY: JSON.stringify({
    channels: config.delivery.channels,
    tenants: config.delivery.tenants,
    allowPrivateTargets: config.delivery.webhooks.allowPrivateTargets,
    marketChannels: config.channels,
    // a push connection's SNS application must be here: the sender may publish in this region only
    ...(config.aws ? { region: config.aws.region } : {}),
  }),
});
