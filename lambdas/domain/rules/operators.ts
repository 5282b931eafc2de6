/**
 * The operator whitelist of the tenant rule language: JSON Logic as json-logic-js runs it, less
 * `log` (it wrote its argument, customer data included, to the platform's logs) and less the dotted
 * method calls json-logic-js resolves on its operator table. A name not listed is refused when a rule
 * is saved and, in a rule stored before, evaluates as an error (the rule does not hold).
 *
 * Platform operators join this table with their arity and their cost in cost.ts and engine.ts:
 * `crossed` (rules/crossed.ts); names with a dot are kept for later ones (`signals.*`).
 */
export interface OperatorSpec {
  /** Fewest and most arguments (Infinity: any number). */
  arity: readonly [number, number];
  group: 'logic' | 'comparison' | 'arithmetic' | 'data' | 'text' | 'array';
}

const spec = (group: OperatorSpec['group'], min: number, max = min): OperatorSpec => ({ arity: [min, max], group });
const ANY = Number.POSITIVE_INFINITY;

export const OPERATORS: ReadonlyMap<string, OperatorSpec> = new Map([
  ['if', spec('logic', 1, ANY)],
  ['?:', spec('logic', 1, ANY)],
  ['and', spec('logic', 1, ANY)],
  ['or', spec('logic', 1, ANY)],
  ['!', spec('logic', 1)],
  ['!!', spec('logic', 1)],
  ['==', spec('comparison', 2)],
  ['===', spec('comparison', 2)],
  ['!=', spec('comparison', 2)],
  ['!==', spec('comparison', 2)],
  ['>', spec('comparison', 2)],
  ['>=', spec('comparison', 2)],
  ['<', spec('comparison', 2, 3)],
  ['<=', spec('comparison', 2, 3)],
  ['+', spec('arithmetic', 1, ANY)],
  ['-', spec('arithmetic', 1, 2)],
  ['*', spec('arithmetic', 1, ANY)],
  ['/', spec('arithmetic', 2)],
  ['%', spec('arithmetic', 2)],
  ['min', spec('arithmetic', 1, ANY)],
  ['max', spec('arithmetic', 1, ANY)],
  ['var', spec('data', 0, 2)],
  ['missing', spec('data', 1, ANY)],
  ['missing_some', spec('data', 2)],
  ['in', spec('text', 2)],
  ['cat', spec('text', 1, ANY)],
  ['substr', spec('text', 2, 3)],
  ['merge', spec('array', 1, ANY)],
  ['map', spec('array', 2)],
  ['filter', spec('array', 2)],
  ['reduce', spec('array', 2, 3)],
  ['all', spec('array', 2)],
  ['some', spec('array', 2)],
  ['none', spec('array', 2)],
  ['crossed', spec('comparison', 2)],
]);

/** Refused with a reason of their own rather than "unknown". */
export const FORBIDDEN_OPERATORS: ReadonlyMap<string, string> = new Map([['log', 'writes to the platform logs']]);

/** The arguments of an operator as JSON Logic reads them: a lone value is one argument. */
export const argsOf = (raw: unknown): readonly unknown[] => (Array.isArray(raw) ? raw : [raw]);
