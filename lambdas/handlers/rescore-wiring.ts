import { loadPinnedModelsFromDir } from '#adapters/models/file-model-store.ts';
import { churnRescorer, type Rescorer } from '#domain/scoring/realtime-score.ts';
import { decisionsEnv } from './decisions-env.ts';
import { modelsDirOf } from './models-dir.ts';

/**
 * The event processor's re-scorer: the market's pinned churn model (the version `DECISIONING`
 * pins, bundled next to the processor as next to the decisions function), when it reads state
 * features. None without `DECISIONING` or a churn pin, or for a model of profile features only.
 */
export async function rescorerFrom(source: NodeJS.ProcessEnv = process.env): Promise<Rescorer | undefined> {
  if (source['DECISIONING'] === undefined) return undefined;
  const env = decisionsEnv(source);
  const pin = env.raw.models['churn'];
  if (!pin) return undefined;
  const [churn] = await loadPinnedModelsFromDir(modelsDirOf(env), env.raw.modelsMarket, { churn: pin });
  return churn ? churnRescorer(churn) : undefined;
}
