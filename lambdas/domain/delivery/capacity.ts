import { localMinutes, nextAllowedTime, type QuietHours } from '../contact-window.ts';

/**
 * What one tenant's channel can take (market config `delivery.channels.<channel>`): messages per
 * second, messages per local day, and what happens to a message over the daily cap.
 */
export interface ChannelCapacity {
  ratePerSecond?: number;
  dailyCap?: number;
  overCap: 'defer' | 'drop';
}

/**
 * How many of `asked` units fit under `limit`, given the counter's value after they were added to
 * it (`after`). Counters only grow, asks beyond the limit included, so the units granted over all
 * asks never pass the limit: a redelivered batch that asks again gets less, never more.
 */
export const grantedUnder = (limit: number, after: number, asked: number): number =>
  Math.max(0, Math.min(asked, limit - (after - asked)));

/** Items past the per-second rate: each waits whole seconds so the overflow leaves at the rate. */
export function splitByRate<T>(
  items: readonly T[],
  ratePerSecond: number,
  after: number,
): { within: T[]; over: { item: T; delaySeconds: number }[] } {
  const granted = grantedUnder(ratePerSecond, after, items.length);
  return {
    within: items.slice(0, granted),
    over: items.slice(granted).map((item, i) => ({ item, delaySeconds: 1 + Math.floor(i / ratePerSecond) })),
  };
}

/** Items within the day's cap, and the ones over it. */
export function splitByDailyCap<T>(items: readonly T[], dailyCap: number, after: number): { within: T[]; over: T[] } {
  const granted = grantedUnder(dailyCap, after, items.length);
  return { within: items.slice(0, granted), over: items.slice(granted) };
}

const dayFormatters = new Map<string, Intl.DateTimeFormat>();
/** The local calendar day (yyyy-mm-dd) at `at` in `timeZone`: a daily cap counts local days. */
export function localDayOf(at: Date, timeZone: string): string {
  let f = dayFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormatters.set(timeZone, f);
  }
  return f.format(at);
}

/**
 * Where a message deferred over the daily cap goes: the next local day's first allowed minute
 * (local midnight, moved past quiet hours), so a deferred message is never sent in quiet hours.
 */
export function nextDayWindow(at: Date, timeZone: string, quietHours: QuietHours): Date {
  let midnight = new Date(at.getTime() + Math.round((1440 - localMinutes(at, timeZone)) * 60_000));
  // a DST change in between moves local midnight by the shift: land on it exactly
  const drift = ((-localMinutes(midnight, timeZone) + 1440 + 720) % 1440) - 720;
  if (drift !== 0) midnight = new Date(midnight.getTime() + Math.round(drift * 60_000));
  return nextAllowedTime(midnight, timeZone, quietHours);
}

/** The market's capacity for one tenant and channel: the tenant's own override, else the market's. */
export function capacityOf(
  delivery: {
    channels: Partial<Record<string, ChannelCapacity>>;
    tenants?: Partial<Record<string, Partial<Record<string, ChannelCapacity>>>>;
  },
  tenant: string,
  channel: string,
): ChannelCapacity | undefined {
  return delivery.tenants?.[tenant]?.[channel] ?? delivery.channels[channel];
}
