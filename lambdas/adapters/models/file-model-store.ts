import { readFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { loadPinnedModels, ModelLoadError, type LoadedModel, type ModelSource } from '#domain/scoring/model-store.ts';

/** Reads model artifacts from a directory laid out as `<market>/<model>/<version>/...`. */
export function fileModelSource(root: string): ModelSource {
  const base = resolve(root);
  return {
    async readJson(path) {
      const file = resolve(join(base, path));
      if (!file.startsWith(base + sep)) throw new ModelLoadError(`${path}: outside the models directory`);
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (e) {
        throw new ModelLoadError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new ModelLoadError(`${path}: not valid JSON`);
      }
    },
  };
}

/** Loads the model versions a market pins from a models directory. */
export function loadPinnedModelsFromDir(
  root: string,
  market: string,
  pins: Record<string, { version: string }>,
): Promise<LoadedModel[]> {
  return loadPinnedModels(fileModelSource(root), market, pins);
}
