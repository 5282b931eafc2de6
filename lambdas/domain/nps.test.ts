import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { npsClassOf, type NpsClass } from './nps.ts';

/** The Net Promoter definition, for a whole-number answer. */
const definition = (answer: number): NpsClass => (answer >= 9 ? 'promoter' : answer >= 7 ? 'passive' : 'detractor');

describe('NPS classes', () => {
  it('classes survey answers as the definition does: 9-10 promoters, 7-8 passives, 0-6 detractors', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10 }), (answer) => npsClassOf(answer) === definition(answer)));
    expect([0, 6, 7, 8, 9, 10].map(npsClassOf)).toEqual([
      'detractor',
      'detractor',
      'passive',
      'passive',
      'promoter',
      'promoter',
    ]);
  });

  it('classes a predicted score as the answer nearest to it, halves up', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 10, noNaN: true }), (score) => {
        const nearest = Math.floor(score) + (score - Math.floor(score) >= 0.5 ? 1 : 0);
        expect(npsClassOf(score)).toBe(definition(nearest));
      }),
    );
    expect([8.6, 8.5, 8.4, 6.6, 6.5, 6.4].map(npsClassOf)).toEqual([
      'promoter',
      'promoter',
      'passive',
      'passive',
      'passive',
      'detractor',
    ]);
  });
});
