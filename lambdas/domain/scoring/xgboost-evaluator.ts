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

interface CompleteTrees {
  /** Per tree: depth, first internal node, and first leaf minus (2^depth - 1). */
  depth: Int32Array;
  nodeBase: Int32Array;
  leafBase: Int32Array;
  /** Per internal node: feature * 2 + (1 when a missing value goes right). */
  featureMissing: Int32Array;
  threshold: Float32Array;
  leaf: Float32Array;
}

/** Rows walked per tree at a time: the block's float32 rows stay in L1 while trees stream by. */
const BLOCK_ROWS = 64;
/** Deepest tree padded to the complete layout (2^depth slots a tree). */
const MAX_COMPLETE_DEPTH = 10;

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
  /**
   * Complete-tree layout (used when every tree is shallow): each tree padded to a full binary
   * tree of its own depth D, internal nodes in heap order (children of i at 2i+1, 2i+2), a
   * leaf reached by padding repeated over the subtree it stands for. A walk is then exactly D
   * steps with no leaf test and no child pointers. Undefined for deep trees (pointer walk).
   */
  private readonly complete: CompleteTrees | undefined;
  /** Rows of a block as float32, and their margins, for the block walk. */
  private readonly blockX: Float32Array;
  private readonly blockAcc: Float32Array;

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
    this.scratch = new Float32Array(this.numFeatures);

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
      if (
        t.right_children.length !== n ||
        t.split_indices.length !== n ||
        t.split_conditions.length !== n ||
        t.default_left.length !== n
      ) {
        throw new XgboostModelError(`tree ${ti}: node arrays differ in length`);
      }
      this.roots[ti] = offset;
      for (let i = 0; i < n; i++) {
        const g = offset + i;
        const l = t.left_children[i]!;
        if (t.split_type && t.split_type[i] !== 0 && l !== -1)
          throw new XgboostModelError(`tree ${ti}: categorical splits are not supported`);
        if (l === -1) {
          this.left[g] = -1;
          this.right[g] = -1;
          this.leafValue[g] = t.split_conditions[i]!;
        } else {
          const r = t.right_children[i]!;
          if (l <= 0 || l >= n || r <= 0 || r >= n)
            throw new XgboostModelError(`tree ${ti}: node ${i} has children out of range`);
          const fi = t.split_indices[i]!;
          if (fi < 0 || fi >= this.numFeatures)
            throw new XgboostModelError(`tree ${ti}: node ${i} splits on feature ${fi} of ${this.numFeatures}`);
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
    this.complete = this.buildComplete();
    this.blockX = new Float32Array(BLOCK_ROWS * this.numFeatures);
    this.blockAcc = new Float32Array(BLOCK_ROWS);
  }

  /** The complete-tree layout, or undefined when a tree is too deep for padding to pay. */
  private buildComplete(): CompleteTrees | undefined {
    const { roots, left, right, feature, threshold, missingRight, leafValue } = this;
    const nTrees = roots.length;
    const depth = new Int32Array(nTrees);
    const nodeBase = new Int32Array(nTrees);
    const leafBase = new Int32Array(nTrees);
    const depthOf = (n: number, level: number): number => {
      if (level > MAX_COMPLETE_DEPTH) return level; // too deep (or a cycle): stop looking
      return left[n] === -1 ? level : Math.max(depthOf(left[n]!, level + 1), depthOf(right[n]!, level + 1));
    };
    let internal = 0;
    let leaves = 0;
    for (let t = 0; t < nTrees; t++) {
      const d = depthOf(roots[t]!, 0);
      if (d > MAX_COMPLETE_DEPTH) return undefined;
      depth[t] = d;
      nodeBase[t] = internal;
      leafBase[t] = leaves - ((1 << d) - 1);
      internal += (1 << d) - 1;
      leaves += 1 << d;
    }
    const out: CompleteTrees = {
      depth,
      nodeBase,
      leafBase,
      featureMissing: new Int32Array(internal),
      threshold: new Float32Array(internal),
      leaf: new Float32Array(leaves),
    };
    const fill = (t: number, n: number, h: number, level: number): void => {
      if (level === depth[t]) {
        out.leaf[leafBase[t]! + h] = leafValue[n]!;
        return;
      }
      const k = nodeBase[t]! + h;
      if (left[n] === -1) {
        // Padding under a leaf: both ways lead to copies of the same leaf.
        fill(t, n, 2 * h + 1, level + 1);
        fill(t, n, 2 * h + 2, level + 1);
        return;
      }
      out.featureMissing[k] = feature[n]! * 2 + missingRight[n]!;
      out.threshold[k] = threshold[n]!;
      fill(t, left[n]!, 2 * h + 1, level + 1);
      fill(t, right[n]!, 2 * h + 2, level + 1);
    };
    for (let t = 0; t < nTrees; t++) fill(t, roots[t]!, 0, 0);
    return out;
  }

  /**
   * Margins of `nRows` float32 rows (row-major in `x`) into `acc`, tree by tree over the block
   * (xgboost's block walk): the trees' nodes and the block's rows stay in cache.
   */
  private static marginsComplete(
    c: CompleteTrees,
    base: number,
    w: number,
    x: Float32Array,
    nRows: number,
    acc: Float32Array,
  ): void {
    const { depth, nodeBase, leafBase, featureMissing, threshold, leaf } = c;
    acc.fill(base, 0, nRows);
    for (let t = 0; t < depth.length; t++) {
      const d = depth[t]!;
      const nb = nodeBase[t]!;
      const lb = leafBase[t]!;
      let r = 0;
      let xb = 0;
      // Four rows walk the tree side by side: their steps are independent, so the CPU
      // overlaps the loads of one row's step with the others'.
      for (; r + 4 <= nRows; r += 4, xb += 4 * w) {
        let i0 = 0;
        let i1 = 0;
        let i2 = 0;
        let i3 = 0;
        for (let s = 0; s < d; s++) {
          const k0 = nb + i0;
          const k1 = nb + i1;
          const k2 = nb + i2;
          const k3 = nb + i3;
          const f0 = featureMissing[k0]!;
          const f1 = featureMissing[k1]!;
          const f2 = featureMissing[k2]!;
          const f3 = featureMissing[k3]!;
          const v0 = x[xb + (f0 >> 1)]!;
          const v1 = x[xb + w + (f1 >> 1)]!;
          const v2 = x[xb + 2 * w + (f2 >> 1)]!;
          const v3 = x[xb + 3 * w + (f3 >> 1)]!;
          i0 = 2 * i0 + 1 + (+(v0 >= threshold[k0]!) | (+(v0 !== v0) & f0));
          i1 = 2 * i1 + 1 + (+(v1 >= threshold[k1]!) | (+(v1 !== v1) & f1));
          i2 = 2 * i2 + 1 + (+(v2 >= threshold[k2]!) | (+(v2 !== v2) & f2));
          i3 = 2 * i3 + 1 + (+(v3 >= threshold[k3]!) | (+(v3 !== v3) & f3));
        }
        acc[r]! += leaf[lb + i0]!;
        acc[r + 1]! += leaf[lb + i1]!;
        acc[r + 2]! += leaf[lb + i2]!;
        acc[r + 3]! += leaf[lb + i3]!;
      }
      for (; r < nRows; r++, xb += w) {
        let i = 0;
        for (let s = 0; s < d; s++) {
          const k = nb + i;
          const fm = featureMissing[k]!;
          const v = x[xb + (fm >> 1)]!;
          // Right when v >= threshold; NaN fails every comparison and takes the missing bit.
          i = 2 * i + 1 + (+(v >= threshold[k]!) | (+(v !== v) & fm));
        }
        // A float32 array: the sum is rounded to float32, as xgboost accumulates.
        acc[r]! += leaf[lb + i]!;
      }
    }
  }

  /** The raw margin (sum of leaf values plus base margin) of one row of features. */
  margin(row: ArrayLike<number>, offset = 0): number {
    // One float32 copy of the row: xgboost compares float32 with float32, and the hot loop
    // below then reads a single array type (monomorphic, no per-node rounding).
    const x = this.scratch;
    for (let j = 0; j < x.length; j++) x[j] = row[offset + j]!;
    if (this.complete) {
      XgboostModel.marginsComplete(this.complete, this.baseMargin, this.numFeatures, x, 1, this.blockAcc);
      return this.blockAcc[0]!;
    }
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
    const c = this.complete;
    if (!c) {
      for (let i = 0; i < count; i++) out[i] = this.predict(rows, i * w);
      return;
    }
    const { blockX: x, blockAcc: acc } = this;
    const logistic = this.objective === 'binary:logistic';
    for (let start = 0; start < count; start += BLOCK_ROWS) {
      const n = Math.min(BLOCK_ROWS, count - start);
      const from = start * w;
      const len = n * w;
      for (let j = 0; j < len; j++) x[j] = rows[from + j]!;
      XgboostModel.marginsComplete(c, this.baseMargin, w, x, n, acc);
      for (let r = 0; r < n; r++) {
        const m = acc[r]!;
        out[start + r] = logistic ? f32(1 / (1 + Math.exp(-m))) : m;
      }
    }
  }
}
