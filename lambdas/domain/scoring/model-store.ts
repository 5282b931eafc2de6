import { compileFeatures, type CompiledFeatures, type FeatureSpec } from './features.ts';
import { XgboostModel } from './xgboost-evaluator.ts';

/**
 * Model artifacts live under `<market>/<model>/<version>/` (the repository's `models/`
 * directory, or an S3 prefix): `manifest.json` names the model's heads; each head directory
 * holds `model.json` (xgboost save_model JSON) and `feature-spec.json`.
 * churn and nps have one head (dir `.`); cross-sell has one head per add-on product.
 */
export type ModelKind = 'churn' | 'cross-sell' | 'nps';

export interface ModelHead {
  name: string;
  /** Directory of the head's files, relative to the version directory. */
  dir: string;
  /** cross-sell: the product this head predicts take-up of. */
  product?: string;
  /** cross-sell: the customer must hold one of these products to be a candidate. */
  requiresAny?: string[];
}

export interface ModelManifest {
  manifestVersion: 1;
  model: string;
  version: string;
  kind: ModelKind;
  heads: ModelHead[];
  /**
   * What the model learned from: `observed` answers and events (a model trained from an analyst
   * export), or `synthetic` ones. Absent on the shipped versions: observed for churn and
   * cross-sell (the public datasets), synthetic for nps (scripts/ml/synthetic-nps.ts).
   */
  labels?: 'observed' | 'synthetic';
}

/** Whether a model learned from made-up labels: an nps model not trained on collected answers. */
export const learnedFromSyntheticLabels = (m: Pick<ModelManifest, 'kind' | 'labels'>): boolean =>
  m.labels === 'synthetic' || (m.kind === 'nps' && m.labels !== 'observed');

/** Port: reads a JSON artifact by its path relative to the models root. */
export interface ModelSource {
  readJson(path: string): Promise<unknown>;
}

export interface LoadedHead extends ModelHead {
  spec: FeatureSpec;
  features: CompiledFeatures;
  evaluator: XgboostModel;
}

export interface LoadedModel {
  model: string;
  version: string;
  kind: ModelKind;
  heads: LoadedHead[];
}

export class ModelLoadError extends Error {
  readonly code = 'model-load-failed';
  constructor(message: string) {
    super(message);
    this.name = 'ModelLoadError';
  }
}

const KINDS: readonly ModelKind[] = ['churn', 'cross-sell', 'nps'];

export const headPath = (market: string, model: string, version: string, dir: string, file: string): string =>
  [market, model, version, ...(dir === '.' ? [] : [dir]), file].join('/');

/** Builds a model from already-read JSON (manifest, and per head dir its model and spec). */
export function modelFromJson(
  manifest: unknown,
  files: (head: ModelHead) => { model: unknown; spec: unknown },
): LoadedModel {
  const m = manifest as Partial<ModelManifest> | undefined;
  if (
    m?.manifestVersion !== 1 ||
    !m.model ||
    !m.version ||
    !KINDS.includes(m.kind as ModelKind) ||
    !Array.isArray(m.heads) ||
    m.heads.length === 0
  ) {
    throw new ModelLoadError('manifest: expected {manifestVersion: 1, model, version, kind, heads: [...]}');
  }
  const heads = m.heads.map((head): LoadedHead => {
    const { model, spec } = files(head);
    const features = compileFeatures(spec as FeatureSpec);
    const evaluator = new XgboostModel(model);
    if (evaluator.numFeatures !== features.width) {
      throw new ModelLoadError(
        `${m.model}/${m.version} head '${head.name}': the model takes ${evaluator.numFeatures} features, the spec lists ${features.width}`,
      );
    }
    return { ...head, spec: spec as FeatureSpec, features, evaluator };
  });
  return { model: m.model, version: m.version, kind: m.kind as ModelKind, heads };
}

/** Loads one model version of a market through the source. */
export async function loadModel(
  source: ModelSource,
  market: string,
  model: string,
  version: string,
): Promise<LoadedModel> {
  const manifest = await source.readJson(headPath(market, model, version, '.', 'manifest.json'));
  const m = manifest as ModelManifest;
  if (m?.model !== model || m?.version !== version) {
    throw new ModelLoadError(
      `${market}/${model}/${version}: the manifest names ${String(m?.model)}/${String(m?.version)}`,
    );
  }
  const read = new Map<string, { model: unknown; spec: unknown }>();
  for (const head of m.heads ?? []) {
    const [json, spec] = await Promise.all([
      source.readJson(headPath(market, model, version, head.dir, 'model.json')),
      source.readJson(headPath(market, model, version, head.dir, 'feature-spec.json')),
    ]);
    read.set(head.dir, { model: json, spec });
  }
  return modelFromJson(manifest, (head) => read.get(head.dir)!);
}

/** Loads the versions a market config pins (`scoring.models`). */
export async function loadPinnedModels(
  source: ModelSource,
  market: string,
  pins: Record<string, { version: string }>,
): Promise<LoadedModel[]> {
  return Promise.all(Object.entries(pins).map(([model, pin]) => loadModel(source, market, model, pin.version)));
}
