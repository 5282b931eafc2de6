/**
 * Evaluates an xgboost gradient-boosted tree model (the JSON of `Booster.save_model`) in
 * process, with the same arithmetic as xgboost's CPU predictor:
 * - features are compared as float32 (`fvalue < split_condition`, both float32);
 * - NaN is missing and follows the node's default direction;
 * - the margin starts at base_score (a probability for binary:logistic, turned into a logit)
 *   and accumulates leaf values tree by tree in float32;
 * - binary:logistic applies the sigmoid, reg:squarederror returns the margin.
 * The trees are compiled to JavaScript once (tree-compiler.ts); predicting allocates nothing.
 */

import { type CompilableTree, type CompiledChunk, compileEnsemble } from './tree-compiler.ts';

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
  const s = String(raw ?? '')
    .trim()
    .replace(/^\[|\]$/g, '');
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

/** Rows evaluated per call of the compiled trees: the block's float32 rows stay in L1. */
const BLOCK_ROWS = 128;

export class XgboostModel {
  readonly objective: XgbObjective;
  readonly numFeatures: number;
  readonly numTrees: number;
  /** The starting margin (float32), base_score in margin space. */
  readonly baseMargin: number;
  /** The trees compiled to code (tree-compiler.ts), in tree order. */
  private readonly chunks: CompiledChunk[];
  /** Rows of a block as float32 (xgboost compares float32 with float32), and their margins. */
  private readonly blockX: Float32Array;
  private readonly blockAcc: Float64Array;

  constructor(json: unknown) {
    const learner = get(json, ['learner']);
    if (!learner) throw new XgboostModelError('not an xgboost model: no learner');
    const objective = get(learner, ['objective', 'name']);
    if (objective !== 'binary:logistic' && objective !== 'reg:squarederror') {
      throw new XgboostModelError(
        `objective '${String(objective)}' is not supported (binary:logistic, reg:squarederror)`,
      );
    }
    this.objective = objective;
    const booster = get(learner, ['gradient_booster', 'name']);
    if (booster !== 'gbtree') throw new XgboostModelError(`booster '${String(booster)}' is not supported (gbtree)`);
    const params = get(learner, ['learner_model_param']) as Record<string, unknown> | undefined;
    const numClass = Number(params?.['num_class'] ?? 0);
    const numTarget = Number(params?.['num_target'] ?? 1);
    if (numClass > 1 || numTarget > 1)
      throw new XgboostModelError('multi-class and multi-target models are not supported');
    this.numFeatures = Number(params?.['num_feature']);
    if (!Number.isInteger(this.numFeatures) || this.numFeatures < 1)
      throw new XgboostModelError('num_feature is missing');

    const base = parseBaseScore(params?.['base_score']);
    if (objective === 'binary:logistic') {
      if (!(base > 0 && base < 1))
        throw new XgboostModelError(`base_score ${base} must lie in (0, 1) for binary:logistic`);
      // xgboost: ProbToMargin(p) = -log(1/p - 1), in float32.
      this.baseMargin = f32(-Math.log(f32(f32(1 / f32(base)) - 1)));
    } else {
      this.baseMargin = f32(base);
    }

    const trees = get(learner, ['gradient_booster', 'model', 'trees']) as XgbTreeJson[] | undefined;
    if (!Array.isArray(trees) || trees.length === 0) throw new XgboostModelError('the model has no trees');
    const numParallel = Number(
      get(learner, ['gradient_booster', 'model', 'gbtree_model_param', 'num_parallel_tree']) ?? 1,
    );
    if (numParallel !== 1) throw new XgboostModelError('num_parallel_tree > 1 is not supported');
    this.numTrees = trees.length;
    const compilable = trees.map((t, ti): CompilableTree => {
      const n = t.left_children.length;
      if (
        t.right_children.length !== n ||
        t.split_indices.length !== n ||
        t.split_conditions.length !== n ||
        t.default_left.length !== n
      ) {
        throw new XgboostModelError(`tree ${ti}: node arrays differ in length`);
      }
      const tree = {
        left: new Int32Array(n),
        right: new Int32Array(n),
        feature: new Int32Array(n),
        value: new Float32Array(n),
        defaultLeft: new Uint8Array(n),
      };
      for (let i = 0; i < n; i++) {
        const l = t.left_children[i]!;
        tree.value[i] = t.split_conditions[i]!;
        if (l === -1) {
          tree.left[i] = -1;
          tree.right[i] = -1;
          continue;
        }
        if (t.split_type && t.split_type[i] !== 0)
          throw new XgboostModelError(`tree ${ti}: categorical splits are not supported`);
        const r = t.right_children[i]!;
        // Children after their parent (as xgboost allocates them): no cycles, so a walk ends.
        if (l <= i || l >= n || r <= i || r >= n)
          throw new XgboostModelError(`tree ${ti}: node ${i} has children out of range`);
        const fi = t.split_indices[i]!;
        if (!Number.isInteger(fi) || fi < 0 || fi >= this.numFeatures)
          throw new XgboostModelError(`tree ${ti}: node ${i} splits on feature ${fi} of ${this.numFeatures}`);
        tree.left[i] = l;
        tree.right[i] = r;
        tree.feature[i] = fi;
        tree.defaultLeft[i] = t.default_left[i] ? 1 : 0;
      }
      return tree;
    });
    this.chunks = compileEnsemble(compilable, this.numFeatures);
    this.blockX = new Float32Array(BLOCK_ROWS * this.numFeatures);
    this.blockAcc = new Float64Array(BLOCK_ROWS);
  }

  /** Margins of the first `n` float32 rows of `x` into `blockAcc`: base margin plus every tree. */
  private marginsOfBlock(x: Float32Array, n: number): void {
    const { chunks, blockAcc: acc } = this;
    acc.fill(this.baseMargin, 0, n);
    for (let c = 0; c < chunks.length; c++) chunks[c]!(x, acc, n);
  }

  /** The raw margin (sum of leaf values plus base margin) of one row of features. */
  margin(row: ArrayLike<number>, offset = 0): number {
    const x = this.blockX;
    for (let j = 0; j < this.numFeatures; j++) x[j] = row[offset + j]!;
    this.marginsOfBlock(x, 1);
    return this.blockAcc[0]!;
  }

  /** The prediction of one row: a probability for binary:logistic, the value for regression. */
  predict(row: ArrayLike<number>, offset = 0): number {
    const m = this.margin(row, offset);
    return this.objective === 'binary:logistic' ? f32(1 / (1 + Math.exp(-m))) : m;
  }

  /**
   * Predicts `rows` (row-major, `numFeatures` per row) into `out`. Float32 rows are already what
   * the trees compare, so they are read in place; other rows are converted block by block.
   */
  predictBatch(rows: ArrayLike<number>, out: Float64Array | Float32Array, count = out.length): void {
    const w = this.numFeatures;
    const acc = this.blockAcc;
    const logistic = this.objective === 'binary:logistic';
    const inPlace = rows instanceof Float32Array;
    for (let start = 0; start < count; start += BLOCK_ROWS) {
      const n = Math.min(BLOCK_ROWS, count - start);
      const from = start * w;
      const len = n * w;
      let x = this.blockX;
      if (inPlace) x = rows.subarray(from, from + len);
      else for (let j = 0; j < len; j++) x[j] = rows[from + j]!;
      this.marginsOfBlock(x, n);
      for (let r = 0; r < n; r++) {
        const m = acc[r]!;
        out[start + r] = logistic ? f32(1 / (1 + Math.exp(-m))) : m;
      }
    }
  }
}
