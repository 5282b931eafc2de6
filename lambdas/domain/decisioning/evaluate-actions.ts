import { treatmentText, type Action, type ContactRecord } from '../action.ts';
import {
  contactAllowed,
  type ContactPolicy,
  type ContactRequest,
  type Direction,
  type Reason,
} from '../contact-policy.ts';
import type { Channel, CustomerRecord, Scores } from '../customer.ts';
import type { StateView } from '../customer-state.ts';
import { priorityOf, rankInPlace, type Strategy } from './arbitration.ts';
import { CONTROL_GROUP_REASON, heldOut, type ExperimentGroup } from './experiments.ts';
import { evaluateRule, RULE_OVER_BUDGET } from './eligibility.ts';
import { blendedPropensity, clampPropensity, type ResponseStats } from './learning.ts';
import { problemDetail, signalsOf, type Signals, type SignalThresholds } from './signals.ts';
import { treatmentForCustomer, type MessageParam } from './variants.ts';

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
  /** Whose customer: with the customer and action, it picks the message variant (variants.ts). */
  tenant: string;
  actions: readonly Action[];
  record: CustomerRecord;
  state: StateView | undefined;
  contacts: readonly ContactRecord[];
  /** The household's marketing contacts, when the customer is in one (the household cap's ledger). */
  householdContacts?: readonly ContactRecord[];
  scores: Scores;
  channel: Channel;
  direction: Direction;
  context: Record<string, unknown>;
  /** Learned response counts per action id, in the customer's segment. */
  learned: ReadonlyMap<string, ResponseStats>;
  strategy: Strategy;
  /** The customer's experiment group: the global control gets no marketing (experiments.ts heldOut). */
  group?: ExperimentGroup;
  now: Date;
}

export interface TreatmentView {
  channel: Channel;
  templateKey: string;
  language: string;
  text?: string;
  /** The treatment's params with its variant's over them; absent when there are none. */
  params?: Record<string, MessageParam>;
}

/**
 * A ranked action. Its treatment and reasons are written only for the few that win (`describe`):
 * most of a 50-action catalog ranks, but an answer carries three.
 */
export interface Candidate {
  actionId: string;
  kind: Action['kind'];
  action: Action;
  propensity: number;
  weight: number;
  priority: number;
  /** The propensity before rounding and the learned responses behind it (for the ranked reason). */
  exactPropensity: number;
  trials: number | undefined;
}

