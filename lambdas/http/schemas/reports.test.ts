import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPeriod } from './reports.ts';

describe('isPeriod', () => {
  it('takes real months and days, leap days included, and nothing else', () => {
    for (const ok of ['2026-02', '2026-02-28', '2024-02-29', '2000-02-29', '2026-12-31', '0001-01-01'])
      expect(isPeriod(ok), ok).toBe(true);
    for (const bad of [
      '2026-02-30',
      '2026-02-29',
      '1900-02-29',
      '2026-04-31',
      '2026-13',
      '2026-00',
      '2026-1-5',
      '',
      '2026',
    ])
      expect(isPeriod(bad), bad).toBe(false);
  });

  it('agrees with the calendar for every day of every month', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9999 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 31 }),
        (y, m, d) => {
          const daysInMonth = new Date(Date.UTC(2000, m, 0)).getUTCDate() - (m === 2 ? 1 : 0);
          const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
          const last = m === 2 ? (leap ? 29 : 28) : daysInMonth;
          const text = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
          expect(isPeriod(text)).toBe(d <= last);
        },
      ),
    );
  });
});
