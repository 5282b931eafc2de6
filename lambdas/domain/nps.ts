/** Net Promoter classes: what a 0-10 answer says, for survey answers and predicted scores alike. */
export type NpsClass = 'promoter' | 'passive' | 'detractor';

/**
 * The class of a 0-10 score: promoters 9-10, passives 7-8, detractors 0-6. Survey answers are
 * whole numbers; a model's predicted score is classed as the answer nearest to it (halves up), the
 * class the scorer stores on the profile and the training's class accuracy measures.
 */
export function npsClassOf(score: number): NpsClass {
  const s = Math.round(score);
  return s >= 9 ? 'promoter' : s >= 7 ? 'passive' : 'detractor';
}
