import type { PhaseProgress } from '#domain/campaign/campaign.ts';
import { CampaignStepError, type StepContext } from './context.ts';
import type { StepInput } from './step-input.ts';

/** Pause and cancel take effect here, before each contact phase. */
export async function gate(
  ctx: StepContext,
  { tenant, campaignId, phase }: StepInput<'gate'>,
): Promise<{ go: 'continue' | 'paused' | 'cancelled' }> {
  const c = await ctx.load(tenant, campaignId);
  if (c.status === 'cancelled') return { go: 'cancelled' };
  if (c.status === 'paused') return { go: 'paused' };
  if (c.status !== 'running') throw new CampaignStepError(`campaign ${campaignId} is ${c.status}`);
  const progress: PhaseProgress = { ...c.phases?.[phase], startedAt: c.phases?.[phase]?.startedAt ?? ctx.stamp() };
  await ctx.ports.campaigns.update(tenant, campaignId, {
    phase,
    phases: { ...c.phases, [phase]: progress },
    updatedAt: ctx.stamp(),
  });
  return { go: 'continue' };
}
