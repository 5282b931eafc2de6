import type { CampaignPhase } from '#domain/campaign/assignment.ts';
import {
  COST_PER_TREATMENT_MEMBER_USD,
  measureMember,
  type CampaignRecord,
  type PhaseProgress,
} from '#domain/campaign/campaign.ts';
import { campaignReport, type MemberOutcome } from '#domain/campaign/report.ts';
import { runMembersKey } from '#domain/campaign/schedule.ts';
import { rolloutVerdict } from '#domain/campaign/statistics.ts';
import type { TenantId } from '#domain/ids.ts';
import { eachLimited, range, type StepContext } from './context.ts';
import type { StepInput } from './step-input.ts';

/** Each member of the phases that ran, measured over its phase's response window. */
async function outcomes(
  ctx: StepContext,
  tenant: TenantId,
  c: CampaignRecord,
  phases: CampaignPhase[],
  totalShards: number,
): Promise<MemberOutcome[]> {
  const { ports } = ctx;
  const out: MemberOutcome[] = [];
  const now = ports.clock.now();
  for (const shard of range(totalShards)) {
    const members = (await ports.campaigns.members(tenant, runMembersKey(c.campaignId, c.runId), shard)).filter((m) =>
      phases.includes(m.phase),
    );
    await eachLimited(members, ports.settings.concurrency, async (m) => {
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
export async function measure(ctx: StepContext, { tenant, campaignId, phase, totalShards }: StepInput<'measure'>) {
  const c = await ctx.load(tenant, campaignId);
  const ran: CampaignPhase[] = phase === 'pilot' ? ['pilot'] : ['pilot', 'rollout'];
  const members = await outcomes(ctx, tenant, c, ran, totalShards);
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
    measuredAt: ctx.stamp(),
    contacted: pr?.treatment.contacted ?? 0,
    suppressed: Object.values(pr?.treatment.suppressed ?? {}).reduce((a, b) => a + b, 0),
    failed: pr?.treatment.failed ?? 0,
    ...(phase === 'pilot' ? { verdict: { rollOut: verdict.rollOut, reason: verdict.reason } } : {}),
  };
  await ctx.ports.campaigns.update(tenant, campaignId, {
    report,
    phases: { ...c.phases, [phase]: progress },
    updatedAt: ctx.stamp(),
  });
  return { rollOut: verdict.rollOut, reason: verdict.reason };
}
