import type { AudienceRecord } from '#domain/campaign/audience-upload.ts';
import { assignMember, type CampaignMember, type CampaignRecord } from '#domain/campaign/campaign.ts';
import { audienceExpired } from '#domain/campaign/retention.ts';
import { runMembersKey } from '#domain/campaign/schedule.ts';
import type { TenantId } from '#domain/ids.ts';
import { uploadedAudienceSegment } from '../audiences.ts';
import { CampaignStepError, type StepContext } from './context.ts';
import type { SelectResult } from './step-input.ts';

/** Members stored at once: a segment of a large list is never held whole. */
const CHUNK = 1000;

/**
 * The uploaded audience a run selects from, checked ready when the campaign was created: a run
 * that starts after it expired (a scheduled campaign's later run, one created before retention)
 * fails with the reason, rather than select from a list TTL is deleting.
 */
export async function liveAudience(ctx: StepContext, tenant: TenantId, audienceId: string): Promise<AudienceRecord> {
  const audience = await ctx.ports.audiences?.get(tenant, audienceId);
  if (!audience)
    throw new CampaignStepError(`audience ${audienceId} is gone (uploaded audiences expire); upload the list again`);
  if (audienceExpired(audience, ctx.ports.clock.now()))
    throw new CampaignStepError(
      `audience ${audienceId} expired at ${audience.retainedUntil}; this run selects nobody from it: upload the list again and create a new campaign`,
    );
  if (audience.status !== 'ready') throw new CampaignStepError(`audience ${audienceId} is not ready`);
  return audience;
}

/**
 * Selects one segment of an uploaded audience: its partitions streamed a page at a time, each
 * listed customer with a profile (not erased) assigned its group and phase as any audience's
 * member is, and stored a chunk at a time.
 */
export async function selectUploaded(
  ctx: StepContext,
  tenant: TenantId,
  c: CampaignRecord,
  audienceId: string,
  segment: number,
  totalSegments: number,
): Promise<SelectResult> {
  const { ports } = ctx;
  const audience = await liveAudience(ctx, tenant, audienceId);
  const now = ports.clock.now();
  const result: SelectResult = { segment, audience: 0, control: 0, treatment: 0, pilot: 0 };
  let chunk: CampaignMember[] = [];
  const flush = async () => {
    await ports.campaigns.putMembers(tenant, runMembersKey(c.campaignId, c.runId), ctx.shardOf, chunk);
    for (const m of chunk) {
      result.audience++;
      result[m.group]++;
      if (m.phase === 'pilot') result.pilot++;
    }
    chunk = [];
  };
  const read = { audiences: ports.audiences!, customers: ports.customers };
  for await (const customer of uploadedAudienceSegment(read, tenant, audience, segment, totalSegments)) {
    chunk.push(assignMember(tenant, c, customer, now, ctx.rules));
    if (chunk.length >= CHUNK) await flush();
  }
  await flush();
  return result;
}
