import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LIFECYCLE_STAGES, lifecycleOf } from './lifecycle.ts';

const JNB = 'Africa/Johannesburg';
const at = (iso: string) => new Date(iso);

describe('lifecycle signals', () => {
  it('counts days to the contract end in the market time zone, the day turning at its midnight', () => {
    const profile = { contractEndDate: '2025-03-13', tenureMonths: 24 };
    // 23:30 UTC on the 11th is already the 12th in Johannesburg (UTC+2)
    expect(lifecycleOf(profile, at('2025-03-11T21:30:00Z'), JNB).daysToContractEnd).toBe(2);
    expect(lifecycleOf(profile, at('2025-03-11T22:30:00Z'), JNB).daysToContractEnd).toBe(1);
    expect(lifecycleOf(profile, at('2025-03-11T22:30:00Z'), 'UTC').daysToContractEnd).toBe(2);
  });

  it('takes the first stage that holds: out of contract, renewal, new, established', () => {
    const now = at('2025-03-12T08:00:00Z');
    expect(lifecycleOf({ contractEndDate: '2025-03-11', tenureMonths: 1 }, now, JNB)).toEqual({
      daysToContractEnd: -1,
      lifecycleStage: 'out-of-contract',
    });
    expect(lifecycleOf({ contractEndDate: '2025-03-12', tenureMonths: 1 }, now, JNB).lifecycleStage).toBe('renewal');
    expect(lifecycleOf({ contractEndDate: '2025-06-10', tenureMonths: 1 }, now, JNB)).toEqual({
      daysToContractEnd: 90,
      lifecycleStage: 'renewal',
    });
    expect(lifecycleOf({ contractEndDate: '2025-06-11', tenureMonths: 1 }, now, JNB).lifecycleStage).toBe('new');
    expect(lifecycleOf({ tenureMonths: 2 }, now, JNB)).toEqual({ daysToContractEnd: null, lifecycleStage: 'new' });
    expect(lifecycleOf({ tenureMonths: 3 }, now, JNB).lifecycleStage).toBe('established');
    expect(lifecycleOf(undefined, now, JNB)).toEqual({ daysToContractEnd: null, lifecycleStage: 'established' });
  });

  it('is a day less each day, and its stage agrees with the days and the tenure (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -400, max: 400 }),
        fc.option(fc.integer({ min: 0, max: 120 }), { nil: undefined }),
        fc.integer({ min: 0, max: 23 }),
        fc.constantFrom(JNB, 'Asia/Tehran', 'America/Los_Angeles', 'UTC'),
        (offset, tenureMonths, hour, tz) => {
          const end = new Date(Date.UTC(2025, 5, 15) + offset * 86_400_000).toISOString().slice(0, 10);
          const now = new Date(Date.UTC(2025, 5, 15, hour));
          const profile = { contractEndDate: end, ...(tenureMonths !== undefined ? { tenureMonths } : {}) };
          const today = lifecycleOf(profile, now, tz);
          const tomorrow = lifecycleOf(profile, new Date(now.getTime() + 86_400_000), tz);
          expect(tomorrow.daysToContractEnd).toBe(today.daysToContractEnd! - 1);
          expect(LIFECYCLE_STAGES).toContain(today.lifecycleStage);
          const days = today.daysToContractEnd!;
          const expected =
            days < 0
              ? 'out-of-contract'
              : days <= 90
                ? 'renewal'
                : tenureMonths !== undefined && tenureMonths < 3
                  ? 'new'
                  : 'established';
          expect(today.lifecycleStage).toBe(expected);
        },
      ),
    );
  });
});
