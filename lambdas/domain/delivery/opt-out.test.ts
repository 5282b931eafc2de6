import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isOptOut, optOutKeywordsOf } from './opt-out.ts';

const keywords = optOutKeywordsOf({ en: ['STOP', 'UNSUBSCRIBE'], de: ['STOPP'], fa: ['لغو'] });

describe('opt-out keywords', () => {
  it('match the trimmed whole reply in any case, in any of the market languages', () => {
    for (const reply of ['STOP', 'stop', '  Stop\n', 'unsubscribe', 'Stopp', ' لغو ', 'ＳＴＯＰ'])
      expect(isOptOut(reply, keywords), reply).toBe(true);
  });

  it('never match a reply that only contains a keyword', () => {
    for (const reply of ['please stop', 'STOP 2', 'stopped', 'S T O P', '', '   '])
      expect(isOptOut(reply, keywords), reply).toBe(false);
  });

  it('always include STOP, once', () => {
    expect(optOutKeywordsOf({})).toEqual(['STOP']);
    expect(keywords.filter((k) => k === 'STOP')).toHaveLength(1);
  });

  it('match a keyword whatever the case and surrounding blanks (property)', () => {
    const blank = fc.constantFrom('', ' ', '\t', '\n', '  ');
    const cased = fc
      .constantFrom('STOP', 'UNSUBSCRIBE', 'STOPP')
      .chain((k) =>
        fc
          .array(fc.boolean(), { minLength: k.length, maxLength: k.length })
          .map((upper) => [...k].map((c, i) => (upper[i] ? c : c.toLowerCase())).join('')),
      );
    fc.assert(fc.property(blank, cased, blank, (a, k, b) => isOptOut(`${a}${k}${b}`, keywords)));
  });
});
