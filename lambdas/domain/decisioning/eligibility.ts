import jsonLogic from 'json-logic-js';
import type { Rule } from '../action.ts';

/** What a rule sees: `{profile, state, scores, context, event}` plus the derived `signals`. */
export type RuleData = Record<string, unknown>;

type Compiled = (data: RuleData) => unknown;

const truthy = (v: unknown): boolean => jsonLogic.truthy(v);

/** json-logic-js's `var`: a missing step answers the default (null when none); a stored null stays null. */
function lookup(data: unknown, path: readonly string[], fallback: unknown): unknown {
  const notFound = fallback === undefined ? null : fallback;
  if (path.length === 0) return data;
  let v: unknown = data;
  for (const key of path) {
    if (v === null || v === undefined) return notFound;
    v = (v as Record<string, unknown>)[key];
    if (v === undefined) return notFound;
  }
  return v;
}

/**
 * Compiles the common JSON Logic operators to closures once per rule object (rules come from
 * the cached catalog, so the same objects come back); anything else runs through json-logic-js.
 * The semantics are json-logic-js's own (loose ==, its truthiness, `in` on arrays and strings).
 */
/** Constants compile to themselves; an array of constants is answered as the rule's own array. */
const isConstant = (rule: unknown): boolean =>
  rule === null || typeof rule !== 'object' || (Array.isArray(rule) && rule.every(isConstant));

function compile(rule: unknown): Compiled {
  if (rule === null || typeof rule !== 'object') return () => rule;
  if (Array.isArray(rule)) {
    if (isConstant(rule)) return () => rule;
    const items = rule.map(compile);
    return (d) => items.map((f) => f(d));
  }
  const keys = Object.keys(rule);
  if (keys.length !== 1) return () => rule;
  const op = keys[0]!;
  const raw = (rule as Record<string, unknown>)[op];
  const args = Array.isArray(raw) ? raw : [raw];
  const fs = args.map(compile);
  const [a, b] = [fs[0] ?? (() => undefined), fs[1] ?? (() => undefined)];
  switch (op) {
    case 'var': {
      if (typeof args[0] !== 'string' && typeof args[0] !== 'number') break;
      const path = String(args[0]) === '' ? [] : String(args[0]).split('.');
      const fallback = args[1];
      return (d) => lookup(d, path, fallback);
    }
    // JSON Logic's == and != are loose equality by its specification
    case '==':
      // biome-ignore lint/suspicious/noDoubleEquals: JSON Logic semantics
      return (d) => a(d) == b(d);
    case '!=':
      // biome-ignore lint/suspicious/noDoubleEquals: JSON Logic semantics
      return (d) => a(d) != b(d);
    case '===':
      return (d) => a(d) === b(d);
    case '!==':
      return (d) => a(d) !== b(d);
    case '>':
      if (fs.length === 2)
        return primitive(args[1])
          ? (
              (k) => (d) =>
                (a(d) as number) > k
            )(args[1] as number)
          : (d) => (a(d) as number) > (b(d) as number);
      break;
    case '>=':
      if (fs.length === 2)
        return primitive(args[1])
          ? (
              (k) => (d) =>
                (a(d) as number) >= k
            )(args[1] as number)
          : (d) => (a(d) as number) >= (b(d) as number);
      break;
    case '<':
      if (fs.length === 2)
        return primitive(args[1])
          ? (
              (k) => (d) =>
                (a(d) as number) < k
            )(args[1] as number)
          : (d) => (a(d) as number) < (b(d) as number);
      break;
    case '<=':
      if (fs.length === 2)
        return primitive(args[1])
          ? (
              (k) => (d) =>
                (a(d) as number) <= k
            )(args[1] as number)
          : (d) => (a(d) as number) <= (b(d) as number);
      break;
    case '!':
      return (d) => !truthy(a(d));
    case '!!':
      return (d) => truthy(a(d));
    case 'in':
      return (d) => {
        // json-logic-js: a falsy haystack (including '') never contains anything.
        const hay = b(d);
        return hay && (Array.isArray(hay) || typeof hay === 'string')
          ? (hay as unknown[] | string).indexOf(a(d) as never) !== -1
          : false;
      };
    case 'and':
      return (d) => {
        let v: unknown;
        for (const f of fs) if (!truthy((v = f(d)))) return v;
        return v;
      };
    case 'or':
      return (d) => {
        let v: unknown;
        for (const f of fs) if (truthy((v = f(d)))) return v;
        return v;
      };
  }
  return (d) => jsonLogic.apply(rule as never, d);
}

const primitive = (v: unknown): boolean => v === null || typeof v !== 'object';

const compiled = new WeakMap<object, Compiled>();

/** True when a tenant-authored JSON Logic rule holds; a rule that throws is treated as false. */
export function ruleHolds(rule: Rule, data: RuleData): boolean {
  if (typeof rule === 'boolean') return rule;
  let f = compiled.get(rule);
  if (!f) {
    f = compile(rule);
    compiled.set(rule, f);
  }
  try {
    return truthy(f(data));
  } catch {
    return false;
  }
}

export { ruleProblem } from '../rules.ts';
