import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPinnedModels, modelFromJson, ModelLoadError, type ModelSource } from './model-store.ts';

const MODELS = resolve(import.meta.dirname, '../../../models');
const source: ModelSource = { readJson: async (p) => JSON.parse(readFileSync(resolve(MODELS, p), 'utf8')) as unknown };

describe('model store', () => {
  it('loads the versions a market pins, one model per pin', async () => {
    const models = await loadPinnedModels(source, 'ir', { churn: { version: '1' } });
    expect(models.map((m) => [m.model, m.version, m.kind])).toEqual([['churn', '1', 'churn']]);
  });

  it('refuses a model whose feature count differs from its spec', async () => {
    const manifest = await source.readJson('ir/churn/1/manifest.json');
    const model = await source.readJson('ir/churn/1/model.json');
    const spec = {
      specVersion: 1,
      features: [{ name: 'x', source: 'profile.tenureMonths', encoding: { kind: 'number' } }],
    };
    expect(() => modelFromJson(manifest, () => ({ model, spec }))).toThrow(/takes 13 features, the spec lists 1/);
  });

  it('refuses a manifest without heads', () => {
    expect(() =>
      modelFromJson({ manifestVersion: 1, model: 'churn', version: '1', kind: 'churn', heads: [] }, () => ({
        model: {},
        spec: {},
      })),
    ).toThrow(ModelLoadError);
  });

  it('refuses a manifest that names another version than the pin', async () => {
    const lying: ModelSource = {
      readJson: async (p) =>
        p.endsWith('manifest.json')
          ? { manifestVersion: 1, model: 'churn', version: '2', kind: 'churn', heads: [] }
          : {},
    };
    await expect(loadPinnedModels(lying, 'ir', { churn: { version: '1' } })).rejects.toThrow(/names churn\/2/);
  });
});
