import { setTimeout as sleep } from 'node:timers/promises';
import type { Action } from '#domain/action.ts';
import {
  contactCostUsd,
  fits,
  limitsOf,
  maxContactCostUsd,
  NO_BUDGET_USE,
  reasonOf,
  toNanoUsd,
  type BudgetLimits,
  type BudgetReason,
  type SendingTerms,
} from '#domain/campaign/budget.ts';
import { segmentOf } from '#domain/campaign/assignment.ts';
import {
  assignMember,
  campaignMessageId,
  durationSeconds,
  audienceVerdict,
  measureMember,
  COST_PER_TREATMENT_MEMBER_USD,
  type CampaignMember,
  type CampaignRecord,
  type CampaignStatus,
  type PhaseProgress,
  type RuleSettings,
} from '#domain/campaign/campaign.ts';
import type { CampaignStore, StoredMember } from '#domain/campaign/ports.ts';
import { campaignReport, type MemberOutcome } from '#domain/campaign/report.ts';
import { rolloutVerdict } from '#domain/campaign/statistics.ts';
import type { CampaignPhase } from '#domain/campaign/assignment.ts';
import type { Clock } from '#domain/clock.ts';
import { isOutbound } from '#domain/contact-policy.ts';
import { isQuietTime, nextAllowedTime } from '#domain/contact-window.ts';
import { UnavailableError } from '#domain/errors.ts';
import type { TenantId } from '#domain/ids.ts';
import type { Meter } from '#domain/metering.ts';
import { stateView } from '#domain/customer-state.ts';
import { MISSING_PLACEHOLDER, renderedContent, type MessageContent } from '#domain/delivery/message-content.ts';
import { DEFAULT_SETTINGS } from '#domain/delivery/connection.ts';
import type { ChannelConnectionStore, DeliveryRecorder } from '#domain/delivery/ports.ts';
import type { CustomerAggregate, CustomerRepo, OutboundQueue, ProfileScan, ScannedCustomer } from '#domain/ports.ts';
import type { OutboundMessage } from '#domain/triggers.ts';
import { decide, type DecidedAction, type DecisionPorts } from './decisions.ts';

/** A fault worth retrying (the store or a queue is down or throttling): ASL `Retry` matches the name. */
export class CampaignTransientError extends Error {
  override readonly name = 'CampaignTransientError';
}
/** The campaign is gone or the input is wrong: retrying cannot help. */
export class CampaignStepError extends Error {
  override readonly name = 'CampaignStepError';
}

export interface CampaignStepSettings {
  /** Parallel-scan segments of audience selection (each a Map item). */
  totalSegments: number;
  /** Member shards of contact (each a Map item). */
  totalShards: number;
  /** Waits are divided by this (CVM_TIME_SCALE locally; 1 in AWS). */
  timeScale: number;
  /** How often a paused campaign looks again, in seconds (before scaling). */
  pollSeconds: number;
  /** Customers decided at once inside one shard. */
  concurrency: number;
}

export interface CampaignStepPorts {
  campaigns: CampaignStore;
  customers: CustomerRepo;
  scan: ProfileScan;
  outbound: OutboundQueue;
  decisions: DecisionPorts;
  clock: Clock;
  settings: CampaignStepSettings;
  /** Per-tenant metering: one CampaignContact per member handed off. */
  meter?: Meter;
  /** Audience rules that ran out of evaluation steps (RuleOverBudget), per tenant and segment. */
  rulesOverBudget?: (tenant: TenantId, count: number) => void;
  /** Members not handed off because their text had a placeholder without a value (MessageSkipped). */
  recordDelivery?: DeliveryRecorder;
  /** How a budget's cost prices sending, as the preview does: the tenant's connection of the channel and the market's country. */
  sending?: {
    connections: Pick<ChannelConnectionStore, 'get'>;
    country?: string;
    defaultLanguage: string;
  };
}

/**
 * How a member refused by the budget waits for other members' holds to settle before it asks
 * again (backing off, so waiting members do not hammer the one campaign item), and how often: a
 * hold released (its member suppressed) frees room, so the run stops at the limit, not short of
 * it. A hold a crash left behind counts as spent after that: the budget may be under-used, never
 * passed. Every hold and settlement writes the campaign item, so a budgeted run contacts at most
 * about 500 members a second (DynamoDB's 1,000 writes a second per item).
 */
