import { createHash } from 'node:crypto';
import type { Rule } from '../action.ts';
import type { Channel, CustomerRecord } from '../customer.ts';
import type { StateView, StoredStateView } from '../customer-state.ts';
import type { TenantId } from '../ids.ts';
import { signalsOf, type SignalThresholds } from '../decisioning/signals.ts';
import { bucketsFromFacts } from '../state/legacy-layout.ts';
import { revenueCentsBetween } from '../state/windowed-counters.ts';
import { evaluateRule, type RuleVerdict } from '../rules.ts';
import type { BudgetReason, BudgetUse, CampaignBudget } from './budget.ts';
import { campaignGroup, campaignPhase, type CampaignGroup, type CampaignPhase } from './assignment.ts';
import type { CampaignGoal, CampaignReport, MemberOutcome } from './report.ts';
import type { CampaignSchedule } from './schedule.ts';

/** `scheduled`: waiting for its (next) run's start; a repeating campaign returns to it between runs. */
export const CAMPAIGN_STATUSES = [
  'scheduled',
  'running',
  'paused',
  'succeeded',
  'stopped',
  'failed',
  'cancelled',
] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];
export const FINAL_STATUSES: ReadonlySet<CampaignStatus> = new Set(['succeeded', 'stopped', 'failed', 'cancelled']);

/** A campaign as the client asks for it (DESIGN.md "Campaign"). */
export interface CampaignSpec {
  name: string;
  goal: CampaignGoal;
  /** A rule over the whole base, an inline list (at most 5,000), or an uploaded audience (audience-upload.ts). */
  audience: { rule: Rule } | { customerIds: string[] } | { audienceId: string };
  actionIds: string[];
  channel: Channel;
  controlGroupPercent: number;
  pilot: CampaignPilot;
  /** ISO 8601 duration, e.g. P7D. */
  responseWindow: string;
  /** Start later, and repeat (schedule.ts); without one the campaign runs at once, once. */
  schedule?: CampaignSchedule;
  /** Per run. */
  budget?: CampaignBudget;
}

/**
 * Who is in the pilot: a random `percent` of the audience, or the members a rule over the profile
 * selects (`where`: a region, a store cluster). Everyone else is the roll-out.
 */
export type CampaignPilot = { percent: number; minUplift: number } | { where: Rule; minUplift: number };

export interface PhaseProgress {
  /** When contacting of the phase began: the start of its measurement window. */
  startedAt?: string;
  measuredAt?: string;
  contacted?: number;
  suppressed?: number;
  failed?: number;
  verdict?: { rollOut: boolean; reason: string };
}

/** The stored campaign (`CAMPAIGN#<id>`): spec, status and progress. */
export interface CampaignRecord extends CampaignSpec {
  campaignId: string;
  status: CampaignStatus;
  phase: 'preparing' | 'selecting' | CampaignPhase | 'done';
  createdAt: string;
  updatedAt: string;
  executionId?: string;
  counts?: { audience: number; control: number; treatment: number; pilot: number; rollout: number };
  /** How many shards the members were written in: erasure finds a customer's member item by it. */
  memberShards?: number;
  phases?: Partial<Record<CampaignPhase, PhaseProgress>>;
  reason?: string;
  report?: CampaignReport;
  /** The budget's counters (budget.ts), kept on the record so one conditional update holds a contact. */
  budgetUse?: BudgetUse;
  /** Set once a budget limit stopped contacting: the campaign ends `stopped` with it as its reason. */
  budgetReached?: BudgetReason;
  /** A scheduled campaign's current (or last) run: its members are kept apart from other runs'. */
  runId?: string;
  /** Runs started so far. */
  runCount?: number;
  /** When the next run is due (its one-time schedule exists until it starts or the campaign is cancelled). */
  nextRunAt?: string;
  /** A scheduled campaign's runs, oldest first (the latest MAX_KEPT_RUNS). */
  runs?: CampaignRun[];
}

/** One run of a scheduled campaign: its own audience, members, budget and report. */
export interface CampaignRun {
  runId: string;
  startedAt: string;
  status: CampaignStatus;
  report?: CampaignReport;
  reason?: string;
}

/** Runs a campaign record keeps (each with its report), so a daily campaign's record stays far below DynamoDB's item size. */
export const MAX_KEPT_RUNS = 30;

export type MemberStatus = 'selected' | 'contacted' | 'suppressed' | 'failed';

/** One member of a campaign (`CM#<campaignId>#<shard>`, sk customerId). */
export interface CampaignMember {
  customerId: string;
  group: CampaignGroup;
  phase: CampaignPhase;
  status: MemberStatus;
  reason?: string;
  actionId?: string;
  /** The message variant the contacted member was sent (treatments with `variants`). */
  variantId?: string;
  messageId?: string;
  decisionId?: string;
  at?: string;
}

/**
 * The estimated AWS cost of one audience member, in USD, documented so the preview can say what a
 * campaign will cost before it runs. Per treatment member: member put, status transition and
 * decision log (3 DynamoDB write units at $0.625/M), the customer Query and member reads (~1.5 read
 * units at $0.125/M), one SQS send ($0.40/M, batched 10) and ~5 ms of a 1,769 MB arm64 Lambda
 * ($0.0000133334/GB-s); per control member a member put and reads only. Step Functions
 * transitions are per shard, not per customer, and round to nothing.
 */
export const COST_PER_TREATMENT_MEMBER_USD = 3 * 0.625e-6 + 1.5 * 0.125e-6 + 0.4e-6 / 10 + 1.769 * 0.005 * 0.0000133334;
export const COST_PER_CONTROL_MEMBER_USD = 0.625e-6 + 1.5 * 0.125e-6 + 1.769 * 0.001 * 0.0000133334;

