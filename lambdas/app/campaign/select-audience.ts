import { segmentOf } from '#domain/campaign/assignment.ts';
import { assignMember, audienceVerdict, type CampaignMember } from '#domain/campaign/campaign.ts';
import { runMembersKey } from '#domain/campaign/schedule.ts';
import type { ScannedCustomer } from '#domain/ports/scoring.ts';
import type { StepContext } from './context.ts';
import { selectUploaded } from './select-uploaded.ts';
import type { SelectResult, StepInput } from './step-input.ts';

/**
 * Selects one segment's audience (listed customers, or a scan against the audience rule) and
 * stores each member with its control/treatment group and phase.
 */
export async function selectAudience(
  ctx: StepContext,
  { tenant, campaignId, segment, totalSegments }: StepInput<'select'>,
): Promise<SelectResult> {
  const { ports } = ctx;
  const c = await ctx.load(tenant, campaignId);
  if ('audienceId' in c.audience) return selectUploaded(ctx, tenant, c, c.audience.audienceId, segment, totalSegments);
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
      const verdict = audienceVerdict(c, customer, now, ctx.rules);
      if (verdict === 'holds') found.push(customer);
      else if (verdict === 'over-budget') overBudget++;
    }
    // an audience rule that ran out of steps selects nobody, and shows in RuleOverBudget
    if (overBudget) ports.rulesOverBudget?.(tenant, overBudget);
  }
  const members = found.map((f) => assignMember(tenant, c, f, now, ctx.rules));
  await ports.campaigns.putMembers(tenant, runMembersKey(campaignId, c.runId), ctx.shardOf, members);
  const count = (p: (m: CampaignMember) => boolean) => members.filter(p).length;
  return {
    segment,
    audience: members.length,
    control: count((m) => m.group === 'control'),
    treatment: count((m) => m.group === 'treatment'),
    pilot: count((m) => m.phase === 'pilot'),
  };
}
