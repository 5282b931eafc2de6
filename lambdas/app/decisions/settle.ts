import type { ContactRecord } from '#domain/action.ts';
import {
  ledgerRecords,
  marketingPart,
  withContacts,
  type LedgerContact,
  type StoredLedger,
} from '#domain/contact-ledger.ts';
import {
  historySince,
  marketingRoom,
  reportedDecline,
  type ContactPolicy,
  type Direction,
  type Reason,
} from '#domain/contact-policy.ts';
import { MARKETING_KINDS } from '#domain/contact-window.ts';
import type { CustomerRecord, Scores } from '#domain/customer.ts';
import type { StoredStateView } from '#domain/customer-state.ts';
import { localDay } from '#domain/decisioning/decision-id.ts';
import type { Strategy } from '#domain/decisioning/arbitration.ts';
import type { ExperimentGroup } from '#domain/decisioning/experiments.ts';
import type { ResponseStats } from '#domain/decisioning/learning.ts';
import {
  evaluateActions,
  type Candidate,
  type Exclusion,
  type PipelineResult,
} from '#domain/decisioning/evaluate-actions.ts';
import type { TenantId } from '#domain/ids.ts';
import type { ContactLedgers, LedgerWrites } from '#domain/ports/contact-ledgers.ts';
import type { VolumeCounter } from '#domain/ports/decisions.ts';
import { ledgerWithPending, pendingContacts } from '#domain/pending-contacts.ts';
import type { CatalogFacts } from './catalog-facts.ts';
import { heldUnits, winnersWithinCaps } from './daily-caps.ts';
import type { DecisionRequest, DecisioningSettings } from '../decisions.ts';

/**
 * Reads of the ledgers after a lost race before the answer gives up the contested actions. Each
 * lost race means another contact was committed meanwhile, so a few suffice even under a burst.
 */
export const MAX_LEDGER_ATTEMPTS = 5;

/** Everything an answer is decided from, the ledgers included (re-read after a lost race). */
export interface DecisionContext {
  tenant: TenantId;
  decisionId: string;
  req: DecisionRequest;
  now: Date;
  direction: Direction;
  strategy: Strategy;
  /** The customer's experiment group (the global control gets service and information only). */
  group: ExperimentGroup;
  record: CustomerRecord;
  state: StoredStateView | undefined;
  scores: Scores;
  learned: ReadonlyMap<string, ResponseStats>;
  catalog: CatalogFacts & { actions: readonly import('#domain/action.ts').Action[] };
  customer: StoredLedger;
  /** The household's ledger, when the customer has one and the policy caps households. */
  household?: StoredLedger;
}

export interface Settled {
  result: PipelineResult;
  winners: Candidate[];
  /** Every action left out, with its reason (the pipeline's and arbitration's). */
  excluded: Exclusion[];
}

export interface SettlePorts {
  ledgers: ContactLedgers;
  volume: VolumeCounter;
  settings: DecisioningSettings;
}

/** The customer's ledger as the policy asks it: its contacts, trigger firings not handed off yet, and a decline reported as an event. */
function contactsOf(ctx: DecisionContext): ContactRecord[] {
  const ledger = ledgerWithPending(ledgerRecords(ctx.customer.ledger), pendingContacts(ctx.state));
  const decline = reportedDecline(ctx.state?.lastOfferResponse);
  return decline ? [...ledger, decline] : ledger;
}

/** The pipeline over the context's ledgers, its candidates restricted to the request's actions if it names them. */
function evaluate(ctx: DecisionContext, settings: DecisioningSettings) {
  const only = ctx.req.onlyActions;
  const contacts = contactsOf(ctx);
  const household = ctx.household ? ledgerRecords(ctx.household.ledger) : undefined;
  const result = evaluateActions(
    {
      tenant: ctx.tenant,
      actions: only ? ctx.catalog.actions.filter((a) => only.includes(a.actionId)) : ctx.catalog.actions,
      record: ctx.record,
      state: ctx.state,
      contacts,
      ...(household ? { householdContacts: household } : {}),
      scores: ctx.scores,
      channel: ctx.req.channel,
      direction: ctx.direction,
      context: ctx.req.context ?? {},
      learned: ctx.learned,
      strategy: ctx.strategy,
      group: ctx.group,
      now: ctx.now,
    },
    settings,
  );
  const room = marketingRoom(contacts, ctx.req.channel, ctx.now, settings.policy, household);
  return { result, room };
}

/** The answer's contact as the ledger keeps it. */
const contactOf = (ctx: DecisionContext, winners: readonly Candidate[]): LedgerContact => ({
  id: ctx.decisionId,
  at: ctx.now.toISOString(),
  channel: ctx.req.channel,
  source: 'decision',
  actions: winners.map((w) => ({ actionId: w.actionId, kind: w.kind })),
});

