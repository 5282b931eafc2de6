import type { Clock } from '../clock.ts';
import type { Scores } from '../customer.ts';
import { compileFeatures, type CompiledFeatures, type FeatureDef, type ScoringInput } from './features.ts';
import { npsClassOf } from '../nps.ts';
import type { LoadedHead, LoadedModel } from './model-store.ts';

/**
 * Customers scored together: each head then runs its compiled trees over up to this many rows
 * at once (the trees' row-level parallelism), while the block's matrices stay in L1/L2
 * (the demo's 26 shared features: 26 KB as float32).
 */
const BLOCK = 256;

interface Slot {
  model: LoadedModel;
  head: LoadedHead;
  /** cross-sell: the product offered, and the products of which the customer must hold one. */
  product: string | undefined;
  requiresAny: readonly string[] | undefined;
  /** Where each of the head's features sits in a customer's shared feature row. */
  from: Int32Array;
  /** The head's rows of the block (float32, what the evaluator compares) and their predictions. */
  x: Float32Array;
  out: Float64Array;
  /** Per customer of the block: its row in `x` and `out`, or -1 where the head does not apply. */
  rowOf: Int32Array;
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

/** Whether a cross-sell head offers its product: not held, and one of `requiresAny` held. */
function offers(slot: Slot, held: readonly string[]): boolean {
  if (slot.product === undefined) return true;
  if (held.includes(slot.product)) return false;
  return !slot.requiresAny || slot.requiresAny.some((p) => held.includes(p));
}

/**
 * Scores customers with the loaded models: churn probability, take-up propensity for each
 * cross-sell product the customer lacks (and can take), predicted NPS with its class.
 * Customers are scored in blocks: their shared features filled into one float32 matrix, then
 * each head gathers its columns and predicts the block's rows in one call, so the compiled trees
 * work across rows instead of paying a call per customer and head. The buffers are preallocated:
 * scoring allocates only the answers.
 */
export class Scorer {
  private readonly slots: Slot[];
  private readonly features: CompiledFeatures;
  /** The block's shared feature rows, `features.width` per customer. */
  private readonly shared: Float32Array;

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
    this.shared = new Float32Array(BLOCK * all.width);
    this.slots = heads.map(({ model, head }, i) => ({
      model,
      head,
      product: model.kind === 'cross-sell' ? (head.product ?? head.name) : undefined,
      requiresAny: model.kind === 'cross-sell' ? head.requiresAny : undefined,
      from: from[i]!,
      x: new Float32Array(BLOCK * head.features.width),
      out: new Float64Array(BLOCK),
      rowOf: new Int32Array(BLOCK),
    }));
  }

  /** `{<model>: <version>}` of the models this scorer uses. */
  get modelVersions(): Record<string, string> {
    return Object.fromEntries(this.slots.map((s) => [s.model.model, s.model.version]));
  }

  /** The cross-sell products the scorer can score. */
  get crossSellProducts(): string[] {
    return this.slots.filter((s) => s.product !== undefined).map((s) => s.product!);
  }

  /** One customer's scores (decisions, real-time re-scoring): a block of one. */
  score(input: ScoringInput): Scores {
    return this.scoreBatch([input])[0]!;
  }

  /** The scores of each customer, in order; all stamped with one reading of the clock. */
  scoreBatch(inputs: readonly ScoringInput[]): Scores[] {
    const at = this.clock.now().toISOString();
    const out = new Array<Scores>(inputs.length);
    for (let start = 0; start < inputs.length; start += BLOCK)
      this.scoreBlock(inputs, start, Math.min(BLOCK, inputs.length - start), at, out);
    return out;
  }

  private scoreBlock(inputs: readonly ScoringInput[], start: number, n: number, at: string, out: Scores[]): void {
    const { shared, slots } = this;
    const width = this.features.width;
    for (let c = 0; c < n; c++) this.features.fill(inputs[start + c]!, shared, c * width);
    for (const slot of slots) {
      const { from, x, rowOf } = slot;
      const w = from.length;
      let rows = 0;
      for (let c = 0; c < n; c++) {
        if (slot.product !== undefined && !offers(slot, inputs[start + c]!.profile.products ?? [])) {
          rowOf[c] = -1;
          continue;
        }
        rowOf[c] = rows;
        const src = c * width;
        const dst = rows * w;
        for (let j = 0; j < w; j++) x[dst + j] = shared[src + from[j]!]!;
        rows++;
      }
      if (rows > 0) slot.head.evaluator.predictBatch(x, slot.out, rows);
    }
    for (let c = 0; c < n; c++) {
      const scores: Scores = {};
      for (const { model, product, rowOf, out: predicted } of slots) {
        const r = rowOf[c]!;
        if (r < 0) continue;
        const raw = predicted[r]!;
        if (product !== undefined)
          (scores.crossSell ??= {})[product] = { value: raw, model: model.model, version: model.version, at };
        else if (model.kind === 'churn') scores.churn = { value: raw, model: model.model, version: model.version, at };
        else {
          const score = Math.min(10, Math.max(0, raw));
          scores.nps = { score, class: npsClassOf(score), model: model.model, version: model.version, at };
        }
      }
      out[start + c] = scores;
    }
  }
}
