import { durationSeconds } from '#domain/campaign/campaign.ts';
import { CampaignStepError, range, type StepContext } from './context.ts';
import { liveAudience } from './select-uploaded.ts';
import type { StepInput } from './step-input.ts';

/** Checks the campaign can run and tells the workflow how to fan out and how long to wait. */
export async function prepare(ctx: StepContext, { tenant, campaignId }: StepInput<'prepare'>) {
  const { settings } = ctx.ports;
  const c = await ctx.load(tenant, campaignId);
  const window = durationSeconds(c.responseWindow);
  if (window === undefined) throw new CampaignStepError(`responseWindow ${c.responseWindow} is not a duration`);
  if ('audienceId' in c.audience) await liveAudience(ctx, tenant, c.audience.audienceId);
  await ctx.ports.campaigns.update(tenant, campaignId, {
    phase: 'selecting',
    memberShards: settings.totalShards,
    updatedAt: ctx.stamp(),
  });
  return {
    segments: range(settings.totalSegments),
    totalSegments: settings.totalSegments,
    shards: range(settings.totalShards),
    totalShards: settings.totalShards,
    waitSeconds: ctx.scaled(window),
    pollSeconds: Math.max(1, ctx.scaled(settings.pollSeconds)),
  };
}
