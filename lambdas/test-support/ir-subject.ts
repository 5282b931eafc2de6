import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { ProfileWithId } from '#domain/datasets/dataset-schema.ts';
import { iranian } from '#domain/datasets/iranian.ts';
import { stateFromUsage, type UsagePeriod } from '#domain/datasets/usage-state.ts';
import { loadModel, type ModelSource } from '#domain/scoring/model-store.ts';
import { churnRescorer, type Rescorer } from '#domain/scoring/realtime-score.ts';

const ROOT = resolve(import.meta.dirname, '../..');

/** The repository's models directory as a model source (tests read the files). */
export const repoModels: ModelSource = {
  readJson: async (p) => JSON.parse(readFileSync(resolve(ROOT, 'models', p), 'utf8')) as unknown,
};

/** The version of `model` a market pins (models/<market>/pins.json). */
export const pinnedVersion = (market: string, model = 'churn'): string =>
  (
    JSON.parse(readFileSync(resolve(ROOT, 'models', market, 'pins.json'), 'utf8')) as Record<
      string,
      { version: string }
    >
  )[model]!.version;

/** The re-scorer of the ir market's pinned churn model. */
export const irRescorer = async (): Promise<Rescorer> =>
  churnRescorer(await loadModel(repoModels, 'ir', 'churn', pinnedVersion('ir')))!;

export interface MappedRow {
  /** The row's line in the file (1-based over data rows). */
  row: number;
  csv: Record<string, string>;
  profile: ProfileWithId;
  usage: UsagePeriod;
}

/** Every row of the shared Iranian training file, mapped as the importer maps it. */
export function irRows(): MappedRow[] {
  const rows = parse(readFileSync(resolve(ROOT, 'data/iranian-churn.train.csv'), 'utf8'), {
    columns: true,
  }) as Record<string, string>[];
  return rows.flatMap((csv, i) => {
    const m = iranian.toProfile(csv, i + 1);
    return m.ok && m.usage ? [{ row: i + 1, csv, profile: m.profile, usage: m.usage }] : [];
  });
}

/** Dropped calls the re-scoring tests send before the complaint. */
export const SUBJECT_DROPPED_CALLS = 5;

/**
 * The customer the re-scoring tests follow: the first of the file imported below `threshold`, with
 * no complaint, whom SUBJECT_DROPPED_CALLS dropped calls and one complaint take to `threshold` or
 * more in the pinned model's eyes. Chosen by the model so the tests are about the processor
 * (re-scoring, the crossing, the API), not about how much the model weighs a complaint.
 */
export function irSubject(rescore: Rescorer, threshold = 0.6, now = new Date()): MappedRow {
  const at = now.toISOString();
  const scoreOf = (r: MappedRow, usage: UsagePeriod) => rescore.score(r.profile, stateFromUsage(usage, now), at).value;
  const found = irRows().find(
    (r) =>
      r.usage.complaints === 0 &&
      scoreOf(r, r.usage) < threshold &&
      scoreOf(r, { ...r.usage, droppedCalls: r.usage.droppedCalls + SUBJECT_DROPPED_CALLS, complaints: 1 }) >=
        threshold,
  );
  if (!found) throw new Error(`no customer of the ir training file crosses ${threshold} on a complaint`);
  return found;
}
