import type { Clock } from '#domain/clock.ts';

/** The real clock, and the offset clock that CVM_NOW starts; the domain only sees the Clock port. */
export const systemClock: Clock = { now: () => new Date() };

/** A clock that starts at `start` and runs on at `rate` x real time (CVM_NOW locally). */
export function offsetClock(start: Date, realNow: () => number, rate = 1): Clock {
  const realStart = realNow();
  return { now: () => new Date(start.getTime() + (realNow() - realStart) * rate) };
}
