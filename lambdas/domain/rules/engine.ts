import { CROSSED_STEPS, crossedArgsProblem, crossedUp, scoreNumber } from './crossed.ts';
import { bulkSteps, RULE_LIMITS } from './limits.ts';
import { argsOf, OPERATORS } from './operators.ts';

/**
 * The rule evaluator: each rule compiles once to closures (rules come from cached catalogs and
 * trigger lists, so the same objects come back) and every evaluation runs on a step meter. The
 * semantics are json-logic-js's own (loose ==, its truthiness, `in` on arrays and strings, eager
 * arguments) for every whitelisted operator, with three deliberate differences: `var` reads own
 * properties only (never `constructor` or `__proto__`), `missing` treats its keys as data rather
 * than as rules, and an operator outside the whitelist (`log` included) is an error, not a call.
 *
 * The meter counts deterministic steps: one per operator evaluated, one per element an iterating
 * operator visits, and one per RULE_LIMITS.bulkPerStep elements or characters of bulk work (`in`,
 * `merge`, `cat`, `substr`, `missing`, an array coerced to text). cost.ts bounds the same count
 * statically; the meter is what holds for rules stored before the limits, and for data larger
 * than the bound assumes.
 */

/** What one evaluation answers: the rule held, did not, ran out of steps, or could not run. */
export type RuleVerdict = 'holds' | 'fails' | 'over-budget' | 'error';

type Compiled = (data: unknown) => unknown;

/** Thrown by the meter; one instance, so throwing it allocates nothing. */
const OVER_BUDGET = Object.freeze({ overBudget: true });

// One meter for the module rather than one passed down: evaluation is synchronous and never
// re-entrant, and a property of a constant object is the cheapest counter a closure can reach
// (a module-level `let` costs a hole check on every access).
const meter = { spent: 0, allowance: 0 };

const charge = (steps: number): void => {
  if ((meter.spent += steps) > meter.allowance) throw OVER_BUDGET;
};

class RuleError extends Error {
  override readonly name = 'RuleError';
}

/** JSON Logic truthiness: an empty array is false, everything else as JavaScript. */
export const truthy = (v: unknown): boolean => (Array.isArray(v) ? v.length > 0 : !!v);

const isObject = (v: unknown): v is object => typeof v === 'object' && v !== null;

