import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { learnedFromSyntheticLabels, type ModelManifest } from '#domain/scoring/model-store.ts';

export type LabelSource = 'synthetic' | 'observed';

/**
 * What each NPS model version of a market learned from (`models/<market>/nps/<version>/manifest.json`):
 * the KPI report labels the predicted NPS with it. Read at synth by the stack (the reports
 * functions carry no models) and, without that, by the local runtime from the repository.
 */
export function npsLabelsIn(modelsDir: string, market: string): Record<string, LabelSource> {
  const dir = join(modelsDir, market, 'nps');
  if (!existsSync(dir)) return {};
  const out: Record<string, LabelSource> = {};
  for (const version of readdirSync(dir)) {
    const path = join(dir, version, 'manifest.json');
    if (!existsSync(path)) continue;
    const manifest = JSON.parse(readFileSync(path, 'utf8')) as ModelManifest;
    out[version] = learnedFromSyntheticLabels(manifest) ? 'synthetic' : 'observed';
  }
  return out;
}