const HOLD_WAIT_MS = 20;
const HOLD_WAIT_MAX_MS = 500;
const HOLD_WAITS = 30;

/** A shard's view of the budget: the limits, what one contact holds, how sending is priced. */
interface ShardBudget {
  limits: BudgetLimits;
  holdNanoUsd: number;
  terms?: SendingTerms;
  /** Set once a hold is refused for good: the shard's remaining members are not decided. */
  reached?: BudgetReason;
}

export type CampaignStepInput =
  | { step: 'prepare'; tenant: TenantId; campaignId: string }
  | { step: 'select'; tenant: TenantId; campaignId: string; segment: number; totalSegments: number }
  | { step: 'selected'; tenant: TenantId; campaignId: string; results: SelectResult[] }
  | { step: 'gate'; tenant: TenantId; campaignId: string; phase: CampaignPhase }
  | { step: 'contact'; tenant: TenantId; campaignId: string; phase: CampaignPhase; shard: number; totalShards: number }
  | { step: 'measure'; tenant: TenantId; campaignId: string; phase: CampaignPhase; totalShards: number }
  | {
      step: 'finalize';
      tenant: TenantId;
      campaignId: string;
      status: CampaignStatus;
      reason?: string;
      error?: { Error?: string; Cause?: string };
    };

export interface SelectResult {
  segment: number;
  audience: number;
  control: number;
  treatment: number;
  pilot: number;
  error?: unknown;
}
export interface ContactResult {
  shard: number;
  contacted: number;
  suppressed: number;
  failed: number;
  control: number;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

async function transient<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof UnavailableError) throw new CampaignTransientError(err.message);
    throw err;
  }
}

