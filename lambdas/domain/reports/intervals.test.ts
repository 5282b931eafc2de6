import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addObservation, meanDifference, noMoments, proportionDifference, wilson, type Moments } from './intervals.ts';

const momentsOf = (xs: number[]): Moments => {
  const m = noMoments();
  for (const x of xs) addObservation(m, x);
  return m;
};
const width = (i: { low: number; high: number } | null) => (i ? i.high - i.low : Number.NaN);

describe('95% intervals', () => {
  it("match Wilson's and Newcombe's published examples", () => {
    // Newcombe (1998), Statistics in Medicine 17:857 (single proportion 81/263; difference 56/70 - 48/80, method 10)
    const w = wilson(81, 263);
    expect(w.low).toBeCloseTo(0.2553, 4);
    expect(w.high).toBeCloseTo(0.3662, 4);
    const d = proportionDifference({ x: 56, n: 70 }, { x: 48, n: 80 })!;
    expect(d.difference).toBeCloseTo(0.2, 10);
    expect(d.low).toBeCloseTo(0.0524, 4);
    expect(d.high).toBeCloseTo(0.3339, 4);
  });

  it('keep a width when a group has no success at all, where Wald would collapse to nothing', () => {
    const d = proportionDifference({ x: 0, n: 40 }, { x: 0, n: 40 })!;
    expect(d.difference).toBe(0);
    expect(d.low).toBeLessThan(-0.05);
    expect(d.high).toBeGreaterThan(0.05);
  });

  it('have none when a group is empty', () => {
    expect(proportionDifference({ x: 0, n: 0 }, { x: 1, n: 3 })).toBeNull();
    expect(meanDifference(noMoments(), momentsOf([1, 2]))).toBeNull();
  });

  it('of a difference of proportions contain it, stay within [-1, 1] and narrow as the groups grow', () => {
    const group = fc
      .integer({ min: 1, max: 5_000 })
      .chain((n) => fc.record({ n: fc.constant(n), x: fc.nat({ max: n }) }));
    fc.assert(
      fc.property(group, group, fc.integer({ min: 2, max: 10 }), (a, b, k) => {
        const i = proportionDifference(a, b)!;
        expect(i.low).toBeLessThanOrEqual(i.difference + 1e-12);
        expect(i.high).toBeGreaterThanOrEqual(i.difference - 1e-12);
        expect(i.low).toBeGreaterThanOrEqual(-1 - 1e-12);
        expect(i.high).toBeLessThanOrEqual(1 + 1e-12);
        const bigger = proportionDifference({ x: a.x * k, n: a.n * k }, { x: b.x * k, n: b.n * k });
        expect(width(bigger)).toBeLessThan(width(i));
      }),
      { numRuns: 300 },
    );
  });

  it('of a difference of means contain it and narrow as the groups grow', () => {
    const sample = fc.array(fc.double({ min: -500, max: 500, noNaN: true }), { minLength: 2, maxLength: 60 });
    fc.assert(
      fc.property(sample, sample, fc.integer({ min: 2, max: 6 }), (a, b, k) => {
        const i = meanDifference(momentsOf(a), momentsOf(b))!;
        expect(i.low).toBeLessThanOrEqual(i.difference + 1e-9);
        expect(i.high).toBeGreaterThanOrEqual(i.difference - 1e-9);
        const repeat = (xs: number[]) => Array.from({ length: k }, () => xs).flat();
        const bigger = meanDifference(momentsOf(repeat(a)), momentsOf(repeat(b)))!;
        expect(bigger.difference).toBeCloseTo(i.difference, 6);
        if (width(i) > 1e-6) expect(width(bigger)).toBeLessThan(width(i));
      }),
      { numRuns: 300 },
    );
  });
});
