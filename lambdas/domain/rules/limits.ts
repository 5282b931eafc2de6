/**
 * The limits of the tenant rule language (conditions, eligibility, campaign audiences). One place,
 * read by the validator, the evaluator, the OpenAPI descriptions and the README's table, so the
 * published numbers are the enforced ones.
 */
export const RULE_LIMITS = {
  /** UTF-8 bytes of the rule written as JSON. */
  bytes: 16_384,
  /** JSON values in the rule: every object, array, string, number, boolean and null. */
  nodes: 2_000,
  /**
   * Objects and arrays nested in one another. The deepest place a rule is stored is a campaign's
   * audit entry (`after.audience.rule`, 3 levels down) and DynamoDB refuses an item nested more than
   * 32 levels (measured on DynamoDB Local: rules of 29 levels store there, 30 do not), so 20 leaves
   * room for a wrapper or two.
   */
  depth: 20,
  /** Items of any one array in the rule: literal lists and argument lists alike. */
  arrayLength: 256,
  /** Steps one evaluation may take: the static worst case at save time, the meter while evaluating. */
  steps: 20_000,
  /**
   * What the static worst case assumes of every value a rule reads with `var`: at most this many
   * items when it is an array and this many characters as text. Real data beyond it is no danger:
   * the meter counts what evaluation really does, and a rule that runs out of steps does not hold.
   */
  dataValue: 1_024,
  /** What the static worst case assumes of each item of a list read with `var` (and anything in it). */
  dataItem: 64,
  /** Elements or characters one step of bulk work covers (`in`, `merge`, `cat`, text coercion). */
  bulkPerStep: 16,
} as const;

/** What a refused rule broke: its form, the whitelist, an operator's arity, or one of RULE_LIMITS. */
export type RuleLimit = 'shape' | 'operator' | 'arity' | 'bytes' | 'nodes' | 'depth' | 'arrayLength' | 'steps';

/** Steps of bulk work over `n` elements or characters: what the meter charges and the bound assumes. */
export const bulkSteps = (n: number): number => Math.ceil(n / RULE_LIMITS.bulkPerStep);
