import type { AuditLog } from '#domain/audit.ts';
import type { Clock } from '#domain/clock.ts';
import { historySince, type ContactPolicy, type Direction, type Reason } from '#domain/contact-policy.ts';
import type { Channel, ValueTier, ValueTierThresholds } from '#domain/customer.ts';
import { isDecisionId, newDecisionId, parseLegacyDecisionId } from '#domain/decisioning/decision-id.ts';
import {
  decisionRecordOf,
  decisionView,
  isLive,
  storedAnswerOf,
  type DecisionRecord,
  type DecisionView,
} from '#domain/decisioning/decision-record.ts';
import { experimentGroup, type ExperimentConfig, type ExperimentGroup } from '#domain/decisioning/experiments.ts';
import { learningSegmentOf } from '#domain/decisioning/learning.ts';
import type { Candidate, TreatmentView } from '#domain/decisioning/evaluate-actions.ts';
import type { SignalThresholds } from '#domain/decisioning/signals.ts';
import { ConflictError, NotFoundError } from '#domain/errors.ts';
import type { TenantId } from '#domain/ids.ts';
import type { Meter } from '#domain/usage-readings.ts';
import type { ActionCatalog } from '#domain/ports/catalog.ts';
import type { ContactLedgers } from '#domain/ports/contact-ledgers.ts';
import type { CustomerRepo } from '#domain/ports/customers.ts';
import type { DecisionLog, LearningStore, VolumeCounter } from '#domain/ports/decisions.ts';
import type { ScoringPort } from '#domain/ports/scoring.ts';
import { answerBase, answerOf, loggedExclusions } from './decisions/answer.ts';
import { catalogFacts } from './decisions/catalog-facts.ts';
import { gatherInputs } from './decisions/inputs.ts';
import { settleAnswer, type Settled } from './decisions/settle.ts';
import { RULE_OVER_BUDGET } from '#domain/decisioning/eligibility.ts';

export { DEFAULT_LIMIT } from './decisions/settle.ts';

/** Market settings the decision path needs (parsed once per container from the market config). */
export interface DecisioningSettings {
  defaultLanguage: string;
  policy: ContactPolicy;
  priorStrength: number;
  thresholds: SignalThresholds;
  experiments: ExperimentConfig;
  serviceLevels: Record<ValueTier, string>;
  valueTiers: ValueTierThresholds;
  decisionLogDays: number;
  /** How many excluded actions the answer explains. */
  explainExcluded: number;
}

export interface DecisionPorts {
  customers: CustomerRepo;
  catalog: ActionCatalog;
  scoring?: ScoringPort;
  log: DecisionLog;
  /** The contact ledgers every answer's contact is committed to (and a response's decline). */
  ledgers: ContactLedgers;
  learning: LearningStore;
  volume: VolumeCounter;
  clock: Clock;
  /** Random suffix for decision ids. */
  randomId: () => string;
  settings: DecisioningSettings;
  /** Catalog changes are recorded here. */
  audit?: AuditLog;
  /** Scores computed during a decision (customers without stored scores) are metered here. */
  meter?: Meter;
  /** Eligibility rules that ran out of evaluation steps (and excluded their action) are counted here. */
  rulesOverBudget?: (tenant: TenantId, count: number) => void;
}

export interface DecisionRequest {
  customerId: string;
  channel: Channel;
  context?: Record<string, unknown>;
  limit?: number;
  /**
   * Only these actions are candidates (a campaign's). The whole catalog still bounds the ledger,
   * so a contact another action's limit counts is never pruned away.
   */
  onlyActions?: readonly string[];
}

export interface DecidedAction {
  actionId: string;
  kind: Candidate['kind'];
  /** The message variant the customer is sticky to (treatments with `variants`). */
  variantId?: string;
  treatment: TreatmentView;
  score: number;
  propensity: number;
  value: number;
  reasons: Reason[];
}

export interface Decision {
  decisionId: string;
  customerId: string;
  channel: Channel;
  actions: DecidedAction[];
  experiment: { id: string; group: ExperimentGroup };
  valueTier: ValueTier;
  serviceLevel: string;
  modelVersions: Record<string, string>;
  reasons: Reason[];
  excluded: { actionId: string; kind: string; reasons: Reason[] }[];
}

/**
 * Next best actions for one customer on one channel: an orchestrator of short steps. One bounded
 * Query reads profile, state and contact ledger; the control group gets nothing; otherwise scores,
 * learned rates and the household's ledger are fetched at once, the answer is settled (pipeline,
 * arbitration, daily caps, and its contact committed to the ledgers on their versions), and the
 * full record goes to the decision log.
 */
