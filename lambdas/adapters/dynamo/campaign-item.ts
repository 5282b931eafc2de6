import * as z from 'zod';
import { CAMPAIGN_PHASES } from '#domain/campaign/assignment.ts';
import type { CampaignRecord } from '#domain/campaign/campaign.ts';
import type { StoredMember } from '#domain/campaign/ports.ts';
import { StoredOutboundMessage, StoredRule, storedAs } from './stored-items.ts';

/** Exactly one of three shapes (not loose: `'customerIds' in audience` must tell them apart). */
export const StoredAudience = z.union([
  z.object({ rule: StoredRule }),
  z.object({ customerIds: z.array(z.string()) }),
  z.object({ audienceId: z.string() }),
]) satisfies z.ZodType<CampaignRecord['audience'], unknown>;

/** A member item (`CM#<campaignId>#<shard>` / customerId) without its keys; loose, as it was read before. */
const StoredMemberItem = z.looseObject({
  customerId: z.string(),
  group: z.enum(['control', 'treatment']),
  phase: z.enum(CAMPAIGN_PHASES),
  status: z.enum(['selected', 'contacted', 'suppressed', 'failed']),
  reason: z.string().optional(),
  actionId: z.string().optional(),
  variantId: z.string().optional(),
  messageId: z.string().optional(),
  decisionId: z.string().optional(),
  at: z.string().optional(),
  message: StoredOutboundMessage.optional(),
}) satisfies z.ZodType<StoredMember, unknown>;

export function storedMemberOf(item: Record<string, unknown>): StoredMember {
  const { pk: _pk, sk: _sk, kind: _k, ...member } = item;
  return storedAs(StoredMemberItem, member, 'campaign member');
}
