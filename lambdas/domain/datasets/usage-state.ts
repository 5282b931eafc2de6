import type { Profile } from '../customer.ts';
import { emptyState, type CustomerState, type StateView } from '../customer-state.ts';
import { addToDay, countersOf, DAY, dayOf, emptyBuckets } from '../state/windowed-counters.ts';

/**
 * A dataset's behavioural columns: usage over the dataset's observation period, which the importer
 * turns into the customer's state and training reads through the same state, so one feature
 * definition (`state.droppedCalls30d`, ...) serves training and serving alike.
 */
export interface UsagePeriod {
  droppedCalls: number;
  /** Care contacts that were complaints (each is a care contact too). */
  complaints: number;
  voiceSeconds: number;
  voiceCalls: number;
}

/**
 * Days before the import that the period's day bucket is dated: inside every 30-day window (the
 * features the models read) for the next 22 days, but outside the 24-hour and 7-day windows, so a
 * period's worth of dropped calls does not read as a service problem of this week. Live events
 * then take over as the imported bucket ages out.
 */
export const IMPORTED_PERIOD_DAYS_AGO = 8;

/**
 * The state a customer starts with when imported with a usage period (no events applied yet): the
 * period as one day bucket, its counters measured at `now`.
 */
export function stateFromUsage(usage: UsagePeriod, now: Date): CustomerState {
  const nowS = Math.floor(now.getTime() / 1000);
  const buckets = addToDay(emptyBuckets(), dayOf(nowS) - IMPORTED_PERIOD_DAYS_AGO, [
    [DAY.dropped, usage.droppedCalls],
    [DAY.care, usage.complaints],
    [DAY.complaints, usage.complaints],
    [DAY.voiceSeconds, usage.voiceSeconds],
    [DAY.voiceCalls, usage.voiceCalls],
  ]);
  return { ...emptyState(now), buckets, ...countersOf(buckets, nowS) };
}

/**
 * What the models read of one mapped dataset row: its profile and, with a usage period, the state
 * the importer gives it (`now` only dates the period's bucket: the 30-day counters do not depend on it).
 */
export function scoringInputOf(
  mapped: { profile: Profile; usage?: UsagePeriod },
  now: Date,
): { profile: Profile; state?: StateView } {
  return mapped.usage
    ? { profile: mapped.profile, state: stateFromUsage(mapped.usage, now) }
    : { profile: mapped.profile };
}
