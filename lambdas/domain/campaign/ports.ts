import type { TenantId } from '../ids.ts';
import type { OutboundMessage } from '../triggers.ts';
import type { BudgetLimits } from './budget.ts';
import type { CampaignMember, CampaignRecord, CampaignStatus, MemberStatus } from './campaign.ts';

export interface CampaignSummary {
  campaignId: string;
  name: string;
  status: CampaignStatus;
  phase: CampaignRecord['phase'];
  createdAt: string;
}

/** A member as stored: with the hand-off it was given, so a retried shard can hand it off again. */
export type StoredMember = CampaignMember & { message?: OutboundMessage };

/**
 * Campaigns in the tenant's own table: the record `CAMPAIGN#<id>` (listed newest first through
 * gsi1) and its members `CM#<id>#<shard>` / customerId.
 */
export interface CampaignStore {
  create(tenant: TenantId, record: CampaignRecord): Promise<void>;
  get(tenant: TenantId, campaignId: string): Promise<CampaignRecord | undefined>;
  list(
    tenant: TenantId,
    opts: { limit?: number; nextToken?: string },
  ): Promise<{ items: CampaignSummary[]; nextToken?: string }>;
  /** Sets the given fields; with `ifStatusIn`, only while the status is one of them (false otherwise). */
  update(
    tenant: TenantId,
    campaignId: string,
    patch: Partial<CampaignRecord>,
    ifStatusIn?: CampaignStatus[],
    /** Fields to remove in the same update (a run's results, when the next run starts). */
    remove?: (keyof CampaignRecord)[],
  ): Promise<boolean>;
  putMembers(
    tenant: TenantId,
    campaignId: string,
    shard: (customerId: string) => number,
    members: CampaignMember[],
  ): Promise<void>;
  members(tenant: TenantId, campaignId: string, shard: number): Promise<StoredMember[]>;
  /**
   * Holds one contact costing `nanoUsd` against the budget in one conditional update of the
   * record's `budgetUse`: false, holding nothing, when it would pass a limit (counting what other
   * members hold and have not settled yet).
   */
  holdBudget(tenant: TenantId, campaignId: string, nanoUsd: number, limits: BudgetLimits): Promise<boolean>;
  /**
   * Settles a hold of `heldNanoUsd`: a contact made counts with its cost `nanoUsd` (at most the
   * hold); `undefined` releases the hold.
   */
  settleBudget(tenant: TenantId, campaignId: string, heldNanoUsd: number, nanoUsd: number | undefined): Promise<void>;
  /** Moves a member from `from` to `to.status` (with its fields); false when it was not in `from` (already done). */
  transition(
    tenant: TenantId,
    campaignId: string,
    shard: number,
    from: MemberStatus,
    to: StoredMember,
  ): Promise<boolean>;
}

/** A member of one campaign, as subject access shows it. */
export type Membership = StoredMember & { campaignId: string; runId?: string };

/** A customer's side of the tenant's campaigns: subject access and erasure. */
export interface CampaignMemberships {
  /** The customer's membership of every campaign the tenant keeps. */
  membershipsOf(tenant: TenantId, customerId: string): Promise<Membership[]>;
  /** The uploaded audiences (POST /v1/audiences) whose list names the customer. */
  audiencesNaming(tenant: TenantId, customerId: string): Promise<string[]>;
  /**
   * Deletes the customer's memberships and takes its id out of every campaign's audience list
   * and every uploaded audience. Idempotent; what it changed.
   */
  forgetCustomer(tenant: TenantId, customerId: string): Promise<{ memberships: number; audienceLists: number }>;
}

/** Starts the campaign workflow (Step Functions in AWS, aws-local-stepfunctions locally). */
export interface WorkflowStarter {
  /** A scheduled campaign's run names its execution: each run is one. */
  start(input: { tenant: TenantId; campaignId: string; runId?: string }): Promise<{ executionId: string }>;
}

/** A campaign run due at an instant. */
export interface DueRun {
  tenant: TenantId;
  campaignId: string;
  at: Date;
}

/**
 * Starts a scheduled campaign's run when it is due (EventBridge Scheduler one-time schedules in
 * AWS; a timer on the platform clock locally), by calling the start-run use case.
 */
export interface RunScheduler {
  /** Idempotent: the same run scheduled twice is one schedule. */
  schedule(run: DueRun): Promise<void>;
  /** Idempotent: a run not (or no longer) scheduled is fine. */
  cancel(run: DueRun): Promise<void>;
}
