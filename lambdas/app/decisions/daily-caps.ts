import type { Reason } from '#domain/contact-policy.ts';
import type { Candidate } from '#domain/decisioning/evaluate-actions.ts';
import { pickWinners, type WinnerRules, type Winners } from '#domain/decisioning/winners.ts';

/**
 * Daily volume units one answer holds. They outlive a lost ledger race: an answer asked again
 * keeps its units and takes no second one.
 */
export interface HeldUnits {
  granted: Set<string>;
  capped: Map<string, Reason>;
}

export const heldUnits = (): HeldUnits => ({ granted: new Set(), capped: new Map() });

/**
 * The winners, each with a unit of its action's daily cap (`limits.perDay`): a winner whose cap
 * refuses gives way to the next candidate (arbitration asked again without it) until every winner
 * holds its unit.
 */
export async function winnersWithinCaps(
  ranked: readonly Candidate[],
  rules: Omit<WinnerRules, 'capped'>,
  reserve: (c: Candidate, perDay: number) => Promise<boolean>,
  held: HeldUnits,
): Promise<Winners> {
  for (;;) {
    const picked = pickWinners(ranked, { ...rules, capped: held.capped });
    let refused = false;
    for (const c of picked.winners) {
      const perDay = c.action.limits.perDay;
      if (perDay === undefined || held.granted.has(c.actionId)) continue;
      if (await reserve(c, perDay)) held.granted.add(c.actionId);
      else {
        held.capped.set(c.actionId, { code: 'volume-cap', detail: `${perDay} a day reached` });
        refused = true;
      }
    }
    if (!refused) return picked;
  }
}
