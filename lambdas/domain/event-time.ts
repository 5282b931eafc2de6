/**
 * When an event may say it happened. Before the market's floor (`events.minOccurredAt`) it is a
 * wrong or defaulted clock (`0000-01-01`, `1900-01-01`) that would sit in reports and windows as
 * history; after the platform clock plus a little skew it would sit in every window.
 */
export const DEFAULT_MIN_OCCURRED_AT = '2000-01-01T00:00:00Z';

/** How far ahead of the platform clock an event may claim to have happened (clock skew). */
export const MAX_FUTURE_MS = 15 * 60_000;

export interface EventTimeBounds {
  /** The earliest instant an event may carry. */
  notBefore: Date;
  /** The platform clock now. */
  now: Date;
}

/** Why an event's `occurredAt` is refused, or undefined when it lies within the bounds. */
export function occurredAtProblem(occurredAt: string, bounds: EventTimeBounds): string | undefined {
  const at = Date.parse(occurredAt);
  if (Number.isNaN(at)) return 'not a date-time';
  if (at < bounds.notBefore.getTime()) return `lies before ${bounds.notBefore.toISOString()} (events.minOccurredAt)`;
  if (at > bounds.now.getTime() + MAX_FUTURE_MS) return 'lies in the future';
  return undefined;
}
