import { assignMember, type CampaignMember, type CampaignRecord } from '#domain/campaign/campaign.ts';
import { runMembersKey } from '#domain/campaign/schedule.ts';
import type { TenantId } from '#domain/ids.ts';
import { uploadedAudienceSegment } from '../audiences.ts';
import { CampaignStepError, type StepContext } from './context.ts';
import type { SelectResult } from './step-input.ts';

/** Members stored at once: a segment of a large list is never held whole. */
const CHUNK = 1000;

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
  const audience = await ports.audiences?.get(tenant, audienceId);
  // checked ready when the campaign was created; there is no way to delete one since
  if (audience?.status !== 'ready') throw new CampaignStepError(`audience ${audienceId} is not ready`);
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
