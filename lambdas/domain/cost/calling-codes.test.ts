import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CALLING_CODES, countryOfNumber } from './calling-codes.ts';
import { SMS_PRICED_COUNTRIES } from './sending-prices.ts';

describe('the country of an E.164 number', () => {
  it('has a calling code for every country the SMS price table prices', () => {
    const listed = new Set(Object.values(CALLING_CODES));
    expect(SMS_PRICED_COUNTRIES.filter((c) => !listed.has(c))).toEqual([]);
  });

  it('matches the longest calling code: +1 is the US unless the area code is Canadian or another NANP country', () => {
    expect(countryOfNumber('+27821234567')).toBe('ZA');
    expect(countryOfNumber('+264811234567')).toBe('NA');
    expect(countryOfNumber('+971501234567')).toBe('AE');
    expect(countryOfNumber('+12125550123')).toBe('US');
    expect(countryOfNumber('+14165550123')).toBe('CA');
    expect(countryOfNumber('+18765550123')).toBe('JM');
    expect(countryOfNumber('+17875550123')).toBe('PR');
  });

  it('knows no country for a code the table lacks, nor for what is not a number', () => {
    expect(countryOfNumber('+263771234567')).toBeUndefined(); // Zimbabwe: not priced, not listed
    expect(countryOfNumber('+79161234567')).toBeUndefined();
    for (const text of ['27821234567', '+', '+27', '+0821234567', '+2782 123', ''])
      expect(countryOfNumber(text), text).toBeUndefined();
  });

  it("gives every listed code's number that code's country, whatever follows it", () => {
    const codes = Object.entries(CALLING_CODES);
    fc.assert(
      fc.property(fc.constantFrom(...codes), fc.stringMatching(/^\d{4,10}$/), ([code, country], rest) => {
        const number = `+${code}${rest}`;
        // a longer code that the number also starts with wins (+1 416 over +1): the match is at least as long
        const longest = codes
          .filter(([c]) => `${code}${rest}`.startsWith(c) && c.length < `${code}${rest}`.length)
          .sort(([a], [b]) => b.length - a.length)[0]!;
        expect(countryOfNumber(number)).toBe(longest[1]);
        if (longest[0] === code) expect(countryOfNumber(number)).toBe(country);
      }),
    );
  });
});
