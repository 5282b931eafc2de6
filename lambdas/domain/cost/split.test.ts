import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitShared, usageWeight } from './split.ts';

const sum = (r: Record<string, number>) => Math.round(Object.values(r).reduce((s, v) => s + v * 100, 0));

describe('splitting shared cost by metered usage', () => {
  it('splits in proportion to usage', () => {
    expect(splitShared(100, { consumer: 3, enterprise: 1 }).shares).toEqual({ consumer: 75, enterprise: 25 });
  });

  it('gives the odd cent to the largest remainder so the shares sum to the total exactly', () => {
    const { shares } = splitShared(100, { a: 1, b: 1, c: 1 });
    expect(shares).toEqual({ a: 33.34, b: 33.33, c: 33.33 });
    expect(sum(shares)).toBe(10_000);
  });

  it('gives a tenant with zero usage a zero share', () => {
    expect(splitShared(57.31, { consumer: 10, enterprise: 0 }).shares).toEqual({ consumer: 57.31, enterprise: 0 });
  });

  it('leaves the cost unallocated, and says so, when nobody used anything', () => {
    expect(splitShared(12.5, { consumer: 0, enterprise: 0 })).toEqual({
      shares: { consumer: 0, enterprise: 0 },
      unallocated: 12.5,
    });
  });

  it('always sums to the shared total to the cent', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), fc.nat({ max: 1_000_000 }), {
          minKeys: 1,
          maxKeys: 8,
        }),
        (cents, weights) => {
          const { shares, unallocated } = splitShared(cents / 100, weights);
          expect(sum(shares) + Math.round(unallocated * 100)).toBe(cents);
          for (const [t, w] of Object.entries(weights)) if (w === 0) expect(shares[t]).toBe(0);
        },
      ),
    );
  });

  it('weighs usage by the unit cost of each meter', () => {
    expect(usageWeight({ ApiRequest: 1000, Event: 10_000 }, { ApiRequest: 0.000005, Event: 0.0000002 })).toBeCloseTo(
      0.007,
      10,
    );
  });
});
