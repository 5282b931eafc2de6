import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  binCountOf,
  binEdgesOf,
  featureBinOf,
  featureDriftCounter,
  featureHistogramOf,
  featureKey,
  parseFeatureKey,
  totalGainOf,
} from './feature-drift.ts';
import { feature } from './features.ts';
import { populationStabilityIndex, type Histograms } from './psi.ts';

const values = fc.array(fc.oneof(fc.integer({ min: -50, max: 200 }), fc.double({ min: -1e3, max: 1e3, noNaN: true })), {
  minLength: 1,
  maxLength: 300,
});

describe('feature bins', () => {
  it('gives each value of a flag or small count its own bin, cut midway', () => {
    expect(binEdgesOf([0, 1, 1, 0, 1])).toEqual([0.5]);
    expect(binEdgesOf([1, 2, 4])).toEqual([1.5, 3]);
    expect(binEdgesOf([7, 7, 7])).toEqual([]);
  });

  it('cuts a continuous feature at its deciles', () => {
    const edges = binEdgesOf(Array.from({ length: 100 }, (_, i) => i));
    expect(edges).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(
      featureHistogramOf(
        edges,
        Array.from({ length: 100 }, (_, i) => i),
      ),
    ).toEqual([10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 0]);
  });

  it('counts a missing value in a bin of its own, after the intervals', () => {
    expect(featureHistogramOf([0.5], [0, 1, Number.NaN, Number.NaN])).toEqual([1, 1, 2]);
  });

  it('sorts every value into exactly one bin, in the order of the edges', () => {
    fc.assert(
      fc.property(
        values,
        fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { maxLength: 50 }),
        (train, run) => {
          const edges = binEdgesOf(train);
          expect(edges.length).toBeLessThanOrEqual(9);
          expect([...edges].sort((a, b) => a - b)).toEqual(edges);
          expect(new Set(edges).size).toBe(edges.length);
          const counts = featureHistogramOf(edges, run);
          expect(counts).toHaveLength(binCountOf(edges));
          expect(counts.reduce((s, c) => s + c, 0)).toBe(run.length);
          for (const v of run) {
            const bin = featureBinOf(edges, v);
            if (bin > 0) expect(v).toBeGreaterThanOrEqual(edges[bin - 1]!);
            if (bin < edges.length) expect(v).toBeLessThan(edges[bin]!);
          }
        },
      ),
    );
  });
});

describe('PSI of a feature', () => {
  it('is zero for a run distributed as the training data, at any scale', () => {
    fc.assert(
      fc.property(values, fc.integer({ min: 1, max: 5 }), (train, times) => {
        const edges = binEdgesOf(train);
        const expected = featureHistogramOf(edges, train);
        const actual = featureHistogramOf(edges, Array.from({ length: times }, () => train).flat());
        expect(populationStabilityIndex(expected, actual)).toBeCloseTo(0, 12);
      }),
    );
  });

  it('is never negative and the same read either way round', () => {
    fc.assert(
      fc.property(values, values, (train, run) => {
        const edges = binEdgesOf(train);
        const e = featureHistogramOf(edges, train);
        const a = featureHistogramOf(edges, run);
        const psi = populationStabilityIndex(e, a);
        expect(psi).toBeGreaterThanOrEqual(-1e-12);
        expect(psi).toBeCloseTo(populationStabilityIndex(a, e), 9);
      }),
    );
  });

  it('grows as a feature shifts away from its training values, and sees a feature that stops arriving', () => {
    const train = Array.from({ length: 1000 }, (_, i) => i % 72);
    const edges = binEdgesOf(train);
    const e = featureHistogramOf(edges, train);
    const shifted = (by: number) =>
      populationStabilityIndex(
        e,
        featureHistogramOf(
          edges,
          train.map((v) => v + by),
        ),
      );
    expect(shifted(2)).toBeLessThan(shifted(10));
    expect(shifted(10)).toBeLessThan(shifted(40));
    const halfMissing = train.map((v, i) => (i % 2 ? Number.NaN : v));
    expect(populationStabilityIndex(e, featureHistogramOf(edges, halfMissing))).toBeGreaterThan(0.25);
  });
});

describe('counting the watched features of a run', () => {
  it("counts each model's features of every customer under its own key, with the serving feature code", () => {
    const counter = featureDriftCounter([
      { model: 'churn', feature: feature.number('tenure_months', 'profile.tenureMonths'), edges: [12, 24] },
      { model: 'churn', feature: feature.equals('contract_m2m', 'profile.contract', 'month-to-month'), edges: [0.5] },
      { model: 'nps', feature: feature.number('tenure_months', 'profile.tenureMonths'), edges: [6] },
    ]);
    const h: Histograms = {};
    counter.count(h, { profile: { tenureMonths: 3, contract: 'month-to-month' } });
    counter.count(h, { profile: { tenureMonths: 30, contract: 'two-year' } });
    counter.count(h, { profile: {} });
    expect(h).toEqual({
      'feature:churn/tenure_months': [1, 0, 1, 1],
      'feature:churn/contract_m2m': [1, 1, 1],
      'feature:nps/tenure_months': [1, 1, 1],
    });
  });

  it('keys features apart from scores', () => {
    expect(parseFeatureKey(featureKey('cross-sell', 'has_phone'))).toEqual({
      model: 'cross-sell',
      feature: 'has_phone',
    });
    expect(parseFeatureKey('crossSell.tech-support')).toBeUndefined();
  });
});

describe('total gain of a model', () => {
  it('adds the loss reductions of the splits on each feature, leaves skipped', () => {
    const model = {
      learner: {
        gradient_booster: {
          model: {
            trees: [
              { left_children: [1, -1, -1], split_indices: [2, 0, 0], loss_changes: [5, 0, 0] },
              { left_children: [1, 3, -1, -1, -1], split_indices: [0, 2, 0, 0, 0], loss_changes: [1.5, 2, 9, 9, 9] },
            ],
          },
        },
      },
    };
    expect(totalGainOf(model, 3)).toEqual([1.5, 0, 7]);
  });

  it('ranks the demo churn model as its training did: contract and tenure first', () => {
    const json = JSON.parse(
      readFileSync(new URL('../../../models/demo/churn/1/model.json', import.meta.url), 'utf8'),
    ) as unknown;
    const spec = JSON.parse(
      readFileSync(new URL('../../../models/demo/churn/1/feature-spec.json', import.meta.url), 'utf8'),
    ) as { features: { name: string }[] };
    const gain = totalGainOf(json, spec.features.length);
    const top = spec.features
      .map((f, i) => [f.name, gain[i]!] as const)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 2)
      .map(([n]) => n);
    expect(top.sort()).toEqual(['contract_month-to-month', 'tenure_months']);
  });
});
