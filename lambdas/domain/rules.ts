import { groupThousands as fmt } from './number-format.ts';
import { evaluateRule } from './rules/engine.ts';
import { worstCaseSteps } from './rules/cost.ts';
import { RULE_LIMITS } from './rules/limits.ts';
import { type RuleProblem, shapeProblems } from './rules/shape.ts';

/**
 * The tenant rule language (trigger conditions, action eligibility, campaign audiences): JSON Logic
 * with an operator whitelist (rules/operators.ts), limits on size, depth and array length, and a
 * step budget that a rule's static worst case must fit when it is saved (rules/cost.ts) and that a
 * meter enforces while it runs (rules/engine.ts).
 */
export { evaluateRule, type RuleVerdict } from './rules/engine.ts';
export { RULE_LIMITS, type RuleLimit } from './rules/limits.ts';
export { FORBIDDEN_OPERATORS, OPERATORS } from './rules/operators.ts';
export type { RuleProblem } from './rules/shape.ts';
export { worstCaseSteps };

/** The reason code wherever a stored rule ran out of steps and counted as false (decisions, triggers, campaigns). */
export const RULE_OVER_BUDGET = 'rule-over-budget';

/**
 * Every limit a rule breaks, each once, without running it: its form and size first, then (for a
 * well-formed rule) its worst-case steps. Empty when the rule may be saved.
 */
export function ruleProblems(rule: unknown): RuleProblem[] {
  const problems = shapeProblems(rule);
  // the bound needs a rule of known operators and arities, and a depth its recursion can take
  if (problems.some((p) => p.limit === 'shape' || p.limit === 'operator' || p.limit === 'arity' || p.limit === 'depth'))
    return problems;
  const steps = worstCaseSteps(rule);
  if (steps > RULE_LIMITS.steps)
    return [
      ...problems,
      {
        limit: 'steps',
        message: `may take ${Number.isFinite(steps) ? fmt(steps) : `more than ${fmt(RULE_LIMITS.steps)}`} steps in the worst case (limit steps: ${fmt(RULE_LIMITS.steps)})`,
      },
    ];
  return problems;
}

/** Why a rule cannot be used (the first problem), or undefined when it can. */
export const ruleProblem = (rule: unknown): string | undefined => ruleProblems(rule)[0]?.message;

/** True when a tenant-authored rule holds; one that runs out of steps or cannot run does not. */
export const ruleHolds = (rule: unknown, data: unknown): boolean => evaluateRule(rule, data) === 'holds';
