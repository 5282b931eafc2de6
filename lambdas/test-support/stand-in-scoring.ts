import type { Scores } from '#domain/customer.ts';
import type { ScoringPort, ScoringRequest } from '#domain/ports/scoring.ts';

/**
 * A scoring port over a stand-in model (`scoresOf`: one customer's scores, which may throw): a
 * block is each customer's answer in order, so a block with a failing customer fails, as the
 * in-process scorer's does.
 */
export function standInScoring(
  modelVersions: Record<string, string>,
  scoresOf: (input: ScoringRequest) => Scores,
): ScoringPort {
  const answer = (input: ScoringRequest) => ({ scores: scoresOf(input), source: 'embedded' as const });
  return {
    modelVersions,
    score: async (input) => answer(input),
    scoreBatch: async (inputs) => inputs.map(answer),
  };
}
