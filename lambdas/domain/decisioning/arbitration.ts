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
  const tier = (c: Ranked) => (serviceFirst && c.kind === 'service' ? 0 : 1);
  return [...candidates].sort((a, b) => tier(a) - tier(b) || b.priority - a.priority || (a.actionId < b.actionId ? -1 : a.actionId > b.actionId ? 1 : 0));
}
