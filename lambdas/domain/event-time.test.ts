import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MIN_OCCURRED_AT, MAX_FUTURE_MS, occurredAtProblem } from './event-time.ts';

const now = new Date('2026-03-02T10:00:00Z');
const bounds = { now, notBefore: new Date(DEFAULT_MIN_OCCURRED_AT) };

describe('occurredAtProblem', () => {
  it('takes the floor itself and up to the skew ahead of now, refuses before and beyond', () => {
    expect(occurredAtProblem('2000-01-01T00:00:00Z', bounds)).toBeUndefined();
    expect(occurredAtProblem('2026-03-02T10:15:00Z', bounds)).toBeUndefined();
    expect(occurredAtProblem('1999-12-31T23:59:59.999Z', bounds)).toMatch(/^lies before 2000-01-01/);
    expect(occurredAtProblem('0000-01-01T00:00:00Z', bounds)).toMatch(/^lies before/);
    expect(occurredAtProblem('2026-03-02T10:15:00.001Z', bounds)).toBe('lies in the future');
    expect(occurredAtProblem('soon', bounds)).toBe('not a date-time');
  });

  it('follows the configured floor: an instant is refused exactly when it lies outside [floor, now + skew]', () => {
    const day = 86_400_000;
    fc.assert(
      fc.property(
        fc.integer({ min: -800_000 * day, max: 30_000 * day }),
        fc.integer({ min: 0, max: 20_000 * day }),
        (at, floor) => {
          const b = { now, notBefore: new Date(floor) };
          const ok = at >= floor && at <= now.getTime() + MAX_FUTURE_MS;
          expect(occurredAtProblem(new Date(at).toISOString(), b) === undefined).toBe(ok);
        },
      ),
    );
  });
});
