/**
 * Learned response rates: a Beta prior centred on the model score (or the action's starting
 * propensity) with `priorStrength` pseudo-trials, updated by the responses seen for the action in
 * the customer's segment. Its posterior mean moves from the prior to the observed rate as
 * evidence grows: (k * prior + successes) / (k + trials).
 */
export interface ResponseStats {
  trials: number;
  successes: number;
}

export const clampPropensity = (p: number): number =>
  Number.isFinite(p) ? Math.min(0.999, Math.max(0.001, p)) : 0.001;

export function blendedPropensity(prior: number, stats: ResponseStats | undefined, priorStrength: number): number {
  const p0 = clampPropensity(prior);
  const n = Math.max(0, stats?.trials ?? 0);
  const s = Math.min(n, Math.max(0, stats?.successes ?? 0));
  const k = Math.max(1, priorStrength);
  return (k * p0 + s) / (k + n);
}

/** The segment learning is kept per: the profile's segment, or everyone. */
export const learningSegmentOf = (segment: string | undefined): string => segment || 'all';
