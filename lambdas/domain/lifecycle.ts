import type { Profile } from './customer.ts';

export const LIFECYCLE_STAGES = ['out-of-contract', 'renewal', 'new', 'established'] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];

/** Days before the contract end date from which a customer is in `renewal`. */
export const RENEWAL_DAYS = 90;
/** Tenure below which a customer is `new`. */
export const NEW_TENURE_MONTHS = 3;

export interface LifecycleSignals {
  /** Whole days from today (in the market's time zone) to the contract end date; negative once passed, null without one. */
  daysToContractEnd: number | null;
  lifecycleStage: LifecycleStage;
}

const DAY_MS = 86_400_000;

/** One formatter per time zone: building one costs more than the rest of a decision's signals. */
const formatters = new Map<string, Intl.DateTimeFormat>();
const formatterOf = (timeZone: string): Intl.DateTimeFormat => {
  let f = formatters.get(timeZone);
  if (!f)
    formatters.set(
      timeZone,
      (f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })),
    );
  return f;
};

/** Today's calendar date where the market is (`YYYY-MM-DD`): a day boundary is the market's midnight, not UTC's. */
function localDate(at: Date, timeZone: string): string {
  const parts = formatterOf(timeZone).formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** Days from one calendar date to another, both `YYYY-MM-DD` (counted on UTC midnights, so no DST hour skews it). */
const daysBetween = (from: string, to: string): number => Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS);

/**
 * Where a customer is in the contract lifecycle, the first stage that holds: `out-of-contract`
 * (the end date has passed), `renewal` (0-90 days to it, the end date itself included), `new`
 * (under 3 months of tenure), `established`. `now` is the platform clock and `timeZone` the
 * market's, so the day turns at the market's midnight. Pure.
 */
export function lifecycleOf(
  profile: Pick<Profile, 'contractEndDate' | 'tenureMonths'> | undefined,
  now: Date,
  timeZone: string,
): LifecycleSignals {
  const end = profile?.contractEndDate;
  const daysToContractEnd =
    end && !Number.isNaN(Date.parse(end)) ? daysBetween(localDate(now, timeZone), end.slice(0, 10)) : null;
  const lifecycleStage: LifecycleStage =
    daysToContractEnd !== null && daysToContractEnd < 0
      ? 'out-of-contract'
      : daysToContractEnd !== null && daysToContractEnd <= RENEWAL_DAYS
        ? 'renewal'
        : profile?.tenureMonths !== undefined && profile.tenureMonths < NEW_TENURE_MONTHS
          ? 'new'
          : 'established';
  return { daysToContractEnd, lifecycleStage };
}
