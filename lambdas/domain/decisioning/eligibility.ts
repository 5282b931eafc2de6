/** What a rule sees: `{profile, state, scores, context, event}` plus the derived `signals`. */
export type RuleData = Record<string, unknown>;

/**
 * Eligibility rules are the tenant rule language (domain/rules.ts): compiled once per rule object
 * (rules come from the cached catalog, so the same objects come back) and metered while they run.
 */
export { evaluateRule, RULE_OVER_BUDGET, ruleHolds, ruleProblem, type RuleVerdict } from '../rules.ts';
