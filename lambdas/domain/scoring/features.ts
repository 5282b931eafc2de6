import type { Profile, Scalar } from '../customer.ts';

/**
 * A feature spec travels with its model (`feature-spec.json`): the ordered features the model
 * was trained on, each with where it comes from and how it is encoded. Training (through
 * `scripts/ml/features.ts`) and serving both compute features with this module, so a model
 * sees the same numbers in both places.
 *
 * Sources are dotted paths into `{profile, state}`: `profile.tenureMonths`,
 * `profile.attributes.paymentMethod`, `state.droppedCalls24h.value`.
 * A missing source (absent, null, or not a number where one is needed) becomes NaN, so the
 * model's learned default direction applies, exactly as xgboost treats a missing value.
 */
export type FeatureEncoding =
  /** The number itself; booleans 1/0; numeric strings parsed. */
  | { kind: 'number' }
  /** One-hot: 1 when the source equals `value`, 0 when it holds something else. */
  | { kind: 'equals'; value: Scalar }
  /** Membership: 1 when the source list contains `value`, 0 when it does not. */
  | { kind: 'has'; value: string };

export interface FeatureDef {
  name: string;
  source: string;
  encoding: FeatureEncoding;
}

export interface FeatureSpec {
  specVersion: 1;
  features: FeatureDef[];
}

export interface ScoringInput {
  profile: Profile;
  state?: Record<string, unknown>;
}

export class FeatureSpecError extends Error {
  readonly code = 'invalid-feature-spec';
  constructor(message: string) {
    super(message);
    this.name = 'FeatureSpecError';
  }
}

/** A spec prepared once: paths split, encoders chosen. `fill` allocates nothing. */
export interface CompiledFeatures {
  readonly names: readonly string[];
  readonly width: number;
  /** Writes the features of `input` into `row` starting at `offset`. */
  fill(input: ScoringInput, row: Float64Array | Float32Array | number[], offset?: number): void;
}

const ROOTS = new Set(['profile', 'state']);

function lookup(root: unknown, path: readonly string[]): unknown {
  let v: unknown = root;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

function toNumber(v: unknown): number {
  if (typeof v === 'number') return v; // NaN stays NaN; infinities are values
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isNaN(n) ? NaN : n;
  }
  return NaN;
}

type Encoder = (v: unknown) => number;

function encoderOf(def: FeatureDef): Encoder {
  const enc = def.encoding;
  switch (enc.kind) {
    case 'number':
      return toNumber;
    case 'equals': {
      const want = enc.value;
      return (v) => (v === undefined || v === null ? NaN : v === want ? 1 : 0);
    }
    case 'has': {
      const want = enc.value;
      return (v) => (Array.isArray(v) ? (v.includes(want) ? 1 : 0) : NaN);
    }
    default:
      throw new FeatureSpecError(`feature '${def.name}': unknown encoding '${(enc as { kind: string }).kind}'`);
  }
}

/** The top-level state fields these features read (`state.topups30d.count` reads `topups30d`). */
export function stateFieldsOf(features: readonly FeatureDef[]): string[] {
  const state = features.filter((f) => f.source.startsWith('state.'));
  return [...new Set(state.map((f) => f.source.split('.')[1]!))];
}

/** Checks a spec read from JSON and prepares it for fast repeated use. */
export function compileFeatures(spec: FeatureSpec): CompiledFeatures {
  if (spec?.specVersion !== 1 || !Array.isArray(spec.features)) {
    throw new FeatureSpecError('feature spec: expected {specVersion: 1, features: [...]}');
  }
  const names: string[] = [];
  const roots: Array<'profile' | 'state'> = [];
  const paths: string[][] = [];
  const encoders: Encoder[] = [];
  const seen = new Set<string>();
  for (const def of spec.features) {
    if (!def.name || seen.has(def.name))
      throw new FeatureSpecError(`feature '${def.name}': names must be present and unique`);
    seen.add(def.name);
    const [root, ...path] = String(def.source ?? '').split('.');
    if (!root || !ROOTS.has(root) || path.length === 0 || path.some((p) => p === '')) {
      throw new FeatureSpecError(`feature '${def.name}': source '${def.source}' must be a path under profile or state`);
    }
    names.push(def.name);
    roots.push(root as 'profile' | 'state');
    paths.push(path);
    encoders.push(encoderOf(def));
  }
  const width = names.length;
  return {
    names,
    width,
    fill(input, row, offset = 0) {
      for (let i = 0; i < width; i++) {
        const base = roots[i] === 'profile' ? input.profile : input.state;
        row[offset + i] = encoders[i]!(lookup(base, paths[i]!));
      }
    },
  };
}

const compiledCache = new WeakMap<FeatureSpec, CompiledFeatures>();

/** The feature vector of one customer (allocates; use `compileFeatures(...).fill` in loops). */
export function featuresOf(spec: FeatureSpec, input: ScoringInput): Float64Array {
  let compiled = compiledCache.get(spec);
  if (!compiled) {
    compiled = compileFeatures(spec);
    compiledCache.set(spec, compiled);
  }
  const row = new Float64Array(compiled.width);
  compiled.fill(input, row);
  return row;
}

/** Builders that keep spec definitions short and typo-free. */
export const feature = {
  number: (name: string, source: string): FeatureDef => ({ name, source, encoding: { kind: 'number' } }),
  equals: (name: string, source: string, value: Scalar): FeatureDef => ({
    name,
    source,
    encoding: { kind: 'equals', value },
  }),
  has: (name: string, source: string, value: string): FeatureDef => ({
    name,
    source,
    encoding: { kind: 'has', value },
  }),
};
