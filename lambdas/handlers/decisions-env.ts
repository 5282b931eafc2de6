import * as z from 'zod';
import type { DecisioningSettings } from '#app/decisions.ts';
import { CHANNELS } from '#domain/customer.ts';
import { DEFAULT_MAX_SMS_SEGMENTS } from '#domain/delivery/message-content.ts';
import { Json, platformEnv, type PlatformEnv } from './env.ts';
import { ScoringEnv } from './scoring-env.ts';

/** The decisions function's settings: the platform env plus `DECISIONING` (JSON), parsed once. */
const Window = z.object({ max: z.number(), days: z.number() });
const Channel = z.enum(CHANNELS);
const Settings = z.object({
  timeZone: z.string(),
  quietHours: z.object({ start: z.string(), end: z.string() }),
  defaultLanguage: z.string(),
  decisionLogDays: z.number().int().positive(),
  serviceLevels: z.object({ platinum: z.string(), gold: z.string(), silver: z.string(), bronze: z.string() }),
  models: z.record(z.string(), z.object({ version: z.string() })),
  modelsMarket: z.string(),
  experiments: z.object({ id: z.string(), controlPercent: z.number(), challengerPercent: z.number() }),
  contactPolicy: z.object({
    outboundChannels: z.array(Channel),
    perChannel: z.partialRecord(Channel, Window),
    overall: Window.optional(),
    household: Window.optional(),
    declineSuppressionDays: z.number(),
    mandatoryExempt: z.boolean(),
  }),
  priorStrength: z.number(),
  droppedCallsProblem: z.number(),
  highChurn: z.number(),
  cacheSeconds: z.number(),
  volumeShards: z.number().int().positive(),
  /** Market config `delivery.maxSmsSegments`: what `PUT /v1/actions` allows an SMS text. */
  maxSmsSegments: z.number().int().positive().default(DEFAULT_MAX_SMS_SEGMENTS),
});
export type RawDecisioningSettings = z.infer<typeof Settings>;

const DecisionsEnv = z.object({
  DECISIONING: Json(Settings),
  /** Where the model artifacts are (`<market>/<model>/<version>/`); defaults to the bundle's `models/`. */
  MODELS_DIR: z.string().min(1).optional(),
  // the online scoring port's mode and endpoints (set by the stack in sagemaker mode only)
  ...ScoringEnv.pick({ SCORING_MODE: true, SAGEMAKER_ENDPOINTS: true, LATENCY_BUDGET_MS: true }).shape,
});

export interface DecisionsEnv {
  platform: PlatformEnv;
  raw: RawDecisioningSettings;
  settings: DecisioningSettings;
  modelsDir?: string;
  /** How customers without stored scores are scored. */
  scoring: Pick<ScoringEnv, 'SCORING_MODE' | 'SAGEMAKER_ENDPOINTS' | 'LATENCY_BUDGET_MS'>;
}

export function decisionsEnv(source: NodeJS.ProcessEnv = process.env): DecisionsEnv {
  const platform = platformEnv(source);
  const parsed = DecisionsEnv.safeParse(source);
  if (!parsed.success) {
    throw new Error(
      `invalid environment: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const raw = parsed.data.DECISIONING;
  return {
    platform,
    raw,
    ...(parsed.data.MODELS_DIR ? { modelsDir: parsed.data.MODELS_DIR } : {}),
    scoring: {
      SCORING_MODE: parsed.data.SCORING_MODE,
      SAGEMAKER_ENDPOINTS: parsed.data.SAGEMAKER_ENDPOINTS,
      LATENCY_BUDGET_MS: parsed.data.LATENCY_BUDGET_MS,
    },
    settings: {
      defaultLanguage: raw.defaultLanguage,
      policy: { timeZone: raw.timeZone, quietHours: raw.quietHours, ...raw.contactPolicy },
      priorStrength: raw.priorStrength,
      thresholds: { droppedCalls: raw.droppedCallsProblem, highChurn: raw.highChurn },
      experiments: raw.experiments,
      serviceLevels: raw.serviceLevels,
      valueTiers: platform.VALUE_TIERS,
      decisionLogDays: raw.decisionLogDays,
      explainExcluded: 3,
    },
  };
}
