import jsonLogic from 'json-logic-js';

/**
 * Why a rule cannot be used, or undefined when it can: a rule is a boolean or a JSON Logic
 * object with one operator that json-logic-js knows (checked by applying it to empty data).
 */
export function ruleProblem(rule: unknown): string | undefined {
  if (typeof rule === 'boolean') return undefined;
  if (rule === null || typeof rule !== 'object' || Array.isArray(rule))
    return 'must be a boolean or a JSON Logic object';
  if (Object.keys(rule).length !== 1) return 'a JSON Logic rule has exactly one operator at its root';
  try {
    jsonLogic.apply(rule as never, {});
  } catch (e) {
    return `not valid JSON Logic: ${(e as Error).message.slice(0, 120)}`;
  }
  return undefined;
}
