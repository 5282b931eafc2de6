import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { XgboostModel, XgboostModelError } from './xgboost-evaluator.ts';

const MODELS = resolve(import.meta.dirname, '../../../models');
const readJson = (p: string): unknown => JSON.parse(readFileSync(p, 'utf8'));

/** Every head directory shipped under models/ that carries a parity fixture. */
function parityDirs(dir = MODELS): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const sub = join(dir, e.name);
    if (existsSync(join(sub, 'parity.json')) && existsSync(join(sub, 'model.json'))) out.push(sub);
    out.push(...parityDirs(sub));
  }
  return out;
}

const heads = parityDirs();

/** A hand-made stump: feature 0 < 0.1 (float32) goes left; missing goes right. */
function stump(objective: string, baseScore: string, defaultLeft: number | boolean = 0) {
  return {
    learner: {
      objective: { name: objective },
      learner_model_param: { base_score: baseScore, num_class: '0', num_feature: '2', num_target: '1' },
      gradient_booster: {
        name: 'gbtree',
        model: {
          gbtree_model_param: { num_parallel_tree: '1', num_trees: '1' },
          trees: [
            {
              left_children: [1, -1, -1],
              right_children: [2, -1, -1],
              split_indices: [0, 0, 0],
              split_conditions: [0.1, -1.5, 2.5],
              default_left: [defaultLeft, 0, 0],
              split_type: [0, 0, 0],
            },
          ],
        },
      },
    },
  };
}

interface TreeJson {
  left_children: number[];
  right_children: number[];
  split_indices: number[];
  split_conditions: number[];
  default_left: Array<number | boolean>;
}

/** xgboost's predictor written as plainly as it can be: the reference the compiled code must meet. */
function referencePredict(
  json: {
    learner: {
      objective: { name: string };
      learner_model_param: { base_score: string };
      gradient_booster: { model: { trees: TreeJson[] } };
    };
  },
  row: readonly number[],
): number {
  const f32 = Math.fround;
  const base = Number(json.learner.learner_model_param.base_score.replace(/^\[|\]$/g, ''));
  const logistic = json.learner.objective.name === 'binary:logistic';
  let acc = logistic ? f32(-Math.log(f32(f32(1 / f32(base)) - 1))) : f32(base);
  for (const t of json.learner.gradient_booster.model.trees) {
    let n = 0;
    while (t.left_children[n] !== -1) {
      const v = f32(row[t.split_indices[n]!]!);
      const goLeft = Number.isNaN(v) ? !!t.default_left[n] : v < f32(t.split_conditions[n]!);
      n = goLeft ? t.left_children[n]! : t.right_children[n]!;
    }
    acc = f32(acc + f32(t.split_conditions[n]!));
  }
  return logistic ? f32(1 / (1 + Math.exp(-acc))) : acc;
}

