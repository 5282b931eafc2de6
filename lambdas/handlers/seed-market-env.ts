import * as z from 'zod';
import { Json, PlatformEnv } from './env.ts';

/** The seed function's settings: the tables of the platform env plus each tenant's admin-key secret. */
const SeedEnv = PlatformEnv.pick({
  MARKET: true,
  TENANT_TABLES: true,
  KEYS_TABLE: true,
  DYNAMODB_ENDPOINT: true,
  AWS_REGION: true,
}).extend({
  /** `<market>-<stage>`: names the custom resource (its physical id). */
  DEPLOYMENT: z.string().min(1),
  /** tenant -> ARN of the secret its first admin key goes to. */
  ADMIN_KEY_SECRETS: Json(z.record(z.string(), z.string())),
});
export type SeedEnv = z.infer<typeof SeedEnv>;

export function seedEnv(source: NodeJS.ProcessEnv = process.env): SeedEnv {
  const parsed = SeedEnv.safeParse(source);
  if (!parsed.success)
    throw new Error(
      `invalid environment: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}
