import { CROSSED_STEPS } from './crossed.ts';
import { bulkSteps, RULE_LIMITS } from './limits.ts';
import { argsOf } from './operators.ts';

/**
 * The static worst case of a rule: an upper bound on the steps engine.ts's meter can count for it,
 * computed from the rule alone, so a rule is refused when saved rather than when it first runs.
 *
 * Each expression gets a bound on its steps, on its value's `size` (its length as items or
 * characters, and its length as text) and on the size of anything inside it (`elem`: the items of a
 * list, their items, ...). Sizes drive the costs that grow with data: an iterating operator
 * multiplies its body's cost by its input's size, `in`, `merge`, `cat`, `substr` and an array
 * coerced to text cost their size in bulk steps. What a rule reads with `var` is bounded by
 * RULE_LIMITS.dataValue (each item of a list by RULE_LIMITS.dataItem); a literal by itself.
 *
 * `reduce` feeds its body's value back as the accumulator, so its bound is found by following the
 * accumulator's bound step by step (the bound is monotone, so a step that does not grow it ends the
 * walk): an accumulator that doubles runs past the budget within a few dozen steps and is refused.
 * The analysis itself is capped (MAX_ANALYSIS nodes visited), so a hostile rule cannot make the
 * validator slow either.
 */

/** A bound on one expression's evaluation and value. */
interface Bound {
  steps: number;
  /** Length of the value (items or characters) and of its text. */
  size: number;
  /** Size of anything inside the value; 0 for a scalar. */
  elem: number;
  /** The value may be an object or an array (coercing it to text costs its size). */
  obj: boolean;
  /** The value is always an array (so what it holds is bounded by `elem`, never by `size`). */
  arr: boolean;
}
type Value = Omit<Bound, 'steps'>;

/** What `var` reads where it stands: the rule's data, an iterated element, or a reduce step. */
type Scope =
  | { kind: 'data' }
  | { kind: 'element'; item: number }
  | { kind: 'reduce'; item: number; accumulator: Value };

/** The longest text of a JavaScript number (`-0.0000012345678901234567`). */
const NUMBER_TEXT = 25;
/** "undefined", the longest text of a missing value ("null" is shorter). */
const NULL_SIZE = 9;
/** "[object Object]": what a data object becomes as text. */
const OBJECT_TEXT = 15;
const SCALAR = { elem: 0, obj: false, arr: false } as const;
const BOOLEAN: Value = { ...SCALAR, size: 5 };
const NUMBER: Value = { ...SCALAR, size: NUMBER_TEXT };
const NULL: Value = { ...SCALAR, size: NULL_SIZE };
const DATA: Value = { size: RULE_LIMITS.dataValue, elem: RULE_LIMITS.dataItem, obj: true, arr: false };
const MAX_ANALYSIS = 200_000;

class TooComplex extends Error {}

/** Products of bounds where an empty list costs nothing (0 × Infinity is 0 here, not NaN). */
const times = (n: number, x: number) => (n === 0 || x === 0 ? 0 : n * x);
/** Bulk steps of coercing a value that may be an array to text. */
const coerce = (b: Value) => (b.obj ? bulkSteps(b.size) : 0);
/** Iterations over a value: none unless it may be an array. */
const lengthOf = (b: Value) => (b.obj ? b.size : 0);
/** The largest thing a value holds, or is when it need not be an array (merge and missing take both). */
const held = (b: Value) => (b.arr ? b.elem : Math.max(b.elem, b.size));
/** An item of a value as a value: anything inside it is no larger. */
const itemOf = (size: number): Value => ({ size: Math.max(size, NULL_SIZE), elem: size, obj: true, arr: false });

const isObject = (v: unknown): v is object => typeof v === 'object' && v !== null;
const isConstant = (rule: unknown): boolean => !isObject(rule) || (Array.isArray(rule) && rule.every(isConstant));
const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);
const max = (xs: readonly number[]) => xs.reduce((m, x) => Math.max(m, x), 0);

