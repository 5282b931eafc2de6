import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateRule, ruleProblems, worstCaseSteps } from '../rules.ts';
import { CROSSED_STEPS } from './crossed.ts';
import { runRule } from './engine.ts';

const rule = { crossed: ['scores.churn', 0.6] };
const data = (before: unknown, now: unknown) => ({
  scores: { churn: now },
  ...(before === undefined ? {} : { previous: { scores: { churn: before } } }),
});
const score = (value: number) => ({ value, model: 'churn', version: '2', at: '2026-12-06T10:00:00Z' });

describe('the crossed operator', () => {
  it('is accepted with a literal score path and a literal threshold', () => {
    for (const ok of [rule, { crossed: ['scores.nps', 7] }, { crossed: ['scores.crossSell.internet-fiber', 0.3] }])
      expect(ruleProblems(ok)).toEqual([]);
    expect(ruleProblems({ and: [rule, { '>': [{ var: 'state.droppedCalls24h' }, 2] }] })).toEqual([]);
  });

  it('is refused when saved with a path outside scores, a computed path or a threshold that is no number', () => {
    const refused = [
      { crossed: ['state.droppedCalls24h', 3] },
      { crossed: ['scores', 0.6] },
      { crossed: ['scores.churn.value.x', 0.6] },
      { crossed: [{ var: 'x' }, 0.6] },
      { crossed: ['scores.churn', '0.6'] },
      { crossed: ['scores.churn', { var: 'threshold' }] },
      { crossed: ['scores.churn', null] },
    ];
    for (const bad of refused) {
      const problems = ruleProblems(bad);
      expect(problems.map((p) => p.limit)).toEqual(['shape']);
      expect(problems[0]!.message).toMatch(/"crossed" takes/);
      // a 400 names the limit a rule broke, as for every other rule problem
      expect(problems[0]!.message).toMatch(/\(limit shape\)$/);
    }
    expect(ruleProblems({ crossed: ['scores.churn'] }).map((p) => p.limit)).toEqual(['arity']);
  });

  it('holds only when the score was below the threshold before and is at or above it now', () => {
    expect(evaluateRule(rule, data(score(0.4), score(0.6)))).toBe('holds');
    expect(evaluateRule(rule, data(0.59, 0.91))).toBe('holds');
    expect(evaluateRule(rule, data(score(0.6), score(0.7)))).toBe('fails'); // was above already
    expect(evaluateRule(rule, data(score(0.4), score(0.59)))).toBe('fails');
    expect(evaluateRule(rule, data(score(0.7), score(0.2)))).toBe('fails'); // downward
    // no score before (eligibility, audiences) or none now: no crossing
    expect(evaluateRule(rule, data(undefined, score(0.9)))).toBe('fails');
    expect(evaluateRule(rule, data(score(0.1), undefined))).toBe('fails');
    // an NPS reads its score
    expect(
      evaluateRule(
        { crossed: ['scores.nps', 7] },
        { scores: { nps: { score: 8 } }, previous: { scores: { nps: { score: 6.5 } } } },
      ),
    ).toBe('holds');
  });

  it('costs the same flat steps statically and when it runs', () => {
    expect(worstCaseSteps(rule)).toBe(CROSSED_STEPS);
    expect(runRule(rule, data(0.1, 0.9)).steps).toBe(CROSSED_STEPS);
  });

  it('answers the naive comparison on any pair of scores and threshold', () => {
    fc.assert(
      fc.property(
        fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (before, now, threshold) => {
          const expected = before !== undefined && before < threshold && now >= threshold;
          const verdict = evaluateRule(
            { crossed: ['scores.churn', threshold] },
            data(before === undefined ? undefined : score(before), score(now)),
          );
          expect(verdict).toBe(expected ? 'holds' : 'fails');
        },
      ),
    );
  });
});
