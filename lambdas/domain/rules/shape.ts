import { groupThousands as fmt } from '../number-format.ts';
import { RULE_LIMITS, type RuleLimit } from './limits.ts';
import { crossedArgsProblem } from './crossed.ts';
import { argsOf, FORBIDDEN_OPERATORS, OPERATORS } from './operators.ts';

export interface RuleProblem {
  limit: RuleLimit;
  message: string;
}

const where = (path: readonly string[]) => (path.length ? ` at ${path.join('.')}` : '');

/**
 * The form and size of a rule, without evaluating it: every object is one whitelisted operator with
 * the arguments it takes, and the rule stays within the size, depth and array-length limits. The
 * walk stops descending past the depth limit, so a hostile rule nested thousands of levels costs
 * no more than one at the limit. At most one problem per limit, the first met.
 */
export function shapeProblems(rule: unknown): RuleProblem[] {
  if (typeof rule === 'boolean') return [];
  if (rule === null || typeof rule !== 'object' || Array.isArray(rule))
    return [{ limit: 'shape', message: 'must be a boolean or a JSON Logic object' }];
  if (Object.keys(rule).length !== 1)
    return [{ limit: 'shape', message: 'a JSON Logic rule has exactly one operator at its root' }];

  const found = new Map<RuleLimit, string>();
  const note = (limit: RuleLimit, message: string) => {
    if (!found.has(limit)) found.set(limit, message);
  };
  let nodes = 0;
  let deepest = 0;

  const visit = (value: unknown, depth: number, path: string[]): void => {
    nodes++;
    if (value === null || typeof value !== 'object') return;
    deepest = Math.max(deepest, depth);
    if (depth > RULE_LIMITS.depth) return;
    if (Array.isArray(value)) {
      if (value.length > RULE_LIMITS.arrayLength)
        note(
          'arrayLength',
          `an array of ${fmt(value.length)} items${where(path)} (limit arrayLength: ${RULE_LIMITS.arrayLength})`,
        );
      value.forEach((v, i) => visit(v, depth + 1, [...path, String(i)]));
      return;
    }
    const keys = Object.keys(value);
    if (keys.length !== 1) {
      note('shape', `an object in a rule is one operator, {"op": [arguments]}${where(path)} (limit shape)`);
      for (const key of keys) visit((value as Record<string, unknown>)[key], depth + 1, [...path, key]);
      return;
    }
    const op = keys[0]!;
    const raw = (value as Record<string, unknown>)[op];
    const spec = OPERATORS.get(op);
    const forbidden = FORBIDDEN_OPERATORS.get(op);
    if (forbidden) note('operator', `"${op}" is not allowed: it ${forbidden}${where(path)} (limit operator)`);
    else if (!spec)
      note(
        'operator',
        `not valid JSON Logic: "${op.slice(0, 40)}" is not an operator of the rule language${where(path)} (limit operator)`,
      );
    else {
      const n = argsOf(raw).length;
      const [min, max] = spec.arity;
      if (n < min || n > max)
        note(
          'arity',
          `"${op}" takes ${min === max ? min : max === Number.POSITIVE_INFINITY ? `${min} or more` : `${min} to ${max}`} arguments, not ${n}${where(path)} (limit arity)`,
        );
      else if (op === 'crossed') {
        const problem = crossedArgsProblem(argsOf(raw));
        if (problem) note('shape', `${problem}${where(path)} (limit shape)`);
      }
    }
    // A lone argument is JSON Logic shorthand for a one-item list: the object holds it directly.
    visit(raw, depth + 1, [...path, op.slice(0, 40)]);
  };
  visit(rule, 1, []);

  // the walk stops one level past the limit, so it knows "deeper than allowed", not by how much
  if (deepest > RULE_LIMITS.depth)
    note('depth', `nested more than ${RULE_LIMITS.depth} levels deep (limit depth: ${RULE_LIMITS.depth})`);
  if (nodes > RULE_LIMITS.nodes)
    note(
      'nodes',
      `${fmt(nodes)}${deepest > RULE_LIMITS.depth ? ' or more' : ''} values (limit nodes: ${fmt(RULE_LIMITS.nodes)})`,
    );
  if (deepest <= RULE_LIMITS.depth) {
    const bytes = new TextEncoder().encode(JSON.stringify(rule)).length;
    if (bytes > RULE_LIMITS.bytes)
      note('bytes', `${fmt(bytes)} bytes as JSON (limit bytes: ${fmt(RULE_LIMITS.bytes)})`);
  }
  return [...found].map(([limit, message]) => ({ limit, message }));
}