/** A literal's own size and the largest size inside it. */
function literal(v: unknown): Value {
  if (typeof v === 'string') return { ...SCALAR, size: v.length };
  if (typeof v === 'number' || typeof v === 'boolean') return { ...SCALAR, size: String(v).length };
  if (v === null || v === undefined) return NULL;
  if (Array.isArray(v)) {
    const items = v.map(literal);
    return {
      size: Math.max(v.length, String(v).length),
      elem: max(items.map((i) => Math.max(i.size, i.elem))),
      obj: true,
      arr: true,
    };
  }
  return { size: OBJECT_TEXT, elem: OBJECT_TEXT, obj: true, arr: false };
}

const either = (values: readonly Value[]): Value => ({
  size: Math.max(NULL_SIZE, max(values.map((v) => v.size))),
  elem: max(values.map((v) => v.elem)),
  obj: values.some((v) => v.obj),
  arr: values.length > 0 && values.every((v) => v.arr),
});

export function worstCaseSteps(rule: unknown): number {
  if (typeof rule === 'boolean') return 0;
  let visited = 0;

  const bound = (rule: unknown, scope: Scope): Bound => {
    if (++visited > MAX_ANALYSIS) throw new TooComplex();
    if (!isObject(rule) || isConstant(rule)) return { steps: 0, ...literal(rule) };
    if (Array.isArray(rule)) {
      const items = rule.map((r) => bound(r, scope));
      return {
        steps: 1 + sum(items.map((b) => b.steps)),
        size: sum(items.map((b) => b.size + 1)),
        elem: max(items.map((b) => Math.max(b.size, b.elem))),
        obj: true,
        arr: true,
      };
    }
    const keys = Object.keys(rule);
    if (keys.length !== 1) return { steps: 0, ...literal(rule) };
    const op = keys[0]!;
    const raw = argsOf((rule as Record<string, unknown>)[op]);
    if (op === 'reduce') return reduceBound(raw, scope);
    if (op === 'map' || op === 'filter' || op === 'all' || op === 'some' || op === 'none') {
      const xs = bound(raw[0], scope);
      const body = bound(raw[1], { kind: 'element', item: xs.elem });
      const steps = 1 + xs.steps + times(lengthOf(xs), 1 + body.steps);
      if (op === 'map')
        return {
          steps,
          size: times(lengthOf(xs), body.size + 1),
          elem: Math.max(body.size, body.elem),
          obj: true,
          arr: true,
        };
      if (op === 'filter') return { steps, size: xs.size, elem: xs.elem, obj: true, arr: true };
      return { steps, ...BOOLEAN };
    }
    const args = raw.map((r) => bound(r, scope));
    const own = 1 + sum(args.map((b) => b.steps));
    const coerced = sum(args.map(coerce));
    const [a, b] = args;
    switch (op) {
      case 'var':
        return varBound(raw, args, scope);
      case 'crossed':
        // literal arguments (checked on save): a flat cost, whatever the data
        return { steps: CROSSED_STEPS, ...BOOLEAN };
      case '===':
      case '!==':
      case '!':
      case '!!':
        return { steps: own, ...BOOLEAN };
      case '==':
      case '!=':
      case '>':
      case '>=':
      case '<':
      case '<=':
        return { steps: own + coerced, ...BOOLEAN };
      case 'in':
        return { steps: own + (a ? coerce(a) : 0) + (b ? bulkSteps(b.size) : 0), ...BOOLEAN };
      case 'and':
      case 'or':
      case 'if':
      case '?:':
        return { steps: own, ...either(args) };
      case '*':
        if (args.length === 1) return { ...a!, steps: own };
        return { steps: own + coerced, ...NUMBER };
      case '+':
      case '-':
      case '/':
      case '%':
      case 'min':
      case 'max':
        return { steps: own + coerced, ...NUMBER };
      case 'cat': {
        const size = sum(args.map((x) => x.size));
        return { steps: own + coerced + bulkSteps(size), ...SCALAR, size };
      }
      case 'substr': {
        const size = a?.size ?? NULL_SIZE;
        return { steps: own + coerced + bulkSteps(size), ...SCALAR, size };
      }
      case 'merge':
        return {
          steps: own + sum(args.map((x) => (x.obj ? bulkSteps(x.size) : 0))),
          size: sum(args.map((x) => x.size + 1)),
          elem: max(args.map(held)),
          obj: true,
          arr: true,
        };
      case 'missing': {
        // the keys are the first argument when it is a list, else the arguments; each is read as a path
        const keys = Math.max(a?.obj ? a.size : 0, args.length);
        // a later argument is a key itself, an array one read as its text ("false,false,false")
        const key = max(args.map((x, i) => (i === 0 ? held(x) : Math.max(x.size, held(x)))));
        return {
          steps: own + bulkSteps(keys) + times(keys, 1 + 2 * bulkSteps(key)),
          size: sum(args.map((x) => x.size + 1)),
          elem: key,
          obj: true,
          arr: true,
        };
      }
      case 'missing_some': {
        const options = b ?? NULL;
        const keys = Math.max(options.obj ? options.size : 0, 1);
        const key = held(options);
        return {
          steps: own + (a ? coerce(a) : 0) + bulkSteps(keys) + times(keys, 1 + 2 * bulkSteps(key)),
          size: options.size + 1,
          elem: key,
          obj: true,
          arr: true,
        };
      }
    }
    // the validator refuses other operators; an unknown one never evaluates (engine.ts)
    return { steps: own, ...NULL };
  };

  const varBound = (raw: readonly unknown[], args: readonly Bound[], scope: Scope): Bound => {
    const [path, fallback] = args;
    const literalPath = typeof raw[0] === 'string' || typeof raw[0] === 'number' || raw[0] === undefined;
    // a computed path is coerced to text and split: its length in bulk steps, twice at most
    const steps = 1 + sum(args.map((b) => b.steps)) + (literalPath || !path ? 0 : coerce(path) + bulkSteps(path.size));
    const read = literalPath ? readBound(raw[0] === undefined ? '' : String(raw[0]), scope) : anyRead(scope);
    return { steps, ...(fallback ? either([read, fallback]) : read) };
  };

  const reduceBound = (raw: readonly unknown[], scope: Scope): Bound => {
    const xs = bound(raw[0], scope);
    const initial = raw.length > 2 ? bound(raw[2], scope) : { steps: 0, ...NULL };
    const n = lengthOf(xs);
    let steps = 1 + xs.steps + initial.steps;
    let accumulator: Value = { size: initial.size, elem: initial.elem, obj: initial.obj, arr: initial.arr };
    let largest = accumulator;
    for (let k = 0; k < n; k++) {
      const body = bound(raw[1], { kind: 'reduce', item: xs.elem, accumulator });
      const step = 1 + body.steps;
      const next = either([accumulator, body]);
      const grows =
        next.size > accumulator.size ||
        next.elem > accumulator.elem ||
        next.obj !== accumulator.obj ||
        next.arr !== accumulator.arr;
      if (!grows) {
        // the bound is monotone: from a step that does not grow the accumulator, none does
        steps += (n - k) * step;
        break;
      }
      steps += step;
      accumulator = next;
      largest = either([largest, accumulator]);
      if (steps > RULE_LIMITS.steps) return { steps: Number.POSITIVE_INFINITY, ...largest };
    }
    return { steps, ...largest };
  };

  try {
    return bound(rule, { kind: 'data' }).steps;
  } catch (e) {
    if (e instanceof TooComplex) return Number.POSITIVE_INFINITY;
    throw e;
  }
}

/** What a `var` with a literal path reads in its scope. */
function readBound(path: string, scope: Scope): Value {
  switch (scope.kind) {
    case 'data':
      return DATA;
    case 'element':
      return itemOf(scope.item);
    case 'reduce': {
      if (path === '') return anyRead(scope);
      const [first, ...rest] = path.split('.');
      if (first === 'current') return itemOf(scope.item);
      if (first === 'accumulator')
        return rest.length === 0 ? scope.accumulator : itemOf(Math.max(scope.accumulator.size, scope.accumulator.elem));
      return NULL;
    }
  }
}

/** What a `var` with a computed path (or none) may read in its scope. */
function anyRead(scope: Scope): Value {
  switch (scope.kind) {
    case 'data':
      return DATA;
    case 'element':
      return itemOf(scope.item);
    case 'reduce':
      return itemOf(Math.max(scope.item, scope.accumulator.size, scope.accumulator.elem, OBJECT_TEXT));
  }
}
