import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  binOf,
  count,
  countScores,
  driftOf,
  mergeHistograms,
  populationStabilityIndex,
  type Histograms,
} from './psi.ts';

describe('score histograms', () => {
  it('puts probabilities into ten equal bins and 1.0 into the last one', () => {
    expect(binOf(0, 1)).toBe(0);
    expect(binOf(0.0999, 1)).toBe(0);
    expect(binOf(0.1, 1)).toBe(1);
    expect(binOf(0.95, 1)).toBe(9);
    expect(binOf(1, 1)).toBe(9);
  });

  it('bins predicted NPS over 0 to 10 and clamps values outside the range', () => {
    const h: Histograms = {};
    count(h, 'nps', 10);
    count(h, 'nps', -0.5);
    count(h, 'nps', 6.5);
    expect(h['nps']).toEqual([1, 0, 0, 0, 0, 0, 1, 0, 0, 1]);
  });

  it('counts every score of a customer under its own key', () => {
    const h: Histograms = {};
    const stamp = { model: 'm', version: '1', at: '2025-01-01T00:00:00Z' };
    countScores(h, {
      churn: { value: 0.42, ...stamp },
      crossSell: { 'tech-support': { value: 0.05, ...stamp } },
      nps: { score: 8.2, class: 'passive', ...stamp },
    });
    expect(Object.keys(h).sort()).toEqual(['churn', 'crossSell.tech-support', 'nps']);
    expect(h['churn']![4]).toBe(1);
    expect(h['crossSell.tech-support']![0]).toBe(1);
    expect(h['nps']![8]).toBe(1);
  });

  it('adds segment histograms into the histogram of the whole run', () => {
    const merged = mergeHistograms([{ churn: [1, 2, 0] }, { churn: [0, 1, 5], nps: [1, 0, 0] }]);
    expect(merged).toEqual({ churn: [1, 3, 5], nps: [1, 0, 0] });
  });
});

describe('population stability index', () => {
  it('is zero for the same distribution at any scale', () => {
    expect(populationStabilityIndex([10, 20, 30, 40], [1, 2, 3, 4])).toBeCloseTo(0, 12);
  });

  it('matches a worked example', () => {
    // proportions e = [0.5, 0.5], a = [0.25, 0.75]: (0.25-0.5)ln(0.5) + (0.75-0.5)ln(1.5)
    const expected = -0.25 * Math.log(0.5) + 0.25 * Math.log(1.5);
    expect(populationStabilityIndex([50, 50], [25, 75])).toBeCloseTo(expected, 12);
  });

  it('stays finite when a bin is empty on one side', () => {
    const psi = populationStabilityIndex([100, 0], [50, 50]);
    expect(Number.isFinite(psi)).toBe(true);
    expect(driftOf(psi)).toBe('significant');
  });

  it('is undefined when one side has no customers', () => {
    expect(populationStabilityIndex([0, 0], [1, 2])).toBeNaN();
  });

  it('is never negative and symmetric in its arguments', () => {
    const bins = fc.array(fc.nat(1000), { minLength: 10, maxLength: 10 }).filter((a) => a.some((x) => x > 0));
    fc.assert(
      fc.property(bins, bins, (e, a) => {
        const p = populationStabilityIndex(e, a);
        expect(p).toBeGreaterThanOrEqual(-1e-12);
        expect(p).toBeCloseTo(populationStabilityIndex(a, e), 9);
      }),
    );
  });

  it('reads below 0.1 as stable, up to 0.25 as moderate and above as significant', () => {
    expect([driftOf(0.05), driftOf(0.2), driftOf(0.3)]).toEqual(['stable', 'moderate', 'significant']);
  });
});