export const decide = (ports: DecisionPorts) => {
  const { settings } = ports;
  const inputsOf = gatherInputs(ports);
  const settle = settleAnswer(ports);
  return async (tenant: TenantId, req: DecisionRequest): Promise<Decision> => {
    const now = ports.clock.now();
    // the catalog is cached in the container; its limits bound the ledger and how far back a legacy one reads
    const actions = await ports.catalog.list(tenant, { including: req.onlyActions });
    const catalog = catalogFacts(actions, settings.policy);
    const agg = await ports.customers.load(tenant, req.customerId, {
      contactsSince: historySince(now, catalog.historyDays),
      bounds: catalog.bounds,
      now,
    });
    const record = agg.record;
    if (!record) throw new NotFoundError(`customer ${req.customerId} not found`);
    const group = experimentGroup(tenant, req.customerId, settings.experiments);
    const base = answerBase(newDecisionId(now, ports.randomId()), req, record, agg.state, group, settings);
    // the full record goes to the decision log; the answer is what the channel gets of it
    const logged = async (decision: Decision, excluded: DecisionRecord['excluded']) => {
      await ports.log.record(
        tenant,
        decisionRecordOf(decision, {
          at: now,
          excluded,
          context: req.context ?? {},
          segment: record.segment,
          householdId: record.householdId,
          logDays: settings.decisionLogDays,
        }),
      );
      return decision;
    };
    const inputs = await inputsOf(tenant, record, agg.state, learningSegmentOf(record.segment), now, catalog);
    const settled: Settled = await settle({
      tenant,
      decisionId: base.decisionId,
      req,
      now,
      direction: directionOf(req),
      // the control group is held out of marketing only; what it may get is ranked as the champion does
      strategy: group === 'control' ? 'champion' : group,
      group,
      record,
      state: agg.state,
      scores: inputs.scores,
      learned: inputs.learned,
      catalog: { ...catalog, actions },
      customer: agg.ledger,
      ...(inputs.household ? { household: inputs.household } : {}),
    });
    const overBudget = settled.excluded.filter((e) => e.reason.code === RULE_OVER_BUDGET).length;
    if (overBudget) ports.rulesOverBudget?.(tenant, overBudget);
    return logged(answerOf(base, settled, inputs.scores, settings), loggedExclusions(settled));
  };
};

const directionOf = (req: DecisionRequest): Direction =>
  req.context?.['direction'] === 'outbound' ? 'outbound' : 'inbound';

export interface ResponseRequest {
  actionId: string;
  response: 'accepted' | 'declined' | 'ignored';
}

/** Ids this platform issued: new ones, and customer-prefixed ones until their items expire. */
const isKnownIdShape = (decisionId: string) => isDecisionId(decisionId) || !!parseLegacyDecisionId(decisionId);

export const respond =
  (ports: Pick<DecisionPorts, 'log' | 'learning' | 'clock' | 'ledgers'>) =>
  async (tenant: TenantId, decisionId: string, req: ResponseRequest) => {
    const notFound = () => new NotFoundError(`decision ${decisionId} not found`);
    if (!isKnownIdShape(decisionId)) throw notFound();
    const decision = await ports.log.findOffered(tenant, decisionId);
    if (!decision || !isLive(decision, ports.clock.now())) throw notFound();
    const offer = decision.offers.find((o) => o.actionId === req.actionId);
    if (!offer) throw new ConflictError(`action ${req.actionId} was not offered in decision ${decisionId}`);
    // The log decides which answer counts (one conditional write per offer); the ledger then gets
    // that answer, on every call, duplicates included: concurrent callers with different answers
    // never leave the ledger holding one the log refused, and a crash between the two writes is
    // mended by the client's retry (the same answer and time again, so the write is idempotent).
    const at = ports.clock.now().toISOString();
    const known = storedAnswerOf(decision, req.actionId);
    const outcome = known
      ? { duplicateOf: known }
      : await ports.log.recordResponse(tenant, decision, req.actionId, req.response, at);
    if (outcome === 'not-found') throw notFound();
    if (outcome === 'not-offered')
      throw new ConflictError(`action ${req.actionId} was not offered in decision ${decisionId}`);
    const stored = outcome === 'recorded' ? { response: req.response, at } : outcome.duplicateOf;
    await ports.ledgers.recordResponse(tenant, decision.customerId, req.actionId, stored.response, stored.at);
    if (outcome !== 'recorded')
      return { decisionId, actionId: req.actionId, response: stored.response, duplicate: true };
    await ports.learning.add(tenant, req.actionId, learningSegmentOf(decision.segment), req.response === 'accepted');
    return { decisionId, actionId: req.actionId, response: req.response, duplicate: false };
  };

/**
 * `GET /v1/decisions/{decisionId}`: the logged decision with its responses. Expired records are
 * gone even before TTL deletes them; decisions logged under the customer before the log moved
 * (customer-prefixed ids) only take responses.
 */
export const getDecision =
  (ports: Pick<DecisionPorts, 'log' | 'clock'>) =>
  async (tenant: TenantId, decisionId: string): Promise<DecisionView> => {
    const record = isDecisionId(decisionId) ? await ports.log.find(tenant, decisionId) : undefined;
    if (!record || !isLive(record, ports.clock.now())) throw new NotFoundError(`decision ${decisionId} not found`);
    return decisionView(record);
  };
