import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { Json, parsedEnv } from './platform-env.ts';

/** The environment of the scoring functions (score-base tasks, and the online scoring port). */

export const ScoringEnv = z.object({
  MARKET: z.string().min(1),
  TENANT_TABLES: Json(z.record(z.string(), z.string())),
  DYNAMODB_ENDPOINT: z.string().url().optional(),
  AWS_REGION: z.string().optional(),
  /** `<dir>/<market>/<model>/<version>/...`; the construct copies the market's models into the bundle. */
  MODELS_DIR: z
    .string()
    .min(1)
    .default(fileURLToPath(new URL('../../models', import.meta.url))),
  /** The market config's pins: `{"churn": {"version": "1"}, ...}`. */
  MODEL_PINS: Json(z.record(z.string(), z.object({ version: z.string().min(1) }))),
  WRITE_DELTA: z.coerce.number().min(0).max(1).default(0.01),
  /** The market's `models.psiTopFeatures`: features of each model whose drift the nightly run measures. */
  PSI_TOP_FEATURES: z.coerce.number().int().min(0).max(20).default(5),
  SCORING_MODE: z.enum(['embedded', 'sagemaker']).default('embedded'),
  /** sagemaker mode: `<model>/<head>` -> {endpointName, targetModel?}. */
  SAGEMAKER_ENDPOINTS: Json(
    z.record(z.string(), z.object({ endpointName: z.string().min(1), targetModel: z.string().optional() })),
  ).default({}),
  LATENCY_BUDGET_MS: z.coerce.number().int().min(10).default(150),
  CVM_NOW: z.string().datetime({ offset: true }).optional(),
});
export type ScoringEnv = z.infer<typeof ScoringEnv>;

export function scoringEnv(source: NodeJS.ProcessEnv = process.env): ScoringEnv {
  return parsedEnv(ScoringEnv, source);
}
