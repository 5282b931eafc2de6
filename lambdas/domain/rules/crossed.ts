/**
 * `{"crossed": ["scores.churn", 0.6]}`: holds when the score at the path was below the threshold
 * before the event being evaluated and is at or above it now. The rule's data carries the scores
 * before the event as `previous` (`previous.scores.churn`); a crossing therefore holds on exactly
 * one event, the one that moved the score up across the threshold, and again only after an event
 * has taken it below. Where there is no `previous` (eligibility, audiences) it never holds.
 *
 * The path is a literal under `scores.` and the threshold a literal number: both are checked when
 * the rule is saved, so a stored rule cannot read anything else. A path names a score object
 * (`scores.churn`, `scores.crossSell.<product>`: its `value`; `scores.nps`: its `score`) or a
 * number.
 */

/** Steps `crossed` costs: the operator, two reads, the comparison (the same in cost.ts and engine.ts). */
export const CROSSED_STEPS = 3;

const PATH = /^scores(\.[A-Za-z0-9_-]{1,64}){1,2}$/;

/** Why `crossed`'s arguments cannot be stored, or undefined when they can. */
export function crossedArgsProblem(args: readonly unknown[]): string | undefined {
  const [path, threshold] = args;
  if (typeof path !== 'string' || !PATH.test(path))
    return '"crossed" takes a literal score path (scores.churn, scores.nps, scores.crossSell.<product>) first';
  if (typeof threshold !== 'number' || !Number.isFinite(threshold))
    return '"crossed" takes a literal number (the threshold) second';
  return undefined;
}

/** The number a score path reads: a score object's `value` (or an NPS's `score`), or a number. */
export function scoreNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (v === null || typeof v !== 'object') return undefined;
  const o = v as { value?: unknown; score?: unknown };
  const n = typeof o.value === 'number' ? o.value : o.score;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/** An upward crossing: below before, at or above now. */
export const crossedUp = (before: number | undefined, now: number | undefined, threshold: number): boolean =>
  before !== undefined && now !== undefined && before < threshold && now >= threshold;
