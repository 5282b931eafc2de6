import type { Profile, Scores } from '../customer.ts';
import type { StateView } from '../customer-state.ts';
import { lifecycleOf, type LifecycleSignals } from '../lifecycle.ts';

/** What the decision needs to know about the customer's moment, from the state's counters and the scores. */
export interface Signals extends LifecycleSignals {
  droppedCalls24h: number;
  unresolvedCare: number;
  /** A service problem is open: unresolved care contact or repeated dropped calls. */
  serviceProblem: boolean;
  churn: number;
  highChurn: boolean;
}

export interface SignalThresholds {
  droppedCalls: number;
  highChurn: number;
}
export const DEFAULT_SIGNAL_THRESHOLDS: SignalThresholds = { droppedCalls: 3, highChurn: 0.5 };

/** A counter of the state: 0 when missing (no event yet) or not finite. */
const counter = (n: number | undefined): number => (n !== undefined && Number.isFinite(n) ? n : 0);

/** The customer's moment in the contract lifecycle: the profile, the platform clock and the market's time zone. */
export interface LifecycleMoment {
  profile?: Pick<Profile, 'contractEndDate' | 'tenureMonths'>;
  now: Date;
  timeZone: string;
}

/**
 * `signals.*` as rules read them. Without `moment` (a caller that has no clock) the contract signals
 * are unknown: `daysToContractEnd` null and the stage `established`.
 */
export function signalsOf(
  state: StateView | undefined,
  scores: Scores,
  t: SignalThresholds = DEFAULT_SIGNAL_THRESHOLDS,
  moment?: LifecycleMoment,
): Signals {
  const droppedCalls24h = counter(state?.droppedCalls24h);
  const unresolvedCare = counter(state?.unresolvedContacts30d);
  const churn = scores.churn?.value ?? 0;
  return {
    droppedCalls24h,
    unresolvedCare,
    serviceProblem: unresolvedCare > 0 || droppedCalls24h >= t.droppedCalls,
    churn,
    highChurn: churn >= t.highChurn,
    ...(moment
      ? lifecycleOf(moment.profile, moment.now, moment.timeZone)
      : { daysToContractEnd: null, lifecycleStage: 'established' as const }),
  };
}

export function problemDetail(s: Signals): string {
  const parts = [
    ...(s.unresolvedCare > 0 ? [`${s.unresolvedCare} unresolved care contact${s.unresolvedCare > 1 ? 's' : ''}`] : []),
    ...(s.droppedCalls24h > 0 ? [`${s.droppedCalls24h} dropped calls in 24 h`] : []),
  ];
  return parts.join(', ') || 'service problem open';
}
