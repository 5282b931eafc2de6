import { join } from 'node:path';
import * as z from 'zod';
import { KmsSecretSealer } from '#adapters/kms/kms-secret-sealer.ts';
import { LocalSecretSealer } from '#adapters/local/local-secret-sealer.ts';
import { CHANNELS } from '#domain/customer.ts';
import type { SecretSealer } from '#domain/delivery/ports.ts';
import type { TargetPolicy } from '#domain/delivery/webhook-target.ts';
import { Json, parsedEnv, platformEnv, type PlatformEnv } from './platform-env.ts';

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
export const sealerOf = (env: DeliveryEnv): SecretSealer =>
  env.platform.CVM_LOCAL_DIR
    ? new LocalSecretSealer(join(env.platform.CVM_LOCAL_DIR, 'channel-secrets.key'))
    : new KmsSecretSealer(env.CHANNEL_KEYS);
