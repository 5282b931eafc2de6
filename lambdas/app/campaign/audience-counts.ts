import { CampaignStepError, type StepContext } from './context.ts';
import type { StepInput } from './step-input.ts';

/** Sums the segments' selections into the campaign's counts; a segment that failed stops the run. */
export async function audienceCounts(ctx: StepContext, { tenant, campaignId, results }: StepInput<'selected'>) {
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
  await ctx.ports.campaigns.update(tenant, campaignId, { counts, updatedAt: ctx.stamp() });
  return counts;
}
