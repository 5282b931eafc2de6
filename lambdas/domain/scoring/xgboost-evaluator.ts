/**
 * Evaluates an xgboost gradient-boosted tree model (the JSON of `Booster.save_model`) in
 * process, with the same arithmetic as xgboost's CPU predictor:
 * - features are compared as float32 (`fvalue < split_condition`, both float32);
 * - NaN is missing and follows the node's default direction;
 * - the margin starts at base_score (a probability for binary:logistic, turned into a logit)
 *   and accumulates leaf values tree by tree in float32;
 * - binary:logistic applies the sigmoid, reg:squarederror returns the margin.
 * All trees are flattened into typed arrays once; predicting allocates nothing.
 */

export type XgbObjective = 'binary:logistic' | 'reg:squarederror';

export class XgboostModelError extends Error {
  readonly code = 'invalid-model';
  constructor(message: string) {
    super(message);
    this.name = 'XgboostModelError';
  }
}

interface XgbTreeJson {
  left_children: number[];
  right_children: number[];
  split_indices: number[];
  split_conditions: number[];
  default_left: Array<number | boolean>;
  split_type?: number[];
}

const f32 = Math.fround;

/** xgboost writes base_score as "5E-1" (1.x) or "[5E-1]" (2.1+); both are parsed. */
function parseBaseScore(raw: unknown): number {
  const s = String(raw ?? '').trim().replace(/^\[|\]$/g, '');
  const n = Number(s.split(',')[0]);
  if (!Number.isFinite(n)) throw new XgboostModelError(`base_score '${String(raw)}' is not a number`);
  return n;
}

