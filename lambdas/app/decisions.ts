import type { Action } from '#domain/action.ts';
import type { Clock } from '#domain/clock.ts';
import { MARKETING_KINDS } from '#domain/contact-window.ts';
import {
  contactsOf,
  historyDays,
  historySince,
  marketingRoom,
  reportedDecline,
  type ContactPolicy,
  type Direction,
  type Reason,
} from '#domain/contact-policy.ts';
import { valueTierOf, type Channel, type Scores, type ValueTier, type ValueTierThresholds } from '#domain/customer.ts';
import { isDecisionId, localDay, newDecisionId, parseLegacyDecisionId } from '#domain/decisioning/decision-id.ts';
import {
  decisionRecordOf,
  decisionView,
  isLive,
  LOGGED_EXCLUSIONS,
  type DecisionRecord,
  type DecisionView,
} from '#domain/decisioning/decision-record.ts';
import { experimentGroup, type ExperimentConfig, type ExperimentGroup } from '#domain/decisioning/experiments.ts';
import { learningSegmentOf } from '#domain/decisioning/learning.ts';
import { evaluateActions, type Candidate, type TreatmentView } from '#domain/decisioning/pipeline.ts';
import type { SignalThresholds } from '#domain/decisioning/signals.ts';
import { ConflictError, NotFoundError } from '#domain/errors.ts';
import type { TenantId } from '#domain/ids.ts';
import { ledgerWithPending, pendingContacts } from '#domain/triggers.ts';
import type {
  ActionCatalog,
  CustomerRepo,
  DecisionLog,
  LearningStore,
  ScoringPort,
  VolumeCounter,
} from '#domain/ports.ts';
import type { AuditLog } from '#domain/audit.ts';
import type { Meter } from '#domain/metering.ts';

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
}

export interface DecisionRequest {
  customerId: string;
  channel: Channel;
  context?: Record<string, unknown>;
  limit?: number;
}

export interface DecidedAction {
  actionId: string;
  kind: Candidate['kind'];
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

const spendOf = (state: Record<string, unknown> | undefined): number => {
  const spend = (state?.['spend30d'] as { value?: number } | undefined)?.value;
  return typeof spend === 'number' ? spend : 0;
};

const hasScores = (s: Scores | undefined): s is Scores => !!s && (!!s.churn || !!s.crossSell || !!s.nps);

function versionsOf(scores: Scores): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of [scores.churn, scores.nps, ...Object.values(scores.crossSell ?? {})]) if (s) out[s.model] = s.version;
  return out;
}

export const DEFAULT_LIMIT = 3;

/** What a decision derives from the catalog, once per cached catalog array rather than per decision. */
const catalogFacts = new WeakMap<
  readonly Action[],
  { policy: ContactPolicy; historyDays: number; actionIds: string[] }
>();
function factsOf(actions: readonly Action[], policy: ContactPolicy) {
  let facts = catalogFacts.get(actions);
  if (facts?.policy !== policy) {
    facts = { policy, historyDays: historyDays(policy, actions), actionIds: actions.map((a) => a.actionId) };
    catalogFacts.set(actions, facts);
  }
  return facts;
}

