import * as z from 'zod';
import { ALWAYS_OPT_OUT } from '#domain/delivery/opt-out.ts';
import { DEFAULT_MIN_OCCURRED_AT } from '#domain/event-time.ts';

/** A variable holding JSON, validated by `schema`. */
export const Json = <T extends z.ZodType>(schema: T) =>
  z
    .string()
    .transform((s, ctx) => {
      try {
        return JSON.parse(s) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);

/** Every environment variable the platform's handlers share, parsed once, in one place. */
export const PlatformEnv = z.object({
  MARKET: z.string().min(1),
  /** `<market>-<stage>`, what physical names carry; the event processor checks its queues' names by it. */
  DEPLOYMENT: z.string().min(1).optional(),
  TENANT_TABLES: Json(z.record(z.string(), z.string())),
  /**
   * tenant -> its decision log table (the stack sets it); without it, each tenant table's name
   * with `-decisions` (table-design.ts decisionTableName), as the local runtime and tests build them.
   */
  DECISION_TABLES: Json(z.record(z.string(), z.string())).optional(),
  KEYS_TABLE: z.string().min(1),
  /** The market's idempotency table (Idempotency-Key on POSTs); without it such a request answers 503. */
  IDEMPOTENCY_TABLE: z.string().min(1).optional(),
  VALUE_TIERS: Json(z.object({ platinum: z.number(), gold: z.number(), silver: z.number() })).default({
    platinum: 100,
    gold: 70,
    silver: 40,
  }),
  DYNAMODB_ENDPOINT: z.string().url().optional(),
  AWS_REGION: z.string().optional(),
  /** Local runs only: the platform clock starts here and runs on. */
  CVM_NOW: z.string().datetime({ offset: true }).optional(),
  CVM_TIME_SCALE: z.coerce.number().positive().default(1),
  // --- events, state and triggers ---
  /** tenant -> event queue URL (events API, in AWS). */
  EVENT_QUEUES: Json(z.record(z.string(), z.string())).default({}),
  /** tenant -> its outbound queue URL (processor, campaign steps and sender, in AWS). */
  OUTBOUND_QUEUES: Json(z.record(z.string(), z.string())).default({}),
  /** Local runs only: queues in-process, hand-offs to <dir>/outbound/<channel>.jsonl. */
  CVM_LOCAL_DIR: z.string().min(1).optional(),
  MARKET_RULES: Json(
    z.object({
      timezone: z.string(),
      quietHours: z.object({ start: z.string(), end: z.string() }),
      defaultLanguage: z.string(),
      /** ISO 3166-1 alpha-2 country of the market: its SMS price per segment prices previews. */
      country: z.string().optional(),
      /** Replies that opt out (`message.inbound`), folded, every language's (domain/delivery/opt-out.ts). */
      optOutKeywords: z.array(z.string()).default([ALWAYS_OPT_OUT]),
    }),
  ).default({
    timezone: 'UTC',
    quietHours: { start: '20:00', end: '08:00' },
    defaultLanguage: 'en',
    optOutKeywords: [ALWAYS_OPT_OUT],
  }),
  /** The market's `events.minOccurredAt`: the events API refuses events dated before it. */
  EVENTS_MIN_OCCURRED_AT: z.iso.datetime({ offset: true }).default(DEFAULT_MIN_OCCURRED_AT),
  DEDUPE_WINDOW_HOURS: z.coerce.number().int().min(24).default(48),
  TRIGGER_CACHE_SECONDS: z.coerce.number().min(0).default(30),
});
export type PlatformEnv = z.infer<typeof PlatformEnv>;

let cached: PlatformEnv | undefined;
export function platformEnv(source: NodeJS.ProcessEnv = process.env): PlatformEnv {
  if (source === process.env && cached) return cached;
  const parsed = parsedEnv(PlatformEnv, source);
  if (source === process.env) cached = parsed;
  return parsed;
}

/** A function's variables, parsed by `schema`; a cold start with a bad one fails naming each. */
export function parsedEnv<T extends z.ZodType>(schema: T, source: NodeJS.ProcessEnv): z.output<T> {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    throw new Error(
      `invalid environment: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}
