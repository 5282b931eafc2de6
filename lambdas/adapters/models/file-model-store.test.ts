import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '#domain/scoring/model-store.ts';
import { fileModelSource, loadPinnedModelsFromDir } from './file-model-store.ts';

const MODELS = resolve(import.meta.dirname, '../../../models');

describe('file model store', () => {
  it('loads the churn model the demo market pins', async () => {
    const [churn] = await loadPinnedModelsFromDir(MODELS, 'demo', { churn: { version: '1' } });
    expect(churn?.kind).toBe('churn');
    expect(churn?.heads[0]?.evaluator.numTrees).toBeGreaterThan(0);
  });

  it('loads every cross-sell head of the demo market', async () => {
    const model = await loadModel(fileModelSource(MODELS), 'demo', 'cross-sell', '1');
    expect(model.heads.map((h) => h.product)).toEqual(
      expect.arrayContaining(['online-security', 'tech-support', 'streaming-tv', 'device-protection']),
    );
  });

  it('names the missing file when a pinned version does not exist', async () => {
    await expect(loadPinnedModelsFromDir(MODELS, 'demo', { churn: { version: '99' } })).rejects.toThrow(
      /demo\/churn\/99\/manifest.json: cannot read/,
    );
  });

  it('refuses paths that climb out of the models directory', async () => {
    await expect(fileModelSource(MODELS).readJson('../package.json')).rejects.toThrow(/outside/);
  });

  it('reports a corrupt artifact as not valid JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'models-'));
    mkdirSync(join(dir, 'x/churn/1'), { recursive: true });
    writeFileSync(join(dir, 'x/churn/1/manifest.json'), '{nope');
    await expect(loadModel(fileModelSource(dir), 'x', 'churn', '1')).rejects.toThrow(/not valid JSON/);
  });
});
