import type { Reason } from '../contact-policy.ts';
import { MARKETING_KINDS } from '../contact-window.ts';
import type { Candidate, Exclusion } from './evaluate-actions.ts';

/**
 * The arbitration loop: the answer's winners, taken from the ranked candidates best first. Each
 * candidate was allowed by the policy alone; together the marketing ones must also fit in what is
 * left of the channel, overall and household windows (`room`), and an action whose daily volume
 * cap refused a unit (`capped`) gives way to the next. Pure: the caller reserves the caps and asks
 * again with the refused ones (taking one away never displaces a winner ranked before it).
 */
export interface WinnerRules {
  /** How many actions the answer may carry. */
  limit: number;
  /** How many more marketing contacts fit in the windows, and the binding window's reason. */
  room: { room: number; reason: Reason };
  /** Mandatory actions skip frequency limits (the policy's `mandatoryExempt`). */
  mandatoryExempt: boolean;
  /** Actions whose daily cap refused this answer a unit, with the reason. */
  capped: ReadonlyMap<string, Reason>;
}

export interface Winners {
  winners: Candidate[];
  /** Candidates ranked but left out, with why (strongest first after `byPotential` by the caller). */
  excluded: Exclusion[];
}

/** Whether a candidate's contact counts against the marketing windows. */
export const countsAgainstWindows = (c: Pick<Candidate, 'kind' | 'action'>, mandatoryExempt: boolean): boolean =>
  MARKETING_KINDS.has(c.kind) && !(c.action.mandatory && mandatoryExempt);

export function pickWinners(ranked: readonly Candidate[], rules: WinnerRules): Winners {
  const winners: Candidate[] = [];
  const excluded: Exclusion[] = [];
  let room = rules.room.room;
  const exclude = (c: Candidate, reason: Reason) =>
    excluded.push({ actionId: c.actionId, kind: c.kind, potential: c.priority, reason });
  for (const c of ranked) {
    if (winners.length >= rules.limit) break;
    const counts = countsAgainstWindows(c, rules.mandatoryExempt);
    if (counts && room <= 0) {
      exclude(c, rules.room.reason);
      continue;
    }
    const capped = rules.capped.get(c.actionId);
    if (capped) {
      exclude(c, capped);
      continue;
    }
    winners.push(c);
    if (counts) room--;
  }
  return { winners, excluded };
}
