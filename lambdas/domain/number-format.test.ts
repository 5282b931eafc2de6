import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupThousands } from './number-format.ts';

describe('groupThousands', () => {
  it('writes a million as 1,000,000', () => {
    expect(groupThousands(1_000_000)).toBe('1,000,000');
    expect(groupThousands(999)).toBe('999');
    expect(groupThousands(0)).toBe('0');
  });

  it('writes every safe integer as toLocaleString en-US does', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger().map(Number), fc.boolean(), (n, negative) => {
        const value = negative ? -n : n;
        expect(groupThousands(value)).toBe(value.toLocaleString('en-US'));
      }),
      { numRuns: 2000 },
    );
  });

  it('writes integers past 2^53 and past 1e21 with the digits ICU prints, zeros after', () => {
    const largeIntegers = fc
      .double({ min: 2 ** 53, max: Number.MAX_VALUE, noNaN: true, noDefaultInfinity: true })
      .filter((d) => Number.isInteger(d));
    fc.assert(
      fc.property(largeIntegers, fc.boolean(), (n, negative) => {
        const value = negative ? -n : n;
        expect(groupThousands(value)).toBe(value.toLocaleString('en-US'));
      }),
      { numRuns: 1000 },
    );
    expect(groupThousands(-0)).toBe((-0).toLocaleString('en-US'));
  });
});
