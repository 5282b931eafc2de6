import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { measureSms, SMS_LIMITS, smsEncodingOf, smsSegments } from './sms-segments.ts';

const GSM_BASIC_SAMPLE = 'abcXYZ019 @£$¥èÇØΔ_ΦΩäöñüà!?.,';
const GSM_EXT = '^{}\\[~]|€';

describe('SMS segments', () => {
  it('send GSM-7 text up to 160 characters as one message and split longer text into 153-character parts', () => {
    expect(smsSegments('a'.repeat(160))).toBe(1);
    expect(smsSegments('a'.repeat(161))).toBe(2);
    expect(smsSegments('a'.repeat(306))).toBe(2);
    expect(smsSegments('a'.repeat(307))).toBe(3);
    expect(measureSms('Hello').encoding).toBe('gsm7');
  });

  it('count an extension-table character as two septets', () => {
    expect(measureSms('€').units).toBe(2);
    expect(smsSegments('€'.repeat(80))).toBe(1);
    expect(smsSegments(`${'€'.repeat(80)}a`)).toBe(2);
    expect(smsEncodingOf(GSM_EXT)).toBe('gsm7');
  });

  it('never split an escape pair across parts', () => {
    // 152 septets then a 2-septet character: the first part holds 152, the euro starts the second
    expect(smsSegments(`${'a'.repeat(152)}€${'a'.repeat(152)}`)).toBe(3);
    expect(smsSegments(`${'a'.repeat(151)}€${'a'.repeat(153)}`)).toBe(2);
  });

  it('send text with any character outside GSM-7 as UCS-2: 70 units, then 67 per part', () => {
    expect(measureSms('Grüße Ç').encoding).toBe('gsm7'); // ü, ß and Ç have septets
    expect(measureSms('garçon').encoding).toBe('ucs2'); // a lower-case ç has none
    expect(measureSms('Привет').encoding).toBe('ucs2');
    expect(smsSegments('ж'.repeat(70))).toBe(1);
    expect(smsSegments('ж'.repeat(71))).toBe(2);
    expect(smsSegments('ж'.repeat(134))).toBe(2);
    expect(smsSegments('ж'.repeat(135))).toBe(3);
    expect(smsSegments('سلام')).toBe(1);
  });

  it('count a character outside the BMP as a surrogate pair of two units, never split', () => {
    expect(measureSms('😀').units).toBe(2);
    expect(smsSegments('😀'.repeat(35))).toBe(1);
    expect(smsSegments('😀'.repeat(36))).toBe(2);
    // 66 units then a pair: it cannot fit the first part's last unit
    expect(smsSegments(`${'ж'.repeat(66)}😀${'ж'.repeat(66)}`)).toBe(3);
  });

  it('answer one segment for an empty text', () => {
    expect(measureSms('')).toEqual({ encoding: 'gsm7', units: 0, segments: 1 });
  });

  it('never answer fewer parts than the units need, nor more than one part per unit (property)', () => {
    const char = fc.constantFrom(...GSM_BASIC_SAMPLE, ...GSM_EXT, 'ж', '😀', 'ß', '中');
    fc.assert(
      fc.property(fc.array(char, { maxLength: 600 }), (chars) => {
        const text = chars.join('');
        const m = measureSms(text);
        const limits = SMS_LIMITS[m.encoding];
        if (m.units <= limits.single) expect(m.segments).toBe(1);
        else {
          expect(m.segments).toBeGreaterThanOrEqual(Math.ceil(m.units / limits.perPart));
          // a part loses at most one unit to a pair that did not fit
          expect(m.segments).toBeLessThanOrEqual(Math.ceil(m.units / (limits.perPart - 1)));
        }
      }),
    );
  });

  it('never take fewer parts for a longer text (property)', () => {
    const char = fc.constantFrom('a', '€', 'ж', '😀');
    fc.assert(
      fc.property(fc.array(char, { maxLength: 400 }), char, (chars, more) => {
        const text = chars.join('');
        expect(smsSegments(text + more)).toBeGreaterThanOrEqual(smsSegments(text));
      }),
    );
  });
});
