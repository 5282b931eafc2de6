import { describe, expect, it } from 'vitest';
import type { Scores } from '../customer.ts';
import { scoresMoved } from './score-change.ts';

const at = '2025-01-01T00:00:00Z';
const scores = (churn: number, nps = 7, version = '1'): Scores => ({
  churn: { value: churn, model: 'churn', version, at },
  nps: { score: nps, class: 'passive', model: 'nps', version: '1', at },
});

describe('scores moved', () => {
  it('writes the first scores of a customer', () => {
    expect(scoresMoved(undefined, scores(0.3), 0.01)).toBe(true);
  });

  it('skips a churn probability that moved by no more than the delta, whatever the time stamp', () => {
    const later = {
      ...scores(0.305),
      churn: { value: 0.305, model: 'churn', version: '1', at: '2025-02-01T00:00:00Z' },
    };
    expect(scoresMoved(scores(0.3), later, 0.01)).toBe(false);
  });

  it('writes a churn probability that moved by more than the delta', () => {
    expect(scoresMoved(scores(0.3), scores(0.32), 0.01)).toBe(true);
  });

  it('compares predicted NPS on a tenth of its 0-10 range', () => {
    expect(scoresMoved(scores(0.3, 7), scores(0.3, 7.05), 0.01)).toBe(false);
    expect(scoresMoved(scores(0.3, 7), scores(0.3, 7.2), 0.01)).toBe(true);
  });

  it('writes when a model version changes even if the value does not', () => {
    expect(scoresMoved(scores(0.3), scores(0.3, 7, '2'), 0.01)).toBe(true);
  });

  it('writes when a cross-sell score appears or disappears', () => {
    const withOffer: Scores = {
      ...scores(0.3),
      crossSell: { 'tech-support': { value: 0.2, model: 'cross-sell', version: '1', at } },
    };
    expect(scoresMoved(scores(0.3), withOffer, 0.01)).toBe(true);
    expect(scoresMoved(withOffer, scores(0.3), 0.01)).toBe(true);
  });
});
