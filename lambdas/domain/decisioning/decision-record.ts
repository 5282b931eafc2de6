import type { Reason } from '../contact-policy.ts';
import type { ActionKind } from '../contact-window.ts';
import type { Channel, ValueTier } from '../customer.ts';
import type { ExperimentGroup } from './experiments.ts';
import type { TreatmentView } from './evaluate-actions.ts';

export type OfferResponse = 'accepted' | 'declined' | 'ignored';

/** One action a decision answered with, as the channel was given it (its reasons carry the priority inputs). */
export interface LoggedAction {
  actionId: string;
  kind: ActionKind;
  /** The message variant given (treatments with `variants`): its responses count for it in the reports. */
  variantId?: string;
  treatment: TreatmentView;
  score: number;
  propensity: number;
  value: number;
  reasons: Reason[];
}

export interface LoggedResponse {
  actionId: string;
  response: OfferResponse;
  at: string;
}

/**
 * A decision's full record in the tenant's decision log, keyed by its id and kept the market's
 * `retention.decisionLogDays`. The contact policy never reads it: what the policy needs of a
 * decision (its offers and declines) is kept apart under the customer (see DecisionLog).
 */
export interface DecisionRecord {
  decisionId: string;
  customerId: string;
  channel: Channel;
  at: string;
  actions: LoggedAction[];
  /** The strongest excluded candidates, strongest first, with the code that excluded each. */
  excluded: { actionId: string; code: string }[];
  experiment: { id: string; group: ExperimentGroup };
  valueTier: ValueTier;
  serviceLevel: string;
  modelVersions: Record<string, string>;
  context: Record<string, unknown>;
  responses: LoggedResponse[];
  /** The profile's segment then: learning is kept per segment and the reports group by it. */
  segment?: string;
  /** The customer's household then: its marketing contacts count against the household cap. */
  householdId?: string;
  /** Epoch seconds. DynamoDB's TTL deletes up to days late, so every read checks it too. */
  expiresAt: number;
}

/** What `GET /v1/decisions/{decisionId}` answers: the record without its storage fields. */
export type DecisionView = Omit<DecisionRecord, 'segment' | 'householdId' | 'expiresAt'>;

/** How many excluded candidates a record keeps (the answer itself explains fewer). */
export const LOGGED_EXCLUSIONS = 5;

export const expiresAtOf = (at: Date, logDays: number): number => Math.floor(at.getTime() / 1000) + logDays * 86_400;

/** What a decision answered, as far as the log keeps it. */
export type DecisionAnswer = Pick<
  DecisionRecord,
  'decisionId' | 'customerId' | 'channel' | 'actions' | 'experiment' | 'valueTier' | 'serviceLevel' | 'modelVersions'
>;

/** The log's record of an answer: the answer, the facts around it, and when it expires. */
export function decisionRecordOf(
  answer: DecisionAnswer,
  facts: {
    at: Date;
    excluded: DecisionRecord['excluded'];
    context: Record<string, unknown>;
    segment?: string | undefined;
    householdId?: string | undefined;
    logDays: number;
  },
): DecisionRecord {
  return {
    decisionId: answer.decisionId,
    customerId: answer.customerId,
    channel: answer.channel,
    at: facts.at.toISOString(),
    actions: answer.actions,
    excluded: facts.excluded,
    experiment: answer.experiment,
    valueTier: answer.valueTier,
    serviceLevel: answer.serviceLevel,
    modelVersions: answer.modelVersions,
    context: facts.context,
    responses: [],
    ...(facts.segment !== undefined ? { segment: facts.segment } : {}),
    ...(facts.householdId ? { householdId: facts.householdId } : {}),
    expiresAt: expiresAtOf(facts.at, facts.logDays),
  };
}

/** A record past its expiry is gone, whether or not TTL has deleted it yet. */
export const isLive = (record: Pick<DecisionRecord, 'expiresAt'>, now: Date): boolean =>
  now.getTime() < record.expiresAt * 1000;

export function decisionView(r: DecisionRecord): DecisionView {
  return {
    decisionId: r.decisionId,
    customerId: r.customerId,
    channel: r.channel,
    at: r.at,
    actions: r.actions,
    excluded: r.excluded,
    experiment: r.experiment,
    valueTier: r.valueTier,
    serviceLevel: r.serviceLevel,
    modelVersions: r.modelVersions,
    context: r.context,
    responses: r.responses,
  };
}

/**
 * What answering a decision needs, from the log or, for a legacy id, from its item under the
 * customer: which actions were offered, with the response each has already had.
 */
export interface OfferedDecision {
  decisionId: string;
  customerId: string;
  at: string;
  segment?: string;
  offers: { actionId: string; kind: ActionKind; response?: OfferResponse; respondedAt?: string }[];
  expiresAt: number;
}

/** The answer stored for an offer of a decision, if any. */
export function storedAnswerOf(
  decision: OfferedDecision,
  actionId: string,
): { response: OfferResponse; at: string } | undefined {
  const offer = decision.offers.find((o) => o.actionId === actionId);
  return offer?.response ? { response: offer.response, at: offer.respondedAt ?? decision.at } : undefined;
}

export function offeredDecisionOf(record: DecisionRecord): OfferedDecision {
  const answered = new Map(record.responses.map((r) => [r.actionId, r]));
  return {
    decisionId: record.decisionId,
    customerId: record.customerId,
    at: record.at,
    ...(record.segment !== undefined ? { segment: record.segment } : {}),
    offers: record.actions.map((a) => {
      const r = answered.get(a.actionId);
      return { actionId: a.actionId, kind: a.kind, ...(r ? { response: r.response, respondedAt: r.at } : {}) };
    }),
    expiresAt: record.expiresAt,
  };
}
