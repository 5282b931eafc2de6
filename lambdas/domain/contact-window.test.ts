import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { consentAllows, isQuietTime, nextAllowedTime } from './contact-window.ts';

const quiet = { start: '20:00', end: '08:00' };
const tz = 'Africa/Johannesburg'; // UTC+2, no DST

describe('quiet hours in the market time zone', () => {
  it('knows 23:00 and 07:59 local are quiet and midday is not', () => {
    expect(isQuietTime(new Date('2026-11-23T21:00:00Z'), tz, quiet)).toBe(true);
    expect(isQuietTime(new Date('2026-11-23T05:59:00Z'), tz, quiet)).toBe(true);
    expect(isQuietTime(new Date('2026-11-23T10:00:00Z'), tz, quiet)).toBe(false);
    expect(isQuietTime(new Date('2026-11-23T06:00:00Z'), tz, quiet)).toBe(false);
  });

  it('defers a message due at 23:00 local to 08:00 local the next morning', () => {
    expect(nextAllowedTime(new Date('2026-11-23T21:00:00Z'), tz, quiet).toISOString()).toBe('2026-11-24T06:00:00.000Z');
    expect(nextAllowedTime(new Date('2026-11-24T01:30:00Z'), tz, quiet).toISOString()).toBe('2026-11-24T06:00:00.000Z');
  });

  it('lands on 08:00 local across a DST change', () => {
    // Europe/London falls back on 2026-10-25 at 02:00 local.
    const next = nextAllowedTime(new Date('2026-10-24T22:00:00Z'), 'Europe/London', quiet);
    expect(next.toISOString()).toBe('2026-10-25T08:00:00.000Z');
  });

  it('never returns a quiet time, nor a time before the request, nor more than a day later', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2026-01-01'), max: new Date('2027-12-31'), noInvalidDate: true }),
        fc.constantFrom('Africa/Johannesburg', 'Europe/London', 'Asia/Tehran', 'America/New_York'),
        (at, zone) => {
          const next = nextAllowedTime(at, zone, quiet);
          return !isQuietTime(next, zone, quiet) && next >= at && next.getTime() - at.getTime() <= 25 * 3600_000;
        },
      ),
    );
  });
});

describe('consent', () => {
  it('needs an explicit yes for marketing and only the absence of a no for service', () => {
    expect(consentAllows('offer', 'sms', { sms: true })).toBe(true);
    expect(consentAllows('offer', 'sms', {})).toBe(false);
    expect(consentAllows('retention', 'sms', undefined)).toBe(false);
    expect(consentAllows('service', 'call-centre', {})).toBe(true);
    expect(consentAllows('information', 'sms', { sms: false })).toBe(false);
  });
});