export interface Described {
  treatment: TreatmentView;
  reasons: Reason[];
  /** The message variant the customer is sticky to, when the treatment lists variants. */
  variantId?: string;
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
  /** The treatment in the customer's language and the reasons of one ranked candidate. */
  describe(candidate: Candidate): Described;
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
// the same arithmetic as `round` with the powers of ten as constants (10 ** d is exact for these)
const round4 = (n: number) => Math.round(n * 10_000) / 10_000;
const round3 = (n: number) => Math.round(n * 1_000) / 1_000;

const interned = new Map<string, string>();
/** The same string as an internalized property key (a Map lookup; the key set is small). */
function intern(s: string): string {
  let v = interned.get(s);
  if (v === undefined) {
    v = Object.keys({ [s]: 0 })[0] ?? s;
    if (interned.size < 1_000) interned.set(v, v);
  }
  return v;
}

/** What the pipeline derives from an action once (per catalog object), not once per decision. */
interface Prepared {
  validFrom: string | undefined;
  validTo: string | undefined;
  /** Date.parse of validFrom/validTo; NaN when absent (every comparison with NaN is false). */
  fromMs: number;
  toMs: number;
  value: number;
  lever: number;
  /** `${value}` and `${lever}` as the ranked reason writes them (number formatting is costly). */
  valueText: string;
  leverText: string;
  /** The last ranked reason detail and what it was written from (customers often share them). */
  last:
    | { strategy: Strategy; propensity: number; trials: number | undefined; weight: number; detail: string }
    | undefined;
}
const preparedActions = new WeakMap<Action, Prepared>();
function prepared(action: Action): Prepared {
  let p = preparedActions.get(action);
  if (
    p === undefined ||
    p.validFrom !== action.validFrom ||
    p.validTo !== action.validTo ||
    !Object.is(p.value, action.value) ||
    !Object.is(p.lever, action.lever)
  ) {
    p = {
      validFrom: action.validFrom,
      validTo: action.validTo,
      fromMs: action.validFrom ? Date.parse(action.validFrom) : NaN,
      toMs: action.validTo ? Date.parse(action.validTo) : NaN,
      value: action.value,
      lever: action.lever,
      valueText: `${action.value}`,
      leverText: `${action.lever}`,
      last: undefined,
    };
    preparedActions.set(action, p);
  }
  return p;
}

/** Why an action cannot be used now, or undefined: each stage answers with one reason. */
function rejectionOf(
  action: Action,
  prep: Prepared,
  input: PipelineInput,
  settings: PipelineSettings,
  data: Record<string, unknown>,
  signals: Signals,
  prior: number | undefined,
  nowMs: number,
  request: ContactRequest,
  policyOpts: { householdHistory?: readonly ContactRecord[] },
): Reason | undefined {
  const { channel } = request;
  if (heldOut(input.group, action.kind)) return CONTROL_GROUP_REASON;
  if (prep.fromMs > nowMs || prep.toMs <= nowMs) {
    return {
      code: 'not-valid-now',
      detail: `valid ${action.validFrom?.slice(0, 10) ?? '…'} to ${action.validTo?.slice(0, 10) ?? '…'}`,
    };
  }
  if (!action.treatments[channel]) return { code: 'no-treatment', detail: `no ${channel} treatment` };
  const eligible = evaluateRule(action.eligibility, data);
  if (eligible === 'over-budget')
    return { code: RULE_OVER_BUDGET, detail: 'eligibility rule ran out of evaluation steps' };
  if (eligible !== 'holds') return { code: 'not-eligible', detail: 'eligibility rule does not hold' };
  if (action.kind === 'offer' && signals.serviceProblem)
    return { code: 'service-problem-open', detail: `no upsell while ${problemDetail(signals)}` };
  if (prior === undefined)
    return {
      code: 'no-score',
      detail: `no ${'model' in action.propensity ? action.propensity.model : ''} score for this customer`,
    };
  request.action = action;
  const verdict = contactAllowed(input.contacts, request, settings.policy, policyOpts);
  return verdict.allowed ? undefined : verdict.reason;
}

export function evaluateActions(input: PipelineInput, settings: PipelineSettings): PipelineResult {
  const { record, now, context, strategy } = input;
  const channel = intern(input.channel) as Channel;
  const signals = signalsOf(input.state, input.scores, settings.thresholds, {
    profile: record,
    now,
    timeZone: settings.policy.timeZone,
  });
  const data = { profile: record, state: input.state ?? {}, scores: input.scores, context, signals };
  const nowMs = now.getTime();
  const intent = typeof context['intent'] === 'string' ? context['intent'] : undefined;
  const serviceFirst = signals.serviceProblem && signals.highChurn;
  const ranked: Candidate[] = [];
  const excluded: Exclusion[] = [];
  // one request object per decision; contactAllowed reads it and keeps nothing
  const request: ContactRequest = {
    action: undefined as unknown as Action,
    channel,
    direction: input.direction,
    consent: record.consent,
    now,
  };
  const policyOpts = input.householdContacts ? { householdHistory: input.householdContacts } : {};
  // stored or parsed strings are not internalized; keyed property reads with them keep deoptimizing
  const language = record.language === undefined ? undefined : intern(record.language);
  const { defaultLanguage, priorStrength } = settings;
  const churnDetail = signals.highChurn ? `churn ${round(signals.churn, 2)}` : '';
  const serviceDetail = signals.serviceProblem ? problemDetail(signals) : '';

  for (const action of input.actions) {
    const propensityRef = action.propensity;
    const prior = 'starting' in propensityRef ? propensityRef.starting : modelScore(propensityRef.model, input.scores);
    const prep = prepared(action);
    const rejection = rejectionOf(action, prep, input, settings, data, signals, prior, nowMs, request, policyOpts);
    if (rejection) {
      excluded.push({
        actionId: action.actionId,
        kind: action.kind,
        potential: round4(clampPropensity(prior ?? 0) * action.value * action.lever),
        reason: rejection,
      });
      continue;
    }
    let weight = 1;
    if (intent && intent === action.kind) weight *= INTENT_WEIGHT;
    if (action.kind === 'service' && signals.serviceProblem) weight *= SERVICE_PROBLEM_WEIGHT;
    if (action.kind === 'retention' && signals.highChurn) weight *= CHURN_RISK_WEIGHT;
    const stats = input.learned.get(action.actionId);
    const propensity = blendedPropensity(prior!, stats, priorStrength);
    const priority = priorityOf(strategy, { propensity, weight, value: action.value, lever: action.lever });
    ranked.push({
      actionId: action.actionId,
      kind: action.kind,
      action,
      propensity: round4(propensity),
      weight,
      priority: round4(priority),
      exactPropensity: propensity,
      trials: stats?.trials,
    });
  }
  excluded.sort(byPotential);

  const describe = (c: Candidate): Described => {
    const { action, weight } = c;
    const reasons: Reason[] = [];
    if (intent && intent === action.kind) reasons.push({ code: 'context-intent', detail: `intent ${intent}` });
    if (action.kind === 'service' && signals.serviceProblem)
      reasons.push({ code: 'service-problem', detail: serviceDetail });
    if (action.kind === 'retention' && signals.highChurn) reasons.push({ code: 'churn-risk', detail: churnDetail });
    if (serviceFirst && action.kind === 'service')
      reasons.push({ code: 'service-first', detail: 'high churn risk and a live service problem' });
    const prep = prepared(action);
    const propensity = c.exactPropensity;
    const trials = c.trials;
    let last = prep.last;
    if (
      last === undefined ||
      last.propensity !== propensity ||
      last.trials !== trials ||
      last.weight !== weight ||
      last.strategy !== strategy
    ) {
      const detail = `${strategy}: p ${round3(propensity)}${trials ? ` (${trials} responses)` : ''} x w ${weight} x v ${prep.valueText} x l ${prep.leverText}`;
      prep.last = last = { strategy, propensity, trials, weight, detail };
    }
    reasons.push({ code: 'ranked', detail: last.detail });
    const listed = action.treatments[channel]!;
    const customised =
      listed.variants?.length || listed.params
        ? treatmentForCustomer(listed, {
            tenant: input.tenant,
            customerId: record.customerId,
            actionId: action.actionId,
          })
        : undefined;
    const treatment = customised ? { ...listed, ...customised } : listed;
    const texts = treatment.text;
    const chosen =
      language && texts[language]
        ? language
        : texts[defaultLanguage]
          ? defaultLanguage
          : (Object.keys(texts)[0] ?? defaultLanguage);
    const text = treatmentText(treatment, language, defaultLanguage);
    const view: TreatmentView = { channel, templateKey: treatment.templateKey, language: chosen };
    if (text !== undefined) view.text = text;
    if (customised?.params) view.params = customised.params;
    return { treatment: view, reasons, ...(customised?.variantId ? { variantId: customised.variantId } : {}) };
  };
  return { ranked: rankInPlace(ranked, serviceFirst), excluded, signals, serviceFirst, describe };
}

/** Context weights: how much a live moment lifts an action's priority. */
const INTENT_WEIGHT = 1.5;
const SERVICE_PROBLEM_WEIGHT = 2;
const CHURN_RISK_WEIGHT = 1.5;

const byPotential = (a: Exclusion, b: Exclusion) => b.potential - a.potential || (a.actionId < b.actionId ? -1 : 1);
