import type { ScoringPort, ScoringRequest } from '#domain/ports/scoring.ts';
import type { Scorer } from '#domain/scoring/scorer.ts';

/** Embedded mode: the in-process evaluator of the pinned artifacts answers; no fixed cost. */
export class EmbeddedScoring implements ScoringPort {
  constructor(private readonly scorer: Scorer) {}

  get modelVersions(): Record<string, string> {
    return this.scorer.modelVersions;
  }

  async score(input: ScoringRequest) {
    return { scores: this.scorer.score(input), source: 'embedded' as const };
  }

  async scoreBatch(inputs: readonly ScoringRequest[]) {
    return this.scorer.scoreBatch(inputs).map((scores) => ({ scores, source: 'embedded' as const }));
  }
}
