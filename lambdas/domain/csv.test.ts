import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvLine, csvOf, neutralised } from './csv.ts';

describe('CSV the platform writes', () => {
  it('neutralises formulas and leaves numbers and numeric text alone', () => {
    expect(neutralised('=HYPERLINK("http://x","y")')).toBe(`'=HYPERLINK("http://x","y")`);
    expect(neutralised('+1+cmd|calc')).toBe(`'+1+cmd|calc`);
    expect(neutralised('-2+3')).toBe(`'-2+3`);
    expect(neutralised('@SUM(A1)')).toBe(`'@SUM(A1)`);
    expect(neutralised('\tx')).toBe(`'\tx`);
    expect(neutralised('+27821234567')).toBe('+27821234567');
    expect(neutralised('-5.5')).toBe('-5.5');
    expect(neutralised('gold')).toBe('gold');
  });

  it('writes RFC 4180 with CRLF and empties for null, undefined and NaN', () => {
    expect(
      csvOf(
        ['a', 'b', 'c'],
        [
          ['x,y', null, Number.NaN],
          ['say "hi"', 1.5, undefined],
        ],
      ),
    ).toBe('a,b,c\r\n"x,y",,\r\n"say ""hi""",1.5,\r\n');
    expect(csvLine(['=1+1', 2])).toBe(`'=1+1,2\r\n`);
  });

  it('reads back every cell as written (guard aside) through csv-parse', () => {
    const cell = fc.oneof(fc.string(), fc.integer(), fc.constantFrom('a\r\nb', '"', ',', '=x'));
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 2, maxLength: 2 }), { maxLength: 8 }), (rows) => {
        const back = parse(csvOf(['h1', 'h2'], rows), { relax_column_count: false }) as string[][];
        expect(back[0]).toEqual(['h1', 'h2']);
        expect(back.slice(1)).toEqual(
          rows.map((r) => r.map((v) => (typeof v === 'number' ? String(v) : neutralised(v)))),
        );
      }),
      { numRuns: 300 },
    );
  });
});
