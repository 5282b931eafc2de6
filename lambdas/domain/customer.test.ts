import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sameProfile, valueTierOf, type ValueTier } from './customer.ts';

const tiers = { platinum: 100, gold: 70, silver: 40 };
const rank: Record<ValueTier, number> = { bronze: 0, silver: 1, gold: 2, platinum: 3 };

describe('value tiers', () => {
  it('places monthly spend against the market thresholds', () => {
    expect(valueTierOf({ monthlyCharge: 20 }, tiers)).toBe('bronze');
    expect(valueTierOf({ monthlyCharge: 40 }, tiers)).toBe('silver');
    expect(valueTierOf({ monthlyCharge: 70 }, tiers)).toBe('gold');
    expect(valueTierOf({ monthlyCharge: 150 }, tiers)).toBe('platinum');
  });

  it('uses recent prepaid spend when it is higher than the recurring charge', () => {
    expect(valueTierOf({ monthlyCharge: 0 }, tiers, 120)).toBe('platinum');
  });

  it('lifts a loyal multi-product customer by one tier, but not out of bronze', () => {
    const loyal = { tenureMonths: 60, products: ['a', 'b', 'c'] };
    expect(valueTierOf({ ...loyal, monthlyCharge: 50 }, tiers)).toBe('gold');
    expect(valueTierOf({ ...loyal, monthlyCharge: 10 }, tiers)).toBe('bronze');
  });

  it('never ranks a customer lower for spending more', () => {
    fc.assert(
      fc.property(
        fc.float({ min: 0, max: 500, noNaN: true }),
        fc.float({ min: 0, max: 500, noNaN: true }),
        fc.nat(120),
        (a, b, tenure) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          const p = { tenureMonths: tenure, products: ['x', 'y', 'z'] };
          return (
            rank[valueTierOf({ ...p, monthlyCharge: lo }, tiers)] <=
            rank[valueTierOf({ ...p, monthlyCharge: hi }, tiers)]
          );
        },
      ),
    );
  });
});

describe('profile equality', () => {
  it('ignores key order and platform-owned fields', () => {
    expect(
      sameProfile(
        { segment: 'a', consent: { sms: true, app: false } },
        { consent: { app: false, sms: true }, segment: 'a' },
      ),
    ).toBe(true);
    expect(sameProfile({ segment: 'a' }, { segment: 'a', ...({ version: 3, updatedAt: 'x' } as object) })).toBe(true);
    expect(sameProfile({ segment: 'a' }, { segment: 'b' })).toBe(false);
    expect(sameProfile({ products: ['a', 'b'] }, { products: ['b', 'a'] })).toBe(false);
  });
});
