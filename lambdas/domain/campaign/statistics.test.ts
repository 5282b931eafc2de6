import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compareProportions, normalCdf, rolloutVerdict } from './statistics.ts';

describe('two-proportion statistics', () => {
  it('computes the normal CDF to textbook precision', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1.644854)).toBeCloseTo(0.05, 6);
  });

  it('matches a hand-computed example: 120/1000 vs 80/1000', () => {
    const r = compareProportions({ n: 1000, successes: 120 }, { n: 1000, successes: 80 });
    // pooled p = 0.1, SE = sqrt(0.1*0.9*0.002) = 0.013416; z = 0.04 / 0.013416 = 2.9814
    expect(r.upliftPoints).toBe(4);
    expect(r.relativeUplift).toBe(0.5);
    expect(r.z).toBeCloseTo(2.9814, 3);
    expect(r.pValue).toBeCloseTo(0.001435, 4);
    // unpooled SE = sqrt(.12*.88/1000 + .08*.92/1000) = 0.013387 -> CI 4 +- 2.624
    expect(r.ci95Points[0]).toBeCloseTo(1.376, 2);
    expect(r.ci95Points[1]).toBeCloseTo(6.624, 2);
  });

  it('rolls out only when the uplift clears the minimum at 95% confidence', () => {
    expect(rolloutVerdict({ n: 1000, successes: 120 }, { n: 1000, successes: 80 }, 1).rollOut).toBe(true);
    expect(rolloutVerdict({ n: 1000, successes: 120 }, { n: 1000, successes: 80 }, 3).rollOut).toBe(false);
    expect(rolloutVerdict({ n: 1000, successes: 80 }, { n: 1000, successes: 80 }, 0).rollOut).toBe(false);
    expect(rolloutVerdict({ n: 10, successes: 9 }, { n: 10, successes: 0 }, 0).reason).toMatch(/too few customers/);
  });

  it('keeps the uplift inside its own confidence interval and the p-value in [0, 1]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (nt, nc, ft, fcr) => {
          const r = compareProportions(
            { n: nt, successes: Math.floor(nt * ft) },
            { n: nc, successes: Math.floor(nc * fcr) },
          );
          return (
            r.ci95Points[0] <= r.upliftPoints + 1e-9 &&
            r.upliftPoints <= r.ci95Points[1] + 1e-9 &&
            r.pValue >= 0 &&
            r.pValue <= 1
          );
        },
      ),
    );
  });
});
