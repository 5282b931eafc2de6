import type { FieldError } from '#domain/errors.ts';

/** DynamoDB stores numbers of magnitude 1E-130 to 9.9999999999999999999999999999999999999E+125, and 0. */
/** 9.99...E+125 rounds to 1e126 as a double, so the bound is exclusive. */
const ABOVE_MAX = 1e126;
const MIN = 1e-130;

export const isStorableNumber = (n: number): boolean => n === 0 || (Math.abs(n) >= MIN && Math.abs(n) < ABOVE_MAX);

/**
 * The first number in a JSON value that DynamoDB would refuse (its write would fail with a
 * ValidationException, a 500), as a field error; undefined if there is none. Iterative, so a
 * deeply nested body cannot overflow the stack.
 */
export function unstorableNumber(value: unknown): FieldError | undefined {
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'number') {
      if (!isStorableNumber(v))
        return { field: path || '(body)', message: 'a number must be 0 or between 1e-130 and 9.99e125 in magnitude' };
    } else if (v && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) stack.push([child, path ? `${path}.${k}` : k]);
    }
  }
  return undefined;
}