function get(obj: unknown, path: string[]): unknown {
  let v = obj;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

export class XgboostModel {
  readonly objective: XgbObjective;
  readonly numFeatures: number;
  readonly numTrees: number;
  /** The starting margin (float32), base_score in margin space. */
  readonly baseMargin: number;
  private readonly roots: Int32Array;
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  private readonly feature: Int32Array;
  private readonly threshold: Float32Array;
  private readonly defaultLeft: Uint8Array;
  private readonly leafValue: Float32Array;
  private readonly scratch: Float32Array;
  /** 1 where a missing value goes right. */
  private readonly missingRight: Uint8Array;
  private readonly pairedChildren: boolean;

  constructor(json: unknown) {
    const learner = get(json, ['learner']);
    if (!learner) throw new XgboostModelError('not an xgboost model: no learner');
    const objective = get(learner, ['objective', 'name']);
    if (objective !== 'binary:logistic' && objective !== 'reg:squarederror') {
      throw new XgboostModelError(`objective '${String(objective)}' is not supported (binary:logistic, reg:squarederror)`);
    }
    this.objective = objective;
    const booster = get(learner, ['gradient_booster', 'name']);
    if (booster !== 'gbtree') throw new XgboostModelError(`booster '${String(booster)}' is not supported (gbtree)`);
    const params = get(learner, ['learner_model_param']) as Record<string, unknown> | undefined;
    const numClass = Number(params?.['num_class'] ?? 0);
    const numTarget = Number(params?.['num_target'] ?? 1);
    if (numClass > 1 || numTarget > 1) throw new XgboostModelError('multi-class and multi-target models are not supported');
    this.numFeatures = Number(params?.['num_feature']);
    if (!Number.isInteger(this.numFeatures) || this.numFeatures < 1) throw new XgboostModelError('num_feature is missing');
    this.scratch = new Float32Array(this.numFeatures);

    const base = parseBaseScore(params?.['base_score']);
    if (objective === 'binary:logistic') {
      if (!(base > 0 && base < 1)) throw new XgboostModelError(`base_score ${base} must lie in (0, 1) for binary:logistic`);
      // xgboost: ProbToMargin(p) = -log(1/p - 1), in float32.
      this.baseMargin = f32(-Math.log(f32(f32(1 / f32(base)) - 1)));
    } else {
      this.baseMargin = f32(base);
    }

    const trees = get(learner, ['gradient_booster', 'model', 'trees']) as XgbTreeJson[] | undefined;
    if (!Array.isArray(trees) || trees.length === 0) throw new XgboostModelError('the model has no trees');
    const numParallel = Number(get(learner, ['gradient_booster', 'model', 'gbtree_model_param', 'num_parallel_tree']) ?? 1);
    if (numParallel !== 1) throw new XgboostModelError('num_parallel_tree > 1 is not supported');
    this.numTrees = trees.length;
    let total = 0;
    for (const t of trees) total += t.left_children.length;
    this.roots = new Int32Array(trees.length);
    this.left = new Int32Array(total);
    this.right = new Int32Array(total);
    this.feature = new Int32Array(total);
    this.threshold = new Float32Array(total);
    this.defaultLeft = new Uint8Array(total);
    this.leafValue = new Float32Array(total);
    this.missingRight = new Uint8Array(total);
    let paired = true;
    let offset = 0;
    trees.forEach((t, ti) => {
      const n = t.left_children.length;
      if (t.right_children.length !== n || t.split_indices.length !== n || t.split_conditions.length !== n || t.default_left.length !== n) {
        throw new XgboostModelError(`tree ${ti}: node arrays differ in length`);
      }
      this.roots[ti] = offset;
      for (let i = 0; i < n; i++) {
        const g = offset + i;
        const l = t.left_children[i]!;
        if (t.split_type && t.split_type[i] !== 0 && l !== -1) throw new XgboostModelError(`tree ${ti}: categorical splits are not supported`);
        if (l === -1) {
          this.left[g] = -1;
          this.right[g] = -1;
          this.leafValue[g] = t.split_conditions[i]!;
        } else {
          const r = t.right_children[i]!;
          if (l <= 0 || l >= n || r <= 0 || r >= n) throw new XgboostModelError(`tree ${ti}: node ${i} has children out of range`);
          const fi = t.split_indices[i]!;
          if (fi < 0 || fi >= this.numFeatures) throw new XgboostModelError(`tree ${ti}: node ${i} splits on feature ${fi} of ${this.numFeatures}`);
          this.left[g] = offset + l;
          this.right[g] = offset + r;
          this.feature[g] = fi;
          this.threshold[g] = t.split_conditions[i]!;
          this.defaultLeft[g] = t.default_left[i] ? 1 : 0;
          this.missingRight[g] = t.default_left[i] ? 0 : 1;
          if (r !== l + 1) paired = false;
        }
      }
      offset += n;
    });
    this.pairedChildren = paired;
  }

  /** The raw margin (sum of leaf values plus base margin) of one row of features. */
  margin(row: ArrayLike<number>, offset = 0): number {
    // One float32 copy of the row: xgboost compares float32 with float32, and the hot loop
    // below then reads a single array type (monomorphic, no per-node rounding).
    const x = this.scratch;
    for (let j = 0; j < x.length; j++) x[j] = row[offset + j]!;
    const { roots, left, right, feature, threshold, defaultLeft, leafValue } = this;
    let acc = this.baseMargin;
    if (this.pairedChildren) {
      // Right child = left child + 1 (how xgboost allocates nodes): step without a branch.
      const missingRight = this.missingRight;
      for (let t = 0; t < roots.length; t++) {
        let n = roots[t]!;
        let l = left[n]!;
        while (l !== -1) {
          const v = x[feature[n]!]!;
          n = l + (+(v >= threshold[n]!) | (+(v !== v) & missingRight[n]!));
          l = left[n]!;
        }
        acc = f32(acc + leafValue[n]!);
      }
      return acc;
    }
    for (let t = 0; t < roots.length; t++) {
      let n = roots[t]!;
      let l = left[n]!;
      while (l !== -1) {
        const v = x[feature[n]!]!;
        const thr = threshold[n]!;
        // NaN fails both comparisons: it goes the node's default way.
        n = v < thr ? l : v >= thr || defaultLeft[n] === 0 ? right[n]! : l;
        l = left[n]!;
      }
      acc = f32(acc + leafValue[n]!);
    }
    return acc;
  }

  /** The prediction of one row: a probability for binary:logistic, the value for regression. */
  predict(row: ArrayLike<number>, offset = 0): number {
    const m = this.margin(row, offset);
    return this.objective === 'binary:logistic' ? f32(1 / (1 + Math.exp(-m))) : m;
  }

  /** Predicts `rows` (row-major, `numFeatures` per row) into `out`. */
  predictBatch(rows: ArrayLike<number>, out: Float64Array | Float32Array, count = out.length): void {
    const w = this.numFeatures;
    for (let i = 0; i < count; i++) out[i] = this.predict(rows, i * w);
  }
}