export function estimatedCostUsd(treatment: number, control: number): number {
  return Math.round((treatment * COST_PER_TREATMENT_MEMBER_USD + control * COST_PER_CONTROL_MEMBER_USD) * 1e4) / 1e4;
}

/** Seconds of an ISO 8601 duration (PnW, PnDTnHnMnS; months and years are refused); undefined if malformed. */
export function durationSeconds(iso: string): number | undefined {
  const m = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(iso);
  if (!m || iso === 'P' || iso.endsWith('T')) return undefined;
  const [, w, d, h, min, s] = m;
  return (
    Number(w ?? 0) * 604_800 + Number(d ?? 0) * 86_400 + Number(h ?? 0) * 3600 + Number(min ?? 0) * 60 + Number(s ?? 0)
  );
}

/** Same tenant, campaign and customer -> same message id: a repeated hand-off is recognisably one. */
export const campaignMessageId = (tenant: TenantId, campaignId: string, customerId: string): string =>
  createHash('sha256')
    .update(`campaign\u0000${tenant}\u0000${campaignId}\u0000${customerId}`)
    .digest('hex')
    .slice(0, 32);

/** What a campaign's rules read beside the customer: the market's time zone and signal thresholds. */
export interface RuleSettings {
  timeZone: string;
  thresholds?: SignalThresholds;
}

type Customer = { record: CustomerRecord; state?: StateView };

/** `{profile, state, scores, context, signals}`: what an audience or pilot rule sees, as an eligibility rule does. */
function ruleData(customer: Customer, now: Date, settings: RuleSettings) {
  const scores = customer.record.scores ?? {};
  return {
    profile: customer.record,
    state: customer.state ?? {},
    scores,
    context: { now: now.toISOString() },
    signals: signalsOf(customer.state, scores, settings.thresholds, {
      profile: customer.record,
      now,
      timeZone: settings.timeZone,
    }),
  };
}

/**
 * How a customer's audience rule answered: `over-budget` (the rule ran out of steps) and `error`
 * (it could not run) select nobody, and the caller counts them.
 */
export function audienceVerdict(
  spec: Pick<CampaignSpec, 'audience'>,
  customer: Customer,
  now: Date,
  settings: RuleSettings,
): RuleVerdict {
  if ('customerIds' in spec.audience)
    return spec.audience.customerIds.includes(customer.record.customerId) ? 'holds' : 'fails';
  // an uploaded audience's members are the customers read from its list: nobody else is asked
  if ('audienceId' in spec.audience) return 'holds';
  return evaluateRule(spec.audience.rule, ruleData(customer, now, settings));
}

/** Does a customer belong to the audience? A rule that cannot run, or runs out of steps, selects nobody. */
export const inAudience = (
  spec: Pick<CampaignSpec, 'audience'>,
  customer: Customer,
  now: Date,
  settings: RuleSettings,
): boolean => audienceVerdict(spec, customer, now, settings) === 'holds';

/**
 * Sticky group and phase of one audience member. A `where` pilot takes the members its rule holds
 * for (one that cannot run or runs out of steps leaves the member in the roll-out); a random pilot
 * takes a hashed `percent`. The control group is drawn the same way in both, so each phase has its own.
 */
export function assignMember(
  tenant: TenantId,
  c: Pick<CampaignRecord, 'campaignId' | 'controlGroupPercent' | 'pilot'>,
  customer: Customer,
  now: Date,
  settings: RuleSettings,
): CampaignMember {
  const customerId = customer.record.customerId;
  const phase: CampaignPhase =
    'where' in c.pilot
      ? evaluateRule(c.pilot.where, ruleData(customer, now, settings)) === 'holds'
        ? 'pilot'
        : 'rollout'
      : campaignPhase(tenant, c.campaignId, customerId, c.pilot.percent);
  return {
    customerId,
    group: campaignGroup(tenant, c.campaignId, customerId, c.controlGroupPercent),
    phase,
    status: 'selected',
  };
}

const inWindow = (iso: string | undefined, from: number, to: number) => {
  if (!iso) return false;
  const t = Date.parse(iso);
  return t >= from && t <= to;
};

/**
 * What one member did in the response window `[from, to]`: take-up is an accepted response to one
 * of the campaign's actions (from the folded state, or the customer's contact ledger, which keeps
 * each action's latest acceptance), churn a churn in the window, revenue the top-ups and paid
 * invoices in the window. Pure.
 */
export function measureMember(
  member: CampaignMember,
  actionIds: readonly string[],
  state: StoredStateView | undefined,
  ledgerAccepted: Readonly<Record<string, string>>,
  window: { from: Date; to: Date },
): MemberOutcome {
  const from = window.from.getTime();
  const to = window.to.getTime();
  const accepted = state?.accepted ?? {};
  const responded = actionIds.some((a) => inWindow(accepted[a], from, to) || inWindow(ledgerAccepted[a], from, to));
  const churned = inWindow(state?.churn?.at, from, to);
  // the state's day buckets (an item of the layout before buckets: its facts, bucketed alike)
  const buckets = state?.buckets ?? bucketsFromFacts(state?.facts ?? {});
  const revenue = revenueCentsBetween(buckets, from / 1000, to / 1000) / 100;
  return {
    group: member.group,
    phase: member.phase,
    contacted: member.status === 'contacted',
    ...(member.status === 'suppressed' && member.reason ? { suppressedReason: member.reason } : {}),
    ...(member.status === 'failed' ? { failed: true } : {}),
    ...(member.status === 'contacted' && member.actionId && member.variantId
      ? { actionId: member.actionId, variantId: member.variantId }
      : {}),
    responded,
    churned,
    revenue,
  };
}
