import type { CvmEvent } from '../events.ts';

/**
 * The windowed counters of a customer's state, kept as time-bucketed aggregates: exact and bounded
 * in size whatever the event rate (a raw list of recent events is neither once it must be capped).
 *
 * Granularity (UTC, aligned on the epoch):
 * - per hour for the 24-hour window: `droppedCalls24h` sums the current hour's bucket and the 23
 *   hours before it;
 * - per day for the 7- and 30-day windows: `droppedCalls7d` sums today and the 6 days before it;
 *   `droppedCalls30d`, `topups30d`, `spend30d`, `voiceSeconds30d`, `voiceCalls30d`,
 *   `careContacts30d`, `unresolvedContacts30d` and `complaints30d` sum today and the 29 days before it.
 * So a window starts on a bucket edge and reaches back between N-1 and N buckets (23-24 h, 6-7 days,
 * 29-30 days): exact to that edge, never beyond the window's nominal length. An event lands in the
 * bucket of its own time, a late one too; an event whose bucket lies before a window's start changes
 * no counter of that window (only `totals`); an event dated a little ahead of the clock (at most 15
 * minutes, event-time.ts) opens the next hour or day bucket, which every window counts. At most 24
 * hour buckets and 30 day buckets are kept (and that next one).
 *
 * Every sum is an integer (money in cents, each event's amount rounded to the cent), so it is exact
 * and the same in whatever order the events are added: the fold stays order-independent.
 */
export interface WindowBuckets {
  /** epoch hour -> dropped calls in that hour (the 24-hour window). */
  h: Record<string, number>;
  /** epoch day -> the day's sums, indexed by `DAY` (the 7- and 30-day windows). */
  d: Record<string, number[]>;
}

/** Positions in a day bucket. */
export const DAY = {
  dropped: 0,
  topups: 1,
  topupCents: 2,
  paidCents: 3,
  care: 4,
  unresolved: 5,
  voiceSeconds: 6,
  /** Care contacts whose reason is a complaint (isComplaint). */
  complaints: 7,
  /** Voice calls (`usage.voice` events), beside their seconds. */
  voiceCalls: 8,
} as const;
/** Day buckets written before a position existed are shorter: a missing position counts 0. */
const DAY_WIDTH = 9;

const HOUR_S = 3600;
const DAY_S = 24 * HOUR_S;
/** Buckets per window. */
export const SPAN = { hours24: 24, days7: 7, days30: 30 } as const;

export const hourOf = (epochS: number) => Math.floor(epochS / HOUR_S);
export const dayOf = (epochS: number) => Math.floor(epochS / DAY_S);
export const cents = (amount: number) => Math.round(amount * 100);

export const emptyBuckets = (): WindowBuckets => ({ h: {}, d: {} });

/**
 * A care contact counts as a complaint when its reason says so (`complaint`, any case): the
 * `care.contact` reason is free text, and this is the one value the platform gives a meaning.
 */
export const isComplaint = (reason: string): boolean => reason.trim().toLowerCase() === 'complaint';

/** What one event adds to its day bucket ([position, amount] pairs); empty for untracked types. */
function dayContribution(event: CvmEvent): [number, number][] {
  switch (event.type) {
    case 'network.call_dropped':
      return [[DAY.dropped, 1]];
    case 'billing.topup':
      return [
        [DAY.topups, 1],
        [DAY.topupCents, cents(event.data.amount)],
      ];
    case 'billing.invoice':
      return event.data.paid ? [[DAY.paidCents, cents(event.data.amount)]] : [];
    case 'care.contact':
      return [
        [DAY.care, 1],
        [DAY.unresolved, event.data.resolvedFirstContact ? 0 : 1],
        [DAY.complaints, isComplaint(event.data.reason) ? 1 : 0],
      ];
    case 'usage.voice':
      return [
        [DAY.voiceSeconds, event.data.seconds],
        [DAY.voiceCalls, 1],
      ];
    default:
      return [];
  }
}

/** Adds `add` to the day bucket `day` (copy on write). */
export function addToDay(buckets: WindowBuckets, day: number, add: readonly [number, number][]): WindowBuckets {
  if (add.length === 0) return buckets;
  const row = [...(buckets.d[day] ?? new Array<number>(DAY_WIDTH).fill(0))];
  for (const [at, n] of add) row[at] = (row[at] ?? 0) + n;
  return { ...buckets, d: { ...buckets.d, [day]: row } };
}

/** Adds `n` dropped calls to the hour bucket `hour` (copy on write). */
export function addToHour(buckets: WindowBuckets, hour: number, n: number): WindowBuckets {
  return { ...buckets, h: { ...buckets.h, [hour]: (buckets.h[hour] ?? 0) + n } };
}

/**
 * The buckets with one event added at platform time `nowS`: into its hour and day buckets when
 * those are inside their windows; an older event leaves them as they are.
 */
export function withEvent(buckets: WindowBuckets, event: CvmEvent, eventS: number, nowS: number): WindowBuckets {
  const day = dayOf(eventS);
  if (day <= dayOf(nowS) - SPAN.days30) return buckets;
  let out = addToDay(buckets, day, dayContribution(event));
  const hour = hourOf(eventS);
  if (event.type === 'network.call_dropped' && hour > hourOf(nowS) - SPAN.hours24) out = addToHour(out, hour, 1);
  return out;
}

