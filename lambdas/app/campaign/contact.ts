import type { Action } from '#domain/action.ts';
import { contactCostUsd, toNanoUsd } from '#domain/campaign/budget.ts';
import type { CampaignRecord } from '#domain/campaign/campaign.ts';
import type { StoredMember } from '#domain/campaign/ports.ts';
import { runMembersKey } from '#domain/campaign/schedule.ts';
import type { TenantId } from '#domain/ids.ts';
import type { OutboundMessage } from '#domain/triggers.ts';
import { budgetRefused, holdBudget, shardBudget, type ShardBudget } from './budget-hold.ts';
import { eachLimited, transient, type StepContext } from './context.ts';
import { decideAndHandOff } from './hand-off.ts';
import type { ContactResult, StepInput } from './step-input.ts';

/** One member under the budget (when the campaign has one): held, decided and handed off, then settled. */
async function contactOne(
  ctx: StepContext,
  tenant: TenantId,
  c: CampaignRecord,
  actions: Action[],
  shard: number,
  m: StoredMember,
  budget?: ShardBudget,
): Promise<OutboundMessage | 'suppressed' | 'failed'> {
  const { campaigns } = ctx.ports;
  if (budget) {
    if (budget.reached) return budgetRefused(ctx, tenant, c, shard, m, budget.reached);
    const held = await holdBudget(ctx, tenant, c.campaignId, budget);
    if (held !== 'held') {
      if (!budget.reached) {
        budget.reached = held;
        await campaigns.update(tenant, c.campaignId, { budgetReached: held, updatedAt: ctx.stamp() });
      }
      return budgetRefused(ctx, tenant, c, shard, m, held);
    }
  }
  // every way out settles the hold: what a contact made costs, or its release
  let spentNanoUsd: number | undefined;
  try {
    const out = await decideAndHandOff(ctx, tenant, c, actions, shard, m, (best, language, variantId) => {
      if (budget) spentNanoUsd = toNanoUsd(contactCostUsd(best, c.channel, language, budget.terms, variantId));
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

/**
 * Decides and hands off for one shard's treatment members of a phase. Idempotent: a member moves
 * selected -> contacted once (conditional), carrying its hand-off; a retried shard hands off the
 * already-contacted members again under the same messageId, which consumers dedupe.
 */
export async function contact(
  ctx: StepContext,
  { tenant, campaignId, phase, shard }: StepInput<'contact'>,
): Promise<ContactResult> {
  const { ports } = ctx;
  const c = await ctx.load(tenant, campaignId);
  const result: ContactResult = { shard, contacted: 0, suppressed: 0, failed: 0, control: 0 };
  if (c.status === 'cancelled') return result;
  const actions = (await Promise.all(c.actionIds.map((id) => ports.decisions.catalog.get(tenant, id)))).filter(
    (a): a is Action => !!a,
  );
  // counters exist only on campaigns created with a budget object (the number field before was ignored)
  const budget = c.budget && c.budgetUse ? await shardBudget(ctx, tenant, c, actions) : undefined;
  const members = (await ports.campaigns.members(tenant, runMembersKey(campaignId, c.runId), shard)).filter(
    (m) => m.phase === phase,
  );
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
  await eachLimited(todo, ports.settings.concurrency, async (m) => {
    const r = await contactOne(ctx, tenant, c, actions, shard, m, budget);
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