export const decide =
  (ports: DecisionPorts) =>
  async (tenant: TenantId, req: DecisionRequest): Promise<Decision> => {
    const { settings } = ports;
    const now = ports.clock.now();
    // the catalog is cached in the container; its per-customer limits decide how far back to read
    const actions = await ports.catalog.list(tenant);
    const facts = factsOf(actions, settings.policy);
    const agg = await ports.customers.load(tenant, req.customerId, {
      contactsSince: historySince(now, facts.historyDays),
    });
    const record = agg.record;
    if (!record) throw new NotFoundError(`customer ${req.customerId} not found`);
    const decisionId = newDecisionId(now, ports.randomId());
    const context = req.context ?? {};
    const direction: Direction = context['direction'] === 'outbound' ? 'outbound' : 'inbound';
    const group = experimentGroup(tenant, req.customerId, settings.experiments);
    const valueTier = valueTierOf(record, settings.valueTiers, spendOf(agg.state));
    const segment = learningSegmentOf(record.segment);
    const base: Omit<Decision, 'actions' | 'modelVersions' | 'reasons' | 'excluded'> = {
      decisionId,
      customerId: req.customerId,
      channel: req.channel,
      experiment: { id: settings.experiments.id, group },
      valueTier,
      serviceLevel: settings.serviceLevels[valueTier],
    };
    // the full record goes to the decision log; the answer is what the channel gets of it
    const logged = (decision: Decision, excluded: DecisionRecord['excluded']) =>
      ports.log.record(
        tenant,
        decisionRecordOf(decision, {
          at: now,
          excluded,
          context,
          segment: record.segment,
          householdId: record.householdId,
          logDays: settings.decisionLogDays,
        }),
      );

    if (group === 'control') {
      const decision: Decision = {
        ...base,
        actions: [],
        modelVersions: {},
        reasons: [{ code: 'control-group', detail: `global control group of experiment ${settings.experiments.id}` }],
        excluded: [],
      };
      await logged(decision, []);
      return decision;
    }

    // the independent waits (scoring, learned rates, the household's ledger) overlap
    const household = settings.policy.household;
    const [scores, learned, householdContacts] = await Promise.all([
      !hasScores(record.scores) && ports.scoring
        ? ports.scoring.score({ profile: record, ...(agg.state ? { state: agg.state } : {}) }).then((s) => {
            ports.meter?.meter(tenant, 'Score', 1);
            return s.scores;
          })
        : (record.scores ?? {}),
      ports.learning.stats(tenant, segment, facts.actionIds),
      household && record.householdId
        ? ports.log.householdContacts(tenant, record.householdId, historySince(now, household.days))
        : undefined,
    ]);
    const modelVersions = versionsOf(scores);
    // trigger firings written with the state but not handed off yet count as made
    const ledger = ledgerWithPending(contactsOf(agg.contacts), pendingContacts(agg.state));
    // a decline reported as an event (not through the responses API) is in the state only
    const decline = reportedDecline(agg.state?.['lastOfferResponse'] as Parameters<typeof reportedDecline>[0]);
    const contacts = decline ? [...ledger, decline] : ledger;
    const result = evaluateActions(
      {
        actions,
        record,
        state: agg.state,
        contacts,
        ...(householdContacts ? { householdContacts } : {}),
        scores,
        channel: req.channel,
        direction,
        context,
        learned,
        strategy: group,
        now,
      },
      settings,
    );

    const limit = req.limit ?? DEFAULT_LIMIT;
    const winners: Candidate[] = [];
    const excluded = [...result.excluded];
    const room = marketingRoom(contacts, req.channel, now, settings.policy, householdContacts);
    let day: string | undefined;
    for (const c of result.ranked) {
      if (winners.length >= limit) break;
      const counts = MARKETING_KINDS.has(c.kind) && !(c.action.mandatory && settings.policy.mandatoryExempt);
      if (counts && room.room <= 0) {
        excluded.push({ actionId: c.actionId, kind: c.kind, potential: c.priority, reason: room.reason });
        continue;
      }
      const perDay = c.action.limits.perDay;
      if (
        perDay !== undefined &&
        !(await ports.volume.reserve(
          tenant,
          c.actionId,
          (day ??= localDay(now, settings.policy.timeZone)),
          perDay,
          decisionId,
        ))
      ) {
        excluded.push({
          actionId: c.actionId,
          kind: c.kind,
          potential: c.priority,
          reason: { code: 'volume-cap', detail: `${perDay} a day reached` },
        });
        continue;
      }
      winners.push(c);
      if (counts) room.room--;
    }
    excluded.sort((a, b) => b.potential - a.potential);

    const reasons: Reason[] = winners.length
      ? []
      : [
          {
            code: 'no-action',
            detail: result.excluded.length
              ? `all ${result.excluded.length} actions excluded`
              : 'the catalog has no actions',
          },
        ];
    const decision: Decision = {
      ...base,
      actions: winners.map((w) => {
        const { treatment, reasons } = result.describe(w);
        return {
          actionId: w.actionId,
          kind: w.kind,
          treatment,
          score: w.priority,
          propensity: w.propensity,
          value: w.action.value,
          reasons,
        };
      }),
      modelVersions,
      reasons,
      excluded: excluded
        .slice(0, settings.explainExcluded)
        .map((e) => ({ actionId: e.actionId, kind: e.kind, reasons: [e.reason] })),
    };
    await logged(
      decision,
      excluded.slice(0, LOGGED_EXCLUSIONS).map((e) => ({ actionId: e.actionId, code: e.reason.code })),
    );
    return decision;
  };

export interface ResponseRequest {
  actionId: string;
  response: 'accepted' | 'declined' | 'ignored';
}

/** Ids this platform issued: new ones, and customer-prefixed ones until their items expire. */
const isKnownIdShape = (decisionId: string) => isDecisionId(decisionId) || !!parseLegacyDecisionId(decisionId);

export const respond =
  (ports: Pick<DecisionPorts, 'log' | 'learning' | 'clock'>) =>
  async (tenant: TenantId, decisionId: string, req: ResponseRequest) => {
    const notFound = () => new NotFoundError(`decision ${decisionId} not found`);
    if (!isKnownIdShape(decisionId)) throw notFound();
    const decision = await ports.log.findOffered(tenant, decisionId);
    if (!decision || !isLive(decision, ports.clock.now())) throw notFound();
    const offer = decision.offers.find((o) => o.actionId === req.actionId);
    if (!offer) throw new ConflictError(`action ${req.actionId} was not offered in decision ${decisionId}`);
    if (offer.response) return { decisionId, actionId: req.actionId, response: offer.response, duplicate: true };
    const outcome = await ports.log.recordResponse(
      tenant,
      decision,
      req.actionId,
      req.response,
      ports.clock.now().toISOString(),
    );
    if (outcome === 'not-found') throw notFound();
    if (outcome === 'not-offered')
      throw new ConflictError(`action ${req.actionId} was not offered in decision ${decisionId}`);
    if (outcome === 'duplicate') return { decisionId, actionId: req.actionId, response: req.response, duplicate: true };
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
