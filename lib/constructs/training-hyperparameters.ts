import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ModelHead, ModelManifest } from '../../lambdas/domain/scoring/model-store.ts';

/** One head of a pinned model version and the built-in XGBoost container's hyperparameters for it. */
export interface TrainingHead extends ModelHead {
  /** SageMaker hyperparameters are strings: the container parses them. */
  readonly hyperparameters: Readonly<Record<string, string>>;
}

/** What train.py records of a head's training in its metrics.json (scripts/ml/train.py `train_head`). */
interface RecordedTraining {
  params?: Record<string, string | number>;
  numRound?: number;
}

/**
 * The heads of `models/<market>/<model>/<version>/` with the hyperparameters train.py trained
 * each with, read from the metrics.json it wrote beside the head's model.json (the booster
 * parameters after its defaults, and the number of rounds), so a retrain in AWS learns with the
 * same settings as the version it replaces and no number is copied here. The parameter names
 * are xgboost's, which the built-in container takes as they are; `num_round` is its name for
 * the rounds.
 */
export function trainingHeadsOf(modelsRoot: string, market: string, model: string, version: string): TrainingHead[] {
  const dir = path.join(modelsRoot, market, model, version);
  const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as ModelManifest;
  return manifest.heads.map((head) => {
    const file = path.join(dir, head.dir, 'metrics.json');
    const recorded = JSON.parse(readFileSync(file, 'utf8')) as RecordedTraining;
    if (!recorded.params || recorded.numRound === undefined)
      throw new Error(`${file} records no params and numRound: retrain this version with scripts/ml/train.py`);
    const hyperparameters: Record<string, string> = { num_round: String(recorded.numRound) };
    for (const [name, value] of Object.entries(recorded.params)) hyperparameters[name] = String(value);
    return { ...head, hyperparameters };
  });
}
