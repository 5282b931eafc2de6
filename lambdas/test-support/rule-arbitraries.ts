import fc from 'fast-check';
import { OPERATORS } from '#domain/rules.ts';

/**
 * Rules of every whitelisted operator with random nesting and sizes, and the data they read: for
 * the property tests of the rule language (domain/rules) and the HTTP fuzz (e2e/support).
 */

export interface RuleArbitraryOptions {
  /** Nesting of the generator (fast-check's depthSize). */
  depth?: 'xsmall' | 'small' | 'medium';
  /** Longest literal array; the fuzz goes past RULE_LIMITS.arrayLength. */
  maxArray?: number;
  /**
   * `missing` and `missing_some` keys computed from data: json-logic-js evaluates such keys as rules,
   * the platform reads them as data, so the comparison with json-logic-js leaves them out.
   */
  dataKeys?: boolean;
  /** Arities outside the operator's own, which the validator refuses. */
  wrongArity?: boolean;
  /**
   * Platform operators (`crossed`) with the literal arguments they take; json-logic-js knows none of
   * them, so the comparison with it leaves this off (its `crossed` then has arguments the platform
   * refuses, and both sides fail).
   */
  platform?: boolean;
}

const PATHS = [
  '',
  'profile',
  'profile.tenureMonths',
  'profile.products',
  'profile.products.0',
  'profile.contract',
  'profile.contract.length',
  'state.counts',
  'state.counts.1',
  'state.label',
  'scores.churn',
  'event.data.seconds',
  'signals.serviceProblem',
  'missing.path',
  'current',
  'current.0',
  'accumulator',
  'accumulator.length',
  0,
  1,
] as const;

export const scalarArb = fc.oneof(
  fc.integer({ min: -5, max: 40 }),
  // numbers DynamoDB can store (a rule with 1e-218 is refused for that, not for a rule limit)
  fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((x) => (Math.abs(x) < 1e-6 ? 0 : x)),
  fc.constantFrom('', 'a', 'phone', 'prepaid', '0', '12', 'a.b', 'ab,c'),
  fc.boolean(),
  fc.constant(null),
);

/** A literal array built fresh each time (the same array twice would compare equal by reference). */
export const literalArrayArb = (maxLength: number) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.array(scalarArb, { maxLength: Math.min(maxLength, 8) }) },
    { weight: 1, arbitrary: fc.array(fc.integer({ min: 0, max: 9 }), { maxLength }) },
    { weight: 1, arbitrary: fc.array(fc.array(scalarArb, { maxLength: 3 }), { maxLength: 4 }) },
  );

const pathArb = fc.constantFrom(...PATHS);
const keyListArb = fc.array(
  pathArb.filter((p) => typeof p === 'string'),
  { minLength: 1, maxLength: 4 },
);

