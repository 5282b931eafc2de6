import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { DynamoActionCatalog } from '#adapters/dynamo/action-catalog.ts';
import { DynamoDecisionReportSource } from '#adapters/dynamo/decision-log-indexes.ts';
import { DynamoReportStore } from '#adapters/dynamo/report-store.ts';
import { npsLabelsIn } from '#adapters/models/model-labels.ts';
import type { ReportSettings } from '#app/reports.ts';
import { Json, platformEnv } from './platform-env.ts';
import { platformBase } from './platform.ts';

const Experiments = z.object({ id: z.string(), controlPercent: z.number(), challengerPercent: z.number() });
const ReportEnv = z.object({
  REPORT_SEGMENTS: z.coerce.number().int().min(1).max(64).default(4),
  REPORT_MIN_FLAG_COUNT: z.coerce.number().int().min(1).optional(),
  /** The market's experiment (lib/config/decisioning-settings.ts experimentsEnvOf) for the programme report. */
  EXPERIMENTS: Json(Experiments).optional(),
  /** The local runtime sets the decisions function's settings process-wide: their experiment, when EXPERIMENTS is absent. */
  DECISIONING: Json(z.object({ experiments: Experiments })).optional(),
  /** What each NPS model version learned from (the stack reads it at synth); else the repository's, locally. */
  NPS_LABELS: Json(z.record(z.string(), z.enum(['synthetic', 'observed']))).optional(),
});
const REPO_MODELS = fileURLToPath(new URL('../../models', import.meta.url));

/** The composition root of the reports API and the build-reports job, built once per container. */
export function reportAdaptersFor(source: NodeJS.ProcessEnv = process.env) {
  const env = platformEnv(source);
  const own = ReportEnv.parse(source);
  const experiments = own.EXPERIMENTS ?? own.DECISIONING?.experiments;
  const base = platformBase(env);
  const { tableOf } = base;
  const reports = new DynamoReportStore(base.db, tableOf);
  const settings: ReportSettings = {
    timezone: env.MARKET_RULES.timezone,
    valueTiers: env.VALUE_TIERS,
    totalSegments: own.REPORT_SEGMENTS,
    ...(own.REPORT_MIN_FLAG_COUNT !== undefined ? { minFlagCount: own.REPORT_MIN_FLAG_COUNT } : {}),
    ...(experiments ? { experiments } : {}),
    npsLabels: own.NPS_LABELS ?? npsLabelsIn(REPO_MODELS, env.MARKET),
  };
  return {
    tenants: Object.keys(env.TENANT_TABLES),
    clock: base.clock,
    scan: reports,
    decisions: new DynamoDecisionReportSource(base.db, base.decisionTableOf),
    store: reports,
    catalog: new DynamoActionCatalog(base.db, tableOf),
    settings,
  };
}
