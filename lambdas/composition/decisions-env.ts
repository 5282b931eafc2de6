import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import type { DecisioningSettings } from '#app/decisions.ts';
import { CHANNELS } from '#domain/customer.ts';
import { DEFAULT_MAX_SMS_SEGMENTS } from '#domain/delivery/message-content.ts';
import { Json, parsedEnv, platformEnv, type PlatformEnv } from './platform-env.ts';
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
  const parsed = parsedEnv(DecisionsEnv, source);
  const raw = parsed.DECISIONING;
  return {
    platform,
    raw,
    ...(parsed.MODELS_DIR ? { modelsDir: parsed.MODELS_DIR } : {}),
    scoring: {
      SCORING_MODE: parsed.SCORING_MODE,
      SAGEMAKER_ENDPOINTS: parsed.SAGEMAKER_ENDPOINTS,
      LATENCY_BUDGET_MS: parsed.LATENCY_BUDGET_MS,
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

/** The bundle's own `models/` (copied at bundling), else the repository's (local runs, tests). */
export function modelsDirOf(env: { modelsDir?: string }): string {
  if (env.modelsDir) return env.modelsDir;
  const bundled = fileURLToPath(new URL('./models', import.meta.url));
  return existsSync(bundled) ? bundled : fileURLToPath(new URL('../../models', import.meta.url));
}