/** Runs `fn` over `items`, `limit` at a time. */
async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    range(Math.min(limit, items.length)).map(async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

/** A customer repository that remembers the last customer it loaded (the one a decision read). */
function watchingLoads(repo: CustomerRepo): { repo: CustomerRepo; last: () => CustomerAggregate | undefined } {
  let last: CustomerAggregate | undefined;
  const watched = new Proxy(repo, {
    get(target, prop) {
      if (prop === 'load')
        return async (...args: Parameters<CustomerRepo['load']>) => (last = await target.load(...args));
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { repo: watched, last: () => last };
}

/** The decided treatment's text rendered for the customer the decision read, with its SMS parts. */
function contentOf(
  c: CampaignRecord,
  best: DecidedAction,
  actions: readonly Action[],
  customer: CustomerAggregate | undefined,
  at: Date,
): MessageContent {
  if (best.treatment.text === undefined) return {};
  return renderedContent(c.channel, best.treatment.text, {
    profile: customer?.record,
    // the state as GET /v1/customers shows it, measured when the message is due
    state: stateView(customer?.state, at, { dedupeWindowHours: 24 }),
    action: actions.find((a) => a.actionId === best.actionId),
  });
}

/** The campaign's workflow tasks, one use case per `step` (one Lambda dispatches on it). */
export const campaignSteps = (ports: CampaignStepPorts) => {
  const { campaigns, settings } = ports;
  const load = async (tenant: TenantId, id: string): Promise<CampaignRecord> => {
    const c = await campaigns.get(tenant, id);
    if (!c) throw new CampaignStepError(`campaign ${id} not found`);
    return c;
  };
  const stamp = () => ports.clock.now().toISOString();
  const shardOf = (customerId: string) => segmentOf(customerId, settings.totalShards);
  const scaled = (seconds: number) => Math.max(0, Math.ceil(seconds / settings.timeScale));
  const rules: RuleSettings = {
    timeZone: ports.decisions.settings.policy.timeZone,
    thresholds: ports.decisions.settings.thresholds,
  };

  async function prepare(tenant: TenantId, campaignId: string) {
    const c = await load(tenant, campaignId);
    const window = durationSeconds(c.responseWindow);
    if (window === undefined) throw new CampaignStepError(`responseWindow ${c.responseWindow} is not a duration`);
    await campaigns.update(tenant, campaignId, {
      phase: 'selecting',
      memberShards: settings.totalShards,
      updatedAt: stamp(),
    });
    return {
      segments: range(settings.totalSegments),
      totalSegments: settings.totalSegments,
      shards: range(settings.totalShards),
      totalShards: settings.totalShards,
      waitSeconds: scaled(window),
      pollSeconds: Math.max(1, scaled(settings.pollSeconds)),
    };
  }

  async function select(
    tenant: TenantId,
    campaignId: string,
    segment: number,
    totalSegments: number,
  ): Promise<SelectResult> {
    const c = await load(tenant, campaignId);
    const now = ports.clock.now();
    const found: ScannedCustomer[] = [];
    if ('customerIds' in c.audience) {
      const ids = [...new Set(c.audience.customerIds)].filter((id) => segmentOf(id, totalSegments) === segment);
      for (let i = 0; i < ids.length; i += 100) {
        for (const [customerId, record] of await ports.customers.loadProfiles(tenant, ids.slice(i, i + 100))) {
          if (record !== 'erased') found.push({ customerId, record });
        }
      }
    } else {
      let overBudget = 0;
      for await (const customer of ports.scan.scanSegment(tenant, segment, totalSegments)) {
        const verdict = audienceVerdict(c, customer, now, rules);
        if (verdict === 'holds') found.push(customer);
        else if (verdict === 'over-budget') overBudget++;
      }
      // an audience rule that ran out of steps selects nobody, and shows in RuleOverBudget
      if (overBudget) ports.rulesOverBudget?.(tenant, overBudget);
    }
    const members = found.map((f) => assignMember(tenant, c, f, now, rules));
    await campaigns.putMembers(tenant, campaignId, shardOf, members);
    const count = (p: (m: CampaignMember) => boolean) => members.filter(p).length;
    return {
      segment,
      audience: members.length,
      control: count((m) => m.group === 'control'),
      treatment: count((m) => m.group === 'treatment'),
      pilot: count((m) => m.phase === 'pilot'),
    };
  }

  async function selected(tenant: TenantId, campaignId: string, results: SelectResult[]) {
    const failed = results.filter((r) => r.error !== undefined).map((r) => r.segment);
    if (failed.length)
      throw new CampaignStepError(
        `audience segments ${failed.join(', ')} could not be read; the campaign does not run on part of its audience`,
      );
    const sum = (k: 'audience' | 'control' | 'treatment' | 'pilot') => results.reduce((a, r) => a + (r[k] ?? 0), 0);
    const counts = {
      audience: sum('audience'),
      control: sum('control'),
      treatment: sum('treatment'),
      pilot: sum('pilot'),
      rollout: sum('audience') - sum('pilot'),
    };
    await campaigns.update(tenant, campaignId, { counts, updatedAt: stamp() });
    return counts;
  }

  /** Pause and cancel take effect here, before each contact phase. */
  async function gate(
    tenant: TenantId,
    campaignId: string,
    phase: CampaignPhase,
  ): Promise<{ go: 'continue' | 'paused' | 'cancelled' }> {
    const c = await load(tenant, campaignId);
    if (c.status === 'cancelled') return { go: 'cancelled' };
    if (c.status === 'paused') return { go: 'paused' };
    if (c.status !== 'running') throw new CampaignStepError(`campaign ${campaignId} is ${c.status}`);
    const progress: PhaseProgress = { ...c.phases?.[phase], startedAt: c.phases?.[phase]?.startedAt ?? stamp() };
    await campaigns.update(tenant, campaignId, {
      phase,
      phases: { ...c.phases, [phase]: progress },
      updatedAt: stamp(),
    });
    return { go: 'continue' };
  }

  /**
   * Holds one contact against the budget before the member is decided (a decision commits its
   * contact to the ledger, so the budget must say yes first). Refused: if what is already spent
   * leaves no room, the budget is reached; if holds of other members are pending, their release may
   * make room, so it waits for them.
   */
  async function holdBudget(tenant: TenantId, campaignId: string, b: ShardBudget): Promise<'held' | BudgetReason> {
    for (let waits = 0; ; waits++) {
      if (await campaigns.holdBudget(tenant, campaignId, b.holdNanoUsd, b.limits)) return 'held';
      const use = (await load(tenant, campaignId)).budgetUse ?? NO_BUDGET_USE;
      const settled = { ...use, heldContacts: use.contacts, heldNanoUsd: use.nanoUsd };
      if (!fits(settled, b.limits, b.holdNanoUsd) || waits >= HOLD_WAITS) return reasonOf(settled, b.limits);
      if (use.heldContacts > use.contacts) await sleep(Math.min(HOLD_WAIT_MAX_MS, HOLD_WAIT_MS * 2 ** waits));
    }
  }

  /** Suppresses a member the budget has no room for, and marks the campaign as stopped by it. */
  async function budgetRefused(tenant: TenantId, c: CampaignRecord, shard: number, m: StoredMember, why: BudgetReason) {
    await campaigns.transition(tenant, c.campaignId, shard, 'selected', {
      ...m,
      status: 'suppressed',
      reason: why,
      at: stamp(),
    });
    return 'suppressed' as const;
  }

  async function contactOne(
    tenant: TenantId,
    c: CampaignRecord,
    actions: Action[],
    shard: number,
    m: StoredMember,
    budget?: ShardBudget,
  ): Promise<OutboundMessage | 'suppressed' | 'failed'> {
    if (budget) {
      if (budget.reached) return budgetRefused(tenant, c, shard, m, budget.reached);
      const held = await holdBudget(tenant, c.campaignId, budget);
      if (held !== 'held') {
        if (!budget.reached) {
          budget.reached = held;
          await campaigns.update(tenant, c.campaignId, { budgetReached: held, updatedAt: stamp() });
        }
        return budgetRefused(tenant, c, shard, m, held);
      }
    }
    // every way out settles the hold: what a contact made costs, or its release
    let spentNanoUsd: number | undefined;
    try {
      const out = await decideAndHandOff(tenant, c, actions, shard, m, (best, language) => {
        if (budget) spentNanoUsd = toNanoUsd(contactCostUsd(best, c.channel, language, budget.terms));
      });
      if (typeof out === 'string') spentNanoUsd = undefined;
      return out;
    } catch (err) {
      spentNanoUsd = undefined;
      throw err;
    } finally {
      if (budget) await campaigns.settleBudget(tenant, c.campaignId, budget.holdNanoUsd, spentNanoUsd);
    }
  }

  async function decideAndHandOff(
    tenant: TenantId,
    c: CampaignRecord,
    actions: Action[],
    shard: number,
    m: StoredMember,
    contacting: (action: Action, language: string | undefined) => void,
  ): Promise<OutboundMessage | 'suppressed' | 'failed'> {
    const policy = ports.decisions.settings.policy;
    let at = ports.clock.now();
    // An outbound campaign defers through quiet hours instead of losing the customer.
    if (isOutbound(c.channel, 'outbound', policy) && isQuietTime(at, policy.timeZone, policy.quietHours))
      at = nextAllowedTime(at, policy.timeZone, policy.quietHours);
    // the campaign's actions are the only candidates; the whole catalog still bounds the ledger;
    // the customer the decision read is what the text is rendered from (no second read)
    const read = watchingLoads(ports.decisions.customers);
    const deferred: DecisionPorts = { ...ports.decisions, customers: read.repo, clock: { now: () => at } };
    try {
      const decision = await decide(deferred)(tenant, {
        customerId: m.customerId,
        channel: c.channel,
        limit: 1,
        context: { direction: 'outbound', campaignId: c.campaignId },
        onlyActions: actions.map((a) => a.actionId),
      });
      const best = decision.actions[0];
      if (!best) {
        const reason = decision.excluded[0]?.reasons[0]?.code ?? decision.reasons[0]?.code ?? 'no-action';
        await campaigns.transition(tenant, c.campaignId, shard, 'selected', {
          ...m,
          status: 'suppressed',
          reason,
          decisionId: decision.decisionId,
          at: at.toISOString(),
        });
        return 'suppressed';
      }
      const content = contentOf(c, best, actions, read.last(), at);
      if ('missing' in content) {
        await campaigns.transition(tenant, c.campaignId, shard, 'selected', {
          ...m,
          status: 'suppressed',
          reason: MISSING_PLACEHOLDER,
          decisionId: decision.decisionId,
          at: at.toISOString(),
        });
        ports.recordDelivery?.({ tenant, counts: { [c.channel]: { skipped: { [MISSING_PLACEHOLDER]: 1 } } } });
        return 'suppressed';
      }
      const messageId = campaignMessageId(tenant, c.campaignId, m.customerId);
      const message: OutboundMessage = {
        messageId,
        tenant,
        customerId: m.customerId,
        channel: c.channel,
        actionId: best.actionId,
        kind: best.kind,
        treatment: best.treatment.templateKey,
        language: best.treatment.language,
        ...(content.text !== undefined ? { text: content.text } : {}),
        ...(content.segments !== undefined ? { segments: content.segments } : {}),
        reason: { type: 'campaign', id: c.campaignId },
        createdAt: stamp(),
        sendAfter: at.toISOString(),
      };
      const moved = await campaigns.transition(tenant, c.campaignId, shard, 'selected', {
        ...m,
        status: 'contacted',
        actionId: best.actionId,
        messageId,
        decisionId: decision.decisionId,
        at: at.toISOString(),
        message,
      });
      // Metered where the member moves to contacted (once): a retried shard hands it off again
      // under the same messageId, which is no new contact.
      if (!moved) return 'suppressed';
      ports.meter?.meter(tenant, 'CampaignContact', 1);
      const chosen = actions.find((a) => a.actionId === best.actionId);
      if (chosen) contacting(chosen, read.last()?.record?.language);
      return message;
    } catch (err) {
      if (err instanceof UnavailableError || err instanceof CampaignTransientError)
        throw new CampaignTransientError(err.message);
      // One customer's failure (erased meanwhile, bad data) goes to the failure list, not the campaign.
      await campaigns.transition(tenant, c.campaignId, shard, 'selected', {
        ...m,
        status: 'failed',
        reason: (err as Error).name || 'Error',
        at: at.toISOString(),
      });
      return 'failed';
    }
  }

  async function shardBudget(tenant: TenantId, c: CampaignRecord, actions: Action[]): Promise<ShardBudget> {
    const sending = ports.sending;
    const terms: SendingTerms | undefined = sending
      ? {
          connectionType: ((await sending.connections.get(tenant, c.channel))?.settings ?? DEFAULT_SETTINGS).type,
          defaultLanguage: sending.defaultLanguage,
          ...(sending.country ? { country: sending.country } : {}),
        }
      : undefined;
    return {
      limits: limitsOf(c.budget ?? {}),
      // the most a contact of this campaign can cost: settled to the chosen text's figure after
      holdNanoUsd: toNanoUsd(maxContactCostUsd(actions, c.channel, terms)),
      ...(terms ? { terms } : {}),
      ...(c.budgetReached ? { reached: c.budgetReached } : {}),
    };
  }

  /**
   * Decides and hands off for one shard's treatment members of a phase. Idempotent: a member moves
   * selected -> contacted once (conditional), carrying its hand-off; a retried shard hands off the
   * already-contacted members again under the same messageId, which consumers dedupe.
   */
  async function contact(
    tenant: TenantId,
    campaignId: string,
    phase: CampaignPhase,
    shard: number,
  ): Promise<ContactResult> {
    const c = await load(tenant, campaignId);
    const result: ContactResult = { shard, contacted: 0, suppressed: 0, failed: 0, control: 0 };
    if (c.status === 'cancelled') return result;
    const actions = (await Promise.all(c.actionIds.map((id) => ports.decisions.catalog.get(tenant, id)))).filter(
      (a): a is Action => !!a,
    );
    // counters exist only on campaigns created with a budget object (the number field before was ignored)
    const budget = c.budget && c.budgetUse ? await shardBudget(tenant, c, actions) : undefined;
    const members = (await campaigns.members(tenant, campaignId, shard)).filter((m) => m.phase === phase);
    const outbox: OutboundMessage[] = [];
    const todo: StoredMember[] = [];
    for (const m of members) {
      if (m.group === 'control') {
        result.control++;
        continue;
      }
      if (m.status === 'contacted') {
        if (m.message) outbox.push(m.message);
        result.contacted++;
      } else if (m.status === 'suppressed') result.suppressed++;
      else if (m.status === 'failed') result.failed++;
      else todo.push(m);
    }
    await eachLimited(todo, settings.concurrency, async (m) => {
      const r = await contactOne(tenant, c, actions, shard, m, budget);
      if (r === 'suppressed') result.suppressed++;
      else if (r === 'failed') result.failed++;
      else {
        result.contacted++;
        outbox.push(r);
      }
    });
    for (let i = 0; i < outbox.length; i += 10) await transient(() => ports.outbound.send(outbox.slice(i, i + 10)));
    return result;
  }

  async function outcomes(
    tenant: TenantId,
    c: CampaignRecord,
    phases: CampaignPhase[],
    totalShards: number,
  ): Promise<MemberOutcome[]> {
    const out: MemberOutcome[] = [];
    const now = ports.clock.now();
    for (const shard of range(totalShards)) {
      const members = (await campaigns.members(tenant, c.campaignId, shard)).filter((m) => phases.includes(m.phase));
      await eachLimited(members, settings.concurrency, async (m) => {
        const from = new Date(c.phases?.[m.phase]?.startedAt ?? c.createdAt);
        const measuredAt = c.phases?.[m.phase]?.measuredAt;
        const to = measuredAt ? new Date(measuredAt) : now;
        const agg = await ports.customers.load(tenant, m.customerId);
        // a treatment member still undecided after its phase's contact (its shard failed) counts as failed
        const settled =
          m.group === 'treatment' && m.status === 'selected'
            ? { ...m, status: 'failed' as const, reason: 'shard-failed' }
            : m;
        out.push(measureMember(settled, c.actionIds, agg.state, agg.ledger.ledger.accepted, { from, to }));
      });
    }
    return out;
  }

  /** After the response window: the phase's report, and (pilot) whether to roll out. */
  async function measure(tenant: TenantId, campaignId: string, phase: CampaignPhase, totalShards: number) {
    const c = await load(tenant, campaignId);
    const ran: CampaignPhase[] = phase === 'pilot' ? ['pilot'] : ['pilot', 'rollout'];
    const members = await outcomes(tenant, c, ran, totalShards);
    const report = campaignReport(members, c.goal, ran, COST_PER_TREATMENT_MEMBER_USD);
    const p = members.filter((m) => m.phase === phase);
    const t = p.filter((m) => m.group === 'treatment');
    const ctl = p.filter((m) => m.group === 'control');
    const success = (m: MemberOutcome) =>
      c.goal === 'churn' ? !m.churned : c.goal === 'revenue' ? m.revenue > 0 : m.responded;
    const measured = rolloutVerdict(
      { n: t.length, successes: t.filter(success).length },
      { n: ctl.length, successes: ctl.filter(success).length },
      c.pilot.minUplift,
    );
    // a budget reached in the pilot leaves nothing to roll out with
    const verdict = c.budgetReached ? { rollOut: false, reason: c.budgetReached } : measured;
    const pr = report.phases[phase];
    const progress: PhaseProgress = {
      ...c.phases?.[phase],
      measuredAt: stamp(),
      contacted: pr?.treatment.contacted ?? 0,
      suppressed: Object.values(pr?.treatment.suppressed ?? {}).reduce((a, b) => a + b, 0),
      failed: pr?.treatment.failed ?? 0,
      ...(phase === 'pilot' ? { verdict: { rollOut: verdict.rollOut, reason: verdict.reason } } : {}),
    };
    await campaigns.update(tenant, campaignId, {
      report,
      phases: { ...c.phases, [phase]: progress },
      updatedAt: stamp(),
    });
    return { rollOut: verdict.rollOut, reason: verdict.reason };
  }

  async function finalize(
    tenant: TenantId,
    campaignId: string,
    status: CampaignStatus,
    reason?: string,
    error?: { Error?: string; Cause?: string },
  ) {
    const c = await load(tenant, campaignId);
    // a run its budget stopped ends `stopped`, whatever the pilot said, with the limit as its reason
    const byBudget = c.budgetReached && status === 'succeeded' && c.status !== 'cancelled';
    const final: CampaignStatus = c.status === 'cancelled' ? 'cancelled' : byBudget ? 'stopped' : status;
    const why = byBudget
      ? c.budgetReached
      : (reason ?? (error ? `${error.Error ?? 'Error'}: ${(error.Cause ?? '').slice(0, 500)}` : c.reason));
    await campaigns.update(tenant, campaignId, {
      status: final,
      phase: 'done',
      updatedAt: stamp(),
      ...(why ? { reason: why } : {}),
    });
    return { campaignId, status: final };
  }

  return async (input: CampaignStepInput): Promise<unknown> => {
    const { tenant, campaignId } = input;
    return transient(async () => {
      switch (input.step) {
        case 'prepare':
          return prepare(tenant, campaignId);
        case 'select':
          return select(tenant, campaignId, input.segment, input.totalSegments);
        case 'selected':
          return selected(tenant, campaignId, input.results);
        case 'gate':
          return gate(tenant, campaignId, input.phase);
        case 'contact':
          return contact(tenant, campaignId, input.phase, input.shard);
        case 'measure':
          return measure(tenant, campaignId, input.phase, input.totalShards);
        case 'finalize':
          return finalize(tenant, campaignId, input.status, input.reason, input.error);
        default:
          throw new CampaignStepError(`unknown step ${(input as { step?: string }).step}`);
      }
    });
  };
};
