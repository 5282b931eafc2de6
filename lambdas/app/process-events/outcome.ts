import type { TriggerRefusal } from '#domain/triggers.ts';

export interface ProcessOutcome {
  applied: number;
  duplicates: number;
  /** Events of an erased customer, dropped. */
  dropped: number;
  /** Messages handed off for this call's events (one per firing). */
  messages: number;
  /** Triggers whose rules held but the contact policy refused: nothing sent, no cooldown started. */
  triggersRefused: number;
  /** `triggersRefused` by the policy's reason code (`channel-limit`, `declined-recently`, `volume-cap`, ...). */
  refusals: Record<string, number>;
}

export const outcomeOf = (
  o: Pick<ProcessOutcome, 'applied' | 'duplicates' | 'dropped'>,
  firings = 0,
  refused: readonly TriggerRefusal[] = [],
): ProcessOutcome => {
  const refusals: Record<string, number> = {};
  for (const r of refused) refusals[r.reason.code] = (refusals[r.reason.code] ?? 0) + 1;
  return { ...o, messages: firings, triggersRefused: refused.length, refusals };
};

/** The outcomes of a batch's customer groups, summed (what a handler publishes as metrics). */
export function totalOutcome(outcomes: readonly ProcessOutcome[]): ProcessOutcome {
  const total = outcomeOf({ applied: 0, duplicates: 0, dropped: 0 });
  for (const o of outcomes) {
    total.applied += o.applied;
    total.duplicates += o.duplicates;
    total.dropped += o.dropped;
    total.messages += o.messages;
    total.triggersRefused += o.triggersRefused;
    for (const [code, n] of Object.entries(o.refusals)) total.refusals[code] = (total.refusals[code] ?? 0) + n;
  }
  return total;
}