describe('xgboost evaluator', () => {
  it('finds parity fixtures for every shipped model', () => {
    expect(heads.length).toBeGreaterThanOrEqual(4);
  });

  for (const dir of heads) {
    it(`matches xgboost's own predictions for ${relative(MODELS, dir)}`, () => {
      const model = new XgboostModel(readJson(join(dir, 'model.json')));
      const parity = readJson(join(dir, 'parity.json')) as {
        features: Array<Array<number | null>>;
        predictions: number[];
      };
      expect(parity.predictions.length).toBeGreaterThanOrEqual(500);
      const row = new Float64Array(model.numFeatures);
      let worst = 0;
      parity.features.forEach((values, i) => {
        values.forEach((v, j) => {
          row[j] = v === null ? NaN : v;
        });
        worst = Math.max(worst, Math.abs(model.predict(row) - parity.predictions[i]!));
      });
      expect(worst).toBeLessThanOrEqual(1e-6);
    });
  }

  it('compares features as float32, as xgboost does', () => {
    const m = new XgboostModel(stump('reg:squarederror', '0'));
    // 0.1 as float32 is 0.100000001490116...; a double just below it still rounds up to it.
    expect(m.predict([0.1000000001, 0])).toBeCloseTo(2.5, 6);
    expect(m.predict([0.0999999, 0])).toBeCloseTo(-1.5, 6);
  });

  it('sends a missing value the default way of the node', () => {
    expect(new XgboostModel(stump('reg:squarederror', '0', 1)).predict([NaN, 0])).toBeCloseTo(-1.5, 6);
    expect(new XgboostModel(stump('reg:squarederror', '0', false)).predict([NaN, 0])).toBeCloseTo(2.5, 6);
  });

  it('turns a logistic base_score into a logit before adding leaves', () => {
    const m = new XgboostModel(stump('binary:logistic', '2.5E-1'));
    const margin = Math.log(0.25 / 0.75) - 1.5;
    expect(m.predict([0, 0])).toBeCloseTo(1 / (1 + Math.exp(-margin)), 6);
  });

  it('walks trees whose right child is not stored next to the left one', () => {
    const m = stump('reg:squarederror', '0', 1);
    // Same tree with the children swapped in storage: root -> left at 2, right at 1.
    m.learner.gradient_booster.model.trees[0] = {
      left_children: [2, -1, -1],
      right_children: [1, -1, -1],
      split_indices: [0, 0, 0],
      split_conditions: [0.1, 2.5, -1.5],
      default_left: [1, 0, 0],
      split_type: [0, 0, 0],
    };
    const model = new XgboostModel(m);
    expect([model.predict([0, 0]), model.predict([1, 0]), model.predict([NaN, 0])]).toEqual([-1.5, 2.5, -1.5]);
  });

  it('reads the bracketed base_score of xgboost 2.1 and later', () => {
    expect(new XgboostModel(stump('reg:squarederror', '[3E0]')).predict([1, 0])).toBeCloseTo(5.5, 6);
  });

  it('refuses objectives and boosters it cannot evaluate', () => {
    expect(() => new XgboostModel(stump('multi:softprob', '5E-1'))).toThrow(XgboostModelError);
    const dart = stump('binary:logistic', '5E-1');
    (dart.learner.gradient_booster as { name: string }).name = 'dart';
    expect(() => new XgboostModel(dart)).toThrow(/booster 'dart'/);
    expect(() => new XgboostModel({})).toThrow(/no learner/);
  });

  it('keeps a logistic prediction within [0, 1] for any features, missing or extreme', () => {
    const dir = heads.find((d) => relative(MODELS, d).startsWith('demo/churn'))!;
    const model = new XgboostModel(readJson(join(dir, 'model.json')));
    const value = fc.oneof(
      fc.double(),
      fc.constant(NaN),
      fc.constant(Infinity),
      fc.constant(-Infinity),
      fc.integer({ min: -5, max: 100 }),
    );
    fc.assert(
      fc.property(fc.array(value, { minLength: model.numFeatures, maxLength: model.numFeatures }), (row) => {
        const p = model.predict(row);
        return p >= 0 && p <= 1;
      }),
      { numRuns: 500 },
    );
  });

  /**
   * The compiled code against the plainest possible walk of the JSON (float32 compares and sums,
   * NaN the default way): the same prediction to the bit, one row at a time and in a batch, for
   * random rows of each shipped model (values near its thresholds, extremes, NaN).
   */
  for (const dir of heads) {
    it(`compiles ${relative(MODELS, dir)} to code that predicts as a plain tree walk does`, () => {
      const json = readJson(join(dir, 'model.json')) as Parameters<typeof referencePredict>[0];
      const model = new XgboostModel(json);
      const thresholds = json.learner.gradient_booster.model.trees.flatMap((t) => t.split_conditions);
      const value = fc.oneof(
        fc.constantFrom(...thresholds).chain((t) => fc.constantFrom(t, Math.fround(t), t - 1e-9, t + 1e-9, -t)),
        fc.constant(NaN),
        fc.double({ min: -1e6, max: 1e6 }),
        fc.integer({ min: -1, max: 80 }),
      );
      const row = fc.array(value, { minLength: model.numFeatures, maxLength: model.numFeatures });
      fc.assert(
        fc.property(fc.array(row, { minLength: 1, maxLength: 9 }), (rows) => {
          const out = new Float64Array(rows.length);
          model.predictBatch(new Float64Array(rows.flat()), out);
          rows.forEach((r, i) => {
            const want = referencePredict(json, r);
            expect(model.predict(r)).toBe(want);
            expect(out[i]).toBe(want);
          });
        }),
        { numRuns: 150 },
      );
    });
  }

  for (const dir of heads) {
    it(`matches xgboost's own predictions in a batch for ${relative(MODELS, dir)}`, () => {
      const model = new XgboostModel(readJson(join(dir, 'model.json')));
      const parity = readJson(join(dir, 'parity.json')) as {
        features: Array<Array<number | null>>;
        predictions: number[];
      };
      // An odd count: full blocks, the four-row walk and its remainder all run.
      const n = parity.features.length - 3;
      const rows = new Float64Array(
        parity.features
          .slice(0, n)
          .flat()
          .map((v) => (v === null ? NaN : v)),
      );
      const out = new Float64Array(n);
      model.predictBatch(rows, out);
      let worst = 0;
      for (let i = 0; i < n; i++) {
        expect(out[i]).toBe(model.predict(rows.subarray(i * model.numFeatures)));
        worst = Math.max(worst, Math.abs(out[i]! - parity.predictions[i]!));
      }
      expect(worst).toBeLessThan(1e-6);
    });
  }

  it('walks lopsided trees, shallow (branch-free, padded) and deep (nested if/else), the same way', () => {
    // A chain: node i sends feature 0 < i + 0.5 to leaf i and the rest down the chain;
    // missing values go right at even nodes and left at odd ones (so to leaf 1).
    const chain = (depth: number) => {
      const m = stump('reg:squarederror', '0');
      const left: number[] = [];
      const right: number[] = [];
      const split: number[] = [];
      const cond: number[] = [];
      const dflt: number[] = [];
      for (let i = 0; i < depth; i++) {
        const node = 2 * i;
        left[node] = node + 1;
        right[node] = node + 2;
        split[node] = 0;
        cond[node] = i + 0.5;
        dflt[node] = i % 2 === 1 ? 1 : 0;
        left[node + 1] = -1;
        right[node + 1] = -1;
        split[node + 1] = 0;
        cond[node + 1] = i;
        dflt[node + 1] = 0;
      }
      const last = 2 * depth;
      left[last] = -1;
      right[last] = -1;
      split[last] = 0;
      cond[last] = depth;
      dflt[last] = 0;
      m.learner.gradient_booster.model.trees[0] = {
        left_children: left,
        right_children: right,
        split_indices: split,
        split_conditions: cond,
        default_left: dflt,
        split_type: split.map(() => 0),
      };
      return new XgboostModel(m);
    };
    for (const depth of [4, 14]) {
      const model = chain(depth);
      const xs = [-1, 0, 0.4, 0.5, 1, 2.5, 3, depth - 1, depth, depth + 7, NaN];
      const expected = xs.map((x) => (Number.isNaN(x) ? 1 : Math.min(Math.max(Math.floor(x + 0.5), 0), depth)));
      expect(xs.map((x) => model.predict([x, 0]))).toEqual(expected);
      const out = new Float64Array(xs.length);
      model.predictBatch(new Float64Array(xs.flatMap((x) => [x, 0])), out);
      expect([...out]).toEqual(expected);
    }
  });

  it('predicts a batch the same as row by row', () => {
    const dir = heads.find((d) => relative(MODELS, d).startsWith('ir/churn'))!;
    const model = new XgboostModel(readJson(join(dir, 'model.json')));
    const parity = readJson(join(dir, 'parity.json')) as { features: Array<Array<number | null>> };
    const rows = new Float64Array(
      parity.features
        .slice(0, 50)
        .flat()
        .map((v) => (v === null ? NaN : v)),
    );
    const out = new Float64Array(50);
    model.predictBatch(rows, out);
    expect(out[7]).toBe(model.predict(rows.subarray(7 * model.numFeatures)));
  });
});
