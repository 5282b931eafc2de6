import { treatmentText, type Action, type ContactRecord } from '../action.ts';
import { contactAllowed, type ContactPolicy, type Direction, type Reason } from '../contact-policy.ts';
import type { Channel, CustomerRecord, Scores } from '../customer.ts';
import { priorityOf, rank, type Strategy } from './arbitration.ts';
import { ruleHolds } from './eligibility.ts';
import { blendedPropensity, clampPropensity, type ResponseStats } from './learning.ts';
import { problemDetail, signalsOf, type Signals, type SignalThresholds } from './signals.ts';

/**
 * The decision pipeline for one customer and channel, pure:
 * validity -> channel applicability -> eligibility (JSON Logic) -> suitability -> propensity ->
 * contact policy -> arbitration. Every action ends either ranked or excluded with one reason.
 */
export interface PipelineSettings {
  defaultLanguage: string;
  policy: ContactPolicy;
  /** Pseudo-trials of the prior in the learned propensity. */
  priorStrength: number;
  thresholds: SignalThresholds;
}

export interface PipelineInput {
  actions: readonly Action[];
  record: CustomerRecord;
  state: Record<string, unknown> | undefined;
  contacts: readonly ContactRecord[];
  scores: Scores;
  channel: Channel;
  direction: Direction;
  context: Record<string, unknown>;
  /** Learned response counts per action id, in the customer's segment. */
  learned: ReadonlyMap<string, ResponseStats>;
  strategy: Strategy;
  now: Date;
}

export interface TreatmentView {
  channel: Channel;
  templateKey: string;
  language: string;
  text?: string;
}

export interface Candidate {
  actionId: string;
  kind: Action['kind'];
  action: Action;
  propensity: number;
  weight: number;
  priority: number;
  treatment: TreatmentView;
  reasons: Reason[];
  /** Outbound in quiet hours would be refused; set when a caller deferred instead. */
  sendAfter?: string;
}

export interface Exclusion {
  actionId: string;
  kind: Action['kind'];
  /** Prior propensity x value x lever: how strong the action would have been. */
  potential: number;
  reason: Reason;
}

export interface PipelineResult {
  ranked: Candidate[];
  excluded: Exclusion[];
  signals: Signals;
  serviceFirst: boolean;
}

/** `cross-sell/<product>` or `churn`: the score a model-based propensity reads. */
const crossSellProducts = new Map<string, string | null>();
export function modelScore(ref: string, scores: Scores): number | undefined {
  if (ref === 'churn') return scores.churn?.value;
  let product = crossSellProducts.get(ref);
  if (product === undefined) {
    product = /^cross-sell\/(.+)$/.exec(ref)?.[1] ?? null;
    if (crossSellProducts.size < 10_000) crossSellProducts.set(ref, product);
  }
  return product === null ? undefined : scores.crossSell?.[product]?.value;
}

const round = (n: number, digits = 4) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Why an action cannot be used now, or undefined: each stage answers with one reason. */
function rejectionOf(
  action: Action,
  input: PipelineInput,
  settings: PipelineSettings,
  data: Record<string, unknown>,
  signals: Signals,
  prior: number | undefined,
  nowMs: number,
): Reason | undefined {
  const { channel } = input;
  if ((action.validFrom && Date.parse(action.validFrom) > nowMs) || (action.validTo && Date.parse(action.validTo) <= nowMs)) {
    return { code: 'not-valid-now', detail: `valid ${action.validFrom?.slice(0, 10) ?? '…'} to ${action.validTo?.slice(0, 10) ?? '…'}` };
  }
  if (!action.treatments[channel]) return { code: 'no-treatment', detail: `no ${channel} treatment` };
  if (!ruleHolds(action.eligibility, data)) return { code: 'not-eligible', detail: 'eligibility rule does not hold' };
  if (action.kind === 'offer' && signals.serviceProblem) return { code: 'service-problem-open', detail: `no upsell while ${problemDetail(signals)}` };
  if (prior === undefined) return { code: 'no-score', detail: `no ${'model' in action.propensity ? action.propensity.model : ''} score for this customer` };
  const verdict = contactAllowed(input.contacts, { action, channel, direction: input.direction, consent: input.record.consent, now: input.now }, settings.policy);
  return verdict.allowed ? undefined : verdict.reason;
}

export function evaluateActions(input: PipelineInput, settings: PipelineSettings): PipelineResult {
  const { record, channel, now, context } = input;
  const signals = signalsOf(input.state, input.scores, settings.thresholds);
  const data = { profile: record, state: input.state ?? {}, scores: input.scores, context, signals };
  const nowMs = now.getTime();
  const intent = typeof context['intent'] === 'string' ? context['intent'] : undefined;
  const serviceFirst = signals.serviceProblem && signals.highChurn;
  const ranked: Candidate[] = [];
  const excluded: Exclusion[] = [];

  for (const action of input.actions) {
    const prior = 'starting' in action.propensity ? action.propensity.starting : modelScore(action.propensity.model, input.scores);
    const potential = round(clampPropensity(prior ?? 0) * action.value * action.lever);
    const rejection = rejectionOf(action, input, settings, data, signals, prior, nowMs);
    if (rejection) {
      excluded.push({ actionId: action.actionId, kind: action.kind, potential, reason: rejection });
      continue;
    }
    const treatment = action.treatments[channel]!;

    const reasons: Reason[] = [];
    let weight = 1;
    if (intent && intent === action.kind) {
      weight *= 1.5;
      reasons.push({ code: 'context-intent', detail: `intent ${intent}` });
    }
    if (action.kind === 'service' && signals.serviceProblem) {
      weight *= 2;
      reasons.push({ code: 'service-problem', detail: problemDetail(signals) });
    }
    if (action.kind === 'retention' && signals.highChurn) {
      weight *= 1.5;
      reasons.push({ code: 'churn-risk', detail: `churn ${round(signals.churn, 2)}` });
    }
    const stats = input.learned.get(action.actionId);
    const propensity = blendedPropensity(prior!, stats, settings.priorStrength);
    const priority = priorityOf(input.strategy, { propensity, weight, value: action.value, lever: action.lever });
    if (serviceFirst && action.kind === 'service') reasons.push({ code: 'service-first', detail: 'high churn risk and a live service problem' });
    reasons.push({
      code: 'ranked',
      detail: `${input.strategy}: p ${round(propensity, 3)}${stats?.trials ? ` (${stats.trials} responses)` : ''} x w ${weight} x v ${action.value} x l ${action.lever}`,
    });
    const language = record.language && treatment.text[record.language] ? record.language : treatment.text[settings.defaultLanguage] ? settings.defaultLanguage : Object.keys(treatment.text)[0] ?? settings.defaultLanguage;
    const text = treatmentText(treatment, record.language, settings.defaultLanguage);
    ranked.push({
      actionId: action.actionId,
      kind: action.kind,
      action,
      propensity: round(propensity),
      weight,
      priority: round(priority),
      treatment: { channel, templateKey: treatment.templateKey, language, ...(text === undefined ? {} : { text }) },
      reasons,
    });
  }
  excluded.sort((a, b) => b.potential - a.potential || (a.actionId < b.actionId ? -1 : 1));
  return { ranked: rank(ranked, serviceFirst), excluded, signals, serviceFirst };
}
