// apart from common.ts, so that a function whose routes take no rule carries no rule checker
import * as z from 'zod';
import { groupThousands as fmt } from '#domain/number-format.ts';
import { FORBIDDEN_OPERATORS, OPERATORS, RULE_LIMITS, ruleProblems } from '#domain/rules.ts';

/** The rule language as the OpenAPI describes every rule field: the whitelist and limits as enforced. */
export const RULE_LANGUAGE =
  `Operators: ${[...OPERATORS.keys()].join(' ')} (not ${[...FORBIDDEN_OPERATORS.keys()].join(', ')}). ` +
  `Limits: ${fmt(RULE_LIMITS.bytes)} bytes as JSON, ${fmt(RULE_LIMITS.nodes)} values, ` +
  `${RULE_LIMITS.depth} levels of objects and arrays, ${RULE_LIMITS.arrayLength} items per array, and at most ` +
  `${fmt(RULE_LIMITS.steps)} steps in the worst case, computed when the rule is saved: one per operator, ` +
  'an iterating operator (map, filter, reduce, all, some, none) its body times the length of its input, ' +
  `bulk work (in, merge, cat, substr, missing, text of an array) one per ${RULE_LIMITS.bulkPerStep} items or characters; ` +
  `a value read with var counts as ${fmt(RULE_LIMITS.dataValue)} items or characters, each item of a list as ` +
  `${RULE_LIMITS.dataItem}. A rule over a limit answers 400 ` +
  'naming the field and the limit; a stored rule that runs out of steps while evaluating does not hold.';

/**
 * A tenant-authored JSON Logic rule (or a boolean), checked without running it: the whitelist, the
 * limits and the static worst case (domain/rules.ts), one issue per limit broken.
 */
export const RuleSchema = (description: string) =>
  z
    .union([z.boolean(), z.record(z.string(), z.unknown())])
    .superRefine((rule, ctx) => {
      for (const problem of ruleProblems(rule)) ctx.addIssue({ code: 'custom', message: problem.message });
    })
    .meta({ description: `${description}. ${RULE_LANGUAGE}` });
