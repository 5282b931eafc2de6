import type { Profile, Scores } from '../customer.ts';
import { lifecycleOf, type LifecycleSignals } from '../lifecycle.ts';

/**
 * What the decision needs to know about the customer's moment, read defensively from the state
 * item (the events pipeline owns its shape: a counter may be a number or `{value}`).
 */
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

function numberIn(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (Array.isArray(value)) return value.length;
  if (value && typeof value === 'object') {
    for (const key of ['value', 'count', 'open', 'total']) {
      const v = (value as Record<string, unknown>)[key];
      if (typeof v === 'number' && Number.isFinite(v)) return v;
    }
  }
  return undefined;
}

function firstNumber(state: Record<string, unknown> | undefined, names: readonly string[]): number {
  for (const name of names) {
    const v = numberIn(state?.[name]);
    if (v !== undefined) return v;
  }
  return 0;
}

const DROPPED = ['droppedCalls24h', 'droppedCalls', 'callsDropped24h'];
const UNRESOLVED = [
  'unresolvedContacts30d',
  'unresolvedCareContacts',
  'unresolvedCare',
  'openCareContacts',
  'careUnresolved',
  'unresolvedCareContacts30d',
];

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
  state: Record<string, unknown> | undefined,
  scores: Scores,
  t: SignalThresholds = DEFAULT_SIGNAL_THRESHOLDS,
  moment?: LifecycleMoment,
): Signals {
  const droppedCalls24h = firstNumber(state, DROPPED);
  const unresolvedCare = firstNumber(state, UNRESOLVED);
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
