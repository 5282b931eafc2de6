import { setTimeout as sleep } from 'node:timers/promises';
import type { Action } from '#domain/action.ts';
import {
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
import type { CampaignRecord } from '#domain/campaign/campaign.ts';
import type { StoredMember } from '#domain/campaign/ports.ts';
import { runMembersKey } from '#domain/campaign/schedule.ts';
import { DEFAULT_SETTINGS } from '#domain/delivery/connection.ts';
import type { TenantId } from '#domain/ids.ts';
import type { StepContext } from './context.ts';

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
export interface ShardBudget {
  limits: BudgetLimits;
  holdNanoUsd: number;
  terms?: SendingTerms;
  /** Set once a hold is refused for good: the shard's remaining members are not decided. */
  reached?: BudgetReason;
}

export async function shardBudget(
  ctx: StepContext,
  tenant: TenantId,
  c: CampaignRecord,
  actions: Action[],
): Promise<ShardBudget> {
  const sending = ctx.ports.sending;
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
 * Holds one contact against the budget before the member is decided (a decision commits its
 * contact to the ledger, so the budget must say yes first). Refused: if what is already spent
 * leaves no room, the budget is reached; if holds of other members are pending, their release may
 * make room, so it waits for them.
 */
export async function holdBudget(
  ctx: StepContext,
  tenant: TenantId,
  campaignId: string,
  b: ShardBudget,
): Promise<'held' | BudgetReason> {
  for (let waits = 0; ; waits++) {
    if (await ctx.ports.campaigns.holdBudget(tenant, campaignId, b.holdNanoUsd, b.limits)) return 'held';
    const use = (await ctx.load(tenant, campaignId)).budgetUse ?? NO_BUDGET_USE;
    const settled = { ...use, heldContacts: use.contacts, heldNanoUsd: use.nanoUsd };
    if (!fits(settled, b.limits, b.holdNanoUsd) || waits >= HOLD_WAITS) return reasonOf(settled, b.limits);
    if (use.heldContacts > use.contacts) await sleep(Math.min(HOLD_WAIT_MAX_MS, HOLD_WAIT_MS * 2 ** waits));
  }
}

/** Suppresses a member the budget has no room for, and marks the campaign as stopped by it. */
export async function budgetRefused(
  ctx: StepContext,
  tenant: TenantId,
  c: CampaignRecord,
  shard: number,
  m: StoredMember,
  why: BudgetReason,
) {
  await ctx.ports.campaigns.transition(tenant, runMembersKey(c.campaignId, c.runId), shard, 'selected', {
    ...m,
    status: 'suppressed',
    reason: why,
    at: ctx.stamp(),
  });
  return 'suppressed' as const;
}