/** Drops the buckets that have left every window at `nowS`. */
export function pruneBuckets(buckets: WindowBuckets, nowS: number): WindowBuckets {
  const firstHour = hourOf(nowS) - SPAN.hours24 + 1;
  const firstDay = dayOf(nowS) - SPAN.days30 + 1;
  return {
    h: Object.fromEntries(Object.entries(buckets.h).filter(([k]) => Number(k) >= firstHour)),
    d: Object.fromEntries(Object.entries(buckets.d).filter(([k]) => Number(k) >= firstDay)),
  };
}

export interface WindowedCounters {
  droppedCalls24h: number;
  droppedCalls7d: number;
  droppedCalls30d: number;
  topups30d: { count: number; amount: number };
  spend30d: { value: number };
  voiceSeconds30d: number;
  voiceCalls30d: number;
  careContacts30d: number;
  unresolvedContacts30d: number;
  complaints30d: number;
}

/**
 * Top-ups and paid invoices, in cents, of the day buckets that overlap `fromS..toS`: a campaign's
 * revenue in its response window, exact to the day (control and treatment are measured alike).
 */
export function revenueCentsBetween(buckets: WindowBuckets, fromS: number, toS: number): number {
  const first = dayOf(fromS);
  const last = dayOf(toS);
  let total = 0;
  for (const [k, row] of Object.entries(buckets.d)) {
    const day = Number(k);
    if (day >= first && day <= last) total += (row[DAY.topupCents] ?? 0) + (row[DAY.paidCents] ?? 0);
  }
  return total;
}

export type CounterName = keyof WindowedCounters;

/** The 30-day sums each counter reads from the day buckets, in the order a measured state lists them. */
const DAY_SUMS: { readonly [K in CounterName]: readonly number[] } = {
  droppedCalls24h: [],
  droppedCalls7d: [],
  droppedCalls30d: [DAY.dropped],
  topups30d: [DAY.topups, DAY.topupCents],
  spend30d: [DAY.topupCents, DAY.paidCents],
  voiceSeconds30d: [DAY.voiceSeconds],
  voiceCalls30d: [DAY.voiceCalls],
  careContacts30d: [DAY.care],
  unresolvedContacts30d: [DAY.unresolved],
  complaints30d: [DAY.complaints],
};
export const COUNTER_NAMES = Object.keys(DAY_SUMS) as CounterName[];
const COUNTERS: ReadonlySet<string> = new Set(COUNTER_NAMES);
export const isCounterName = (name: string): name is CounterName => COUNTERS.has(name);

/**
 * Buckets after the current one that can hold events: an event may be dated at most 15 minutes
 * ahead of the platform clock (event-time.ts), so into the next hour or day, never further.
 */
const AHEAD = 1;

/**
 * What computes the named counters only (each window: the current bucket and the N-1 before it,
 * and the one after it that an event dated a little ahead can open). The buckets of a window are
 * looked up by their integer keys, not walked: listing a map's keys costs more than the sums. The
 * hour buckets are read only for `droppedCalls24h`, the day buckets only for the sums the names
 * read; a name that is no counter is left out.
 */
export function countersAt(
  names: Iterable<string>,
): (buckets: WindowBuckets, nowS: number) => Partial<WindowedCounters> {
  const wanted = new Set(names);
  const counters = COUNTER_NAMES.filter((n) => wanted.has(n));
  const hours = wanted.has('droppedCalls24h');
  const week = wanted.has('droppedCalls7d');
  const positions = Int32Array.from(new Set(counters.flatMap((n) => DAY_SUMS[n])));
  const days = week || positions.length > 0;
  return (buckets, nowS) => {
    const nowHour = hourOf(nowS);
    const nowDay = dayOf(nowS);
    let dropped24h = 0;
    if (hours)
      for (let hour = nowHour - SPAN.hours24 + 1; hour <= nowHour + AHEAD; hour++) dropped24h += buckets.h[hour] ?? 0;
    const sum = new Array<number>(DAY_WIDTH).fill(0);
    let dropped7d = 0;
    if (days)
      for (let day = nowDay - SPAN.days30 + 1; day <= nowDay + AHEAD; day++) {
        const row = buckets.d[day];
        if (row === undefined) continue;
        for (let p = 0; p < positions.length; p++) {
          const i = positions[p]!;
          sum[i] = sum[i]! + (row[i] ?? 0);
        }
        if (week && day > nowDay - SPAN.days7) dropped7d += row[DAY.dropped] ?? 0;
      }
    const out: Partial<WindowedCounters> = {};
    for (const name of counters) {
      switch (name) {
        case 'droppedCalls24h':
          out.droppedCalls24h = dropped24h;
          break;
        case 'droppedCalls7d':
          out.droppedCalls7d = dropped7d;
          break;
        case 'topups30d':
          out.topups30d = { count: sum[DAY.topups]!, amount: sum[DAY.topupCents]! / 100 };
          break;
        case 'spend30d':
          out.spend30d = { value: (sum[DAY.topupCents]! + sum[DAY.paidCents]!) / 100 };
          break;
        default:
          out[name] = sum[DAY_SUMS[name][0]!]!;
      }
    }
    return out;
  };
}

const allCounters = countersAt(COUNTER_NAMES);

/** Every counter the buckets give at `nowS`. */
export const countersOf = (buckets: WindowBuckets, nowS: number) => allCounters(buckets, nowS) as WindowedCounters;
