import { describe, expect, it } from 'vitest';
import { compileFeatures, feature, featuresOf, FeatureSpecError, type FeatureSpec } from './features.ts';

const spec: FeatureSpec = {
  specVersion: 1,
  features: [
    feature.number('tenure', 'profile.tenureMonths'),
    feature.equals('two_year', 'profile.contract', 'two-year'),
    feature.has('tech_support', 'profile.products', 'tech-support'),
    feature.equals('e_check', 'profile.attributes.paymentMethod', 'Electronic check'),
    feature.number('senior', 'profile.attributes.seniorCitizen'),
    feature.number('dropped_24h', 'state.droppedCalls24h.value'),
  ],
};

describe('feature pipeline', () => {
  it('encodes numbers, one-hots, product membership, booleans and state counters in spec order', () => {
    const row = featuresOf(spec, {
      profile: {
        tenureMonths: 12,
        contract: 'two-year',
        products: ['phone', 'tech-support'],
        attributes: { paymentMethod: 'Electronic check', seniorCitizen: true },
      },
      state: { droppedCalls24h: { value: 3 } },
    });
    expect(Array.from(row)).toEqual([12, 1, 1, 1, 1, 3]);
  });

  it('gives 0 for a present source that does not match', () => {
    const row = featuresOf(spec, {
      profile: {
        tenureMonths: 0,
        contract: 'month-to-month',
        products: [],
        attributes: { paymentMethod: 'Mailed check', seniorCitizen: false },
      },
      state: { droppedCalls24h: { value: 0 } },
    });
    expect(Array.from(row)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('turns every missing source into NaN so the model takes its default branch', () => {
    const row = featuresOf(spec, { profile: {} });
    expect(Array.from(row).every(Number.isNaN)).toBe(true);
    const nulls = featuresOf(spec, {
      profile: { attributes: { paymentMethod: null, seniorCitizen: null } },
      state: { droppedCalls24h: null },
    });
    expect(Number.isNaN(nulls[3]!)).toBe(true);
    expect(Number.isNaN(nulls[5]!)).toBe(true);
  });

  it('reads numeric strings as numbers and other strings as missing', () => {
    const s: FeatureSpec = { specVersion: 1, features: [feature.number('x', 'profile.attributes.x')] };
    expect(featuresOf(s, { profile: { attributes: { x: '42.5' } } })[0]).toBe(42.5);
    expect(featuresOf(s, { profile: { attributes: { x: 'n/a' } } })[0]).toBeNaN();
    expect(featuresOf(s, { profile: { attributes: { x: '' } } })[0]).toBeNaN();
  });

  it('fills a preallocated row at an offset without touching the rest', () => {
    const compiled = compileFeatures(spec);
    const buf = new Float64Array(compiled.width + 2).fill(-7);
    compiled.fill({ profile: { tenureMonths: 5 } }, buf, 1);
    expect(buf[0]).toBe(-7);
    expect(buf[1]).toBe(5);
    expect(buf[compiled.width + 1]).toBe(-7);
  });

  it('survives a JSON round trip, as it does when stored with the model', () => {
    const again = JSON.parse(JSON.stringify(spec)) as FeatureSpec;
    expect(compileFeatures(again).names).toEqual(spec.features.map((f) => f.name));
  });

  it('rejects sources outside profile and state, unknown encodings and duplicate names', () => {
    expect(() => compileFeatures({ specVersion: 1, features: [feature.number('x', 'context.channel')] })).toThrow(
      FeatureSpecError,
    );
    expect(() => compileFeatures({ specVersion: 1, features: [feature.number('x', 'profile')] })).toThrow(
      /must be a path/,
    );
    expect(() =>
      compileFeatures({
        specVersion: 1,
        features: [{ name: 'x', source: 'profile.a', encoding: { kind: 'log' } as never }],
      }),
    ).toThrow(/unknown encoding/);
    expect(() =>
      compileFeatures({
        specVersion: 1,
        features: [feature.number('x', 'profile.a'), feature.number('x', 'profile.b')],
      }),
    ).toThrow(/unique/);
    expect(() => compileFeatures({ features: [] } as never)).toThrow(/specVersion/);
  });
});
