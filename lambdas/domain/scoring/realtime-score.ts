import type { Profile, Scores, ScoreValue } from '../customer.ts';
import type { StateView } from '../customer-state.ts';
import type { LoadedModel } from './model-store.ts';
import { stateFieldsOf } from './features.ts';

/**
 * Real-time churn re-scoring (issue 20, item 2). The event processor asks the pinned churn model
 * again when an event changed one of the state features the model reads, and keeps the answer in
 * the state item it writes anyway (`state.scores.churn`); the nightly score stays on the profile.
 * Readers take the newer of the two (`effectiveScores`).
 */

/** The real-time scores a state item keeps. */
export interface RealtimeScores {
  churn?: ScoreValue;
}

/** What the fold needs of a state to re-score it: the features read it, the score is kept in it. */
export interface ScoredState {
  scores?: RealtimeScores;
}

/** The newer of two scores by `at` (the first on a tie: the nightly one is the reference). */
export function newerScore(a: ScoreValue | undefined, b: ScoreValue | undefined): ScoreValue | undefined {
  if (!a) return b;
  if (!b) return a;
  return Date.parse(b.at) > Date.parse(a.at) ? b : a;
}

/** The profile's nightly scores with the state's real-time churn score where that is newer. */
export function effectiveScores(nightly: Scores | undefined, state: ScoredState | undefined): Scores {
  const realtime = state?.scores?.churn;
  if (!realtime) return nightly ?? {};
  const churn = newerScore(nightly?.churn, realtime);
  return churn ? { ...nightly, churn } : { ...nightly };
}

/** Re-scores a customer whose state an event changed; undefined when no feature the model reads moved. */
export interface Rescorer {
  /** The model and version the scores come from. */
  readonly model: string;
  readonly version: string;
  /** The state fields (top-level names) the model reads: an event that changes none never re-scores. */
  readonly stateFields: ReadonlySet<string>;
  rescore(profile: Profile, before: StateView, after: StateView, at: string): ScoreValue | undefined;
  /** The model's score of one state (the baseline of a customer with no score yet). */
  score(profile: Profile, state: StateView, at: string): ScoreValue;
}

const sameNumber = (a: number, b: number) => a === b || (Number.isNaN(a) && Number.isNaN(b));

/**
 * The re-scorer of a loaded churn model (one head). Which features can move in the processor is
 * known from the model's own feature spec: those whose source is under `state.`; a model that
 * reads none (the demo's profile-only model) never re-scores, at no cost. Whether an event moved
 * them is decided on the features themselves (before and after the event, into preallocated
 * rows), so a counter bumped outside its window, or an event type the model does not read, costs
 * two feature reads and no prediction.
 */
export function churnRescorer(model: LoadedModel): Rescorer | undefined {
  if (model.kind !== 'churn' || model.heads.length !== 1) return undefined;
  const head = model.heads[0]!;
  const stateFields = new Set(stateFieldsOf(head.spec.features));
  if (stateFields.size === 0) return undefined;
  const width = head.features.width;
  const movable = Int32Array.from(head.spec.features.flatMap((f, i) => (f.source.startsWith('state.') ? [i] : [])));
  const was = new Float64Array(width);
  const now = new Float64Array(width);
  const stamp = (value: number, at: string): ScoreValue => ({
    value,
    model: model.model,
    version: model.version,
    at,
  });
  return {
    model: model.model,
    version: model.version,
    stateFields,
    rescore(profile, before, after, at) {
      head.features.fill({ profile, state: after }, now);
      head.features.fill({ profile, state: before }, was);
      let moved = false;
      for (let j = 0; j < movable.length && !moved; j++) moved = !sameNumber(was[movable[j]!]!, now[movable[j]!]!);
      return moved ? stamp(head.evaluator.predict(now), at) : undefined;
    },
    score(profile, state, at) {
      head.features.fill({ profile, state }, now);
      return stamp(head.evaluator.predict(now), at);
    },
  };
}
