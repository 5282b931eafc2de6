/** The platform clock: the only way domain and app code learn the time. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that starts at `start` and runs on at `rate` x real time (CVM_NOW locally). */
export function offsetClock(start: Date, realNow: () => number, rate = 1): Clock {
  const realStart = realNow();
  return { now: () => new Date(start.getTime() + (realNow() - realStart) * rate) };
}

export function fixedClock(at: Date | string): Clock & { set(at: Date | string): void; advance(ms: number): void } {
  let t = new Date(at).getTime();
  return {
    now: () => new Date(t),
    set: (next) => { t = new Date(next).getTime(); },
    advance: (ms) => { t += ms; },
  };
}
