/**
 * 95% intervals of differences between two groups, as the reports show them next to a point
 * difference (treated or "everyone else" minus the global control group).
 *
 * Proportions use Newcombe's hybrid score interval (Newcombe 1998, method 10: the two groups'
 * Wilson intervals combined) rather than Wald's: the global control group is small (5% of the
 * base) and take-up and churn rates are a few percent, which is where Wald's interval covers less
 * than it claims and collapses to zero width when the control group has no conversion at all.
 * Newcombe's stays close to 95% there and is still closed form. Means (ARPU, NPS) use the normal
 * approximation with unpooled variances (Welch), fine for the hundreds of customers a group has.
 */

export const Z95 = 1.959963984540054;

export interface Interval {
  /** The point difference (a - b). */
  difference: number;
  low: number;
  high: number;
}

/** Wilson's score interval of one proportion x/n (n > 0). */
export function wilson(x: number, n: number, z = Z95): { low: number; high: number } {
  const p = x / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * The difference of two proportions a.x/a.n - b.x/b.n with Newcombe's hybrid score interval;
 * null when a group is empty (no rate to compare).
 */
export function proportionDifference(a: { x: number; n: number }, b: { x: number; n: number }): Interval | null {
  if (a.n <= 0 || b.n <= 0) return null;
  const pa = a.x / a.n;
  const pb = b.x / b.n;
  const wa = wilson(a.x, a.n);
  const wb = wilson(b.x, b.n);
  const difference = pa - pb;
  return {
    difference,
    low: difference - Math.sqrt((pa - wa.low) ** 2 + (wb.high - pb) ** 2),
    high: difference + Math.sqrt((wa.high - pa) ** 2 + (pb - wb.low) ** 2),
  };
}

/** What a mean's interval needs, accumulated one observation at a time. */
export interface Moments {
  n: number;
  sum: number;
  sumSquares: number;
}
export const noMoments = (): Moments => ({ n: 0, sum: 0, sumSquares: 0 });
export function addObservation(m: Moments, value: number): void {
  m.n++;
  m.sum += value;
  m.sumSquares += value * value;
}

const meanOf = (m: Moments) => m.sum / m.n;
/** The sample variance (n - 1); 0 for a single observation. */
const varianceOf = (m: Moments) => (m.n > 1 ? Math.max(0, (m.sumSquares - (m.sum * m.sum) / m.n) / (m.n - 1)) : 0);

/** The difference of two means with the normal interval on unpooled variances; null when a group is empty. */
export function meanDifference(a: Moments, b: Moments): Interval | null {
  if (a.n <= 0 || b.n <= 0) return null;
  const difference = meanOf(a) - meanOf(b);
  const se = Math.sqrt(varianceOf(a) / a.n + varianceOf(b) / b.n);
  return { difference, low: difference - Z95 * se, high: difference + Z95 * se };
}

/** An interval scaled (to percentage points, say) and rounded for a report. */
export function scaled(i: Interval | null, factor: number, digits: number) {
  const f = 10 ** digits;
  const r = (v: number) => Math.round(v * factor * f) / f;
  return i ? { difference: r(i.difference), low: r(i.low), high: r(i.high) } : null;
}
