import type { ActionKind } from '../contact-window.ts';

/**
 * Arbitration: `priority = propensity x context weight x value x lever`. The champion uses it as
 * written; the challenger damps value (log scale), favouring likely responses over big tickets.
 * Both are monotone: a higher propensity or value never lowers an action's priority.
 */
export type Strategy = 'champion' | 'challenger';

export interface PriorityInput {
  propensity: number;
  weight: number;
  value: number;
  lever: number;
}

export function priorityOf(strategy: Strategy, c: PriorityInput): number {
  const value = Math.max(0, c.value);
  const v = strategy === 'challenger' ? Math.log1p(value) : value;
  return Math.max(0, c.propensity) * Math.max(0, c.weight) * v * Math.max(0, c.lever);
}

export interface Ranked {
  actionId: string;
  kind: ActionKind;
  priority: number;
}

/**
 * Orders candidates best first: service actions first when `serviceFirst` (a live problem with
 * high churn risk), then by priority, ties by action id so answers are deterministic.
 */
export function rank<T extends Ranked>(candidates: readonly T[], serviceFirst: boolean): T[] {
  return rankInPlace([...candidates], serviceFirst);
}

const byPriority = (a: Ranked, b: Ranked) =>
  b.priority - a.priority || (a.actionId < b.actionId ? -1 : a.actionId > b.actionId ? 1 : 0);
const serviceThenPriority = (a: Ranked, b: Ranked) => {
  const tier = (a.kind === 'service' ? 0 : 1) - (b.kind === 'service' ? 0 : 1);
  return tier || byPriority(a, b);
};

/** `rank`, sorting the caller's own array instead of a copy. */
export function rankInPlace<T extends Ranked>(candidates: T[], serviceFirst: boolean): T[] {
  const n = candidates.length;
  if (n > 64) return candidates.sort(serviceFirst ? serviceThenPriority : byPriority);
  // a catalog's worth: a stable insertion sort with the comparison inline beats calling a comparator
  for (let i = 1; i < n; i++) {
    const x = candidates[i]!;
    let j = i - 1;
    while (j >= 0 && (serviceFirst ? serviceThenPriority(x, candidates[j]!) : byPriority(x, candidates[j]!)) < 0) {
      candidates[j + 1] = candidates[j]!;
      j--;
    }
    candidates[j + 1] = x;
  }
  return candidates;
}
