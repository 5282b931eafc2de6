import {
  addToDay,
  addToHour,
  cents,
  DAY,
  dayOf,
  emptyBuckets,
  hourOf,
  type WindowBuckets,
} from './windowed-counters.ts';

/**
 * The state item's layout before bucketed counters: raw event facts ([occurredAt epoch s, ...payload],
 * capped at 500 per kind) and `seen` (event key -> epoch s applied). Items written that way are
 * migrated when loaded and written back in the new layout by their next event.
 */
export interface LegacyFacts {
  dropped?: number[];
  /** [t, amount] */
  topups?: [number, number][];
  /** [t, amount, paid 0/1] */
  invoices?: [number, number, number][];
  /** [t, unresolved 0/1] */
  care?: [number, number][];
  /** [t, seconds] */
  voice?: [number, number][];
}

/** The facts as buckets; facts outside every window are dropped by the next measurement. */
export function bucketsFromFacts(facts: LegacyFacts): WindowBuckets {
  let b = emptyBuckets();
  for (const t of facts.dropped ?? []) {
    b = addToHour(b, hourOf(t), 1);
    b = addToDay(b, dayOf(t), [[DAY.dropped, 1]]);
  }
  for (const [t, amount] of facts.topups ?? [])
    b = addToDay(b, dayOf(t), [
      [DAY.topups, 1],
      [DAY.topupCents, cents(amount)],
    ]);
  for (const [t, amount, paid] of facts.invoices ?? [])
    if (paid) b = addToDay(b, dayOf(t), [[DAY.paidCents, cents(amount)]]);
  for (const [t, unresolved] of facts.care ?? [])
    b = addToDay(b, dayOf(t), [
      [DAY.care, 1],
      [DAY.unresolved, unresolved],
    ]);
  for (const [t, seconds] of facts.voice ?? [])
    b = addToDay(b, dayOf(t), [
      [DAY.voiceSeconds, seconds],
      [DAY.voiceCalls, 1],
    ]);
  return b;
}
