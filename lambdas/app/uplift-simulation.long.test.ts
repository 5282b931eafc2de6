import { describe, expect, it } from 'vitest';
import { coverageOver } from '../test-support/uplift-coverage.ts';

/*
 * The simulation of uplift-simulation.test.ts on a base of 2,000 customers (400 in the global
 * control group): the same coverage over 50 seeds, and intervals narrow enough that the mean
 * estimate must land within a point of the truth.
 */

describe.each([3, 0])('the uplift reports on a 2,000-customer base, planted effect %i points', (effectPp) => {
  it('hold the truth in at least 90% of 50 runs and estimate it within a point', async () => {
    const { runs, decisions, campaign } = await coverageOver(50, { customers: 2_000, effectPp });
    for (const c of [decisions, campaign]) {
      expect(c.covered / c.runs).toBeGreaterThanOrEqual(0.9);
      expect(Math.abs(c.meanEstimate - effectPp)).toBeLessThan(1);
      expect(c.meanWidth).toBeLessThan(12);
    }
    for (const r of runs) expect(r.controlMarketed).toBe(0);
    console.log(JSON.stringify({ effectPp, decisions, campaign }));
  }, 600_000);
});