/** An object or array as a primitive (its text, as JavaScript's coercion makes it), charged by length. */
function prim(v: unknown): unknown {
  if (!isObject(v)) return v;
  const text = String(v);
  charge(bulkSteps(text.length));
  return text;
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Names a plain lookup would find on a prototype of JSON data (`constructor`, `toString`, `map`,
 * ...); `length` is own wherever it answers (arrays and strings). A literal path with none of them
 * can use a plain property read, as fast as the lookup before the meter; any other path checks
 * each step is an own property.
 */
const INHERITED = new Set(
  [Object, Array, String, Number, Boolean, Function]
    .flatMap((c) => Object.getOwnPropertyNames(c.prototype))
    .concat('__proto__')
    .filter((name) => name !== 'length'),
);

/** `lookup` for a path with no inherited name: JSON data holds only own properties under it. */
function plainLookup(data: unknown, path: readonly string[], notFound: unknown): unknown {
  let v = data;
  for (const key of path) {
    if (v === null || v === undefined) return notFound;
    v = (v as Record<string, unknown>)[key];
    if (v === undefined) return notFound;
  }
  return v;
}

/** json-logic-js's `var` over own properties: a missing step answers the default (null when none). */
function lookup(data: unknown, path: readonly string[], notFound: unknown): unknown {
  let v = data;
  for (const key of path) {
    if (v === null || v === undefined) return notFound;
    if (typeof v !== 'object' && typeof v !== 'string') return notFound;
    if (!hasOwn.call(v, key)) return notFound;
    v = (v as Record<string, unknown>)[key];
    if (v === undefined) return notFound;
  }
  return v;
}

/** A computed `var` path, charged by its length (a literal one is split once, when compiled). */
function pathOf(a: unknown): string[] | undefined {
  if (a === undefined || a === null || a === '') return undefined;
  const text = String(prim(a));
  charge(bulkSteps(text.length));
  return text.split('.');
}

const getVar = (data: unknown, a: unknown, b: unknown): unknown => {
  const path = pathOf(a);
  return path ? lookup(data, path, b === undefined ? null : b) : data;
};

/**
 * Loose equality that charges for the text an object operand becomes. Two objects compare by
 * reference, and null or undefined against anything without coercion, as JavaScript does.
 */
const looseEq = (x: unknown, y: unknown): boolean =>
  x === null || x === undefined || y === null || y === undefined || (isObject(x) && isObject(y))
    ? // biome-ignore lint/suspicious/noDoubleEquals: JSON Logic's == is JavaScript's
      x == y
    : // biome-ignore lint/suspicious/noDoubleEquals: JSON Logic's == is JavaScript's
      prim(x) == prim(y);

const num = (v: unknown): number => Number.parseFloat(prim(v) as string);

/** Constants compile to themselves; an array of constants is answered as the rule's own array. */
const isConstant = (rule: unknown): boolean => !isObject(rule) || (Array.isArray(rule) && rule.every(isConstant));

const MAX_COMPILE_DEPTH = 64;

function compile(rule: unknown, depth = 0): Compiled {
  if (depth > MAX_COMPILE_DEPTH) throw new RuleError('the rule is nested too deeply');
  if (!isObject(rule)) return () => rule;
  if (Array.isArray(rule)) {
    if (isConstant(rule)) return () => rule;
    const items = rule.map((r) => compile(r, depth + 1));
    return (d) => {
      charge(1);
      return items.map((f) => f(d));
    };
  }
  const keys = Object.keys(rule);
  // json-logic-js answers an object that is not one operator as itself
  if (keys.length !== 1) return () => rule;
  const op = keys[0]!;
  const args = argsOf((rule as Record<string, unknown>)[op]);
  if (!OPERATORS.has(op)) {
    return () => {
      throw new RuleError(`unknown operator ${op}`);
    };
  }
  const fs = args.map((a) => compile(a, depth + 1));
  const nothing: Compiled = () => undefined;
  const [a = nothing, b = nothing, c = nothing] = fs;
  const k = args[1];
  switch (op) {
    case 'var': {
      if (typeof args[0] === 'string' || typeof args[0] === 'number') {
        const path = args[0] === '' ? undefined : String(args[0]).split('.');
        if (!path)
          return (d) => {
            charge(1);
            return d;
          };
        const read = path.some((key) => INHERITED.has(key)) ? lookup : plainLookup;
        if (args.length < 2) {
          return (d) => {
            charge(1);
            return read(d, path, null);
          };
        }
        return (d) => {
          charge(1);
          const fallback = b(d);
          return read(d, path, fallback === undefined ? null : fallback);
        };
      }
      return (d) => {
        charge(1);
        return getVar(d, a(d), b(d));
      };
    }
    case '==':
      return (d) => {
        charge(1);
        return looseEq(a(d), b(d));
      };
    case '!=':
      return (d) => {
        charge(1);
        return !looseEq(a(d), b(d));
      };
    case '===':
      return (d) => {
        charge(1);
        return a(d) === b(d);
      };
    case '!==':
      return (d) => {
        charge(1);
        return a(d) !== b(d);
      };
    case '>':
      if (!isObject(k))
        return (d) => {
          charge(1);
          return (prim(a(d)) as number) > (k as number);
        };
      return (d) => {
        charge(1);
        return (prim(a(d)) as number) > (prim(b(d)) as number);
      };
    case '>=':
      if (!isObject(k))
        return (d) => {
          charge(1);
          return (prim(a(d)) as number) >= (k as number);
        };
      return (d) => {
        charge(1);
        return (prim(a(d)) as number) >= (prim(b(d)) as number);
      };
    case '<':
      if (fs.length === 2 && !isObject(k))
        return (d) => {
          charge(1);
          return (prim(a(d)) as number) < (k as number);
        };
      return (d) => {
        charge(1);
        const x = prim(a(d)) as number;
        const y = prim(b(d)) as number;
        // json-logic-js tests the third value, not the count: an undefined one is two-way
        const z = fs.length < 3 ? undefined : c(d);
        return z === undefined ? x < y : x < y && y < (prim(z) as number);
      };
    case '<=':
      if (fs.length === 2 && !isObject(k))
        return (d) => {
          charge(1);
          return (prim(a(d)) as number) <= (k as number);
        };
      return (d) => {
        charge(1);
        const x = prim(a(d)) as number;
        const y = prim(b(d)) as number;
        // json-logic-js tests the third value, not the count: an undefined one is two-way
        const z = fs.length < 3 ? undefined : c(d);
        return z === undefined ? x <= y : x <= y && y <= (prim(z) as number);
      };
    case '!':
      return (d) => {
        charge(1);
        return !truthy(a(d));
      };
    case '!!':
      return (d) => {
        charge(1);
        return truthy(a(d));
      };
    case 'in': {
      if (Array.isArray(k) && isConstant(k)) {
        const steps = 1 + bulkSteps(k.length);
        return (d) => {
          charge(steps);
          return k.indexOf(a(d)) !== -1;
        };
      }
      return (d) => {
        const needle = a(d);
        const hay = b(d);
        if (Array.isArray(hay)) {
          charge(1 + bulkSteps(hay.length));
          return hay.indexOf(needle) !== -1;
        }
        charge(1);
        if (typeof hay === 'string') {
          // json-logic-js: a falsy haystack (including '') never contains anything
          if (hay === '') return false;
          const text = prim(needle);
          charge(bulkSteps(hay.length));
          return hay.indexOf(text as string) !== -1;
        }
        // json-logic-js calls any other haystack's `indexOf`: an object with such a key throws
        if (isObject(hay) && hasOwn.call(hay, 'indexOf')) throw new RuleError('in: not an array or text');
        return false;
      };
    }
    case 'and':
      return (d) => {
        charge(1);
        let v: unknown;
        for (const f of fs) if (!truthy((v = f(d)))) return v;
        return v;
      };
    case 'or':
      return (d) => {
        charge(1);
        let v: unknown;
        for (const f of fs) if (truthy((v = f(d)))) return v;
        return v;
      };
    case 'if':
    case '?:':
      return (d) => {
        charge(1);
        let i = 0;
        for (; i < fs.length - 1; i += 2) if (truthy(fs[i]!(d))) return fs[i + 1]!(d);
        return fs.length === i + 1 ? fs[i]!(d) : null;
      };
    case '+':
      return (d) => {
        charge(1);
        let sum = 0;
        for (const f of fs) sum += num(f(d));
        return sum;
      };
    case '*':
      return (d) => {
        charge(1);
        if (fs.length === 0) throw new RuleError('*: no arguments');
        // json-logic-js reduces without a start: one argument comes back as it is
        let product = a(d);
        for (let i = 1; i < fs.length; i++) product = num(product) * num(fs[i]!(d));
        return product;
      };
    case '-':
      return (d) => {
        charge(1);
        const x = prim(a(d)) as number;
        // as json-logic-js: negation when the second value is undefined, whatever the count
        const y = fs.length < 2 ? undefined : b(d);
        return y === undefined ? -x : x - (prim(y) as number);
      };
    case '/':
      return (d) => {
        charge(1);
        return (prim(a(d)) as number) / (prim(b(d)) as number);
      };
    case '%':
      return (d) => {
        charge(1);
        return (prim(a(d)) as number) % (prim(b(d)) as number);
      };
    case 'min':
    case 'max': {
      const pick = op === 'min' ? Math.min : Math.max;
      return (d) => {
        charge(1);
        return pick(...fs.map((f) => prim(f(d)) as number));
      };
    }
    case 'cat':
      return (d) => {
        charge(1);
        const text = fs.map((f) => prim(f(d))).join('');
        charge(bulkSteps(text.length));
        return text;
      };
    case 'substr':
      return (d) => {
        charge(1);
        const source = String(prim(a(d)));
        charge(bulkSteps(source.length));
        const start = prim(b(d)) as number;
        const end = prim(c(d)) as number;
        if (end < 0) {
          // as json-logic-js: a negative end counts from the end, as in PHP
          const rest = source.substr(start);
          return rest.substr(0, rest.length + end);
        }
        return source.substr(start, end);
      };
    case 'merge':
      return (d) => {
        charge(1);
        const out: unknown[] = [];
        for (const f of fs) {
          const v = f(d);
          if (Array.isArray(v)) {
            charge(bulkSteps(v.length));
            for (const x of v) out.push(x);
          } else out.push(v);
        }
        return out;
      };
    case 'missing':
      return (d) => {
        charge(1);
        const first = a(d);
        const keys = Array.isArray(first) ? first : fs.map((f, i) => (i === 0 ? first : f(d)));
        return missingOf(d, keys);
      };
    case 'missing_some':
      return (d) => {
        charge(1);
        const need = a(d);
        const options = b(d);
        if (options === null || options === undefined) throw new RuleError('missing_some: no options');
        // json-logic-js asks `missing` with the options as its arguments: a first one that is a list is the keys
        const keys = Array.isArray(options) ? (Array.isArray(options[0]) ? options[0] : options) : [options];
        const absent = missingOf(d, keys);
        const length = (options as { length?: unknown }).length as number;
        return length - absent.length >= (prim(need) as number) ? [] : absent;
      };
    case 'map':
    case 'filter':
    case 'all':
    case 'some':
    case 'none':
      return iterate(op, a, b);
    case 'crossed': {
      // as an unknown operator: an error where it is evaluated, not in a branch never taken
      if (crossedArgsProblem(args))
        return () => {
          throw new RuleError('crossed: not a literal score path and threshold');
        };
      const path = String(args[0]).split('.');
      const threshold = args[1] as number;
      return (d) => {
        charge(CROSSED_STEPS);
        const previous = isObject(d) && hasOwn.call(d, 'previous') ? (d as { previous: unknown }).previous : undefined;
        return crossedUp(
          scoreNumber(lookup(previous, path, undefined)),
          scoreNumber(lookup(d, path, undefined)),
          threshold,
        );
      };
    }
    case 'reduce': {
      const initial = fs.length > 2 ? c : () => null;
      return (d) => {
        charge(1);
        const xs = a(d);
        const start = initial(d);
        if (!Array.isArray(xs)) return start;
        let acc = start;
        for (const current of xs) {
          charge(1);
          acc = b({ current, accumulator: acc });
        }
        return acc;
      };
    }
  }
  // every whitelisted operator has a case above; a new one without a case must not run unmetered
  return () => {
    throw new RuleError(`operator ${op} has no evaluator`);
  };
}

function missingOf(data: unknown, keys: readonly unknown[]): unknown[] {
  charge(bulkSteps(keys.length));
  const absent: unknown[] = [];
  for (const key of keys) {
    charge(1);
    const v = getVar(data, key, undefined);
    if (v === null || v === '') absent.push(key);
  }
  return absent;
}

function iterate(op: 'map' | 'filter' | 'all' | 'some' | 'none', list: Compiled, body: Compiled): Compiled {
  return (d) => {
    charge(1);
    const xs = list(d);
    if (!Array.isArray(xs)) return op === 'map' || op === 'filter' ? [] : op === 'none';
    if (xs.length === 0 && (op === 'all' || op === 'some' || op === 'none')) return op === 'none';
    switch (op) {
      case 'map':
        return xs.map((x) => {
          charge(1);
          return body(x);
        });
      case 'filter':
        return xs.filter((x) => {
          charge(1);
          return truthy(body(x));
        });
      case 'all':
        for (const x of xs) {
          charge(1);
          if (!truthy(body(x))) return false;
        }
        return true;
      case 'some':
        for (const x of xs) {
          charge(1);
          if (truthy(body(x))) return true;
        }
        return false;
      case 'none':
        for (const x of xs) {
          charge(1);
          if (truthy(body(x))) return false;
        }
        return true;
    }
  };
}

const compiled = new WeakMap<object, Compiled>();
const broken: Compiled = () => {
  throw new RuleError('the rule cannot be compiled');
};

function compiledOf(rule: object): Compiled {
  let f = compiled.get(rule);
  if (!f) {
    try {
      f = compile(rule);
    } catch {
      f = broken;
    }
    compiled.set(rule, f);
  }
  return f;
}

/**
 * Evaluates a tenant rule on `data` within `steps` (RULE_LIMITS.steps unless a test asks for
 * fewer). Never throws: a rule that runs out of steps answers 'over-budget', one that cannot run
 * (an unknown operator, data it cannot coerce) 'error'; callers treat both as "does not hold".
 */
export function evaluateRule(rule: unknown, data: unknown, steps: number = RULE_LIMITS.steps): RuleVerdict {
  if (typeof rule === 'boolean') return rule ? 'holds' : 'fails';
  if (!isObject(rule)) return truthy(rule) ? 'holds' : 'fails';
  const f = compiledOf(rule);
  meter.spent = 0;
  meter.allowance = steps;
  try {
    return truthy(f(data)) ? 'holds' : 'fails';
  } catch (e) {
    return e === OVER_BUDGET ? 'over-budget' : 'error';
  }
}

/** The value a rule evaluates to and the steps it took (tests and the cost property use it). */
export function runRule(
  rule: unknown,
  data: unknown,
  steps: number = RULE_LIMITS.steps,
): { value?: unknown; steps: number; verdict: RuleVerdict } {
  const f = isObject(rule) ? compiledOf(rule) : () => rule;
  meter.spent = 0;
  meter.allowance = steps;
  try {
    const value = f(data);
    return { value, steps: meter.spent, verdict: truthy(value) ? 'holds' : 'fails' };
  } catch (e) {
    return { steps: meter.spent, verdict: e === OVER_BUDGET ? 'over-budget' : 'error' };
  }
}
