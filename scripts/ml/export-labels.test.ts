import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { churnLabelOf, churnWindowOf, npsAnswerOf } from './export-labels.ts';

const exportedAt = new Date('2026-06-01T00:00:00Z');
const window = churnWindowOf(exportedAt, 90);

describe('the churn window of an export', () => {
  it('starts, by default, as many days before the export as it lasts', () => {
    expect(window).toEqual({ snapshot: new Date('2026-03-03T00:00:00Z'), days: 90 });
  });

  it('refuses a window the export has not seen to its end', () => {
    expect(() => churnWindowOf(exportedAt, 90, new Date('2026-04-01T00:00:00Z'))).toThrow(
      /ends before the churn window/,
    );
    expect(() => churnWindowOf(exportedAt, 0)).toThrow(/whole number of days/);
  });
});

describe('churn labels from the state', () => {
  it('labels a churn inside the window 1, after it 0, and a customer still active 0', () => {
    expect(churnLabelOf({ churnedAt: '2026-03-04T10:00:00Z', churn: '1' }, window)).toBe(1);
    expect(churnLabelOf({ churnedAt: '2026-06-01T00:00:00Z', churn: '1' }, window)).toBe(1);
    expect(churnLabelOf({ churnedAt: '2026-06-01T00:00:01Z', churn: '1' }, window)).toBe(0);
    expect(churnLabelOf({ churnedAt: '', churn: '0' }, window)).toBe(0);
    expect(churnLabelOf({ churnedAt: '', churn: '' }, window)).toBe(0);
  });

  it('leaves out customers who had left at the snapshot, and churns without a date', () => {
    expect(churnLabelOf({ churnedAt: '2026-03-03T00:00:00Z', churn: '1' }, window)).toBe('churned-before-snapshot');
    expect(churnLabelOf({ churnedAt: '', churn: '1' }, window)).toBe('churned-undated');
  });

  it('labels 1 exactly the churns dated in (snapshot, snapshot + days]', () => {
    const start = window.snapshot.getTime();
    fc.assert(
      fc.property(fc.integer({ min: -200, max: 200 }), fc.integer({ min: 0, max: 86_399 }), (day, second) => {
        const t = start + day * 86_400_000 + second * 1000;
        const label = churnLabelOf({ churnedAt: new Date(t).toISOString(), churn: '1' }, window);
        const expected = t <= start ? 'churned-before-snapshot' : t <= start + 90 * 86_400_000 ? 1 : 0;
        expect(label).toBe(expected);
      }),
    );
  });
});

describe('collected NPS answers', () => {
  it('reads a 0-10 answer and nothing else', () => {
    expect([npsAnswerOf({ nps: '9' }), npsAnswerOf({ nps: '0' }), npsAnswerOf({ nps: '' }), npsAnswerOf({})]).toEqual([
      9,
      0,
      undefined,
      undefined,
    ]);
    expect(npsAnswerOf({ nps: '11' })).toBeUndefined();
  });
});
