import { z } from 'zod';

/** Every environment variable a handler reads, parsed once, in one place. */
const Json = <T extends z.ZodType>(schema: T) =>
  z.string().transform((s, ctx) => {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not JSON' });
      return z.NEVER;
    }
  }).pipe(schema);

export const PlatformEnv = z.object({
  MARKET: z.string().min(1),
  TENANT_TABLES: Json(z.record(z.string(), z.string())),
  KEYS_TABLE: z.string().min(1),
  VALUE_TIERS: Json(z.object({ platinum: z.number(), gold: z.number(), silver: z.number() })).default({ platinum: 100, gold: 70, silver: 40 }),
  DYNAMODB_ENDPOINT: z.string().url().optional(),
  AWS_REGION: z.string().optional(),
  /** Local runs only: the platform clock starts here and runs on. */
  CVM_NOW: z.string().datetime({ offset: true }).optional(),
  CVM_TIME_SCALE: z.coerce.number().positive().default(1),
});
export type PlatformEnv = z.infer<typeof PlatformEnv>;

let cached: PlatformEnv | undefined;
export function platformEnv(source: NodeJS.ProcessEnv = process.env): PlatformEnv {
  if (source === process.env && cached) return cached;
  const parsed = PlatformEnv.safeParse(source);
  if (!parsed.success) {
    throw new Error(`invalid environment: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  if (source === process.env) cached = parsed.data;
  return parsed.data;
}
