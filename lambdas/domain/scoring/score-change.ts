import type { Scores } from '../customer.ts';
import { scoreValues } from './psi.ts';

/**
 * True when newly computed scores differ enough from the stored ones to be worth a write:
 * nothing stored yet, a score appeared or disappeared, a model version changed, or a value
 * moved by more than `delta`. Probabilities compare as they are; predicted NPS (0-10) compares
 * on its tenth, so one delta means the same share of the range for every score.
 */
export function scoresMoved(stored: Scores | undefined, next: Scores, delta: number): boolean {
  if (!stored) return scoreValues(next).length > 0;
  const before = new Map(scoreValues(stored));
  const after = scoreValues(next);
  if (before.size !== after.length) return true;
  for (const [key, value] of after) {
    const old = before.get(key);
    if (old === undefined) return true;
    const scale = key === 'nps' ? 10 : 1;
    if (Math.abs(value - old) / scale > delta) return true;
  }
  const versions = (s: Scores) =>
    [s.churn, ...Object.values(s.crossSell ?? {}), s.nps]
      .filter((v) => v !== undefined)
      .map((v) => `${v.model}@${v.version}`)
      .sort()
      .join(',');
  return versions(stored) !== versions(next);
}