/**
 * The ledgers' next versions with the answer's contact, or undefined when there is nothing to
 * store (no limit counts any of its actions): the household's for a marketing contact of a
 * household member. A ledger built from items of before it is stored even by an answer that
 * offers nothing, so it is built once.
 */
function writesOf(ctx: DecisionContext, contact: LedgerContact): LedgerWrites | undefined {
  const next = withContacts(ctx.customer.ledger, contact.actions.length ? [contact] : [], ctx.catalog.bounds, ctx.now);
  const counted = next.contacts.some((c) => c.id === contact.id);
  const shared = ctx.household ? marketingPart(contact) : undefined;
  const household =
    ctx.household && ctx.record.householdId && (shared || ctx.household.fromLegacy) ? ctx.household : undefined;
  if (!counted && !ctx.customer.fromLegacy && !household) return undefined;
  return {
    customerId: ctx.req.customerId,
    customer: { ledger: next, expectedVersion: ctx.customer.version },
    ...(household
      ? {
          household: {
            householdId: ctx.record.householdId!,
            ledger: withContacts(household.ledger, shared ? [shared] : [], ctx.catalog.household, ctx.now),
            expectedVersion: household.version,
          },
        }
      : {}),
  };
}

const CONTESTED: Reason = {
  code: 'contact-conflict',
  detail: `the contact ledger kept changing over ${MAX_LEDGER_ATTEMPTS} attempts`,
};

/**
 * Whether leaving a winner's contact out of the ledger could let a limit pass: a marketing contact
 * counts in the windows (a mandatory one too, for the others), and an action's own limits count it.
 */
const countsInLedger = (c: Candidate) => MARKETING_KINDS.has(c.kind) || c.action.limits.perCustomer.length > 0;

/**
 * The answer's winners, committed: the pipeline and arbitration over the ledgers as read, daily
 * caps reserved, then the contact written to the ledgers on condition that they have not changed.
 * A lost race reads them again (consistently) and decides again; after MAX_LEDGER_ATTEMPTS the
 * answer leaves out every action whose contact would count, and keeps only those that count nowhere.
 */
export const settleAnswer =
  (ports: SettlePorts) =>
  async (start: DecisionContext): Promise<Settled> => {
    const { settings } = ports;
    const held = heldUnits();
    const day = localDay(start.now, settings.policy.timeZone);
    const reserve = (c: Candidate, perDay: number) =>
      ports.volume.reserve(start.tenant, c.actionId, day, perDay, start.decisionId);
    let ctx = start;
    for (let attempt = 1; ; attempt++) {
      const { result, room } = evaluate(ctx, settings);
      const picked = await winnersWithinCaps(
        result.ranked,
        {
          limit: ctx.req.limit ?? DEFAULT_LIMIT,
          room,
          mandatoryExempt: settings.policy.mandatoryExempt,
        },
        reserve,
        held,
      );
      const settled = { result, winners: picked.winners, excluded: [...result.excluded, ...picked.excluded] };
      const writes = writesOf(ctx, contactOf(ctx, picked.winners));
      if (!writes || (await ports.ledgers.commit(ctx.tenant, writes))) return settled;
      if (attempt === MAX_LEDGER_ATTEMPTS) {
        const kept = picked.winners.filter((w) => !countsInLedger(w));
        const dropped = picked.winners
          .filter((w) => !kept.includes(w))
          .map((w) => ({ actionId: w.actionId, kind: w.kind, potential: w.priority, reason: CONTESTED }));
        return { result, winners: kept, excluded: [...settled.excluded, ...dropped] };
      }
      ctx = await reread(ports.ledgers, ctx);
    }
  };

/** The ledgers again, strongly consistent: someone committed since they were read. */
async function reread(ledgers: ContactLedgers, ctx: DecisionContext): Promise<DecisionContext> {
  const legacy = { since: historySince(ctx.now, ctx.catalog.historyDays), bounds: ctx.catalog.bounds, now: ctx.now };
  const householdId = ctx.record.householdId;
  const [customer, household] = await Promise.all([
    ledgers.customer(ctx.tenant, ctx.req.customerId, legacy),
    ctx.household && householdId
      ? ledgers.household(
          ctx.tenant,
          householdId,
          { since: householdSince(ctx.now, ctx.catalog.policy), bounds: ctx.catalog.household, now: ctx.now },
          true,
        )
      : undefined,
  ]);
  return { ...ctx, customer, ...(household ? { household } : {}) };
}

/** Where a household ledger built from its members' items of before it starts: the household window. */
export const householdSince = (now: Date, policy: ContactPolicy): string =>
  historySince(now, policy.household?.days ?? 0);

export const DEFAULT_LIMIT = 3;
