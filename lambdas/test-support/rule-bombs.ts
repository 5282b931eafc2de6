/**
 * The hostile rules of issue 17 (items 1-3), as the unit, handler and fuzz tests send them: each
 * must be refused when saved (400 naming the field and the limit, within 1 s) and, stored anyway,
 * count as false within the step budget.
 */
const ones = (n: number) => Array.from({ length: n }, () => 1);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** 4-5 KB: three nested `map`s over 450-element literal arrays (91 million body evaluations). */
export const nestedMapBomb = {
  map: [range(450), { map: [range(450), { map: [range(450), { '+': [{ var: '' }, 1] }] }] }],
};

/** 124 bytes: `reduce` whose body doubles the accumulator with `merge`, 2^25 items at the end. */
export const doublingBomb = (entries = 25) => ({
  reduce: [ones(entries), { merge: [{ var: 'accumulator' }, { var: 'accumulator' }] }, [0]],
});

/** The doubling bomb behind a condition a dry run on `{}` never takes. */
export const guardedBomb = { if: [{ var: 'event' }, doublingBomb(), false] };

/** Customer data into the platform's logs, through json-logic-js's `log`. */
export const logRule = { log: { var: 'profile' } };

/** `{"!": [{"!": [... true]}]}`: two objects-or-arrays per level. */
export const deepArrayForm = (levels: number): Record<string, unknown> => {
  let rule: unknown = true;
  for (let i = 0; i < levels; i++) rule = { '!': [rule] };
  return rule as Record<string, unknown>;
};

/** `{"!": {"!": ... true}}`: one object per level. */
export const deepObjectForm = (levels: number): Record<string, unknown> => {
  let rule: unknown = true;
  for (let i = 0; i < levels; i++) rule = { '!': rule };
  return rule as Record<string, unknown>;
};

/** Every rule a tenant must not be able to save, by name. */
export const RULE_BOMBS: Record<string, Record<string, unknown>> = {
  'three nested maps over 450-element arrays': nestedMapBomb,
  'a 124-byte reduce/merge doubling': doublingBomb(25),
  'a 28-entry reduce/merge doubling': doublingBomb(28),
  'the doubling behind an if on the event': guardedBomb,
  'a log of the profile': logRule,
  'a rule nested 16 levels in array form': deepArrayForm(16),
  'a rule nested 31 levels in object form': deepObjectForm(31),
};
