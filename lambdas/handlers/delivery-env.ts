import * as z from 'zod';
import { CHANNELS } from '#domain/customer.ts';
import { Json, platformEnv, type PlatformEnv } from './env.ts';

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
  const parsed = DeliveryVariables.safeParse(source);
  if (!parsed.success) {
    throw new Error(
      `invalid environment: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return { platform, ...parsed.data };
}
