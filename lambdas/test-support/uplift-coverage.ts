import { simulate, type IntervalEstimate, type SimulationOptions, type SimulationResult } from './uplift-simulation.ts';

export interface Coverage {
  runs: number;
  /** Runs whose 95% interval holds the planted effect. */
  covered: number;
  meanEstimate: number;
  /** Standard error of `meanEstimate` (sample standard deviation of the estimates over the root of the runs). */
  meanStandardError: number;
  meanWidth: number;
}

function coverageOf(planted: number, estimates: IntervalEstimate[]): Coverage {
  const n = estimates.length;
  const mean = estimates.reduce((a, e) => a + e.estimate, 0) / n;
  const sd = Math.sqrt(estimates.reduce((a, e) => a + (e.estimate - mean) ** 2, 0) / (n - 1));
  return {
    runs: n,
    covered: estimates.filter((e) => e.low <= planted && planted <= e.high).length,
    meanEstimate: mean,
    meanStandardError: sd / Math.sqrt(n),
    meanWidth: estimates.reduce((a, e) => a + e.high - e.low, 0) / n,
  };
}

/** The simulation over seeds 1..`seeds`: each report's coverage of the planted effect, and every run. */
export async function coverageOver(seeds: number, o: Omit<SimulationOptions, 'seed'>) {
  const runs: SimulationResult[] = [];
  for (let seed = 1; seed <= seeds; seed++) runs.push(await simulate({ ...o, seed }));
  return {
    runs,
    decisions: coverageOf(
      o.effectPp,
      runs.map((r) => r.decisions),
    ),
    campaign: coverageOf(
      o.effectPp,
      runs.map((r) => r.campaign),
    ),
  };
}
