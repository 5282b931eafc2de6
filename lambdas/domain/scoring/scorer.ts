import type { Clock } from '../clock.ts';
import type { Scores, ScoreValue } from '../customer.ts';
import { compileFeatures, type CompiledFeatures, type FeatureDef, type ScoringInput } from './features.ts';
import type { LoadedHead, LoadedModel } from './model-store.ts';

export type NpsClass = 'promoter' | 'passive' | 'detractor';

/** NPS classes of a 0-10 score: promoters 9-10, passives 7-8, detractors 0-6 (score rounded). */
export function npsClassOf(score: number): NpsClass {
  const s = Math.round(score);
  return s >= 9 ? 'promoter' : s >= 7 ? 'passive' : 'detractor';
}

interface Slot {
  model: LoadedModel;
  head: LoadedHead;
  row: Float64Array;
  /** Where each of the head's features sits in the shared feature row. */
  from: Int32Array;
}

/**
 * The features of all heads computed once: the heads of a market share most of theirs (the demo's
 * 9 heads read 26 distinct features in 213 places), and reading profile paths cost more than
 * the trees once those were compiled.
 */
function sharedFeatures(heads: readonly LoadedHead[]): { all: CompiledFeatures; from: Int32Array[] } {
  const index = new Map<string, number>();
  const defs: FeatureDef[] = [];
  const from = heads.map((head) =>
    Int32Array.from(head.spec.features, (def) => {
      const key = JSON.stringify([def.source, def.encoding]);
      let i = index.get(key);
      if (i === undefined) {
        i = defs.length;
        index.set(key, i);
        defs.push({ ...def, name: key });
      }
      return i;
    }),
  );
  return { all: compileFeatures({ specVersion: 1, features: defs }), from };
}

/**
 * Scores a customer with the loaded models: churn probability, take-up propensity for each
 * cross-sell product the customer lacks (and can take), predicted NPS with its class.
 * Each head has its own preallocated feature row, so scoring allocates only the answer.
 */
export class Scorer {
  private readonly slots: Slot[];
  private readonly features: CompiledFeatures;
  private readonly shared: Float64Array;

  constructor(
    models: readonly LoadedModel[],
    private readonly clock: Clock,
  ) {
    const kinds = new Set<string>();
    for (const m of models) {
      if (kinds.has(m.kind)) throw new Error(`two ${m.kind} models given to one scorer`);
      kinds.add(m.kind);
    }
    const heads = models.flatMap((model) => model.heads.map((head) => ({ model, head })));
    const { all, from } = sharedFeatures(heads.map((h) => h.head));
    this.features = all;
    this.shared = new Float64Array(all.width);
    this.slots = heads.map(({ model, head }, i) => ({
      model,
      head,
      row: new Float64Array(head.features.width),
      from: from[i]!,
    }));
  }

  /** `{<model>: <version>}` of the models this scorer uses. */
  get modelVersions(): Record<string, string> {
    return Object.fromEntries(this.slots.map((s) => [s.model.model, s.model.version]));
  }

  /** The cross-sell products the scorer can score. */
  get crossSellProducts(): string[] {
    return this.slots.filter((s) => s.model.kind === 'cross-sell').map((s) => s.head.product ?? s.head.name);
  }

  score(input: ScoringInput): Scores {
    const at = this.clock.now().toISOString();
    const held = input.profile.products ?? [];
    const scores: Scores = {};
    const shared = this.shared;
    this.features.fill(input, shared);
    for (const { model, head, row, from } of this.slots) {
      const stamp = { model: model.model, version: model.version, at };
      if (model.kind === 'cross-sell') {
        const product = head.product ?? head.name;
        if (held.includes(product)) continue;
        if (head.requiresAny && !head.requiresAny.some((p) => held.includes(p))) continue;
        for (let j = 0; j < from.length; j++) row[j] = shared[from[j]!]!;
        const value: ScoreValue = { value: head.evaluator.predict(row), ...stamp };
        (scores.crossSell ??= {})[product] = value;
        continue;
      }
      for (let j = 0; j < from.length; j++) row[j] = shared[from[j]!]!;
      const raw = head.evaluator.predict(row);
      if (model.kind === 'churn') scores.churn = { value: raw, ...stamp };
      else {
        const score = Math.min(10, Math.max(0, raw));
        scores.nps = { score, class: npsClassOf(score), ...stamp };
      }
    }
    return scores;
  }
}
