import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { experimentGroup } from './experiments.ts';
import {
  assignedVariant,
  treatmentForCustomer,
  variantAt,
  variantPoint,
  variantProblems,
  withVariant,
  type MessageVariant,
} from './variants.ts';

const v = (variantId: string, weight: number, over: Partial<MessageVariant> = {}): MessageVariant => ({
  variantId,
  weight,
  ...over,
});
const customers = (n: number) => Array.from({ length: n }, (_, i) => `c${i}`);

describe('message variant assignment', () => {
  it('maps a point onto the cumulative weights', () => {
    const variants = [v('A', 1), v('B', 3)];
    expect(variantAt(variants, 0)?.variantId).toBe('A');
    expect(variantAt(variants, 0.2499)?.variantId).toBe('A');
    expect(variantAt(variants, 0.25)?.variantId).toBe('B');
    expect(variantAt(variants, 0.9999999)?.variantId).toBe('B');
    expect(variantAt([], 0.5)).toBeUndefined();
  });

  it('gives no variant to a treatment that lists none', () => {
    expect(assignedVariant('t1', 'c1', 'a1', undefined)).toBeUndefined();
    expect(treatmentForCustomer({ text: { en: 'hi' } }, { tenant: 't1', customerId: 'c1', actionId: 'a1' })).toEqual({
      text: { en: 'hi' },
    });
  });

  it('is sticky: the same tenant, customer and action always get the same variant', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string(),
        fc.string(),
        fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 6 }),
        (tenant, customerId, actionId, weights) => {
          const variants = weights.map((w, i) => v(`v${i}`, w));
          const first = assignedVariant(tenant, customerId, actionId, variants);
          expect(first).toBeDefined();
          // a fresh copy of the list: nothing but the key decides
          expect(
            assignedVariant(
              tenant,
              customerId,
              actionId,
              variants.map((x) => ({ ...x })),
            ),
          ).toEqual(first);
        },
      ),
    );
  });

  it('spreads customers close to the weights', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 2, maxLength: 4 }),
        (tenant, weights) => {
          const variants = weights.map((w, i) => v(`v${i}`, w));
          const total = weights.reduce((a, b) => a + b, 0);
          const n = 20_000;
          const counts = new Map<string, number>();
          for (const c of customers(n)) {
            const id = assignedVariant(tenant, c, 'offer-1', variants)!.variantId;
            counts.set(id, (counts.get(id) ?? 0) + 1);
          }
          weights.forEach((w, i) => {
            const p = w / total;
            // 5 standard errors of a binomial share: a genuine skew, not chance
            expect(Math.abs((counts.get(`v${i}`) ?? 0) / n - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / n));
          });
        },
      ),
      { numRuns: 5 },
    );
  });

  it('is independent of the control group: control and treated customers get the variants alike', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 8 }),
        fc.string({ minLength: 1, maxLength: 8 }),
        (tenant, id) => {
          const variants = [v('A', 1), v('B', 1)];
          const config = { id, controlPercent: 20, challengerPercent: 0 };
          const share = { control: [0, 0], treated: [0, 0] };
          for (const c of customers(20_000)) {
            const arm = experimentGroup(tenant, c, config) === 'control' ? share.control : share.treated;
            arm[0]! += assignedVariant(tenant, c, 'offer-1', variants)!.variantId === 'A' ? 1 : 0;
            arm[1]!++;
          }
          const [ac = 0, nc = 1] = share.control;
          const [at = 0, nt = 1] = share.treated;
          const se = Math.sqrt(0.25 / nc + 0.25 / nt);
          expect(Math.abs(ac / nc - at / nt)).toBeLessThan(5 * se);
        },
      ),
      { numRuns: 5 },
    );
  });

  it('draws the point from its own hash, not the control group key', () => {
    // the same customer in two actions lands independently: the action is in the key
    const points = customers(2_000).map((c) => [variantPoint('t', c, 'a'), variantPoint('t', c, 'b')] as const);
    const same = points.filter(([a, b]) => a < 0.5 === b < 0.5).length / points.length;
    expect(Math.abs(same - 0.5)).toBeLessThan(0.06);
  });
});

describe('a variant over its treatment', () => {
  const treatment = { text: { en: 'Base', af: 'Basis' }, params: { offer: 'x', price: 10 } };

  it('overrides the texts of the languages it names and merges its params over the treatment', () => {
    expect(withVariant(treatment, v('B', 1, { text: { en: 'Short' }, params: { price: 5, tone: 'warm' } }))).toEqual({
      text: { en: 'Short', af: 'Basis' },
      params: { offer: 'x', price: 5, tone: 'warm' },
      variantId: 'B',
    });
  });

  it('keeps the treatment as it is for a variant without text or params, naming the variant', () => {
    expect(withVariant(treatment, v('A', 1))).toEqual({ ...treatment, variantId: 'A' });
  });
});

describe('variant list problems', () => {
  it('names a weight not above 0 and an id listed twice', () => {
    expect(variantProblems([v('A', 0), v('B', 1), v('B', 2), v('C', Number.NaN)], 'treatments.sms.variants')).toEqual([
      { field: 'treatments.sms.variants.0.weight', message: 'variant A needs a weight above 0' },
      { field: 'treatments.sms.variants.2.variantId', message: 'variant B is listed twice' },
      { field: 'treatments.sms.variants.3.weight', message: 'variant C needs a weight above 0' },
    ]);
    expect(variantProblems([v('A', 1), v('B', 0.5)], 'x')).toEqual([]);
    expect(variantProblems(undefined, 'x')).toEqual([]);
  });
});