export function ruleArb(opts: RuleArbitraryOptions = {}): fc.Arbitrary<Record<string, unknown>> {
  const maxArray = opts.maxArray ?? 12;
  const { rule } = fc.letrec<{ rule: unknown; operation: Record<string, unknown>; list: unknown }>((tie) => {
    const sub = tie('rule');
    const args = (n: number, max: number) => fc.array(sub, { minLength: n, maxLength: max });
    const arity = (op: string): [number, number] => {
      const [min, max] = OPERATORS.get(op)!.arity;
      return opts.wrongArity ? [0, min + 3] : [min, Math.min(max, min + 3)];
    };
    const generic = (op: string) => {
      const [min, max] = arity(op);
      return args(min, max).map((a) => ({ [op]: a.length === 1 && min === 1 && max === 1 ? a[0] : a }));
    };
    const iterate = (op: string) =>
      fc
        .tuple(tie('list'), sub, fc.option(sub, { nil: undefined }))
        .map(([xs, body, init]) => ({ [op]: op === 'reduce' && init !== undefined ? [xs, body, init] : [xs, body] }));
    const byOp = (op: string): fc.Arbitrary<Record<string, unknown>> => {
      switch (op) {
        case 'var':
          return fc.oneof(
            pathArb.map((p) => ({ var: p })),
            fc.tuple(pathArb, scalarArb).map(([p, d]) => ({ var: [p, d] })),
            sub.map((p) => ({ var: [p] })),
          );
        case 'map':
        case 'filter':
        case 'all':
        case 'some':
        case 'none':
        case 'reduce':
          return opts.wrongArity ? fc.oneof(iterate(op), generic(op)) : iterate(op);
        case 'missing':
          return opts.dataKeys
            ? fc.oneof(
                keyListArb.map((k) => ({ missing: k })),
                generic(op),
              )
            : keyListArb.map((k) => ({ missing: k }));
        case 'missing_some':
          return opts.dataKeys
            ? fc.oneof(
                fc.tuple(fc.integer({ min: 0, max: 3 }), keyListArb).map(([n, k]) => ({ missing_some: [n, k] })),
                generic(op),
              )
            : fc.tuple(fc.integer({ min: 0, max: 3 }), keyListArb).map(([n, k]) => ({ missing_some: [n, k] }));
        case 'in':
          return fc.tuple(sub, fc.oneof(tie('list'), sub)).map(([a, b]) => ({ in: [a, b] }));
        case 'crossed':
          return opts.platform
            ? fc
                .tuple(
                  fc.constantFrom('scores.churn', 'scores.nps', 'scores.crossSell.phone'),
                  fc.double({ min: 0, max: 10, noNaN: true }),
                )
                .map(([path, threshold]) => ({ crossed: [path, threshold] }))
            : generic(op);
        default:
          return generic(op);
      }
    };
    return {
      rule: fc.oneof(
        { depthSize: opts.depth ?? 'small', withCrossShrink: true },
        { weight: 3, arbitrary: scalarArb },
        { weight: 2, arbitrary: pathArb.map((p) => ({ var: p })) },
        { weight: 1, arbitrary: literalArrayArb(maxArray) },
        { weight: 6, arbitrary: tie('operation') },
      ),
      operation: fc.constantFrom(...OPERATORS.keys()).chain(byOp),
      list: fc.oneof(
        literalArrayArb(maxArray),
        fc.constantFrom('profile.products', 'state.counts', 'current', 'accumulator', '').map((p) => ({ var: p })),
        sub,
      ),
    };
  });
  // the root of a stored rule is one operator
  return rule.filter((r): r is Record<string, unknown> => r !== null && typeof r === 'object' && !Array.isArray(r));
}

/**
 * What a rule reads, small enough to stay within RULE_LIMITS.dataValue. Every object has no key or
 * several (json-logic-js reads a one-key object met as a `missing` key as a rule), and no key names
 * a prototype property.
 */
export const ruleDataArb = fc.record({
  profile: fc.record({
    tenureMonths: fc.integer({ min: 0, max: 40 }),
    products: fc.array(fc.constantFrom('phone', 'internet-fiber', 'a', ''), { maxLength: 6 }),
    contract: fc.constantFrom('prepaid', 'one-year', ''),
  }),
  state: fc.record({
    counts: fc.array(fc.integer({ min: -3, max: 30 }), { maxLength: 8 }),
    label: fc.constantFrom('a', 'b,c', ''),
  }),
  scores: fc.record({ churn: fc.double({ min: 0, max: 1, noNaN: true }), model: fc.constant('m') }),
  event: fc.record({
    type: fc.constant('usage.voice'),
    data: fc.record({ seconds: fc.nat(100), cell: fc.constant('c') }),
  }),
  signals: fc.record({ serviceProblem: fc.boolean(), churn: fc.double({ min: 0, max: 1, noNaN: true }) }),
  // the scores before the event, as a trigger condition sees them (`crossed` compares with them)
  previous: fc.record({ scores: fc.record({ churn: fc.double({ min: 0, max: 1, noNaN: true }) }) }),
});
