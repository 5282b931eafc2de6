import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SENDING_METER_NAMES } from '../usage-readings.ts';
import {
  EMAIL_PRICE,
  PUSH_PRICE,
  SENDING_METER,
  sendingCostOf,
  SMS_PRICED_COUNTRIES,
  smsPricing,
  smsSegmentPrice,
  UNKNOWN_DESTINATION,
} from './sending-prices.ts';

describe('the sending price table', () => {
  it('names a source and a date for every price, and flags the ones not read from AWS itself', () => {
    for (const price of [EMAIL_PRICE, PUSH_PRICE, ...SMS_PRICED_COUNTRIES.map((c) => smsSegmentPrice(c)!)]) {
      expect(price.source.length).toBeGreaterThan(20);
      expect(price.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(price.usd).toBeGreaterThan(0);
      expect(['list', 'third-party']).toContain(price.confirmation);
    }
  });

  it('prices an SMS segment by destination country and has none for a country AWS does not reach', () => {
    expect(smsSegmentPrice('ZA')).toMatchObject({ usd: 0.1, per: 1 });
    expect(smsSegmentPrice('za')!.usd).toBe(0.1);
    expect(smsSegmentPrice('IR')).toBeUndefined();
    expect(smsSegmentPrice(undefined)).toBeUndefined();
  });

  it('meters each AWS sender under its own sending meter', () => {
    expect(Object.values(SENDING_METER).sort()).toEqual([...SENDING_METER_NAMES].sort());
  });
});

describe("a tenant's sending cost", () => {
  it('is segments x the country price plus e-mails and pushes at their message prices', () => {
    const cost = sendingCostOf({ SmsSegmentsSent: 1500, EmailsSent: 2000, PushesSent: 1_000_000, Decision: 9 }, 'ZA');
    expect(cost.lines.map((l) => [l.type, l.units, l.usd])).toEqual([
      ['sms', 1500, 150],
      ['email', 2000, 0.2],
      ['push', 1_000_000, 0.5],
    ]);
    expect(cost.usd).toBe(150.7);
    expect(cost.unpriced).toEqual({});
  });

  it('leaves SMS to an unpriced country out of the total and says how many', () => {
    const cost = sendingCostOf({ SmsSegmentsSent: 10, EmailsSent: 1000 }, 'IR');
    expect(cost.usd).toBe(0.1);
    expect(cost.unpriced).toEqual({ SmsSegmentsSent: 10 });
  });

  it('grows with every unit sent and is never negative', () => {
    const n = fc.nat({ max: 10_000_000 });
    fc.assert(
      fc.property(n, n, n, (s, e, p) => {
        const base = sendingCostOf({ SmsSegmentsSent: s, EmailsSent: e, PushesSent: p }, 'ZA').usd;
        expect(base).toBeGreaterThanOrEqual(0);
        expect(sendingCostOf({ SmsSegmentsSent: s + 1, EmailsSent: e, PushesSent: p }, 'ZA').usd).toBeGreaterThan(base);
      }),
    );
  });
});

describe('SMS priced by destination country', () => {
  it("prices a destination at its own price, and at the market's, flagged, where it has none or is unknown", () => {
    expect(smsPricing('GB', 'ZA')).toMatchObject({ destination: 'GB', pricedAs: 'GB', price: { usd: 0.05 } });
    expect(smsPricing('GB', 'ZA').fallback).toBeUndefined();
    expect(smsPricing('ZW', 'ZA')).toMatchObject({
      destination: 'ZW',
      pricedAs: 'ZA',
      price: { usd: 0.1 },
      fallback: 'no SMS price for ZW: priced as ZA',
    });
    expect(smsPricing(undefined, 'ZA')).toMatchObject({
      pricedAs: 'ZA',
      fallback: 'destination country unknown: priced as ZA',
    });
    const nowhere = smsPricing('ZW', 'IR');
    expect(nowhere.price).toBeUndefined();
    expect(nowhere.fallback).toBe("no SMS price for ZW, and none for the market's country IR");
  });

  it('splits the metered segments by destination, the rest at the market price, flagged', () => {
    const cost = sendingCostOf({ SmsSegmentsSent: 100 }, 'ZA', { ZA: 60, GB: 30 });
    expect(cost.lines.map((l) => [l.destination, l.pricedAs, l.units, l.usd, l.fallback])).toEqual([
      ['ZA', 'ZA', 60, 6, undefined],
      ['GB', 'GB', 30, 1.5, undefined],
      [undefined, 'ZA', 10, 1, 'destination country unknown: priced as ZA'],
    ]);
    expect(cost.usd).toBe(8.5);
  });

  it('leaves out, as unpriced, segments to a country without a price in a market without one', () => {
    const cost = sendingCostOf({ SmsSegmentsSent: 10 }, 'IR', { GB: 4, ZW: 6 });
    expect(cost.usd).toBe(0.2);
    expect(cost.unpriced).toEqual({ SmsSegmentsSent: 6 });
  });

  it('prices every metered segment once, never more than the meter counted, each at its price', () => {
    const country = fc.constantFrom('ZA', 'GB', 'US', 'IN', 'ZW', 'IR', UNKNOWN_DESTINATION);
    fc.assert(
      fc.property(
        fc.nat({ max: 1_000_000 }),
        fc.dictionary(country, fc.nat({ max: 1_000_000 })),
        fc.constantFrom('ZA', 'IR', undefined),
        (total, byDestination, market) => {
          const cost = sendingCostOf({ SmsSegmentsSent: total }, market, byDestination);
          expect(cost.lines.reduce((n, l) => n + l.units, 0)).toBe(total);
          for (const line of cost.lines) {
            const price = smsPricing(line.destination, market).price;
            expect(line.usd).toBeCloseTo(price ? line.units * price.usd : 0, 6);
          }
        },
      ),
    );
  });
});
