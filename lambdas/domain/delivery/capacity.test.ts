import { describe, expect, it } from 'vitest';
import { capacityOf, grantedUnder, localDayOf, nextDayWindow, splitByDailyCap, splitByRate } from './capacity.ts';

const QUIET = { start: '20:00', end: '08:00' };
const JHB = 'Africa/Johannesburg';

describe('capacity grants', () => {
  it('grant what fits under the limit given the counter after the ask, never more than asked', () => {
    expect(grantedUnder(5, 3, 3)).toBe(3); // 0 before, 3 asked
    expect(grantedUnder(5, 7, 4)).toBe(2); // 3 before, 4 asked
    expect(grantedUnder(5, 9, 2)).toBe(0); // 7 before: nothing left
  });

  it('never pass the limit over any sequence of asks, redelivered ones included', () => {
    let counter = 0;
    let granted = 0;
    for (const ask of [3, 4, 1, 6, 2, 3, 10]) {
      counter += ask;
      granted += grantedUnder(10, counter, ask);
    }
    expect(granted).toBe(10);
  });

  it('spread the messages past the rate over the next seconds at the rate', () => {
    const { within, over } = splitByRate(['a', 'b', 'c', 'd', 'e', 'f', 'g'], 2, 7);
    expect(within).toEqual(['a', 'b']);
    expect(over.map((o) => [o.item, o.delaySeconds])).toEqual([
      ['c', 1],
      ['d', 1],
      ['e', 2],
      ['f', 2],
      ['g', 3],
    ]);
  });

  it('split a batch at the daily cap', () => {
    expect(splitByDailyCap(['a', 'b', 'c'], 5, 6)).toEqual({ within: ['a', 'b'], over: ['c'] });
    expect(splitByDailyCap(['a'], 0, 1)).toEqual({ within: [], over: ['a'] });
  });
});

describe('the next day window', () => {
  it('is 08:00 local the next day for a deferral at midday, evening or just after midnight', () => {
    expect(nextDayWindow(new Date('2026-03-02T10:00:00Z'), JHB, QUIET).toISOString()).toBe('2026-03-03T06:00:00.000Z');
    expect(nextDayWindow(new Date('2026-03-02T21:59:00Z'), JHB, QUIET).toISOString()).toBe('2026-03-03T06:00:00.000Z');
    expect(nextDayWindow(new Date('2026-03-02T22:30:00Z'), JHB, QUIET).toISOString()).toBe('2026-03-04T06:00:00.000Z');
  });

  it('lands on local midnight without quiet hours, across a DST change too', () => {
    expect(nextDayWindow(new Date('2026-03-02T10:00:00Z'), 'UTC', { start: '00:00', end: '00:00' }).toISOString()).toBe(
      '2026-03-03T00:00:00.000Z',
    );
    // Europe/Berlin moves to summer time on 2026-03-29: local midnight of the 30th is 22:00Z
    expect(
      nextDayWindow(new Date('2026-03-29T12:00:00Z'), 'Europe/Berlin', { start: '00:00', end: '00:00' }).toISOString(),
    ).toBe('2026-03-29T22:00:00.000Z');
  });

  it('counts local days', () => {
    expect(localDayOf(new Date('2026-03-02T22:30:00Z'), JHB)).toBe('2026-03-03');
    expect(localDayOf(new Date('2026-03-02T21:30:00Z'), JHB)).toBe('2026-03-02');
  });
});

describe("a tenant's capacity", () => {
  it("is its own override, else the market's, else none", () => {
    const delivery = {
      channels: { sms: { ratePerSecond: 10, overCap: 'defer' as const } },
      tenants: { acme: { sms: { dailyCap: 5, overCap: 'drop' as const } } },
    };
    expect(capacityOf(delivery, 'acme', 'sms')).toEqual({ dailyCap: 5, overCap: 'drop' });
    expect(capacityOf(delivery, 'globex', 'sms')).toEqual({ ratePerSecond: 10, overCap: 'defer' });
    expect(capacityOf(delivery, 'globex', 'email')).toBeUndefined();
  });
});
